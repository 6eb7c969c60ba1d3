"""DPA 2018 s.62 logging: who consulted or changed which personal data, when, why and from where.

The log is append-only at the database (migrations 0006 and 0012: triggers refuse UPDATE and DELETE, and TRUNCATE
on PostgreSQL) and hash-chained: each row carries the hash of the row before it in its chain, and each chain's head
row holds its last id, position and hash, so a row changed, removed or added behind the server's back shows in
`verify` (the command `bridewell-server audit verify`).

A read of a list is ONE row naming all its subjects (audit_subject, one bulk insert, indexed on entity_id), not a
row per subject (issue 9).

Rows are chained when their transaction commits (a before_commit hook), not when `record` is called. There are
several chains (CHAINS heads, migration 0012): on PostgreSQL a committing transaction takes the first head no one
else holds (FOR UPDATE SKIP LOCKED) and keeps it only until its commit, so audited transactions committing at the
same moment chain side by side instead of queueing at one head (one head cut audited reads 4-5x; see
docs/performance.md). Within a chain, rows follow each other without gaps (chain_seq); `verify` walks every chain.
SQLite serialises writers itself and uses chain 1 only.
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
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.models import User
from server.db import Base, UTCDateTime, keep_after_rollback, utcnow
from server.gate import DatabaseGate

GENESIS = "0" * 64  # the prev_hash of the first row of each chain
CHAINS = 32  # chain heads made by migration 0012 (more heads than a force's concurrent committers)
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
    chain: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Position in its chain; NULL for rows from before 0012 (one chain then, so their id is their position).
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # A list read names its subjects here (entity_id is then NULL); a look at one subject uses entity_id.
    subjects: Mapped[list[AuditSubject]] = relationship(
        viewonly=True, lazy="selectin", order_by="AuditSubject.entity_id",
        primaryjoin="AuditEntry.id == foreign(AuditSubject.audit_id)")

    @property
    def names(self) -> list[str]:
        """Every subject this row names: its entity_id, or its subjects."""
        return [self.entity_id] if self.entity_id is not None else [s.entity_id for s in self.subjects]


class AuditSubject(Base):
    """One subject of a list read's audit row (append-only like audit_log; part of that row's hash)."""

    __tablename__ = "audit_subject"

    # The audit row's id, without a foreign key: with one, TRUNCATE audit_log would be refused by the key before the
    # append-only trigger could say why (the hash covers the subjects, so `audit verify` still ties them to it).
    audit_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class AuditChainHead(Base):
    """One row per chain (id = the chain's number): its last row's id, position and hash. A committing transaction
    holds one head's row lock (PostgreSQL) from the moment it chains until it commits."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


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
    """A list read: ONE row naming every subject (its subjects written in one bulk INSERT at commit, indexed, so
    "who consulted this person's record, and when" stays one indexed query: DPA 2018 s.62). Nothing is written
    for an empty list."""
    _pending(session).extend(rows(user, action, entity, entity_ids, justification))


def refused(session: Session, user: User | str | None, entity: str, entity_id: str | None, reason: str) -> None:
    """An attempt the server is about to refuse: recorded even though the request then fails (its own
    transaction rolls back; the row is written again in a transaction of its own)."""
    row = _row(user, AuditAction.REFUSAL, entity, entity_id, reason)
    _pending(session).append(row)
    keep_after_rollback(session, lambda again: _pending(again).append(row))


def rows(user: User | str | None, action: AuditAction | str, entity: str, entity_ids: Sequence[str | None],
         justification: str | None = None) -> list[dict[str, Any]]:
    """The audit row of a read, made now (with this request's workstation), for `record_many` and AuditWriter:
    [None] (a read of no one subject, e.g. a feed poll) is a row with no entity_id; a list of ids is ONE row naming
    them all in its subjects, however many (one way to find a list read, and the same statements for 1 or 100);
    an empty list is no row."""
    named = list(dict.fromkeys(entity_ids))
    if named == [None]:
        return [_row(user, action, entity, None, justification)]
    if not named:
        return []
    if None in named:
        raise ValueError("a list read names each of its subjects")
    return [{**_row(user, action, entity, None, justification), "subjects": sorted(cast(list[str], named))}]


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


def take_pending(session: Session) -> list[dict[str, Any]]:
    """The rows recorded in this session and not yet chained, removed from it: POST /batch's direct path
    gathers the rows of many requests (each in its own SAVEPOINT) and gives them back with `add_pending`, to
    be chained together in one append when the batch's session commits."""
    rows: list[dict[str, Any]] = session.info.pop(_PENDING, None) or []
    return rows


def add_pending(session: Session, new_rows: list[dict[str, Any]]) -> None:
    _pending(session).extend(new_rows)


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
    """Chain `rows` after a head and insert them (and their subjects) in one statement each; the caller's
    transaction commits them, and holds the head until then."""
    if conn.dialect.name == "postgresql":
        # The first head nobody holds; if all are held (more committers at once than CHAINS), wait for one.
        head = (conn.execute(_PG_TAKE_FREE_HEAD, {"n": len(rows)}).first()
                or conn.execute(_PG_WAIT_FOR_A_HEAD, {"n": len(rows)}).one())
        ids = list(head[3])
    else:
        # An UPDATE first takes SQLite's write lock before the reads, so two writers never read the same head.
        # (No RETURNING: SQLite before 3.35 lacks it.)
        conn.execute(text("UPDATE audit_chain_head SET last_id = last_id WHERE id = 1"))
        head = conn.execute(text("SELECT id, last_hash, last_seq FROM audit_chain_head WHERE id = 1")).one()
        first = int(conn.scalar(text("SELECT coalesce(max(id), 0) FROM audit_log")) or 0) + 1
        ids = list(range(first, first + len(rows)))
    chain, last_hash, last_seq = int(head[0]), str(head[1]), int(head[2])
    values: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    for row, rid in zip(rows, sorted(ids), strict=True):
        last_seq += 1
        named = row.get("subjects") or []
        chained = {**row, "id": rid, "prev_hash": last_hash, "chain": chain, "chain_seq": last_seq}
        last_hash = row_hash(chained)
        chained.pop("subjects", None)
        values.append({**chained, "row_hash": last_hash})
        subjects.extend({"audit_id": rid, "entity_id": entity_id} for entity_id in named)
    moved = {"id": values[-1]["id"], "h": last_hash, "s": last_seq, "c": chain}
    if conn.dialect.name == "postgresql":  # rows, subjects and the head's move in one round trip
        columns = {name: [v[name] for v in values] for name in _PG_COLUMNS}
        columns["at"] = [UTCDateTime().process_bind_param(at, conn.dialect) for at in columns["at"]]
        conn.execute(_PG_APPEND, {**{f"c_{k}": v for k, v in columns.items()}, **moved,
                                  "s_audit": [s["audit_id"] for s in subjects],
                                  "s_entity": [s["entity_id"] for s in subjects]})
        return
    conn.execute(insert(cast(Table, AuditEntry.__table__)), values)
    if subjects:
        conn.execute(insert(cast(Table, AuditSubject.__table__)), subjects)
    conn.execute(text("UPDATE audit_chain_head SET last_id = :id, last_hash = :h, last_seq = :s WHERE id = :c"),
                 moved)


# PostgreSQL: a head taken and the rows' ids drawn in one statement. The ids are drawn per head row the locking
# subquery lets through (a correlated subquery), so after its lock: ids grow along each chain.
_PG_TAKE_HEAD = """
    SELECT h.id, h.last_hash, h.last_seq,
           (SELECT array_agg(nextval('audit_log_id_seq')) FROM generate_series(1, :n) WHERE h.id IS NOT NULL)
    FROM (SELECT id, last_hash, last_seq FROM audit_chain_head {lock}) AS h"""
_PG_TAKE_FREE_HEAD = text(_PG_TAKE_HEAD.format(lock="ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"))
_PG_WAIT_FOR_A_HEAD = text(_PG_TAKE_HEAD.format(lock="ORDER BY random() LIMIT 1 FOR UPDATE"))
_PG_COLUMNS = ("id", "at", "user_id", "action", "entity", "entity_id", "justification", "workstation", "prev_hash",
               "row_hash", "chain", "chain_seq")
_PG_APPEND = text("""
    WITH logged AS (
        INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, justification, workstation, prev_hash,
                               row_hash, chain, chain_seq)
        SELECT * FROM unnest(CAST(:c_id AS bigint[]), CAST(:c_at AS timestamp[]), CAST(:c_user_id AS varchar[]),
                             CAST(:c_action AS varchar[]), CAST(:c_entity AS varchar[]),
                             CAST(:c_entity_id AS varchar[]), CAST(:c_justification AS text[]),
                             CAST(:c_workstation AS varchar[]), CAST(:c_prev_hash AS varchar[]),
                             CAST(:c_row_hash AS varchar[]), CAST(:c_chain AS integer[]),
                             CAST(:c_chain_seq AS bigint[]))),
    named AS (
        INSERT INTO audit_subject (audit_id, entity_id)
        SELECT * FROM unnest(CAST(:s_audit AS bigint[]), CAST(:s_entity AS varchar[])))
    UPDATE audit_chain_head SET last_id = :id, last_hash = :h, last_seq = :s WHERE id = :c""")


# -- the chain ------------------------------------------------------------------------------------------------

HASHED = ("id", "at", "user_id", "action", "entity", "entity_id", "justification", "workstation", "prev_hash")


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash is taken of: the HASHED fields as JSON with sorted keys, no spaces, UTF-8, and
    `at` as UTC ISO 8601 with microseconds (`2026-11-30T07:00:00.000000+00:00`). Rows chained since 0012 add
    `chain` and `chain_seq`, and a list read's row adds its `subjects` (sorted); older rows hash as they did,
    so the chain written before 0012 still verifies."""
    at = row["at"]
    if at.tzinfo is None:  # read back raw from a database, naive UTC
        at = at.replace(tzinfo=UTC)
    fields = {name: row[name] for name in HASHED}
    fields["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields["id"] = int(row["id"])
    if row.get("chain_seq") is not None:
        fields["chain"], fields["chain_seq"] = int(row["chain"]), int(row["chain_seq"])
    if row.get("subjects"):
        fields["subjects"] = sorted(row["subjects"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass
class Verification:
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    head_id: int = 0
    head_hash: str = GENESIS
    heads: dict[int, str] = field(default_factory=dict)  # chain -> its head's hash

    @property
    def heads_digest(self) -> str:
        """One hash of every chain's head, to record outside the database (see docs/operator-guide.md)."""
        return hashlib.sha256("".join(f"{c}:{h};" for c, h in sorted(self.heads.items())).encode()).hexdigest()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, batch: int = 5000) -> Verification:
    """Walk every chain in id order: every hash recomputed (with the row's subjects), every link, every position
    in its chain and every head checked."""
    result = Verification()
    heads = {h.id: h for h in session.scalars(select(AuditChainHead))}
    if 1 not in heads:
        result.problems.append("the chain head row is missing")
        return result
    # chain -> (last id, last position, last hash) seen so far
    state: dict[int, tuple[int, int, str]] = {}
    columns = [getattr(AuditEntry, name) for name in (*HASHED, "row_hash", "chain", "chain_seq")]
    after = 0
    while True:
        rows = session.execute(select(*columns).where(AuditEntry.id > after).order_by(AuditEntry.id)
                               .limit(batch)).mappings().all()
        if not rows:
            break
        subjects: dict[int, list[str]] = {}
        for audit_id, entity_id in session.execute(
                select(AuditSubject.audit_id, AuditSubject.entity_id)
                .where(AuditSubject.audit_id > after, AuditSubject.audit_id <= rows[-1]["id"])):
            subjects.setdefault(int(audit_id), []).append(entity_id)
        for row in rows:
            result.rows += 1
            rid, chain = int(row["id"]), int(row["chain"])
            seq = int(row["chain_seq"]) if row["chain_seq"] is not None else rid
            previous_id, previous_seq, previous_hash = state.get(chain, (0, 0, GENESIS))
            if chain not in heads:
                result.problems.append(f"row {rid}: names chain {chain}, which has no head")
            if seq != previous_seq + 1:
                missing = seq - previous_seq - 1
                if missing > 0 and missing == rid - previous_id - 1:
                    result.problems.append(f"gap: rows {previous_id + 1}..{rid - 1} are missing "
                                           f"(row {rid} does not follow row {previous_id})")
                else:
                    result.problems.append(f"gap: row {rid} is at position {seq} of chain {chain}, but the "
                                           f"row before it in that chain (row {previous_id}) is at {previous_seq}")
            elif row["prev_hash"] != previous_hash:
                result.problems.append(f"row {rid}: its link to row {previous_id} is broken "
                                       "(that row was changed or replaced)")
            if row_hash({**row, "subjects": subjects.get(rid)}) != row["row_hash"]:
                result.problems.append(f"row {rid}: changed (its contents no longer match its hash)")
            state[chain] = (rid, seq, row["row_hash"])
        after = int(rows[-1]["id"])
    for chain, head in sorted(heads.items()):
        last_id, last_seq, last_hash = state.get(chain, (0, 0, GENESIS))
        if (head.last_id, head.last_hash) != (last_id, last_hash):
            if head.last_seq > last_seq:
                result.problems.append(f"gap: the chain head names row {head.last_id} but the last row is "
                                       f"{last_id} (rows at the end of chain {chain} are missing)")
            else:
                result.problems.append(f"the chain head (row {head.last_id}) does not match the last row "
                                       f"({last_id}) of chain {chain}: rows were added or changed behind the "
                                       "server's back")
    newest = max(heads.values(), key=lambda h: h.last_id)
    result.heads = {chain: head.last_hash for chain, head in heads.items()}
    result.head_id, result.head_hash = newest.last_id, newest.last_hash
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
