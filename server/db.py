"""Engine, the per-request session, the declarative Base and the UTC datetime column type."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalise_url(database_url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def dialect_name(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@dataclass(frozen=True)
class PoolSize:
    """Connections one server process may hold. workers x (size + overflow) must stay under the server's limit."""

    size: int = 10
    overflow: int = 5
    # Short: a request that cannot get a connection soon answers 503 + Retry-After rather than hanging.
    timeout_s: float = 5.0

    def engine_args(self) -> dict[str, Any]:
        return {"pool_size": self.size, "max_overflow": self.overflow, "pool_timeout": self.timeout_s}


def make_engine(database_url: str, pool: PoolSize | None = None) -> Engine:
    url = make_url(normalise_url(database_url))
    pool_args = (pool or PoolSize()).engine_args()
    if url.get_backend_name() == "sqlite":
        in_memory = not url.database or url.database == ":memory:" or url.database.startswith("file:")
        if not in_memory:
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False},
                               **({} if in_memory else pool_args))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            try:
                cur.execute("PRAGMA journal_mode=WAL")
            except Exception:  # a read-only file cannot switch journal mode; reads still work
                pass
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool_args)


def side_engine(engine: Engine) -> Engine:
    """A pool-less engine on the same database, for a read made while the request already holds one of the
    pool's connections (the force configuration's re-read): taking a second connection from the same pool
    would wait on itself, and with every connection held by such a request none would ever come free (503s).
    In-memory SQLite has one database per connection, so it keeps its own engine."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return engine
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": 15, "check_same_thread": False})
    return create_engine(url, poolclass=NullPool, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


T = TypeVar("T")
_KEEP = "bridewell.keep_after_rollback"
_KEEPS = "bridewell.keeps_refused"  # whether the request's session stores what keep_after_rollback holds
_ENDED = "bridewell.ended"  # the request's session was ended with the handler's work (finish)
log = logging.getLogger("bridewell.db")


def keep_after_rollback(session: Session, write: Callable[[Session], None]) -> None:
    """Have `write(session)` done again in a transaction of its own if this request's transaction rolls back:
    for what must be stored although the request is refused (the audit row of a refused attempt, a failed
    sign-in). Forgotten once the transaction commits."""
    session.info.setdefault(_KEEP, []).append(write)


def take_kept(session: Session) -> list[Callable[[Session], None]]:
    """The writes `keep_after_rollback` holds, removed from the session: for POST /batch's direct path, which
    rolls back one request's SAVEPOINT and does them again in the batch's own transaction."""
    kept: list[Callable[[Session], None]] = session.info.pop(_KEEP, None) or []
    return kept


@event.listens_for(Session, "after_commit")
def _forget_kept(session: Session) -> None:
    session.info.pop(_KEEP, None)


# POST /batch (server/batch.py) runs the requests it carries in one transaction of its own connection,
# committed every few requests instead of once per request. Each request's session joins it in a SAVEPOINT
# (join_transaction_mode="create_savepoint"): its commit releases the savepoint, a refusal rolls back only its own
# work, exactly as the request would alone. Set only by the batch route, for the requests it dispatches.
batch_connection: ContextVar[Connection | None] = ContextVar("bridewell_batch_connection", default=None)


def _open_session(request: Request) -> tuple[Session, bool]:
    """The request's session, and whether it keeps the writes `keep_after_rollback` holds (the batch keeps its own
    record of refusals)."""
    shared = batch_connection.get()
    if shared is not None:
        session, kept = Session(bind=shared, join_transaction_mode="create_savepoint", expire_on_commit=False), False
    else:
        factory: sessionmaker[Session] = request.app.state.sessionmaker
        session, kept = factory(), True
    session.info[_KEEPS] = kept
    return session, kept


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; the request commits when the handler returns, services never commit.

    async so that the session is made on the event loop (making one does no I/O) and only its end, the commit or
    the rollback, runs in a worker thread: a sync generator costs a thread hop for each (issue 9). The end is
    shielded from cancellation, as FastAPI shields a sync generator's, so a client going away cannot cut a
    commit short."""
    session, kept = _open_session(request)
    try:
        yield session
    except BaseException:
        if not session.info.get(_ENDED):
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_end, session, False, kept)
        raise
    if not session.info.get(_ENDED):  # finish() has not ended it with the handler's work
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_end, session, True, kept)


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """`work(session)` and the request's commit (its rollback if `work` raises) in ONE thread hop: get_session's
    transaction for an async handler, which would otherwise pay a hop for a sync dependency, one for the handler
    and one for the commit (issue 9: the loop requests every workstation repeats). Shielded like get_session's
    end; a thread cannot be interrupted anyway."""
    session, _kept = _open_session(request)
    return await finish(session, lambda: work(session))


async def finish(session: Session, work: Callable[[], T]) -> T:
    """`work()` and then the end of the request's session (get_session's or in_session's: the commit, or the
    rollback if `work` raises) in ONE thread hop, for an async handler: its session's own end then costs no
    hop of its own (issue 9). Shielded like get_session's end; a thread cannot be interrupted anyway."""
    kept = bool(session.info.get(_KEEPS))

    def run() -> T:
        session.info[_ENDED] = True
        try:
            result = work()
        except BaseException:
            _end(session, False, kept)
            raise
        _end(session, True, kept)
        return result

    with anyio.CancelScope(shield=True):
        result = await anyio.to_thread.run_sync(run)
    return result


def _end(session: Session, commit: bool, kept: bool) -> None:
    """Commit (or roll back) and close; a failed commit rolls back and stores what must outlive it."""
    try:
        if commit:
            try:
                session.commit()
                return
            except BaseException:
                session.rollback()
                if kept:
                    _write_kept(session)
                raise
        session.rollback()
        if kept:
            _write_kept(session)
    finally:
        session.close()


def _write_kept(session: Session) -> None:
    kept = session.info.pop(_KEEP, None)
    if not kept:
        return
    try:
        with session.begin():
            for write in kept:
                write(session)
    except Exception:  # the refusal itself still reaches the client; the failure to keep its trace is logged
        log.exception("could not store the record of a refused request")
