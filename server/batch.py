"""POST /batch: many idempotent writes in one request, each with its own Idempotency-Key and its own answer.

The desktop outbox drains its queue with it (thousands of rows in seconds instead of one round trip each). Each
request in the batch is dispatched, in order, through this same application in-process (ASGI), with the batch's
Authorization (and the batch's address and X-Workstation, which the audit rows name), its own Idempotency-Key,
method, path, body and headers. So it meets exactly the route, the
validation (TextCheck included), the database gate, the idempotency store and the audit it would meet sent alone:
there is one way to handle a write, and a batch is only a way to deliver many.

    {"requests": [{"key": "<uuid>", "method": "POST", "path": "/custody/records/<id>/log", "body": {...},
                   "headers": {"If-Match": "3"}, "group": "/custody/records/<id>"}, ...]}
    -> {"results": [{"key", "status", "body", "headers"}, ...]}

Order: requests run one after another. A request answered 401 (sign-in expired) or with a retryable status (5xx,
429) stops the batch there: the results end with it and the client tries the rest later. A request refused
otherwise (4xx) does not stop the others, but later requests of the same `group` (the record they write to) are
not tried: they answer 424, so order per record is kept. Replays are safe: each request's key is its own.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine

from server.audit import WORKSTATION_HEADER
from server.auth.dependencies import SignedInUser
from server.db import batch_connection
from server.errors import RETRY_AFTER_UNAVAILABLE, ProblemError, problem_body

log = logging.getLogger("bridewell.server")
router = APIRouter(tags=["batch"])

MAX_REQUESTS = 500
# Requests per commit: one commit (one fsync, one event wake-up) for many writes, yet short enough that other
# writers (and, on PostgreSQL, the event-order lock every write takes) wait at most a moment.
COMMIT_EVERY = 50
BATCH_PATH = "/batch"
# Headers a request in a batch may carry of its own; the rest (Authorization above all) come from the batch.
PASSED_HEADERS = frozenset({"if-match", "if-none-match", "content-type"})
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEPT_HEADERS = ("retry-after", "idempotent-replayed", "etag", "location")


class BatchIn(BaseModel):
    # Each request is checked one by one (a bad one gets its own 422 result, the others still run).
    requests: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_REQUESTS)


class BatchResult(BaseModel):
    key: str
    status: int
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)


class BatchOut(BaseModel):
    results: list[BatchResult]


def _problem(key: str, status: int, detail: str, errors: list[dict[str, str]] | None = None) -> BatchResult:
    return BatchResult(key=key, status=status, body=problem_body(status, detail, errors=errors))


def _check(item: dict[str, Any], prefix: str) -> tuple[str, str, str, dict[str, str], str | None] | BatchResult:
    """(key, method, path, headers, group) of a well-formed request, or its 422 result."""
    key = item.get("key")
    key_text = key if isinstance(key, str) else ""
    if not key_text.strip() or len(key_text) > 200:
        return _problem(key_text, 422, "key: give the request's Idempotency-Key (1 to 200 characters).",
                        [{"field": "key", "message": "Give 1 to 200 characters."}])
    method = str(item.get("method") or "").upper()
    if method not in METHODS:
        return _problem(key_text, 422, f"method: one of {', '.join(sorted(METHODS))}.",
                        [{"field": "method", "message": f"One of {', '.join(sorted(METHODS))}."}])
    path = item.get("path")
    if (not isinstance(path, str) or not path.startswith("/") or ".." in path or "?" in path or "#" in path
            or path.rstrip("/").endswith(BATCH_PATH)):
        return _problem(key_text, 422, "path: an API path such as /custody/records/<id>/log (not /batch).",
                        [{"field": "path", "message": "An API path under the API prefix, not /batch."}])
    headers = item.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        return _problem(key_text, 422, "headers: an object of text values.",
                        [{"field": "headers", "message": "An object of text values."}])
    group = item.get("group")
    passed = {k.lower(): v for k, v in headers.items() if k.lower() in PASSED_HEADERS}
    try:
        for value in passed.values():
            value.encode("latin-1")
    except UnicodeError:
        return _problem(key_text, 422, "headers: only Latin-1 text can be sent in a header.",
                        [{"field": "headers", "message": "Only Latin-1 text."}])
    return key_text, method, prefix + path, passed, group if isinstance(group, str) else None


@router.post("/batch", response_model=BatchOut)
async def batch(request: Request, payload: BatchIn, _user: SignedInUser) -> BatchOut:
    """Run the requests in order, each as if sent alone (see the module's description). Signed in first, before
    the body is read (each request inside is checked again, as if sent alone)."""
    authorization = request.headers.get("authorization")
    if not authorization:
        raise ProblemError(401, "Sign in first.", headers={"WWW-Authenticate": "Bearer"})
    prefix = str(request.url.path).removesuffix(BATCH_PATH)  # the API prefix this batch came in under
    engine: Engine = request.app.state.engine
    connection = await anyio.to_thread.run_sync(engine.connect)
    shared = batch_connection.set(connection)
    try:
        return await _run(request, payload, prefix, authorization, connection)
    finally:
        batch_connection.reset(shared)
        await anyio.to_thread.run_sync(connection.close)  # rolls back whatever was not committed


async def _run(request: Request, payload: BatchIn, prefix: str, authorization: str,
               connection: Connection) -> BatchOut:
    results: list[BatchResult] = []
    uncommitted: list[BatchResult] = []  # answered, in the open transaction: told only once it commits
    refused_groups: set[str] = set()

    async def commit(again: bool = True) -> bool:
        """Commit what the requests since the last commit did and begin again; False (and their answers
        become one 503) if it fails, so the client never takes a write for stored that was not."""
        try:
            await anyio.to_thread.run_sync(connection.commit)
        except Exception:  # noqa: BLE001 - the database went away: nothing of these requests was stored
            log.exception("a batch could not commit")
            await anyio.to_thread.run_sync(connection.rollback)
            results.append(_problem(uncommitted[0].key, 503, "Not stored: the database did not take this batch; "
                                                             "send it again."))
            results[-1].headers["retry-after"] = RETRY_AFTER_UNAVAILABLE
            uncommitted.clear()
            return False
        request.app.state.feed.wake()  # SQLite has no NOTIFY: the waiting long polls hear of the events now
        results.extend(uncommitted)
        uncommitted.clear()
        if again:
            await anyio.to_thread.run_sync(_begin, connection)
        return True

    await anyio.to_thread.run_sync(_begin, connection)
    # What every request of the batch shares with the batch itself: who (Authorization) and where from (the
    # address and the workstation the audit rows name).
    shared: list[tuple[bytes, bytes]] = [(b"authorization", authorization.encode("latin-1")),
                                         (b"accept", b"application/json"), (b"content-type", b"application/json")]
    workstation = request.headers.get(WORKSTATION_HEADER)
    if workstation:
        shared.append((WORKSTATION_HEADER.encode(), workstation.encode("latin-1", "replace")))
    for item in payload.requests:
        checked = _check(item, prefix)
        if isinstance(checked, BatchResult):
            uncommitted.append(checked)
            continue
        key, method, path, headers, group = checked
        if group is not None and group in refused_groups:
            uncommitted.append(_problem(key, 424, "Not tried: an earlier change to the same record in this "
                                                  "batch was refused."))
            continue
        # ensure_ascii: a lone surrogate travels as its escape and meets TextCheck like any request's text.
        content = json.dumps(item.get("body"), ensure_ascii=True).encode()
        status, kept, raw = await _dispatch(request, method, path, content, [
            *((k.encode(), v.encode("latin-1")) for k, v in headers.items() if k != "content-type"),
            *shared, (b"idempotency-key", key.encode("latin-1"))])
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        uncommitted.append(BatchResult(key=key, status=status, body=body, headers=kept))
        if status == 401 or status == 429 or status >= 500:
            break  # the rest would meet the same: the client tries them later, in order
        if status >= 400 and group is not None:
            refused_groups.add(group)
        if len(uncommitted) >= COMMIT_EVERY and not await commit():
            return BatchOut(results=results)
    if uncommitted:
        await commit(again=False)
    return BatchOut(results=results)


async def _dispatch(outer: Request, method: str, path: str, content: bytes,
                    headers: list[tuple[bytes, bytes]]) -> tuple[int, dict[str, str], bytes]:
    """One request through this application (every middleware, the route, its dependencies), called as ASGI
    directly: (status, the kept response headers, body). No HTTP client in between: a batch of hundreds spends
    its time in the route, not in building and parsing requests."""
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
             "method": method, "scheme": outer.url.scheme, "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "headers": headers,
             "client": outer.scope.get("client"), "server": outer.scope.get("server"),
             "state": dict(outer.scope.get("state") or {}), "extensions": {}}
    sent = False
    status, kept, chunks = 500, {}, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}
        await anyio.sleep_forever()  # pragma: no cover - nothing reads past the body
        raise AssertionError  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for name, value in message.get("headers") or []:
                name_text = name.decode("latin-1").lower()
                if name_text in KEPT_HEADERS:
                    kept[name_text] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await outer.app(scope, receive, send)
    return status, kept, b"".join(chunks)


def _begin(connection: Connection) -> None:
    """SQLite: take the write lock now (BEGIN IMMEDIATE), so the savepoints nest in one real transaction and
    no other writer slips in between two of them; PostgreSQL begins with the first statement."""
    connection.begin()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
