"""The thin Qt adapter of the outbox sender (desktop/sync/outbox_sender.py): what the sender's worker thread
reports is emitted as signals, which Qt queues to receivers on the GUI thread (`Writes`, the status bar)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient
from desktop.sync.local_store import LocalStore
from desktop.sync.outbox_sender import BACKOFF_S, OutboxSender


class QtOutboxSender(QObject):
    sent = Signal(object, object)  # OutboxItem, server response (the created entity)
    rejected = Signal(object, object)  # OutboxItem, ApiError
    retrying = Signal(object, str)  # OutboxItem, reason
    pending_changed = Signal(int)  # rows still waiting to send
    authentication_needed = Signal()  # a 401: the queue is paused until resume()
    conflict = Signal(object, object)  # OutboxItem, ApiError 412 (error.current: the server's copy)

    def __init__(self, store: LocalStore, client: ApiClient, *, backoff: tuple[float, ...] = BACKOFF_S,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.core = OutboxSender(store, client, backoff=backoff, on_sent=self.sent.emit,
                                 on_rejected=self.rejected.emit, on_retrying=self.retrying.emit,
                                 on_pending=self.pending_changed.emit,
                                 on_auth_needed=self.authentication_needed.emit, on_conflict=self.conflict.emit)

    def start(self) -> None:
        self.core.start()

    def wake(self) -> None:
        self.core.wake()

    def resume(self) -> None:
        self.core.resume()

    def resolve_conflict(self, row_id: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.core.resolve_conflict(row_id, body, headers)

    def discard(self, row_id: str, reason: str) -> None:
        self.core.discard(row_id, reason)

    def stop(self, timeout: float = 5.0) -> None:
        self.core.stop(timeout)
