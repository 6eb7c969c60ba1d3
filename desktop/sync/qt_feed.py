"""The thin Qt adapter of the change feed (desktop/sync/feed.py): each batch the feed's thread receives is emitted
as a signal, which Qt queues to receivers on the GUI thread (the change hub's `deliver`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient
from desktop.sync.feed import ChangeFeed


class QtChangeFeed(QObject):
    events = Signal(list)  # a batch of event dicts, in seq order
    failed = Signal(str)

    def __init__(self, client: ApiClient, *, after: int = 0, wait: float = 25.0, retry_s: float = 2.0,
                 parent: QObject | None = None):
        super().__init__(parent)
        # Emitted on the feed's thread; this object lives on the GUI thread, so Qt queues each batch there.
        self.core = ChangeFeed(client, after=after, wait=wait, retry_s=retry_s,
                               on_events=self.events.emit, on_failed=self.failed.emit)

    @property
    def last_seq(self) -> int:
        return self.core.last_seq

    @last_seq.setter
    def last_seq(self, value: int) -> None:
        self.core.last_seq = value

    def start(self) -> None:
        self.core.start()

    def set_token(self, token: str | None) -> None:
        self.core.set_token(token)

    def stop(self) -> None:
        self.core.stop()
