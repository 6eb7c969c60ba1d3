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

The direct path (issue 11: 10,000 queued writes in seconds). The writes an outbox queues by the thousand (log
entries, cell checks) are registered by their route (`direct(...)`, next to the route itself) with the route's
body model, its role check and the very function its handler calls. A run of such requests is done in ONE thread
hop on one session, without the ASGI stack in between, yet step for step as the route does it: the text check
TextCheck makes (`wire.text_refusal`), the role check, If-Match (`records.parse_if_match`), the body model, the
idempotency store (`Idempotency.answer`, the same claim, replay and "same key, another body" 422) and the
service function (its audit, events and conditional updates). Each request has a SAVEPOINT of its own, so a
refusal undoes only its own work (a refused attempt's audit row is kept, as a request alone keeps it); its
refusal is the answer the app's own exception handlers give. The sign-in is checked once per run (the batch's
token, in the run's session), not once per request; the audit rows of the run are chained in one append when
it commits (server/audit.py). A route may also register a bulk form (`Bulk`; log entries do): the run's plain
requests are then checked together (a few queries for the run) and stored together (an INSERT each for their
keys with their answers, their rows and their events), each answered as the route answers it alone; whatever is
not plain (any refusal, a replay, a key or id used twice) is done alone, in its turn. Anything else (another
path, a body that is not an object) goes the whole way through the app as before.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from server import audit
from server.audit import WORKSTATION_HEADER
from server.auth.dependencies import SignedInUser, bearer_token
from server.auth.models import User
from server.auth.service import signed_in
from server.db import batch_connection, take_kept
from server.errors import RETRY_AFTER_UNAVAILABLE, ProblemError, problem_body
from server.idempotency import Answer, Idempotency, remember, stored_keys, value_digest
from server.records import forget_claims, parse_if_match
from server.settings import Settings
from server.wire import text_refusal

log = logging.getLogger("bridewell.server")
router = APIRouter(tags=["batch"])

MAX_REQUESTS = 500
# Requests per commit: one commit (one fsync, one event wake-up) for many writes, yet short enough that other
# writers (and, on PostgreSQL, the event-order lock every write takes) wait at most a moment (100 direct writes
# take some tens of milliseconds).
COMMIT_EVERY = 100
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
    settings: Settings = request.app.state.settings
    token = bearer_token(request)

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

    async def run_direct(run: list[_Planned]) -> bool:
        """The direct requests gathered so far, in one thread hop (see the module's description); False when
        one of them stops the batch."""
        try:
            async with request.app.state.gate.slot():
                answered = await anyio.to_thread.run_sync(_run_direct, connection, token, settings, run,
                                                          refused_groups)
        except ProblemError as busy:  # no slot of the database gate came free: 503, as the request alone
            uncommitted.append(_problem(run[0].key, busy.status, busy.detail))
            uncommitted[-1].headers.update({k.lower(): v for k, v in (busy.headers or {}).items()})
            return False
        except Exception:  # noqa: BLE001 - the database failed under the run: as a failed commit (above)
            log.exception("a batch's direct requests could not be stored")
            await anyio.to_thread.run_sync(connection.rollback)  # the answered requests since the last commit too
            await anyio.to_thread.run_sync(_begin, connection)
            first = uncommitted[0].key if uncommitted else run[0].key
            uncommitted.clear()
            uncommitted.append(_problem(first, 503, "Not stored: the database did not take this batch; "
                                                    "send it again."))
            uncommitted[-1].headers["retry-after"] = RETRY_AFTER_UNAVAILABLE
            return False
        for item, answer in answered:
            status, body, headers = answer if isinstance(answer, tuple) else await _refusal(request, answer)
            uncommitted.append(BatchResult(key=item.key, status=status, body=body,
                                           headers={k.lower(): v for k, v in headers.items()
                                                    if k.lower() in KEPT_HEADERS}))
            if _stops(status):
                return False
        return True

    await anyio.to_thread.run_sync(_begin, connection)
    # What every request of the batch shares with the batch itself: who (Authorization) and where from (the
    # address and the workstation the audit rows name).
    shared: list[tuple[bytes, bytes]] = [(b"authorization", authorization.encode("latin-1")),
                                         (b"accept", b"application/json"), (b"content-type", b"application/json")]
    workstation = request.headers.get(WORKSTATION_HEADER)
    if workstation:
        shared.append((WORKSTATION_HEADER.encode(), workstation.encode("latin-1", "replace")))
    run: list[_Planned] = []  # direct requests gathered, not yet done
    for item in payload.requests:
        checked = _check(item, prefix)
        planned = None if isinstance(checked, BatchResult) else _plan(item, checked, prefix)
        if planned is not None and planned.direct is not None:
            run.append(planned)
            if len(uncommitted) + len(run) < COMMIT_EVERY:
                continue
        if run:
            done, run = run, []
            if not await run_direct(done):
                break
        if planned is None or planned.direct is None:
            if isinstance(checked, BatchResult):
                uncommitted.append(checked)
                continue
            key, method, path, headers, group = checked
            if group is not None and group in refused_groups:
                uncommitted.append(_not_tried(key))
                continue
            status, kept, raw = await _dispatch(request, method, path, planned.content if planned else b"", [
                *((k.encode(), v.encode("latin-1")) for k, v in headers.items() if k != "content-type"),
                *shared, (b"idempotency-key", key.encode("latin-1"))])
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            uncommitted.append(BatchResult(key=key, status=status, body=body, headers=kept))
            if _stops(status):
                break  # the rest would meet the same: the client tries them later, in order
            if status >= 400 and group is not None:
                refused_groups.add(group)
        if len(uncommitted) >= COMMIT_EVERY and not await commit():
            return BatchOut(results=results)
    else:
        if run:
            await run_direct(run)
    if uncommitted:
        await commit(again=False)
    return BatchOut(results=results)


def _stops(status: int) -> bool:
    """401 (sign-in expired), 429 and 5xx stop the batch: the rest would meet the same, so the client tries them
    later, in order."""
    return status == 401 or status == 429 or status >= 500


def _not_tried(key: str) -> BatchResult:
    return _problem(key, 424, "Not tried: an earlier change to the same record in this batch was refused.")


# -- the direct path ------------------------------------------------------------------------------------------

# A direct write's work, the same function its route's handler calls: (session, user, the path's one parameter,
# the validated body, If-Match, settings) -> the entity to answer with.
DirectCall = Callable[[Session, User, str, Any, int | None, Settings], Any]


@dataclass(frozen=True)
class Bulk:
    """A direct write done for a whole run at once (see the module's description). `prepare(session, user,
    [(the path's parameter, the validated body), ...], settings)`: per request, what `store` needs when `call`
    would simply store it, or None when it must be done alone (`call` refuses it, or it is not the plain case).
    `answer(user, [prepared, ...])`: each one's entity, what `call` would return for it (made before anything is
    stored). `store(session, user, [prepared, ...], [each one's answer as JSON, ...])`: stores them, in order, as
    `call` would."""

    prepare: Callable[[Session, User, list[tuple[str, Any]], Settings], list[Any]]
    answer: Callable[[User, list[Any]], list[Any]]
    store: Callable[[Session, User, list[Any], list[Any]], None]


@dataclass(frozen=True)
class Direct:
    method: str
    pattern: re.Pattern[str]
    model: type[BaseModel]
    status: int
    allowed: Callable[[User], User]  # the route's role check (require_roles)
    call: DirectCall
    bulk: Bulk | None = None


_DIRECT: list[Direct] = []


def direct(method: str, path: str, model: type[BaseModel], status: int, allowed: Callable[[User], User],
           call: DirectCall, bulk: Bulk | None = None) -> None:
    """Let POST /batch run `method path` (its route's path under the API prefix, with one {parameter}) on the
    direct path: with the route's body model, its role check, its success status and `call`, which must be
    what the route's handler calls inside `idem.run`; with `bulk`, a run of them is stored at once."""
    parts = re.split(r"\{\w+\}", path)
    if len(parts) != 2:
        raise ValueError(f"a direct path has exactly one parameter: {path}")
    pattern = re.compile("^" + "([^/]+)".join(re.escape(p) for p in parts) + "$")
    _DIRECT.append(Direct(method.upper(), pattern, model, status, allowed, call, bulk))


@dataclass
class _Planned:
    key: str
    method: str
    path: str  # with the API prefix, as the request alone would have it
    headers: dict[str, str]
    group: str | None
    body: Any
    content: bytes  # the body as the request alone would carry it
    direct: Direct | None
    parameter: str


def _plan(item: dict[str, Any], checked: tuple[str, str, str, dict[str, str], str | None],
          prefix: str) -> _Planned:
    key, method, path, headers, group = checked
    body = item.get("body")
    # ensure_ascii: a lone surrogate travels as its escape and meets TextCheck like any request's text.
    content = json.dumps(body, ensure_ascii=True).encode()
    if isinstance(body, dict):  # anything else meets the route's own parsing, the whole way through the app
        relative = path.removeprefix(prefix)
        for candidate in _DIRECT:
            if candidate.method == method and (match := candidate.pattern.match(relative)):
                return _Planned(key, method, path, headers, group, body, content, candidate, match.group(1))
    return _Planned(key, method, path, headers, group, body, content, None, "")


Outcome = Answer | Exception


def _run_direct(connection: Connection, token: str, settings: Settings, run: list[_Planned],
                refused_groups: set[str]) -> list[tuple[_Planned, Outcome]]:
    """Do `run` in one session on the batch's connection, each request in a SAVEPOINT of its own, stopping after
    a request that stops the batch; each request's answer, or the exception the app's handlers will answer.
    The run's audit rows are chained together when its session commits."""
    answered: list[tuple[_Planned, Outcome]] = []
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        # The session's identity map holds its objects weakly: without this, the custody record every request of
        # the run writes to would be read again (with its joined loads) for each request.
        held: list[object] = []
        event.listen(session, "loaded_as_persistent", lambda _session, instance: held.append(instance))
        try:
            user = signed_in(session, token)  # once per run, not once per request
        except ProblemError as exc:
            return [(run[0], exc)]
        chained: list[dict[str, Any]] = []
        ready = _prepare_bulk(session, user, run, settings)
        segment: list[tuple[_Planned, Any]] = []  # bulk requests gathered, stored before the next one alone

        def store_segment() -> bool:
            """Store the gathered segment; False when one of its requests stops the batch."""
            if segment:
                answered.extend(_store_bulk(session, user, segment, settings, refused_groups, chained))
                segment.clear()
            return not (answered and _stopped(answered[-1][1]))

        for index, item in enumerate(run):
            prepared = ready.get(index)
            if prepared is not None and (item.group is None or item.group not in refused_groups):
                if segment and segment[0][0].direct is not item.direct:
                    if not store_segment():
                        break
                segment.append((item, prepared))
                continue
            if not store_segment():  # answers in order: what came before is stored before this one
                break
            outcome = _alone(session, user, item, settings, refused_groups, chained)
            answered.append((item, outcome))
            if _stopped(outcome):
                break
        else:
            store_segment()
        audit.add_pending(session, chained)
        session.commit()  # releases the run's SAVEPOINT; the audit rows are chained here, in one append
    return answered


def _one(session: Session, user: User, item: _Planned, settings: Settings) -> Answer:
    """One request as its route does it, in the order a request alone meets the steps."""
    direct_ = item.direct
    assert direct_ is not None
    body, if_match = _checked(user, item)
    idem = Idempotency(session, user.id, item.key.strip(), item.method, item.path, value_digest(item.body))
    return idem.answer(direct_.status,
                       lambda: direct_.call(session, user, item.parameter, body, if_match, settings))


def _checked(user: User, item: _Planned) -> tuple[Any, int | None]:
    """The steps a request meets before its route's work: (its validated body, If-Match), or the refusal."""
    direct_ = item.direct
    assert direct_ is not None
    refusal = text_refusal(item.content)  # TextCheck, before anything else
    if refusal is not None:
        raise refusal
    direct_.allowed(user)
    if_match = parse_if_match(item.headers.get("if-match"))
    try:
        body = direct_.model.model_validate(item.body)
    except ValidationError as exc:  # as FastAPI reports a body that does not validate
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    return body, if_match


def _prepare_bulk(session: Session, user: User, run: list[_Planned], settings: Settings) -> dict[int, Any]:
    """The requests of `run` its bulk path can store at once, by their place in it: what their `Bulk.prepare`
    made. Left out (done alone, in order, by `_one`): a request that its checks refuse, whose key was used
    before (a replay, or 422 for another body) or earlier in the run, and what `prepare` leaves out."""
    candidates: dict[Direct, list[tuple[int, Any]]] = {}
    keys: dict[str, int] = {}
    for index, item in enumerate(run):
        key = item.key.strip()
        if key in keys:
            keys[key] = -1  # used twice in the run: both alone, in order
            continue
        keys[key] = index
        if item.direct is None or item.direct.bulk is None:
            continue
        try:
            body, _if_match = _checked(user, item)
        except Exception:  # noqa: BLE001 - refused: `_one` gives the refusal, as the request alone meets it
            continue
        candidates.setdefault(item.direct, []).append((index, body))
    used = stored_keys(session, user.id, [key for key, index in keys.items() if index >= 0])
    ready: dict[int, Any] = {}
    for direct_, items in candidates.items():
        assert direct_.bulk is not None
        items = [(index, body) for index, body in items
                 if keys.get(run[index].key.strip()) == index and run[index].key.strip() not in used]
        prepared = direct_.bulk.prepare(session, user, [(run[index].parameter, body) for index, body in items],
                                        settings)
        ready.update((index, row) for (index, _body), row in zip(items, prepared, strict=True) if row is not None)
    return ready


def _store_bulk(session: Session, user: User, segment: list[tuple[_Planned, Any]], settings: Settings,
                refused_groups: set[str], chained: list[dict[str, Any]]) -> list[tuple[_Planned, Outcome]]:
    """Store a segment of prepared requests (one route's) at once in a SAVEPOINT: their keys each with its
    answer, then their rows, audit rows and events; each answered as `_one` would. If the database refuses the
    bulk INSERTs (on PostgreSQL, a key or id a concurrent request stored meanwhile), they are done alone."""
    direct_ = segment[0][0].direct
    assert direct_ is not None and direct_.bulk is not None
    rows = [prepared for _item, prepared in segment]
    contents = [_as_json(entity) for entity in direct_.bulk.answer(user, rows)]
    nested = session.begin_nested()
    try:
        # The keys first: if one was taken meanwhile, nothing of the segment (its events above all) was added.
        remember(session, user.id, [(item.key.strip(), item.method, item.path, value_digest(item.body),
                                     direct_.status, content)
                                    for (item, _prepared), content in zip(segment, contents, strict=True)])
        direct_.bulk.store(session, user, rows, contents)
        nested.commit()
    except (IntegrityError, DataError):
        log.warning("a batch's bulk write was refused by the database; doing its requests one by one",
                    exc_info=True)
        nested.rollback()
        audit.take_pending(session)
        answered: list[tuple[_Planned, Outcome]] = []
        for item, _prepared in segment:
            outcome = _alone(session, user, item, settings, refused_groups, chained)
            answered.append((item, outcome))
            if _stopped(outcome):
                break
        return answered
    chained.extend(audit.take_pending(session))
    return [(item, (direct_.status, content, {})) for (item, _p), content in zip(segment, contents, strict=True)]


def _as_json(entity: Any) -> Any:
    """jsonable_encoder(entity), as `Idempotency.answer` stores it; for a model, what jsonable_encoder does
    (model_dump in JSON mode, by alias) without its walk over the result (most of its time: ~0.1 ms an entry)."""
    if isinstance(entity, BaseModel):
        return entity.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(entity)


def _alone(session: Session, user: User, item: _Planned, settings: Settings, refused_groups: set[str],
           chained: list[dict[str, Any]]) -> Outcome:
    """One request in a SAVEPOINT of its own: its answer, or the exception the app's handlers answer (a refused
    request's own work undone, what a request refused alone keeps kept, its record's later requests not
    tried); 424 when an earlier request to its record was refused."""
    if item.group is not None and item.group in refused_groups:
        return _not_tried_answer()
    forget_claims(session)
    nested = session.begin_nested()
    try:
        answer = _one(session, user, item, settings)
        chained.extend(audit.take_pending(session))
        nested.commit()
    except Exception as exc:  # noqa: BLE001 - each refusal is this request's answer (the app's handlers)
        kept = take_kept(session)
        nested.rollback()
        audit.take_pending(session)  # the rolled-back request's rows
        for write in kept:  # what a request refused alone keeps (its refusal's audit row)
            write(session)
        chained.extend(audit.take_pending(session))
        if not _exception_stops(exc) and item.group is not None:
            refused_groups.add(item.group)
        return exc
    return answer


def _stopped(outcome: Outcome) -> bool:
    return isinstance(outcome, Exception) and _exception_stops(outcome)


def _not_tried_answer() -> Answer:
    refused = _not_tried("")
    return refused.status, refused.body, {}


def _exception_stops(exc: Exception) -> bool:
    """Whether the answer to `exc` stops the batch (see _stops): a refusal does not, a failure does."""
    if isinstance(exc, ProblemError):
        return _stops(exc.status)
    return not isinstance(exc, RequestValidationError | IntegrityError | DataError)


async def _refusal(request: Request, exc: Exception) -> Answer:
    """The answer the app's own exception handlers give `exc` (server/errors.py): one way to answer a refusal."""
    handlers = request.app.exception_handlers
    handler = next((handlers[kind] for kind in type(exc).__mro__ if kind in handlers), None)
    if handler is None:  # pragma: no cover - Exception has a handler
        raise exc
    response: Response = await handler(request, exc)
    return response.status_code, json.loads(bytes(response.body)), dict(response.headers)


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
