"""The client's local SQLite store: the outbox of writes not yet confirmed, and a small cache.

Every write the user makes lands here first (one local transaction), so nothing is lost when the network
or the server is down. Methods do disk I/O: call them from workers (Operations.write or the sync worker).

Each outbox row carries a record key (`record_key_of`): rows of one record are delivered in order, so a row
set aside (refused, a conflict, or impossible to send) holds back the later rows of its record that were queued
before it was set aside ("waiting behind" it) until the officer resends or discards it. Sent and discarded rows
are purged after a while (`purge_settled`): they hold personal data. The file is readable only by its user.

Each row carries its author (`Author`: user id, name, workstation). A sender works for one signed-in user and
sends only that user's rows (under that user's own session): rows another officer queued on this workstation wait,
listed in Unsent changes with their author's name, until that officer signs in here again. Another author's rows
never hold back yours. Rows without an author (queued before rows carried one) go with whoever signs in next.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (ColumnElement, DateTime, Integer, String, Table, Text, bindparam, create_engine, delete, event,
                        func, or_, select, update)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

PENDING = "pending"  # waiting to send (or being retried)
SENT = "sent"  # the server confirmed it
REJECTED = "rejected"  # set aside: refused by the server (4xx) or impossible to send; kept so the user can fix it
CONFLICT = "conflict"  # set aside: 412, the record changed meanwhile; `current` holds the server's copy
DISCARDED = "discarded"  # the officer gave it up, with a reason (kept until purged, like a sent row)
SET_ASIDE = (REJECTED, CONFLICT)  # rows that hold back later rows of their record
SETTLED = (SENT, DISCARDED)  # rows purged after `purge_settled`'s age

STORE_FILE = "client.sqlite3"
# PRAGMA user_version of the file's layout. 0/1: files made before outbox rows carried headers; 2: outbox.headers;
# 3: record keys, set-aside reasons, conflicts' current copies, discards, settled times; 4: each row's author.
SCHEMA_VERSION = 4
SETTLED_KEEP_HOURS = 24.0  # default age after which sent and discarded rows are purged
KEEP_HOURS_ENV = "BRIDEWELL_OUTBOX_KEEP_HOURS"  # the setting that changes it (hours, 0 = at the next purge)


def settled_keep_hours(environ: dict[str, str] | None = None) -> float:
    """How long sent and discarded rows (and the server's answers in them) stay: the setting, else 24 h."""
    raw = (os.environ if environ is None else environ).get(KEEP_HOURS_ENV, "").strip()
    try:
        hours = float(raw) if raw else SETTLED_KEEP_HOURS
    except ValueError:
        hours = -1.0
    if not hours >= 0:  # also NaN
        logging.getLogger("bridewell.outbox").warning("%s=%r is not a number of hours; keeping %g h",
                                                      KEEP_HOURS_ENV, raw, SETTLED_KEEP_HOURS)
        return SETTLED_KEEP_HOURS
    return hours
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def record_key_of(path: str, body: Any = None) -> str | None:
    """The record a write belongs to, for order per record: the path up to its first id
    (`/custody/records/{id}/log` -> `/custody/records/{id}`); a create on a collection with a client-made id
    (`POST /people {id}`) -> that record's path. None: the write is on no record and waits behind nothing."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    for n, part in enumerate(parts):
        if _UUID.match(part):
            return "/" + "/".join(parts[:n + 1])
    if isinstance(body, dict) and isinstance(body.get("id"), str) and _UUID.match(body["id"]):
        return "/" + "/".join([*parts, body["id"]])
    return None


@dataclass(frozen=True)
class Author:
    """Who queued a row, and where: a row is sent only under its author's own session."""

    id: str
    name: str  # 'Sgt Alys Penhallow (sergeant)': what Unsent changes says
    workstation: str

    @classmethod
    def of(cls, user: dict[str, Any] | None, workstation: str | None = None) -> Author | None:
        """The signed-in user (the server's user object) as an author; None without a user id."""
        if not user or not user.get("id"):
            return None
        username, display = str(user.get("username") or ""), str(user.get("display_name") or "")
        name = f"{display} ({username})" if display and username else (display or username)
        return cls(str(user["id"]), name[:200], (workstation or socket.gethostname())[:200])


class StoreUnavailable(Exception):
    """The data directory cannot hold the local store (read-only, missing permission, disk full)."""


class StoreClosed(RuntimeError):
    """The store was used after close(), e.g. by a worker still running when the window shut down."""


class Base(DeclarativeBase):
    pass


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # also the Idempotency-Key
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # send order
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, e.g. {"If-Match": "3"}
    record_key: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: status, field errors, current copy
    set_aside_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)  # sent or discarded
    discarded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    discard_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A refusal the form that sent it showed (the officer corrects it there and saves a new row): no longer held
    # for Unsent changes, and it holds back nothing. Kept like a settled row until purged.
    handed_back_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Who queued it (issue 11): sent only under this user's session; None for rows queued before rows had one.
    author_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    author_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    workstation: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CacheRow(Base):
    __tablename__ = "cache"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class OutboxItem:
    id: str
    method: str
    path: str
    body: dict[str, Any]
    created_at: datetime
    attempts: int
    last_error: str | None
    state: str
    headers: dict[str, str] = field(default_factory=dict)  # sent with the row, e.g. If-Match
    seq: int = 0
    record_key: str | None = None
    error: dict[str, Any] | None = None  # why it was set aside: status, title, detail, field_errors, body
    set_aside_at: datetime | None = None
    discarded_by: str | None = None
    discard_reason: str | None = None
    waiting_behind: str | None = None  # the id of the set-aside row of the same record this one waits behind
    author_id: str | None = None  # who queued it (None: queued before rows carried an author)
    author_name: str | None = None
    workstation: str | None = None

    def by_other_than(self, author_id: str | None) -> bool:
        """Queued by someone other than this user: not theirs to send, resend or discard."""
        return author_id is not None and self.author_id is not None and self.author_id != author_id

    @property
    def current(self) -> dict[str, Any] | None:
        """A conflict's server copy (412 `current`), or None."""
        body = (self.error or {}).get("body") or {}
        current = body.get("current") if isinstance(body, dict) else None
        return current if isinstance(current, dict) else None


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _item(row: OutboxRow | Row[Any]) -> OutboxItem:
    """An outbox row (an ORM object, or a plain row of the outbox table's columns) as the sender's item."""
    return OutboxItem(row.id, row.method, row.path, json.loads(row.body), row.created_at.replace(tzinfo=timezone.utc),
                      row.attempts, row.last_error, row.state, json.loads(row.headers) if row.headers else {},
                      seq=row.seq, record_key=row.record_key, error=json.loads(row.error) if row.error else None,
                      set_aside_at=_utc(row.set_aside_at), discarded_by=row.discarded_by,
                      discard_reason=row.discard_reason, author_id=row.author_id, author_name=row.author_name,
                      workstation=row.workstation)


def _held() -> ColumnElement[bool]:
    """Rows set aside for the officer (not those handed back to the form that sent them)."""
    return OutboxRow.state.in_(SET_ASIDE) & OutboxRow.handed_back_at.is_(None)


def _mine(author_id: str | None) -> ColumnElement[bool]:
    """Rows this user may send: their own, and rows without an author. author_id None: every row (a sender
    that works for no one in particular: tests, the benchmark)."""
    if author_id is None:
        return OutboxRow.id.is_not(None)
    return or_(OutboxRow.author_id == author_id, OutboxRow.author_id.is_(None))


def _others(author_id: str | None) -> ColumnElement[bool]:
    """Rows another officer queued here, waiting for them to sign in again."""
    if author_id is None:
        return OutboxRow.id.is_(None)
    return OutboxRow.author_id.is_not(None) & (OutboxRow.author_id != author_id)


def blocked_by(rows: list[OutboxItem], set_aside: list[OutboxItem]) -> dict[str, str]:
    """{pending row id: id of the set-aside row it waits behind}: a row waits behind an earlier set-aside row of
    its record that was set aside after the row was queued (a row queued once the refusal was known, e.g. the
    corrected copy from the form that was refused, goes on)."""
    first: dict[str, OutboxItem] = {}
    for aside in set_aside:
        if aside.record_key is not None:
            first.setdefault(aside.record_key, aside)
    waiting: dict[str, str] = {}
    asides = [a for a in set_aside if a.record_key is not None]
    for row in rows:
        if row.record_key is None or row.record_key not in first:
            continue
        for aside in asides:
            if (aside.record_key == row.record_key and aside.seq < row.seq
                    and (aside.set_aside_at is None or row.created_at <= aside.set_aside_at)):
                waiting[row.id] = aside.id
                break
    return waiting


def migrate(connection: Connection) -> None:
    """Bring an existing file up to SCHEMA_VERSION in place, keeping its rows (it may hold unsent writes)."""
    version = connection.exec_driver_sql("PRAGMA user_version").scalar() or 0
    columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(outbox)")}
    if version < 2 and "headers" not in columns:
        connection.exec_driver_sql("ALTER TABLE outbox ADD COLUMN headers JSON")
    if version < 3:
        for name, kind in (("record_key", "VARCHAR(500)"), ("error", "TEXT"), ("set_aside_at", "DATETIME"),
                           ("settled_at", "DATETIME"), ("discarded_by", "VARCHAR(200)"), ("discard_reason", "TEXT"),
                           ("handed_back_at", "DATETIME")):
            if name not in columns:
                connection.exec_driver_sql(f"ALTER TABLE outbox ADD COLUMN {name} {kind}")
        connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_outbox_record_key ON outbox (record_key)")
        connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_outbox_settled_at ON outbox (settled_at)")
        # Rows queued before keys existed get theirs now, so order per record holds for them too.
        for row_id, path, body in connection.exec_driver_sql(
                "SELECT id, path, body FROM outbox WHERE record_key IS NULL").fetchall():
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            key = record_key_of(path, parsed)
            if key is not None:
                connection.exec_driver_sql("UPDATE outbox SET record_key = ? WHERE id = ?", (key, row_id))
    if version < 4:
        for name, kind in (("author_id", "VARCHAR(36)"), ("author_name", "VARCHAR(200)"),
                           ("workstation", "VARCHAR(200)")):
            if name not in columns:
                connection.exec_driver_sql(f"ALTER TABLE outbox ADD COLUMN {name} {kind}")
        connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_outbox_author_id ON outbox (author_id)")
    if version < SCHEMA_VERSION:
        connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


class LocalStore:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / STORE_FILE
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreUnavailable(f"Cannot create the data folder {data_dir}: {exc.strerror or exc}") from exc
        private_files(Path(data_dir), self.path)
        self.engine = create_engine(f"sqlite:///{self.path}")

        # WAL: the sync worker reads while the GUI's writer writes
        @event.listens_for(self.engine, "connect")
        def _pragmas(conn: DBAPIConnection, _record: object) -> None:
            cursor = conn.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        self._maker = sessionmaker(self.engine, expire_on_commit=False)
        self._closed = False
        self._write_lock = threading.Lock()
        try:
            Base.metadata.create_all(self.engine)  # new tables only; it never alters an existing one
            with self.engine.begin() as connection:
                migrate(connection)
            self._probe_write()
        except OperationalError as exc:
            self.engine.dispose()
            raise StoreUnavailable(
                f"Cannot write the local store {self.path}: {exc.orig}. "
                "Choose a data folder you can write to (--data-dir)."
            ) from exc

    def _probe_write(self) -> None:
        """Opening a read-only file succeeds; only a write shows the folder is unusable."""
        self.cache_put("store.opened_at", datetime.now(timezone.utc).isoformat())

    @property
    def _sessions(self) -> sessionmaker[Session]:
        # After close() a late worker must fail here: a disposed engine would silently open a new connection
        # that nobody closes (an "unclosed database" ResourceWarning whenever garbage collection gets to it).
        if self._closed:
            raise StoreClosed(f"The local store {self.path} is closed")
        return self._maker

    def close(self) -> None:
        self._closed = True
        self.engine.dispose()

    # Outbox ---------------------------------------------------------------------------------------------
    def add_outbox(self, method: str, path: str, body: dict[str, Any], row_id: str | None = None,
                   headers: dict[str, str] | None = None, author: Author | None = None) -> OutboxItem:
        """`headers` are sent with the row (e.g. If-Match); the Idempotency-Key is always the row id. `author`:
        who queued it (the app always gives one; it is sent only under their session)."""
        return self.add_outbox_many([(method, path, body, row_id, headers)], author=author)[0]

    def add_outbox_many(self, rows: list[tuple[str, str, dict[str, Any], str | None, dict[str, str] | None]],
                        author: Author | None = None) -> list[OutboxItem]:
        """Several rows in one transaction, in this order: (method, path, body, row id or None, headers)."""
        items: list[OutboxItem] = []
        with self._write_lock, self._sessions.begin() as s:
            next_seq = (s.scalar(select(func.max(OutboxRow.seq))) or 0) + 1
            now = _now()
            added: list[OutboxRow] = []
            for n, (method, path, body, row_id, headers) in enumerate(rows):
                row = OutboxRow(id=row_id or str(uuid.uuid4()), seq=next_seq + n, method=method, path=path,
                                body=json.dumps(body), created_at=now, attempts=0, state=PENDING,
                                headers=json.dumps(headers) if headers else None,
                                record_key=record_key_of(path, body),
                                author_id=author.id if author else None,
                                author_name=author.name if author else None,
                                workstation=author.workstation if author else None)
                added.append(row)
            s.add_all(added)
            s.flush()  # one INSERT per row, in one go (a flush per row cost ~1 ms each)
            items = [_item(row) for row in added]
        return items

    def pending(self, author_id: str | None = None) -> list[OutboxItem]:
        """Every pending row in order, waiting ones included (`waiting_behind` says which set-aside row). With
        `author_id`: only the rows that user may send (theirs, and rows without an author)."""
        with self._sessions() as s:
            # Plain rows, not ORM objects: a drain of 10,000 rows starts here, and building objects that are
            # only read once cost most of the sender's time.
            rows = s.execute(select(*cast(Table, OutboxRow.__table__).columns)
                             .where(OutboxRow.state == PENDING, _mine(author_id)).order_by(OutboxRow.seq)).all()
            asides = s.scalars(select(OutboxRow).where(_held(), _mine(author_id))
                               .order_by(OutboxRow.seq)).all()
            items = [_item(r) for r in rows]
            if not asides:
                return items
            waiting = blocked_by(items, [_item(a) for a in asides])
            return [replace(i, waiting_behind=waiting[i.id]) if i.id in waiting else i for i in items]

    def unsent(self, author_id: str | None = None) -> list[OutboxItem]:
        """What the Unsent changes view lists: set-aside rows, and pending rows waiting behind one, in order;
        with `author_id`, also the rows other officers queued here, which wait for their author to sign in."""
        with self._sessions() as s:
            others = [_item(r) for r in s.scalars(
                select(OutboxRow).where(_others(author_id), or_(OutboxRow.state == PENDING, _held()))
                .order_by(OutboxRow.seq)).all()]
            asides = [_item(a) for a in s.scalars(select(OutboxRow).where(_held(), _mine(author_id))
                                                  .order_by(OutboxRow.seq)).all()]
            if not asides:
                return others
            keys = {a.record_key for a in asides if a.record_key is not None}
            candidates = [_item(r) for r in s.scalars(
                select(OutboxRow).where(OutboxRow.state == PENDING, OutboxRow.record_key.in_(keys),
                                        _mine(author_id))
                .order_by(OutboxRow.seq)).all()]
            waiting = blocked_by(candidates, asides)
            rows = asides + [replace(r, waiting_behind=waiting[r.id]) for r in candidates if r.id in waiting]
            return sorted(rows + others, key=lambda item: item.seq)

    def outbox_item(self, row_id: str) -> OutboxItem | None:
        with self._sessions() as s:
            row = s.get(OutboxRow, row_id)
            return None if row is None else _item(row)

    def pending_for_record(self, record_id: str) -> list[OutboxItem]:
        """Pending rows that write to one custody record, in send order: what a detainee switch needs, without
        reading (and decoding) the whole outbox: one lookup through the record key's index."""
        with self._sessions() as s:
            rows = s.scalars(select(OutboxRow).where(OutboxRow.record_key == f"/custody/records/{record_id}",
                                                     OutboxRow.state == PENDING)
                             .order_by(OutboxRow.seq)).all()
            return [_item(r) for r in rows]

    def outbox_items(self, state: str | None = None) -> list[OutboxItem]:
        with self._sessions() as s:
            query = select(OutboxRow).order_by(OutboxRow.seq)
            if state:
                query = query.where(OutboxRow.state == state)
            return [_item(r) for r in s.scalars(query).all()]

    def set_aside_count(self, author_id: str | None = None) -> int:
        """Rows set aside (refused, a conflict, or unsendable) that wait for the officer: File > Unsent changes."""
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(OutboxRow)
                            .where(_held(), _mine(author_id))) or 0

    def pending_count(self, author_id: str | None = None) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(OutboxRow)
                            .where(OutboxRow.state == PENDING, _mine(author_id))) or 0

    def others_count(self, author_id: str | None) -> int:
        """Rows other officers queued here (pending or set aside): they wait for their author to sign in."""
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(OutboxRow).where(
                _others(author_id), or_(OutboxRow.state == PENDING, _held()))) or 0

    def _update(self, row_id: str, **values: Any) -> None:
        with self._write_lock, self._sessions.begin() as s:
            row = s.get(OutboxRow, row_id)
            if row is None:
                return
            for key, value in values.items():
                setattr(row, key, value)

    def mark_attempt(self, row_id: str, error: str) -> None:
        with self._write_lock, self._sessions.begin() as s:
            row = s.get(OutboxRow, row_id)
            if row is not None:
                row.attempts += 1
                row.last_error = error

    def mark_sent(self, row_id: str, response: Any) -> None:
        self._update(row_id, state=SENT, last_error=None, response=json.dumps(response), settled_at=_now())

    def mark_rejected(self, row_id: str, error: str, details: dict[str, Any] | None = None,
                      state: str = REJECTED) -> None:
        """Set the row aside (REJECTED or CONFLICT) with its reason and the server's answer (`details`)."""
        self._update(row_id, state=state, last_error=error, set_aside_at=_now(),
                     error=json.dumps(details) if details is not None else None)

    def settle_many(self, outcomes: list[tuple[str, str, Any]]) -> None:
        """The answers to one batch in one transaction: (row id, SENT, response), (row id, REJECTED or CONFLICT,
        (reason, details)) or (row id, PENDING, reason: one more attempt)."""
        now = _now()
        sent: list[dict[str, Any]] = []
        again: list[dict[str, Any]] = []
        aside: list[dict[str, Any]] = []
        for row_id, state, value in outcomes:
            if state == SENT:
                sent.append({"row_id": row_id, "b_response": json.dumps(value)})
            elif state == PENDING:
                again.append({"row_id": row_id, "reason": str(value)})
            else:
                reason, details = value
                aside.append({"row_id": row_id, "new_state": state, "reason": reason,
                              "details": json.dumps(details) if details is not None else None})
        table = cast(Table, OutboxRow.__table__)
        by_id = table.c.id == bindparam("row_id")
        # One executemany per kind of answer, one commit per batch. synchronous=NORMAL for this commit only: what
        # it records (that rows were sent) may be lost to a power cut, never to a crash of the app, and a row
        # then sent again is a replay the server answers from its Idempotency-Key. Queued rows (add_outbox) keep
        # the full fsync: those must survive anything.
        self._sessions  # noqa: B018 - raises StoreClosed after close()
        with self._write_lock, self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            connection.commit()  # SQLAlchemy began a (logical) transaction for the PRAGMA: end it
            try:
                if sent:
                    connection.execute(update(table).where(by_id).values(
                        state=SENT, last_error=None, response=bindparam("b_response"), settled_at=now), sent)
                if again:
                    connection.execute(update(table).where(by_id).values(
                        attempts=table.c.attempts + 1, last_error=bindparam("reason")), again)
                if aside:
                    connection.execute(update(table).where(by_id).values(
                        state=bindparam("new_state"), last_error=bindparam("reason"), set_aside_at=now,
                        error=bindparam("details")), aside)
                connection.commit()
            finally:
                connection.rollback()  # nothing, after the commit; everything, after a failure
                connection.exec_driver_sql("PRAGMA synchronous=FULL")
                connection.commit()

    def resend(self, row_id: str, body: dict[str, Any], headers: dict[str, str] | None = None,
               author_id: str | None = None) -> OutboxItem | None:
        """A set-aside row, corrected (or merged after a conflict), goes back in the queue at its own place, so
        the rows of its record that waited behind it follow it. Same id: a refused request stored nothing, so the
        Idempotency-Key is still free. None when it is not set aside, or (`author_id`) another officer's."""
        with self._write_lock, self._sessions.begin() as s:
            row = s.get(OutboxRow, row_id)
            if row is None or row.state not in SET_ASIDE or _item(row).by_other_than(author_id):
                return None
            row.body = json.dumps(body)
            if headers is not None:
                row.headers = json.dumps(headers) if headers else None
            row.state, row.attempts, row.last_error, row.error, row.set_aside_at = PENDING, 0, None, None, None
            row.record_key = record_key_of(row.path, body)
            s.flush()
            return _item(row)

    def hand_back(self, row_id: str) -> None:
        """The form that sent this row showed its refusal and keeps what was typed: the row is no longer held."""
        with self._write_lock, self._sessions.begin() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.state == REJECTED)
                      .values(handed_back_at=_now(), settled_at=_now()))

    def discard(self, row_id: str, reason: str, who: str, author_id: str | None = None) -> OutboxItem | None:
        """The officer gives a set-aside row up: kept (who, when, why) until purged; what waited behind it goes on.
        None when it is settled already, or (`author_id`) another officer's: only its author may give it up."""
        with self._write_lock, self._sessions.begin() as s:
            row = s.get(OutboxRow, row_id)
            if row is None or row.state not in (*SET_ASIDE, PENDING) or _item(row).by_other_than(author_id):
                return None
            row.state, row.discard_reason, row.discarded_by, row.settled_at = DISCARDED, reason, who, _now()
            s.flush()
            return _item(row)

    def purge_settled(self, older_than_hours: float = SETTLED_KEEP_HOURS) -> int:
        """Delete sent and discarded rows (and the server's answers they hold) settled longer ago than that."""
        cutoff = _now() - timedelta(hours=older_than_hours)
        with self._write_lock, self._sessions.begin() as s:
            settled = or_(OutboxRow.state.in_(SETTLED), OutboxRow.handed_back_at.is_not(None))
            result = s.execute(delete(OutboxRow).where(settled, OutboxRow.settled_at.is_not(None),
                                                       OutboxRow.settled_at <= cutoff))
            return int(getattr(result, "rowcount", 0) or 0)

    # Cache ----------------------------------------------------------------------------------------------
    def cache_put(self, key: str, value: Any) -> None:
        self.cache_put_many({key: value})

    def cache_put_many(self, values: dict[str, Any]) -> None:
        """Several entries in one transaction (one commit: switching detainee keeps its log and risk together)."""
        with self._write_lock, self._sessions.begin() as s:
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            for key, value in values.items():
                row = s.get(CacheRow, key)
                if row is None:
                    s.add(CacheRow(key=key, value=json.dumps(value), updated_at=now))
                else:
                    row.value = json.dumps(value)
                    row.updated_at = now

    def cache_get(self, key: str, default: Any = None) -> Any:
        with self._sessions() as s:
            row = s.get(CacheRow, key)
            return default if row is None else json.loads(row.value)


def private_files(data_dir: Path, *files: Path) -> None:
    """The data folder 0700 and the store's files 0600 (created so, if new): they hold personal data. On a
    system without POSIX modes (Windows) this does nothing; the user's profile folder protects them there."""
    if os.name != "posix":
        return
    try:
        if data_dir.stat().st_uid == os.getuid():
            data_dir.chmod(0o700)
    except OSError:
        pass  # a folder we do not own (an operator's choice): its files are still made private below
    for path in files:
        for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                if each == path and not path.exists():
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
                if each.exists():
                    each.chmod(0o600)
            except OSError:
                pass  # reported by the open that follows, which needs the same permission
