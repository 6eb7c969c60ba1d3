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
                 on_pending: Callable[[int], None] = _ignore,
                 on_auth_needed: Callable[[], None] = _ignore,
                 on_conflict: Callable[[OutboxItem, ApiError], None] = _ignore):
        self.on_sent, self.on_rejected = on_sent, on_rejected
        # Contract with the lock screen and the conflict dialog (helper "outbox" owns the full version).
        self.on_auth_needed, self.on_conflict = on_auth_needed, on_conflict
        self._paused = threading.Event()
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

    def resume(self) -> None:
        """The client has a new token: carry on from the row that met the 401."""
        self._paused.clear()
        self._wake.set()

    def resolve_conflict(self, row_id: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        """Send a conflicted row again with the body the officer chose and the current version's If-Match (store
        I/O: call from a worker). The 412 committed nothing, so the same Idempotency-Key is free."""
        import json

        self._store._update(row_id, state="pending", body=json.dumps(body), headers=json.dumps(headers),
                            last_error=None)
        self.wake()

    def discard(self, row_id: str, reason: str) -> None:
        """Set a conflicted row aside for good, with why (store I/O: call from a worker)."""
        self._store._update(row_id, state="discarded", last_error=reason)

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
            if self._paused.is_set():  # 401: nothing is sent until resume() (a new token)
                self._wake.wait()
                continue
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
            if exc.status == 401:  # sign-in expired: pause, never refuse
                self._store.mark_attempt(row.id, str(exc))
                self._paused.set()
                self.on_auth_needed()
                return False
            if exc.retryable:
                self._store.mark_attempt(row.id, str(exc))
                self._retry_after = exc.retry_after
                self.on_retrying(row, "server busy" if exc.status == 503 else f"server error {exc.status}")
                return False
            self._store.mark_rejected(row.id, str(exc))
            (self.on_conflict if exc.status == 412 else self.on_rejected)(row, exc)
            self.on_pending(self._store.pending_count())
            return True
        self._store.mark_sent(row.id, response)
        self.on_sent(row, response)
        self.on_pending(self._store.pending_count())
        return True
