"""The relay: sends the bus outbox to RabbitMQ after commit, in order, and marks a message sent only once the
broker has confirmed it.

- One relay at a time: on PostgreSQL the relay that holds a session advisory lock (per schema) sends; the others
  wait, and one takes over within a poll when it goes. Embedded SQLite: a lock file beside the database.
- Order: the safety lane first, then routine, each in outbox order (the order of commit), published on one
  channel with publisher confirms. Only the confirmed prefix of a batch is marked sent; after a broker failure
  the relay reconnects and resends from the first unconfirmed message, so a record's messages never overtake
  each other. A message may arrive twice (confirmed by the broker, the confirm lost): consumers de-duplicate by
  event id.
- Overdue cell checks are a fact of time, not of a change: the active relay sweeps for them (server.integration.
  sweep) and writes each once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

import aio_pika
from sqlalchemy import Connection, Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from server.db import make_sessionmaker, utcnow
from server.integration import outbox, sweep
from server.integration.models import LANE_PRIORITY, BusMessage

log = logging.getLogger("bridewell.bus")

DEFAULT_EXCHANGE = "bridewell.events"
PRIORITY = 2  # AMQP priority of the safety lane (consumer queues: x-max-priority 2; few levels are cheap)
_PG_RELAY_LOCK = 0x42757352  # any constant: the one relay per schema


def declare_exchange(channel: aio_pika.abc.AbstractChannel, name: str) -> Any:
    return channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


@dataclass
class RelayStats:
    sent: int = 0
    batches: int = 0
    reconnects: int = 0
    swept: int = 0
    publish_s: float = 0.0  # time spent publishing and awaiting confirms
    database_s: float = 0.0  # time spent reading the outbox and marking it sent
    last_error: str | None = None
    sent_keys: list[str] = field(default_factory=list)  # tests: event ids in the order they were confirmed


class Leadership:
    """The right to relay: a PostgreSQL session advisory lock held on a connection of its own, or a lock file."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._conn: Connection | None = None
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._engine.dialect.name == "postgresql":
            conn = self._engine.connect()
            got = conn.scalar(text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                              {"k": _PG_RELAY_LOCK})
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        path = self._engine.url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return True  # an in-memory database lives in this process only
        try:
            import fcntl
        except ImportError:  # Windows: the embedded server is one process
            return True
        handle = open(f"{path}.relay-lock", "a")  # noqa: SIM115 (held open while leading)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        """False once the lock's connection has gone (PostgreSQL then released the lock)."""
        if self._conn is None:
            return True
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:  # noqa: BLE001 (any failure means the session, and the lock with it, is gone)
            return False

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"),
                                   {"k": _PG_RELAY_LOCK})
                self._conn.commit()
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            self._file.close()
            self._file = None


class BrokerTrouble(Exception):
    """A publish was not confirmed: reconnect and resend from the first unconfirmed message."""


class Relay:
    def __init__(self, engine: Engine, broker_url: str, *, exchange: str = DEFAULT_EXCHANGE, batch_size: int = 500,
                 poll_s: float = 0.5, sweep_every_s: float = 15.0, keep_hours: float = 24.0,
                 reconnect_s: float = 1.0, publish_timeout_s: float = 10.0, name: str = "relay"):
        self.engine = engine
        self.broker_url = broker_url
        self.exchange_name = exchange
        self.batch_size = batch_size
        self.poll_s = poll_s
        self.sweep_every_s = sweep_every_s
        self.keep = timedelta(hours=keep_hours)
        self.reconnect_s = reconnect_s
        self.publish_timeout_s = publish_timeout_s
        self.name = name
        self.factory: sessionmaker[Session] = make_sessionmaker(engine)
        self.wake = outbox.enable(engine)
        self.stopping = threading.Event()
        self.active = threading.Event()  # set while this relay holds the lock
        self.connected = threading.Event()
        self.stats = RelayStats()
        self.record_confirmed = False  # tests: keep stats.sent_keys
        self._thread: threading.Thread | None = None
        self._next_sweep = 0.0
        self._next_lock_check = 0.0
        self._failing = False  # log a broker outage once, not every retry

    def status(self) -> dict[str, Any]:
        """For GET /health/process: whether this relay is the active one, connected, and what it has sent."""
        return {"active": self.active.is_set(), "connected": self.connected.is_set(), "sent": self.stats.sent,
                "reconnects": self.stats.reconnects, "last_error": self.stats.last_error}

    # -- running --------------------------------------------------------------------------------------------

    def start(self) -> Relay:
        self._thread = threading.Thread(target=self.run, name=f"bridewell-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Until stopped: wait to lead, then relay; a failure of the broker or the database is logged and retried."""
        leadership = Leadership(self.engine)
        try:
            while not self.stopping.is_set():
                try:
                    if not self.active.is_set():
                        if not leadership.try_acquire():
                            self.stopping.wait(self.poll_s)
                            continue
                        self.active.set()
                        log.info("%s: relaying (this process holds the relay lock)", self.name)
                    asyncio.run(self._relay(leadership))
                except Exception as exc:  # noqa: BLE001 (supervised: log, wait, go again)
                    self.stats.last_error = f"{type(exc).__name__}: {exc}"
                    self.stats.reconnects += 1
                    if not self._failing:
                        log.warning("%s: %s; retrying every %g s", self.name, self.stats.last_error,
                                    self.reconnect_s)
                    self._failing = True
                    self.stopping.wait(self.reconnect_s)
                if self.active.is_set() and not leadership.still_held():
                    log.warning("%s: lost the relay lock (database connection gone)", self.name)
                    self.active.clear()
                    leadership.release()
        finally:
            self.active.clear()
            leadership.release()

    async def _relay(self, leadership: Leadership) -> None:
        connection = await aio_pika.connect(self.broker_url, timeout=5)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await declare_exchange(channel, self.exchange_name)
            self.connected.set()
            if self._failing:
                log.info("%s: connected to the broker again; resending from the first unconfirmed message",
                         self.name)
                self._failing = False
            while not self.stopping.is_set():
                if time.monotonic() >= self._next_lock_check:  # under load too, not only when idle
                    self._next_lock_check = time.monotonic() + 2.0
                    if not leadership.still_held():
                        return
                began = time.perf_counter()
                rows = self._unsent()
                self.stats.database_s += time.perf_counter() - began
                if rows:
                    await self._publish(exchange, rows)
                    continue
                self._housekeeping()
                self.wake.clear()
                await asyncio.get_running_loop().run_in_executor(None, self.wake.wait, self.poll_s)
        finally:
            self.connected.clear()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 5)

    def _unsent(self) -> list[tuple[int, str, str, int, dict[str, Any]]]:
        with self.factory() as session:
            rows = session.execute(select(BusMessage.seq, BusMessage.event_id, BusMessage.routing_key,
                                          BusMessage.lane, BusMessage.payload)
                                   .where(BusMessage.sent_at.is_(None))
                                   .order_by(BusMessage.lane, BusMessage.seq).limit(self.batch_size)).all()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def _publish(self, exchange: Any, rows: list[tuple[int, str, str, int, dict[str, Any]]]) -> None:
        def message(event_id: str, lane: int, payload: dict[str, Any]) -> aio_pika.Message:
            return aio_pika.Message(
                json.dumps(payload, separators=(",", ":")).encode(), message_id=event_id,
                content_type="application/json", type=payload["type"], timestamp=utcnow(),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT, priority=PRIORITY if lane == LANE_PRIORITY else 0,
                headers={"record-key": payload["record_key"], "contract-version": payload["version"]})

        began = time.perf_counter()
        # One channel, published in order (aiormq sends frames in the order the publishes start); confirms are
        # awaited together, so a batch costs one round trip, not one per message.
        results = await asyncio.gather(
            *(exchange.publish(message(event_id, lane, payload), routing_key=key, mandatory=False,
                               timeout=self.publish_timeout_s)
              for _seq, event_id, key, lane, payload in rows), return_exceptions=True)
        marked = time.perf_counter()
        self.stats.publish_s += marked - began
        confirmed = 0
        failure: BaseException | None = None
        for result in results:
            if isinstance(result, BaseException):
                failure = result
                break
            confirmed += 1
        if confirmed:
            done = [r[0] for r in rows[:confirmed]]
            with self.factory() as session, session.begin():
                session.execute(update(BusMessage).where(BusMessage.seq.in_(done)).values(sent_at=utcnow()))
            self.stats.sent += confirmed
            self.stats.database_s += time.perf_counter() - marked
            self.stats.batches += 1
            if self.record_confirmed:
                self.stats.sent_keys.extend(r[1] for r in rows[:confirmed])
        if failure is not None:
            raise BrokerTrouble(f"{confirmed} of {len(rows)} confirmed, then {type(failure).__name__}: {failure}")

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_every_s
        with self.factory() as session, session.begin():
            self.stats.swept += sweep.overdue_checks(session, utcnow())
        with self.factory() as session, session.begin():
            session.execute(delete(BusMessage).where(BusMessage.sent_at < utcnow() - self.keep))


@contextlib.contextmanager
def running(relay: Relay) -> Iterator[Relay]:
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def process_name() -> str:
    return f"relay[{os.getpid()}]"
