"""Transactional outbox of change events, and the long-poll change feed that serves it.

A waiting request holds no database connection and runs no query while it waits. One ChangeFeed per server
process wakes its waiters when events commit: on PostgreSQL a LISTEN connection in a thread (a transaction that
emitted sends a NOTIFY as it commits, which PostgreSQL delivers to every process on every host); on
embedded SQLite (one process) a SQLAlchemy after_commit hook. Waiters then re-read; concurrent waiters at the
same position share one query.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, NamedTuple

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON,
    BigInteger,
    Engine,
    Integer,
    String,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from domain.events import EventType
from server import audit
from server.auth.dependencies import BearerToken, SignedInUser, signed_in_work
from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.gate import DatabaseGate
from server.wire import UTCOut

log = logging.getLogger("bridewell.events")

BATCH = 500
CHANNEL = "bridewell_events"
# Marks a session whose transaction added events (SQLite: wake this process's waiters after it commits).
_EMITTED = "bridewell.events_emitted"
# Any constant: serialises event writers on PostgreSQL so seq order equals commit order and a reader
# that has seen seq N can never later miss a smaller seq committed after it.
_PG_OUTBOX_LOCK = 0x42726964


class Event(Base):
    __tablename__ = "events"

    # BIGINT on PostgreSQL; INTEGER on SQLite so it stays the autoincrementing rowid.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    type: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    record_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[Any] = mapped_column(JSON)


# Called with every event emit() adds, in its transaction (the integration bus writes its own outbox rows here).
EmitHook = Callable[[Session, "Event"], None]
_EMIT_HOOKS: list[EmitHook] = []


def add_emit_hook(hook: EmitHook) -> None:
    if hook not in _EMIT_HOOKS:
        _EMIT_HOOKS.append(hook)


def serialise_writers(session: Session) -> bool:
    """On PostgreSQL, queue this transaction behind every other event writer until it ends (True); SQLite
    serialises writers anyway (False)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    # Per schema: advisory locks are database-wide, and two Bridewell schemas in one database (test runs,
    # a training copy) need not queue behind each other.
    session.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": _PG_OUTBOX_LOCK})
    return True


# PostgreSQL: the events of a transaction, inserted when it commits (after everything else it writes).
_AT_COMMIT = "bridewell.events_at_commit"


def emit(session: Session, type_: EventType, entity: str, entity_id: str, data: Any,
         record_id: str | None = None) -> Event:
    """Add an event to the caller's transaction: it becomes visible exactly when the change commits.

    On PostgreSQL the row is inserted by the commit itself (_insert_at_commit): the writers' lock that keeps seq
    order equal to commit order is then held from that insert to the COMMIT only, in one thread, instead of from
    here across the rest of the request and its thread hops. Measured under load, every write in the process
    queued behind that lock (issue 9)."""
    row = Event(type=type_.value, entity=entity, entity_id=entity_id, record_id=record_id, at=utcnow(),
                data=jsonable_encoder(data))
    if session.get_bind().dialect.name == "postgresql":
        session.info.setdefault(_AT_COMMIT, []).append(row)
        return row
    session.add(row)
    session.flush()
    for hook in _EMIT_HOOKS:
        hook(session, row)
    session.info[_EMITTED] = True
    return row


def emit_many(session: Session, many: list[tuple[EventType, str, str, Any, str | None]]) -> None:
    """`emit` for many events at once, in order: (type, entity, entity_id, data, record_id) each, `data` already
    as JSON (what jsonable_encoder gives: the caller has it). On SQLite one INSERT stores them all (emit flushes
    each on its own); on PostgreSQL they join the commit's insert as emit's do. POST /batch's bulk path
    (server/batch.py) stores a run of log entries with it."""
    rows = [Event(type=type_.value, entity=entity, entity_id=entity_id, record_id=record_id, at=utcnow(),
                  data=data) for type_, entity, entity_id, data, record_id in many]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.info.setdefault(_AT_COMMIT, []).extend(rows)
        return
    # SQLite cannot say which RETURNING row is whose, so the ORM would insert them one at a time: with their seq
    # given (the next rowids, as SQLite would choose them; a writer holds the write lock) they go in one.
    session.flush()
    last = session.scalar(select(func.max(Event.seq))) or 0
    for number, row in enumerate(rows, start=last + 1):
        row.seq = number
    session.execute(insert(Event), [{"seq": row.seq, "type": row.type, "entity": row.entity,
                                     "entity_id": row.entity_id, "record_id": row.record_id, "at": row.at,
                                     "data": row.data} for row in rows])
    for row in rows:
        for hook in _EMIT_HOOKS:
            hook(session, row)
    session.info[_EMITTED] = True


# insert=True: before the audit chain's hook (server/audit.py), so a transaction takes this lock before a chain
# head, in the same order as the requests that take it early (booking, a cell: server/custody/suites.py), never
# in the opposite one (no lock-order deadlock when every head is held).
@event.listens_for(Session, "before_commit", insert=True)
def _insert_at_commit(session: Session) -> None:
    rows: list[Event] | None = session.info.pop(_AT_COMMIT, None)
    if not rows:
        return
    session.flush()  # the rest of the request's writes first: the lock is held for as little as possible
    # The writers' lock (serialise_writers) and the NOTIFY in one round trip: a NOTIFY is delivered to every
    # listening process when (and only if) this transaction commits, and identical ones are delivered once.
    session.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema())), pg_notify(:channel, '')"),
                    {"k": _PG_OUTBOX_LOCK, "channel": CHANNEL})
    session.add_all(rows)
    session.flush()
    for row in rows:
        for hook in _EMIT_HOOKS:
            hook(session, row)


class EventOut(BaseModel):
    """What the feed carries: ids and types, never personal data. What changed is read with POST /events/data
    (one batched, audited read per wake-up), which gives each reader only what they may see."""

    seq: int
    type: str
    entity: str
    entity_id: str
    record_id: str | None
    at: UTCOut


class EventsOut(BaseModel):
    events: list[EventOut]
    last_seq: int


class EventDataIn(BaseModel):
    seqs: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(min_length=1, max_length=BATCH)


class EventDataItem(BaseModel):
    seq: int
    data: Any = None  # the entity as it was committed; None when withheld
    withheld: str | None = None  # why this reader may not see it


class EventDataOut(BaseModel):
    events: list[EventDataItem]


class Batch(NamedTuple):
    """One read of the feed, encoded once: every waiter woken by the same commit is sent the same bytes."""

    found: bool
    last_seq: int
    body: bytes


_FEED_COLUMNS = (Event.seq, Event.type, Event.entity, Event.entity_id, Event.record_id, Event.at)


def fetch_after(factory: sessionmaker[Session], after: int) -> tuple[list[EventOut], int]:
    with factory() as session:
        rows = session.execute(select(*_FEED_COLUMNS).where(Event.seq > after).order_by(Event.seq)
                               .limit(BATCH)).mappings().all()
        if rows:
            return [EventOut.model_validate(dict(r)) for r in rows], rows[-1]["seq"]
        last = session.scalar(select(func.max(Event.seq))) or 0
        return [], last


# Who may read an entity's feed data, by entity: areas whose reads are narrower than "anyone signed in"
# register here (the intelligence area: need to know). Unregistered entities: anyone signed in, as their
# GET routes.
Visibility = Callable[[User, Any], str | None]  # None: may see; else why not
_VISIBILITY: dict[str, Visibility] = {}


def register_visibility(entity: str, rule: Visibility) -> None:
    _VISIBILITY[entity] = rule


def event_data(session: Session, user: User, seqs: list[int]) -> tuple[EventDataOut, list[dict[str, Any]]]:
    """The data of these events that this user may see (one query), and the audit rows naming every subject
    shown (stored by the caller before it answers)."""
    rows = session.execute(select(Event.seq, Event.entity, Event.entity_id, Event.data)
                           .where(Event.seq.in_(set(seqs))).order_by(Event.seq)).all()
    items: list[EventDataItem] = []
    shown: dict[str, list[str]] = {}
    for seq, entity, entity_id, data in rows:
        rule = _VISIBILITY.get(entity)
        why = rule(user, data) if rule is not None else None
        if why is None:
            items.append(EventDataItem(seq=seq, data=data))
            shown.setdefault(entity, []).append(entity_id)
        else:
            items.append(EventDataItem(seq=seq, withheld=why))
    logged = [row for entity, ids in shown.items()
              for row in audit.rows(user, audit.AuditAction.CONSULTATION, entity, ids, "change feed")]
    return EventDataOut(events=items), logged


# SQLite: the ChangeFeed of each engine, for the after_commit hook (there is no listener to do it). Weak both
# ways: the feed refers to its engine, so a strong value would keep every discarded app's engine alive.
_LOCAL_FEEDS: weakref.WeakKeyDictionary[Engine, weakref.ref[ChangeFeed]] = weakref.WeakKeyDictionary()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_EMITTED, False):
        bind = session.get_bind()  # the app's sessions are bound to its engine, which keys _LOCAL_FEEDS
        feed_ref = _LOCAL_FEEDS.get(bind) if isinstance(bind, Engine) else None
        feed = feed_ref() if feed_ref is not None else None
        if feed is not None:
            feed.wake()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_EMITTED, None)
    session.info.pop(_AT_COMMIT, None)


class ChangeFeed:
    """Per process: wakes the waiting long polls when events commit, and serves their reads.

    Waiters take `changed()` BEFORE they read, so an event committed during the read still wakes them.
    """

    def __init__(self, engine: Engine, factory: sessionmaker[Session], gate: DatabaseGate, *,
                 max_concurrent_reads: int = 4, reconnect_s: float = 1.0):
        self._engine = engine
        self._gate = gate  # reads take a slot like any request (server/gate.py)
        self._factory = factory
        self._pg = engine.dialect.name == "postgresql"
        self._reconnect_s = reconnect_s
        self.stopping = threading.Event()  # set on shutdown: every open wait answers at once
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._generation = 0
        self._reads: dict[tuple[int, int], asyncio.Future[Batch]] = {}
        self._read_slots: asyncio.Semaphore | None = None
        self._max_reads = max(1, max_concurrent_reads)
        self._listener: threading.Thread | None = None
        self._listening = threading.Event()
        self._lock = threading.Lock()
        self.waiting = 0
        self.listener_connects = 0
        self.listener_backend_pid: int | None = None
        # Told of every wake with the NOTIFY payload ("" for events; server/config_store.py listens for its own).
        self.wake_hooks: list[Callable[[str], None]] = []
        if not self._pg:
            _LOCAL_FEEDS[engine] = weakref.ref(self)

    # -- waking -------------------------------------------------------------------------------------------

    def wake(self, payload: str = "") -> None:
        """Wake every waiter (from any thread): something may have committed, read again."""
        for hook in self.wake_hooks:
            hook(payload)
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._fire)
            except RuntimeError:  # the loop has closed: nobody is waiting
                pass

    def _fire(self) -> None:
        fired, self._changed = self._changed, asyncio.Event()
        self._generation += 1
        fired.set()

    def start(self) -> None:
        """Bind to the running loop and, on PostgreSQL, start listening (otherwise the first wait does)."""
        self._loop = asyncio.get_running_loop()
        if self._pg:
            self._start_listener()

    def stop(self) -> None:
        self.stopping.set()
        self.wake()

    # -- waiting ------------------------------------------------------------------------------------------

    async def changed(self) -> tuple[asyncio.Event, int]:
        """The event the next commit sets, and its generation. Take it before reading."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        if self._pg and not self._listening.is_set():
            self._start_listener()
            if self.listener_connects == 0:
                # Until LISTEN is first in place a commit could go unnoticed; after a short wait go on
                # regardless (as while reconnecting): the listener wakes everyone when it connects.
                await anyio.to_thread.run_sync(self._listening.wait, 2.0)
        return self._changed, self._generation

    async def read(self, after: int, generation: int) -> Batch:
        """Events after `after`; waiters at the same position since the same wake-up share one query."""
        key = (after, generation)
        shared = self._reads.get(key)
        if shared is None:
            shared = asyncio.ensure_future(self._read(after))
            self._reads[key] = shared
            shared.add_done_callback(lambda done: self._read_done(key, done))
        return await asyncio.shield(shared)

    def _read_done(self, key: tuple[int, int], done: asyncio.Future[Any]) -> None:
        self._reads.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, so a failure every waiter abandoned is not logged as lost

    async def _read(self, after: int) -> Batch:
        if self._read_slots is None:
            self._read_slots = asyncio.Semaphore(self._max_reads)
        # Bounded so a burst of wake-ups cannot take every pooled connection from other requests.
        async with self._read_slots, self._gate.slot():
            found, last = await anyio.to_thread.run_sync(fetch_after, self._factory, after)
        return Batch(bool(found), last, EventsOut(events=found, last_seq=last).model_dump_json().encode())

    # -- PostgreSQL listener ------------------------------------------------------------------------------

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
                self._listener = threading.Thread(
                    target=_listen, args=(weakref.ref(self), self.stopping, args, kwargs, self._reconnect_s),
                    name="bridewell-events-listener", daemon=True)
                self._listener.start()

    def _connected(self, backend_pid: int) -> None:
        self.listener_connects += 1
        self.listener_backend_pid = backend_pid
        self._listening.set()
        if self.listener_connects > 1:
            log.warning("change feed listener reconnected (%d reconnects); waking all waiters to re-read",
                        self.listener_connects - 1)
        # Anything committed while nobody listened: every waiter reads again.
        if self.listener_connects > 1:
            for hook in self.wake_hooks:
                hook("reconnected")
        self.wake()

    def _disconnected(self, error: Exception) -> None:
        if self._listening.is_set() or self.listener_connects == 0:  # once per outage, not every retry
            log.warning("change feed listener has no database connection (%s); retrying every %g s",
                        error, self._reconnect_s)
        self._listening.clear()
        self.listener_backend_pid = None

    def status(self) -> dict[str, Any]:
        listener = "not needed" if not self._pg else ("listening" if self._listening.is_set() else
                                                      ("not started" if self._listener is None else "reconnecting"))
        return {"waiting": self.waiting, "listener": listener,
                "listener_reconnects": max(0, self.listener_connects - 1)}


def _listen(feed_ref: Callable[[], ChangeFeed | None], stopping: threading.Event, args: Any, kwargs: Any,
            reconnect_s: float) -> None:
    """The listener thread: LISTEN on its own connection, wake the feed on every notification, reconnect.

    It holds the feed only weakly, so a discarded app (tests make many) lets its listener end.
    """
    import psycopg

    params = {**kwargs, "autocommit": True, "application_name": "bridewell-events-listener",
              "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
    while not stopping.is_set():
        try:
            with psycopg.connect(*args, **params) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                if not _tell(feed_ref, ChangeFeed._connected, conn.info.backend_pid):
                    return
                idle = 0.0
                while not stopping.is_set():
                    heard = False
                    for notice in conn.notifies(timeout=1.0):
                        heard = True
                        if not _tell(feed_ref, ChangeFeed.wake, notice.payload):
                            return
                    if heard:
                        idle = 0.0
                        continue
                    if feed_ref() is None:
                        return
                    idle += 1.0
                    if idle >= 15.0:  # a connection dropped without a FIN shows itself here
                        conn.execute("SELECT 1")
                        idle = 0.0
        except psycopg.Error as exc:
            if stopping.is_set() or not _tell(feed_ref, ChangeFeed._disconnected, exc):
                return
            stopping.wait(reconnect_s)


def _tell(feed_ref: Callable[[], ChangeFeed | None], method: Callable[..., None], *args: Any) -> bool:
    """Call `method` on the feed if it still exists; False when it has gone (the listener should end)."""
    feed = feed_ref()
    if feed is None:
        return False
    method(feed, *args)
    return True


router = APIRouter(tags=["events"])


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class LatestOut(BaseModel):
    last_seq: int


@router.get("/events/latest", response_model=LatestOut)
async def latest(request: Request, _token: BearerToken) -> LatestOut:
    """The newest event's seq, in one query: where a client that has just read a snapshot starts following the
    feed (replaying the history to find it took one call per 500 events). The sign-in check and the query share
    one session and one thread hop."""
    return await signed_in_work(
        request, lambda session, _user: LatestOut(last_seq=session.scalar(select(func.max(Event.seq))) or 0))


@router.get("/events", response_model=EventsOut)
async def events(request: Request, user: SignedInUser,
                 after: Annotated[int, Query(ge=0, le=2**53)] = 0,
                 wait: Annotated[float, Query(ge=0, le=30)] = 0) -> Response:
    # The sign-in check has already closed its session: nothing here holds a connection while it waits.
    feed: ChangeFeed = request.app.state.feed
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, request.app.state.settings.events_max_wait_s)
    gone: asyncio.Task[None] | None = None
    feed.waiting += 1
    try:
        while True:
            changed, generation = await feed.changed()
            batch = await feed.read(after, generation)
            remaining = deadline - loop.time()
            if batch.found or remaining <= 0 or feed.stopping.is_set():
                return await _answer(request, user, after, batch)
            if gone is None:
                gone = asyncio.ensure_future(_disconnected(request))
            woken = asyncio.ensure_future(changed.wait())
            done, _ = await asyncio.wait({woken, gone}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            woken.cancel()
            if woken not in done:  # timed out (nothing new: the last read says so), or the client went away
                return await _answer(request, user, after, batch)
    finally:
        feed.waiting -= 1
        if gone is not None:
            gone.cancel()


async def _answer(request: Request, user: User, after: int, batch: Batch) -> Response:
    if batch.found:  # an empty answer shows nothing about anyone: not audited
        writer: audit.AuditWriter = request.app.state.audit_writer
        await writer.write(audit.rows(user, audit.AuditAction.CONSULTATION, "change_feed", [None],
                                      f"change feed after {after} to {batch.last_seq}"))
    return Response(batch.body, media_type="application/json")


@router.post("/events/data", response_model=EventDataOut)
async def events_data(request: Request, body: EventDataIn, _token: BearerToken) -> Response:
    """What changed, for the events a client has just been told of: one batched read per wake-up. Audited
    before it answers; the rows of readers asking at the same moment are stored together (audit.AuditWriter),
    so a change seen by every workstation costs one turn at the audit chain, not one per workstation. The sign-in
    check and the read share one session and one thread hop."""
    out, logged = await signed_in_work(request, lambda session, user: event_data(session, user, body.seqs))
    writer: audit.AuditWriter = request.app.state.audit_writer
    await writer.write(logged)
    return Response(out.model_dump_json().encode(), media_type="application/json")
