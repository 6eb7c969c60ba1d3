"""The outbox sender: one worker thread sends pending rows in order, the row id as Idempotency-Key.

ServerUnreachable and 5xx (503 "busy, try later" included): keep the row, wait (backoff, at least the server's
Retry-After), try again; the order is kept because the worker
never skips past a row it could not send. 4xx: the server will never accept it as it is, so the row is
marked rejected and reported, and the worker moves on. That includes 412: a versioned step (If-Match) whose
record changed meanwhile; the ApiError carries the server's current copy (`error.current`). A replayed 2xx is a success like any other.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
from desktop.sync.local_store import LocalStore, OutboxItem

BACKOFF_S = (0.5, 1, 2, 4, 8, 15, 30)
RETRY_AFTER_MAX_S = 120.0  # a server asking for longer is not trusted further than this


class OutboxSender(QObject):
    """Signals are emitted on the worker thread; Qt queues them to receivers living on the GUI thread."""

    sent = Signal(object, object)  # OutboxItem, server response (the created entity)
    rejected = Signal(object, object)  # OutboxItem, ApiError
    retrying = Signal(object, str)  # OutboxItem, reason
    pending_changed = Signal(int)  # rows still waiting to send

    def __init__(self, store: LocalStore, client: ApiClient, *, backoff: tuple[float, ...] = BACKOFF_S):
        super().__init__()
        self._store = store
        self._client = client
        self._backoff = backoff
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._retry_after: float | None = None  # the last refusal's Retry-After, for the next delay

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="bridewell-outbox", daemon=True)
            self._thread.start()
        self.wake()

    def wake(self) -> None:
        """Something new is in the outbox, or the server came back: try now instead of after the backoff."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                rows = self._store.pending()
            except Exception:  # noqa: BLE001 - store trouble must not kill the sender; retry later
                rows = []
            self.pending_changed.emit(len(rows))
            blocked = False
            for row in rows:
                if self._stopping.is_set():
                    return
                if not self._send(row):
                    blocked = True
                    break
                failures = 0
            if blocked:
                delay = self._backoff[min(failures, len(self._backoff) - 1)]
                if self._retry_after is not None:  # a busy server said when: not sooner
                    delay = max(delay, min(self._retry_after, RETRY_AFTER_MAX_S))
                failures += 1
                self._wake.wait(delay)
            else:
                self._wake.wait()

    def _send(self, row: OutboxItem) -> bool:
        """True when the row is settled (sent or rejected); False when it must be retried."""
        self._retry_after = None
        try:
            # The row's own headers (If-Match for a versioned step), then the key: it is always the row id.
            response: Any = self._client.request(row.method, row.path, json=row.body,
                                                 headers={**row.headers, "Idempotency-Key": row.id})
        except ServerUnreachable as exc:
            self._store.mark_attempt(row.id, str(exc))
            self.retrying.emit(row, "server unreachable")
            return False
        except ApiError as exc:
            if exc.retryable:
                self._store.mark_attempt(row.id, str(exc))
                self._retry_after = exc.retry_after
                self.retrying.emit(row, "server busy" if exc.status == 503 else f"server error {exc.status}")
                return False
            self._store.mark_rejected(row.id, str(exc))
            self.rejected.emit(row, exc)
            self.pending_changed.emit(self._store.pending_count())
            return True
        self._store.mark_sent(row.id, response)
        self.sent.emit(row, response)
        self.pending_changed.emit(self._store.pending_count())
        return True
