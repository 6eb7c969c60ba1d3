"""The outbox sender: one worker thread sends pending rows in order, the row id as Idempotency-Key.

Rows go in batches (`POST /batch`, up to BATCH_SIZE rows, each with its own key and its own answer; one local
commit per batch), or one by one to a server without the batch endpoint. What each answer means:

- 2xx (a replay too): sent.
- ServerUnreachable, 5xx, 429 (503 "busy, try later" included), and a 409 the first few times (a clash with a
  write stored at the same moment): keep the row, wait (backoff, at least the server's Retry-After), try again.
  The worker never skips past a row it could not send, so the order is kept.
- 401: the sign-in expired or was revoked. Nothing is refused: the queue PAUSES and the listener is told
  (`on_auth_needed`); `resume()`, once the client has a new token, sends on.
- 412: a versioned step whose record changed meanwhile. The row is set aside as a CONFLICT with the server's
  current copy (`error.current`), reported (`on_conflict`) for the officer to merge (`resolve_conflict`) or give
  up (`discard`).
- Any other 4xx, or a row that cannot even be encoded (a lone surrogate pasted into a text): the row is SET
  ASIDE with its reason (`on_rejected`). The rows behind it go on, except later rows of the same record queued
  before it was set aside: they wait behind it (local_store.blocked_by), so order per record is kept.

Attribution: a sender works for one signed-in user (`author_id`, the client's token is theirs). It sends only
that user's rows (and rows queued before rows carried an author): rows another officer queued on this
workstation wait for that officer's own session (`on_others(count)` says how many), never sent under this one.

The worker is supervised: an unexpected exception is logged, reported (`on_error`) and the loop starts again
after a backoff; it never dies silently.

Plain Python: what happens is told through callbacks, on the worker thread. The client's Qt adapter
(desktop/sync/qt_outbox.py) re-emits them as signals on the GUI thread.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable, error_from_problem
from desktop.sync.local_store import (CONFLICT, PENDING, REJECTED, SENT, LocalStore, OutboxItem,
                                      settled_keep_hours)

log = logging.getLogger("bridewell.outbox")

BACKOFF_S = (0.5, 1, 2, 4, 8, 15, 30)
RETRY_AFTER_MAX_S = 120.0  # a server asking for longer is not trusted further than this
BATCH_SIZE = 200  # rows per POST /batch: big enough to drain 10,000 rows in seconds, small enough to answer fast
UNSENDABLE = 0  # the `status` of a row set aside without asking the server (it could not be encoded)
CONFLICT_409_RETRIES = 3  # a 409 is retried this many times before the row is set aside
PURGE_EVERY_S = 600.0  # how often sent and discarded rows older than the setting are deleted


def _ignore(*_args: Any) -> None:
    pass


def encoding_problem(row: OutboxItem) -> str | None:
    """Why this row can never be sent as it is (a lone surrogate from a bad paste cannot be UTF-8), or None."""
    try:
        json.dumps(row.body, ensure_ascii=False).encode("utf-8")
        for name, value in row.headers.items():
            f"{name}: {value}".encode("latin-1")
    except (UnicodeError, TypeError, ValueError) as exc:
        return ("It holds a character that cannot be sent (usually from a bad paste): "
                f"{exc.__class__.__name__}. Correct the text and send it again.")
    return None


def unsendable_error(reason: str) -> ApiError:
    return ApiError(status=UNSENDABLE, title="Cannot be sent", detail=reason)


def error_details(error: ApiError) -> dict[str, Any]:
    """What the local store keeps of a refusal, enough to show it again and to rebuild the ApiError."""
    return {"status": error.status, "title": error.title, "detail": error.detail,
            "field_errors": error.field_errors, "body": error.body}


def error_from_details(details: dict[str, Any] | None, fallback: str = "") -> ApiError:
    details = details or {}
    return ApiError(status=int(details.get("status") or 0), title=str(details.get("title") or ""),
                    detail=str(details.get("detail") or fallback), field_errors=dict(details.get("field_errors") or {}),
                    body=dict(details.get("body") or {}))


class _Retry(Exception):
    """The server could not take the row now (unreachable, busy, 5xx): back off and try again."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class _AuthNeeded(Exception):
    """401: pause until resume()."""


class OutboxSender:
    """The callbacks are called on the worker thread: `on_sent(row, response)` (the created entity),
    `on_rejected(row, ApiError)` (set aside: refused, a conflict too, or unsendable with status 0),
    `on_conflict(row, ApiError)` (412, with `error.current`), `on_retrying(row, reason)`, `on_pending(count)`
    (rows still waiting to send), `on_auth_needed()` (paused on a 401 until `resume()`), `on_error(exception)`
    (the worker failed unexpectedly and restarts), `on_set_aside(count)` (rows set aside for the officer),
    `on_others(count)` (rows other officers queued here, waiting for them to sign in again).

    `author_id`: the signed-in user's id; only their rows go (under `client`'s token, which must be theirs).
    None: every row (a sender for no one in particular: the benchmark, tests of the sending itself)."""

    def __init__(self, store: LocalStore, client: ApiClient, *, backoff: tuple[float, ...] = BACKOFF_S,
                 batch_size: int = BATCH_SIZE, keep_settled_hours: float | None = None,
                 on_sent: Callable[[OutboxItem, Any], None] = _ignore,
                 on_rejected: Callable[[OutboxItem, ApiError], None] = _ignore,
                 on_retrying: Callable[[OutboxItem, str], None] = _ignore,
                 on_pending: Callable[[int], None] = _ignore,
                 on_conflict: Callable[[OutboxItem, ApiError], None] = _ignore,
                 on_auth_needed: Callable[[], None] = _ignore,
                 on_error: Callable[[BaseException], None] = _ignore,
                 on_set_aside: Callable[[int], None] = _ignore,
                 on_others: Callable[[int], None] = _ignore, author_id: str | None = None):
        self.on_sent, self.on_rejected = on_sent, on_rejected
        self.on_retrying, self.on_pending = on_retrying, on_pending
        self.on_conflict, self.on_auth_needed, self.on_error = on_conflict, on_auth_needed, on_error
        self.on_set_aside, self.on_others = on_set_aside, on_others
        self.author_id = author_id
        self._store = store
        self._client = client
        self._backoff = backoff
        self._batch_size = max(1, batch_size)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._paused = threading.Event()  # set: a 401 paused the queue until resume()
        self._thread: threading.Thread | None = None
        self._retry_after: float | None = None  # the last refusal's Retry-After, for the next delay
        self._batch_supported = True  # False once the server answers POST /batch with 404/405 (an older server)
        self.restarts = 0  # how often the supervisor restarted the loop (shown in logs and tests)
        # Sent and discarded rows hold personal data (the server's answers): deleted after this many hours.
        self._keep_hours = settled_keep_hours() if keep_settled_hours is None else keep_settled_hours
        self._purged_at: float | None = None

    @property
    def paused(self) -> bool:
        """True while a 401 holds the queue (until `resume()`)."""
        return self._paused.is_set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._supervise, name="bridewell-outbox", daemon=True)
            self._thread.start()
        self.wake()

    def wake(self) -> None:
        """Something new is in the outbox, or the server came back: try now instead of after the backoff."""
        self._wake.set()

    def pause(self) -> None:
        """Stop sending (the user is signing out) until `resume()`; a row in flight finishes."""
        self._paused.set()
        self.wake()

    def resume(self) -> None:
        """The client has a new token (signed in again): send on from where the 401 stopped."""
        self._paused.clear()
        self.wake()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # What the officer decides about a set-aside row (any thread; disk I/O, so not the GUI thread) -----------
    def resolve_conflict(self, row_id: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> bool:
        """Send a set-aside row again with this body and headers (a merged copy and the current version's
        If-Match, or corrected text). False when the row is no longer set aside."""
        item = self._store.resend(row_id, body, headers, author_id=self.author_id)
        self.wake()
        return item is not None

    resend = resolve_conflict  # the Unsent changes view's "correct and resend" is the same step

    def discard(self, row_id: str, reason: str, who: str = "") -> bool:
        """Give a set-aside row up (who and why kept in the local store); the rows waiting behind it go on."""
        item = self._store.discard(row_id, reason, who, author_id=self.author_id)
        self.wake()
        if item is not None:
            log.warning("outbox row %s (%s %s) discarded by %s: %s", row_id, item.method, item.path, who, reason)
        return item is not None

    # The worker -------------------------------------------------------------------------------------------
    def _supervise(self) -> None:
        while not self._stopping.is_set():
            try:
                self._run()
            except Exception as exc:  # noqa: BLE001 - the sender must not die: log, report, start again
                if self._stopping.is_set():
                    return  # shutting down: the store may already be closed under a last request
                self.restarts += 1
                log.exception("the outbox sender failed; restarting it")
                try:
                    self.on_error(exc)
                except Exception:  # noqa: BLE001 - a failing listener must not stop the restart
                    log.exception("the outbox sender's error listener failed")
                self._wake.wait(self._backoff[min(self.restarts, len(self._backoff)) - 1])

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            if self._paused.is_set():
                self._wake.wait()
                continue
            self._purge_now_and_then()
            me = self.author_id
            rows = self._store.pending(me)
            self.on_pending(len(rows))
            if me is not None:
                self.on_others(self._store.others_count(me))
            try:
                self._send_all(rows)
                failures = 0
                self.on_pending(self._store.pending_count(me))
                self.on_set_aside(self._store.set_aside_count(me))
                self._wake.wait()
            except _AuthNeeded:
                self._paused.set()
                self.on_pending(self._store.pending_count(me))
                self.on_auth_needed()
            except _Retry as retry:
                delay = self._backoff[min(failures, len(self._backoff) - 1)]
                if retry.retry_after is not None:  # a busy server said when: not sooner
                    delay = max(delay, min(retry.retry_after, RETRY_AFTER_MAX_S))
                failures += 1
                self._wake.wait(delay)

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY_S:
            self._purged_at = now
            purged = self._store.purge_settled(self._keep_hours)
            if purged:
                log.info("purged %d sent or discarded outbox rows older than %g h", purged, self._keep_hours)

    def _send_all(self, rows: list[OutboxItem]) -> None:
        """Send every row that may go now, in order, batch by batch. Raises _Retry or _AuthNeeded to stop."""
        held: dict[str, str] = {}  # record key -> id of the row set aside in this pass (its later rows wait)
        ready: list[OutboxItem] = []
        for row in rows:
            if row.waiting_behind is not None:
                continue
            ready.append(row)
        start, remaining = 0, len(rows)
        while start < len(ready):
            if self._stopping.is_set():
                return
            chunk = [r for r in ready[start:start + self._batch_size]
                     if r.record_key is None or r.record_key not in held]
            start += self._batch_size
            if chunk:
                remaining -= self._send_chunk(chunk, held)
                self.on_pending(remaining)  # counted, not COUNTed: the status bar follows a long drain

    def _send_chunk(self, chunk: list[OutboxItem], held: dict[str, str]) -> int:
        """Send these rows; the number settled (sent or set aside). Raises _Retry or _AuthNeeded to stop."""
        outcomes: list[tuple[str, str, Any]] = []
        reports: list[Callable[[], None]] = []
        sendable: list[OutboxItem] = []
        for row in chunk:  # in order: a row after an unsendable one of its record waits behind it
            if row.record_key is not None and row.record_key in held:
                continue
            problem = encoding_problem(row)
            if problem is None:
                sendable.append(row)
                continue
            error = unsendable_error(problem)
            outcomes.append((row.id, REJECTED, (problem, error_details(error))))
            reports.append(functools.partial(self.on_rejected, row, error))
            if row.record_key is not None:
                held[row.record_key] = row.id
        stop: BaseException | None = None
        try:
            if sendable:
                if self._batch_supported and len(sendable) > 1:
                    self._deliver_batch(sendable, outcomes, reports, held)
                else:
                    for row in sendable:
                        self._deliver_one(row, outcomes, reports, held)
        except (_Retry, _AuthNeeded) as exc:
            stop = exc
        if outcomes:
            self._store.settle_many(outcomes)  # one local commit per batch
        for report in reports:
            report()
        if stop is not None:
            raise stop
        return sum(1 for _id, state, _value in outcomes if state != PENDING)

    def _settle(self, row: OutboxItem, answer: Any, error: ApiError | None,
                outcomes: list[tuple[str, str, Any]], reports: list[Callable[[], None]],
                held: dict[str, str]) -> None:
        """Record one row's answer (not yet committed) and what to tell the listener once it is."""
        if error is None:
            outcomes.append((row.id, SENT, answer))
            reports.append(lambda: self.on_sent(row, answer))
            return
        if error.status == 401:
            raise _AuthNeeded()
        if error.retryable or (error.status == 409 and row.attempts < CONFLICT_409_RETRIES):
            # 409 is a clash with a write stored at the same moment (or a key still in flight): transient, so
            # tried again a few times before it is taken as a refusal and set aside.
            outcomes.append((row.id, PENDING, str(error)))
            reason = {503: "server busy", 409: "a write clashed with another; trying again"}.get(
                error.status, f"server error {error.status}")
            self.on_retrying(row, reason)
            raise _Retry(reason, error.retry_after)
        state = CONFLICT if error.status == 412 else REJECTED
        outcomes.append((row.id, state, (str(error), error_details(error))))
        if state == CONFLICT:
            reports.append(lambda: self.on_conflict(row, error))
        reports.append(lambda: self.on_rejected(row, error))
        if row.record_key is not None:
            held.setdefault(row.record_key, row.id)

    def _deliver_one(self, row: OutboxItem, outcomes: list[tuple[str, str, Any]],
                     reports: list[Callable[[], None]], held: dict[str, str]) -> None:
        if row.record_key is not None and row.record_key in held:
            return
        try:
            # The row's own headers (If-Match for a versioned step), then the key: it is always the row id.
            response: Any = self._client.request(row.method, row.path, json=row.body,
                                                 headers={**row.headers, "Idempotency-Key": row.id})
        except ServerUnreachable as exc:
            outcomes.append((row.id, PENDING, str(exc)))
            self.on_retrying(row, "server unreachable")
            raise _Retry("server unreachable") from exc
        except ApiError as exc:
            self._settle(row, None, exc, outcomes, reports, held)
            return
        self._settle(row, response, None, outcomes, reports, held)

    def _deliver_batch(self, rows: list[OutboxItem], outcomes: list[tuple[str, str, Any]],
                       reports: list[Callable[[], None]], held: dict[str, str]) -> None:
        requests = [{"key": r.id, "method": r.method, "path": r.path, "body": r.body, "headers": r.headers,
                     "group": r.record_key} for r in rows]
        try:
            results = self._client.batch(requests)
        except ServerUnreachable as exc:
            outcomes.append((rows[0].id, PENDING, str(exc)))
            self.on_retrying(rows[0], "server unreachable")
            raise _Retry("server unreachable") from exc
        except ApiError as exc:
            if exc.status == 401 or exc.retryable:
                self._settle(rows[0], None, exc, outcomes, reports, held)  # pause, or back off and retry
                return
            if exc.status in (404, 405):  # an older server: one by one from now on, as before
                log.info("the server has no batch endpoint; sending rows one by one")
                self._batch_supported = False
            else:  # the batch itself refused (413 too large, say): these rows one by one, each answered alone
                log.warning("the server refused a batch (%s); sending its rows one by one", exc)
            for row in rows:
                self._deliver_one(row, outcomes, reports, held)
            return
        by_key = {str(result.get("key")): result for result in results}
        for row in rows:
            result = by_key.get(row.id)
            if result is None:  # the server stopped before it (a 401 or a retryable answer came first)
                break
            status = int(result.get("status") or 0)
            if status == 424:  # not tried: an earlier row of its record in this batch was refused
                continue
            if 200 <= status < 300:
                self._settle(row, result.get("body"), None, outcomes, reports, held)
            else:
                self._settle(row, None, result_error(result), outcomes, reports, held)


def result_error(result: dict[str, Any]) -> ApiError:
    """One batch result's refusal as the ApiError the same request sent alone would have raised."""
    headers = result.get("headers")
    return error_from_problem(int(result.get("status") or 0), result.get("body"),
                              headers if isinstance(headers, dict) else {})
