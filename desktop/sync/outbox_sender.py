"""The outbox sender: one worker thread sends pending rows in order, the row id as Idempotency-Key.

ServerUnreachable and 5xx (503 "busy, try later" included): keep the row, wait (backoff, at least the server's
Retry-After), try again; the order is kept because the worker
never skips past a row it could not send. 4xx: the server will never accept it as it is, so the row is
marked rejected and reported, and the worker moves on. That includes 412: a versioned step (If-Match) whose
record changed meanwhile; the ApiError carries the server's current copy (`error.current`). A replayed 2xx is a success like any other.

Plain Python: what happens is told through callbacks, on the worker thread. The client's Qt adapter
(desktop/sync/qt_outbox.py) re-emits them as signals on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
from desktop.sync.local_store import LocalStore, OutboxItem

BACKOFF_S = (0.5, 1, 2, 4, 8, 15, 30)
RETRY_AFTER_MAX_S = 120.0  # a server asking for longer is not trusted further than this


def _ignore(*_args: Any) -> None:
    pass


class OutboxSender:
    """The callbacks are called on the worker thread: `on_sent(row, response)` (the created entity),
    `on_rejected(row, ApiError)`, `on_retrying(row, reason)`, `on_pending(count)` (rows still waiting to send)."""

    def __init__(self, store: LocalStore, client: ApiClient, *, backoff: tuple[float, ...] = BACKOFF_S,
                 on_sent: Callable[[OutboxItem, Any], None] = _ignore,
                 on_rejected: Callable[[OutboxItem, ApiError], None] = _ignore,
                 on_retrying: Callable[[OutboxItem, str], None] = _ignore,
                 on_pending: Callable[[int], None] = _ignore):
        self.on_sent, self.on_rejected = on_sent, on_rejected
        self.on_retrying, self.on_pending = on_retrying, on_pending
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
            self.on_pending(len(rows))
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
            self.on_retrying(row, "server unreachable")
            return False
        except ApiError as exc:
            if exc.retryable:
                self._store.mark_attempt(row.id, str(exc))
                self._retry_after = exc.retry_after
                self.on_retrying(row, "server busy" if exc.status == 503 else f"server error {exc.status}")
                return False
            self._store.mark_rejected(row.id, str(exc))
            self.on_rejected(row, exc)
            self.on_pending(self._store.pending_count())
            return True
        self._store.mark_sent(row.id, response)
        self.on_sent(row, response)
        self.on_pending(self._store.pending_count())
        return True
