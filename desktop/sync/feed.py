"""The change-feed listener: long-polls GET /events and hands batches of events to the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable


class ChangeFeed(QObject):
    events = Signal(list)  # a batch of event dicts, in seq order
    failed = Signal(str)

    def __init__(self, client: ApiClient, *, after: int = 0, wait: float = 25.0, retry_s: float = 2.0):
        super().__init__()
        self._client = client.fork()
        self.last_seq = after
        self._wait = wait
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="bridewell-feed", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        # The long poll cannot be interrupted; the daemon thread exits when it returns.
        self._stopping.set()
        self._thread = None
        self._client.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                result = self._client.events(self.last_seq, self._wait)
            except (ServerUnreachable, ApiError, RuntimeError) as exc:  # RuntimeError: client closed
                if self._stopping.is_set():
                    return
                self.failed.emit(str(exc))
                # Then ask again from last_seq (to this server or, behind a proxy, another process): nothing
                # committed meanwhile is missed. A busy server's Retry-After is honoured.
                retry_after = exc.retry_after if isinstance(exc, ApiError) else None
                self._stopping.wait(max(self._retry_s, min(retry_after or 0.0, 60.0)))
                continue
            if self._stopping.is_set():
                return
            batch = result.get("events") or []
            self.last_seq = max(int(result.get("last_seq") or 0), self.last_seq)
            if batch:
                self.events.emit(batch)
