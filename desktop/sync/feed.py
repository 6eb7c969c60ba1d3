"""The change-feed listener, plain Python: a thread long-polls GET /events (ids and types), reads what changed
with one POST /events/data per batch, and hands each batch of events (with their data) to a callback, on that
thread. The client's Qt adapter (desktop/sync/qt_feed.py) re-emits them on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable


def _ignore(*_args: Any) -> None:
    pass


class ChangeFeed:
    """`on_events(batch)` gets each batch of event dicts in seq order, `on_failed(reason)` each failed poll (the
    feed then asks again from `last_seq`); both are called on the feed's thread."""

    def __init__(self, client: ApiClient, *, after: int = 0, wait: float = 25.0, retry_s: float = 2.0,
                 on_events: Callable[[list[dict[str, Any]]], None] = _ignore,
                 on_failed: Callable[[str], None] = _ignore):
        self.on_events, self.on_failed = on_events, on_failed
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

    def set_token(self, token: str | None) -> None:
        """A new sign-in (the lock screen, or the server back after an offline start): the next poll uses it."""
        self._client.token = token

    def stop(self) -> None:
        # The long poll cannot be interrupted; the daemon thread exits when it returns, and closes the client
        # then. Closed here under a poll in flight, httpx would still open (and keep) a connection for it, which
        # nobody closes: an unclosed socket found later by the garbage collector.
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is None or not thread.is_alive():
            self._client.close()

    def _run(self) -> None:
        try:
            self._poll_until_stopped()
        finally:
            self._client.close()

    def _poll_until_stopped(self) -> None:
        while not self._stopping.is_set():
            try:
                result = self._client.events(self.last_seq, self._wait)
                batch = result.get("events") or []
                if batch:
                    # The feed carries ids and types only: what changed is one batched, audited read per
                    # wake-up (never one per event). An event withheld from this user arrives with empty data.
                    data = self._client.event_data([int(e["seq"]) for e in batch])
                    batch = [{**e, "data": data.get(int(e["seq"]), {})} for e in batch]
            except (ServerUnreachable, ApiError, RuntimeError) as exc:  # RuntimeError: client closed
                if self._stopping.is_set():
                    return
                self.on_failed(str(exc))
                # Then ask again from last_seq (to this server or, behind a proxy, another process): nothing
                # committed meanwhile is missed. A busy server's Retry-After is honoured.
                retry_after = exc.retry_after if isinstance(exc, ApiError) else None
                self._stopping.wait(max(self._retry_s, min(retry_after or 0.0, 60.0)))
                continue
            if self._stopping.is_set():
                return
            self.last_seq = max(int(result.get("last_seq") or 0), self.last_seq)
            if batch:
                self.on_events(batch)
