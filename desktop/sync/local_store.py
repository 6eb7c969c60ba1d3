"""The client's local SQLite store: the outbox of writes not yet confirmed, and a small cache.

Every write the user makes lands here first (one local transaction), so nothing is lost when the network
or the server is down. Methods do disk I/O: call them from workers (Operations.write or the sync worker).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

PENDING = "pending"  # waiting to send (or being retried)
SENT = "sent"  # the server confirmed it
REJECTED = "rejected"  # the server refused it (4xx); kept so the user can fix it

STORE_FILE = "client.sqlite3"
# PRAGMA user_version of the file's layout. 0/1: files made before outbox rows carried headers; 2: outbox.headers.
SCHEMA_VERSION = 2


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


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(row.id, row.method, row.path, json.loads(row.body), row.created_at.replace(tzinfo=timezone.utc),
                      row.attempts, row.last_error, row.state, json.loads(row.headers) if row.headers else {})


def migrate(connection: Connection) -> None:
    """Bring an existing file up to SCHEMA_VERSION in place, keeping its rows (it may hold unsent writes)."""
    version = connection.exec_driver_sql("PRAGMA user_version").scalar() or 0
    if version < 2:
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(outbox)")}
        if "headers" not in columns:
            connection.exec_driver_sql("ALTER TABLE outbox ADD COLUMN headers JSON")
    if version < SCHEMA_VERSION:
        connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


class LocalStore:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / STORE_FILE
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"Cannot create the data folder {data_dir}: {exc.strerror or exc}") from exc
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
                   headers: dict[str, str] | None = None) -> OutboxItem:
        """`headers` are sent with the row (e.g. If-Match); the Idempotency-Key is always the row id."""
        row_id = row_id or str(uuid.uuid4())
        with self._write_lock, self._sessions.begin() as s:
            next_seq = (s.scalar(select(func.max(OutboxRow.seq))) or 0) + 1
            row = OutboxRow(id=row_id, seq=next_seq, method=method, path=path, body=json.dumps(body),
                            created_at=datetime.now(timezone.utc).replace(tzinfo=None), attempts=0, state=PENDING,
                            headers=json.dumps(headers) if headers else None)
            s.add(row)
            s.flush()
            return _item(row)

    def pending(self) -> list[OutboxItem]:
        with self._sessions() as s:
            rows = s.scalars(select(OutboxRow).where(OutboxRow.state == PENDING).order_by(OutboxRow.seq)).all()
            return [_item(r) for r in rows]

    def pending_for_record(self, record_id: str) -> list[OutboxItem]:
        """Pending rows that write to one custody record, in send order: what a detainee switch needs, without
        reading (and decoding) the whole outbox. Matched on the path in SQL; the outbox's record key column and
        index, when present, are the better key for it."""
        prefix = f"/custody/records/{record_id}/"
        with self._sessions() as s:
            rows = s.scalars(select(OutboxRow).where(OutboxRow.state == PENDING,
                                                     OutboxRow.path.startswith(prefix, autoescape=True))
                             .order_by(OutboxRow.seq)).all()
            return [_item(r) for r in rows]

    def outbox_items(self, state: str | None = None) -> list[OutboxItem]:
        with self._sessions() as s:
            query = select(OutboxRow).order_by(OutboxRow.seq)
            if state:
                query = query.where(OutboxRow.state == state)
            return [_item(r) for r in s.scalars(query).all()]

    def pending_count(self) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.state == PENDING)) or 0

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
        self._update(row_id, state=SENT, last_error=None, response=json.dumps(response))

    def mark_rejected(self, row_id: str, error: str) -> None:
        self._update(row_id, state=REJECTED, last_error=error)

    # Cache ----------------------------------------------------------------------------------------------
    def cache_put(self, key: str, value: Any) -> None:
        with self._write_lock, self._sessions.begin() as s:
            row = s.get(CacheRow, key)
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            if row is None:
                s.add(CacheRow(key=key, value=json.dumps(value), updated_at=now))
            else:
                row.value = json.dumps(value)
                row.updated_at = now

    def cache_get(self, key: str, default: Any = None) -> Any:
        with self._sessions() as s:
            row = s.get(CacheRow, key)
            return default if row is None else json.loads(row.value)
