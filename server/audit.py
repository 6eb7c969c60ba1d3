"""DPA 2018 s.62 logging: who consulted or changed which personal data, when, why and from where.

The log is append-only at the database (migration 0006: triggers refuse UPDATE and DELETE, and TRUNCATE on
PostgreSQL) and hash-chained: each row carries the hash of the row before it, and the single-row chain head holds
the last id and hash, so a row changed, removed or added behind the server's back shows in `verify` (the command
`bridewell-server audit verify`).

Rows are chained when their transaction commits (a before_commit hook), not when `record` is called: the chain
head is locked (PostgreSQL: its row; SQLite: the write lock) only from then until the commit, so audited reads
queue for a moment at commit rather than for their whole transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

import anyio
from sqlalchemy import BigInteger, ForeignKey, Integer, String, Table, Text, event, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.models import User
from server.db import Base, UTCDateTime, keep_after_rollback, utcnow
from server.gate import DatabaseGate

GENESIS = "0" * 64  # the prev_hash of the first row
# Who is asking, from where: set per request by AuditContext (a header the client sends, else the peer address).
_workstation: contextvars.ContextVar[str | None] = contextvars.ContextVar("bridewell_workstation", default=None)
_PENDING = "bridewell.audit_pending"


class AuditAction(StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    REFUSAL = "refusal"  # an attempt the server refused (a report the user may not open, a failed sign-in)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    justification: Mapped[str | None] = mapped_column(Text, nullable=True)
    workstation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """One row (id 1): the last chained audit row. Its row lock serialises chaining on PostgreSQL."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


# -- recording ------------------------------------------------------------------------------------------------

def record(session: Session, user: User | str | None, action: AuditAction | str, entity: str,
           entity_id: str | None, justification: str | None = None, *, workstation: str | None = None) -> None:
    """Add an audit row to the caller's transaction: it is stored only if the transaction commits.
    `workstation`: for rows written outside the request (the change feed's batched rows)."""
    row = _row(user, action, entity, entity_id, justification)
    if workstation is not None:
        row["workstation"] = workstation
    _pending(session).append(row)


def record_many(session: Session, user: User | str | None, action: AuditAction | str, entity: str,
                entity_ids: Sequence[str], justification: str | None = None) -> None:
    """A list read: a row per subject, all written with the request's one bulk INSERT at commit.

    A row per subject, not one row listing them, so "who consulted this person's record, and when" stays one
    indexed query on entity_id (DPA 2018 s.62). Nothing is written for an empty list."""
    rows = _pending(session)
    rows.extend(_row(user, action, entity, entity_id, justification) for entity_id in dict.fromkeys(entity_ids))


def refused(session: Session, user: User | str | None, entity: str, entity_id: str | None, reason: str) -> None:
    """An attempt the server is about to refuse: recorded even though the request then fails (its own
    transaction rolls back; the row is written again in a transaction of its own)."""
    row = _row(user, AuditAction.REFUSAL, entity, entity_id, reason)
    _pending(session).append(row)
    keep_after_rollback(session, lambda again: _pending(again).append(row))


def rows(user: User | str | None, action: AuditAction | str, entity: str, entity_ids: Sequence[str | None],
         justification: str | None = None) -> list[dict[str, Any]]:
    """Audit rows made now (with this request's workstation), for AuditWriter to store."""
    return [_row(user, action, entity, entity_id, justification) for entity_id in dict.fromkeys(entity_ids)]


class AuditWriter:
    """Stores the audit rows of reads that write nothing else (the change feed's), grouped: rows that arrive
    while a group is being written go together in the next one, so many readers woken by one change take one
    turn at the chain head and one commit between them (a group commit), not one each. `write` returns once
    the caller's rows are stored; the caller answers only then."""

    def __init__(self, factory: sessionmaker[Session], gate: DatabaseGate):
        self._factory, self._gate = factory, gate
        self._queue: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self._running = False
        self.groups = 0  # groups written so far (for tests and monitoring)

    async def write(self, new_rows: list[dict[str, Any]]) -> None:
        if not new_rows:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((new_rows, done))
        if not self._running:
            self._running = True
            asyncio.ensure_future(self._drain())
        await asyncio.shield(done)

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # let the others woken with the first caller queue their rows too
            while self._queue:
                group, self._queue = self._queue, []
                try:
                    async with self._gate.slot():
                        await anyio.to_thread.run_sync(self._store, [r for rows_, _ in group for r in rows_])
                except BaseException as exc:  # every caller of the group hears of it
                    for _, done in group:
                        if not done.done():
                            done.set_exception(exc)
                            done.exception()  # retrieved here: a caller that went away is not logged as lost
                else:
                    for _, done in group:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._running = False

    def _store(self, group_rows: list[dict[str, Any]]) -> None:
        with self._factory() as session, session.begin():
            _pending(session).extend(group_rows)
        self.groups += 1


def _row(user: User | str | None, action: AuditAction | str, entity: str, entity_id: str | None,
         justification: str | None) -> dict[str, Any]:
    user_id = user.id if isinstance(user, User) else user
    return {"at": utcnow(), "user_id": user_id, "action": AuditAction(action).value,
            "entity": entity, "entity_id": entity_id, "justification": justification,
            "workstation": _workstation.get()}


def current_workstation() -> str | None:
    return _workstation.get()


def _pending(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = session.info.setdefault(_PENDING, [])
    return rows


@event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.flush()  # a user created in this transaction exists before the rows that name it
        append_chained(session.connection(), rows)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def append_chained(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Chain `rows` after the head and insert them in one statement; the caller's transaction commits them."""
    # An UPDATE first: on PostgreSQL it locks the head row until commit; on SQLite it takes the write lock
    # before the read, so two writers never read the same head. (No RETURNING: SQLite before 3.35 lacks it.)
    conn.execute(text("UPDATE audit_chain_head SET last_id = last_id WHERE id = 1"))
    head = conn.execute(text("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1")).one()
    last_id, last_hash = int(head[0]), str(head[1])
    values = []
    for row in rows:
        last_id += 1
        chained = {**row, "id": last_id, "prev_hash": last_hash}
        last_hash = row_hash(chained)
        values.append({**chained, "row_hash": last_hash})
    conn.execute(insert(cast(Table, AuditEntry.__table__)), values)
    conn.execute(text("UPDATE audit_chain_head SET last_id = :id, last_hash = :h WHERE id = 1"),
                 {"id": last_id, "h": last_hash})


# -- the chain ------------------------------------------------------------------------------------------------

HASHED = ("id", "at", "user_id", "action", "entity", "entity_id", "justification", "workstation", "prev_hash")


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash is taken of: the HASHED fields as JSON with sorted keys, no spaces, UTF-8, and
    `at` as UTC ISO 8601 with microseconds (`2026-11-30T07:00:00.000000+00:00`)."""
    at = row["at"]
    if at.tzinfo is None:  # read back raw from a database, naive UTC
        at = at.replace(tzinfo=UTC)
    fields = {name: row[name] for name in HASHED}
    fields["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields["id"] = int(row["id"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass
class Verification:
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    head_id: int = 0
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, batch: int = 5000) -> Verification:
    """Walk the chain in id order: every hash recomputed, every link and the head checked."""
    result = Verification()
    head = session.get(AuditChainHead, 1)
    if head is None:
        result.problems.append("the chain head row is missing")
        return result
    previous_id, previous_hash = 0, GENESIS
    columns = [getattr(AuditEntry, name) for name in (*HASHED, "row_hash")]
    after = 0
    while True:
        rows = session.execute(select(*columns).where(AuditEntry.id > after).order_by(AuditEntry.id)
                               .limit(batch)).mappings().all()
        if not rows:
            break
        for row in rows:
            result.rows += 1
            rid = int(row["id"])
            if row["prev_hash"] != previous_hash:
                if rid != previous_id + 1:
                    result.problems.append(f"gap: rows {previous_id + 1}..{rid - 1} are missing "
                                           f"(row {rid} does not follow row {previous_id})")
                else:
                    result.problems.append(f"row {rid}: its link to row {previous_id} is broken "
                                           "(that row was changed or replaced)")
            if row_hash(dict(row)) != row["row_hash"]:
                result.problems.append(f"row {rid}: changed (its contents no longer match its hash)")
            previous_id, previous_hash = rid, row["row_hash"]
        after = previous_id
    result.head_id, result.head_hash = head.last_id, head.last_hash
    if (head.last_id, head.last_hash) != (previous_id, previous_hash):
        if head.last_id > previous_id:
            result.problems.append(f"gap: the chain head names row {head.last_id} but the last row is "
                                   f"{previous_id} (rows at the end are missing)")
        else:
            result.problems.append(f"the chain head (row {head.last_id}) does not match the last row "
                                   f"({previous_id}): rows were added or changed behind the server's back")
    return result


# -- where a request comes from -------------------------------------------------------------------------------

WORKSTATION_HEADER = "x-workstation"


class AuditContext:
    """ASGI middleware: the workstation of each request (its X-Workstation header, else the peer address),
    for the audit rows the request writes."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _workstation.set(workstation_of(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            _workstation.reset(token)


def workstation_of(scope: Scope) -> str | None:
    named = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k == WORKSTATION_HEADER.encode()),
                 "").strip()
    client = scope.get("client")
    address = str(client[0]) if client else None
    if named:
        return f"{named[:150]} ({address})" if address else named[:200]
    return address
