"""The relay and consumers against the real RabbitMQ: order per record across a burst and across a broker
restart, the safety lane overtaking a 10,000-event backlog, de-duplication, dead-lettering, and one relay at a
time on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

import aio_pika
import pytest
from sqlalchemy import func, select

from server import events
from server.db import make_engine, make_sessionmaker, utcnow
from server.integration import consumer as consumer_module
from server.integration import handoffs, outbox
from server.integration.consumer import Consumer
from server.integration.models import BusMessage
from server.integration.relay import Relay, declare_exchange
from tests.server.conftest import _pg_reset
from tests.server.integration.conftest import wait_until


@pytest.fixture
def engine(sqlite_template, tmp_path):
    path = tmp_path / "bus.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    outbox.enable(engine)
    yield engine
    outbox.disable(engine)
    engine.dispose()


def risk_changed(record_id: str, n: int) -> outbox.Draft:
    return outbox.Draft("custody.risk_changed", record_id, {
        "record_id": record_id, "custody_number": f"BW-2026-{record_id[:6]}", "assessment_id": str(uuid.uuid4()),
        "assessment_version": n, "risk_level": "low", "assessed_at": utcnow().isoformat(),
        "suggested_observation_level": 1})


def rousing_failed(record_id: str) -> outbox.Draft:
    now = utcnow().isoformat()
    return outbox.Draft("custody.rousing_failed", record_id, {
        "record_id": record_id, "custody_number": "BW-2026-00001", "cell": "C3", "check_id": str(uuid.uuid4()),
        "observed_at": now, "observation_level": 2, "result": "failed to rouse", "medical_emergency": True})


def write_burst(engine, records: list[str], per_record: int, start: int = 0) -> int:
    """per_record messages for each record, interleaved across records, in one transaction."""
    with make_sessionmaker(engine)() as session, session.begin():
        events.serialise_writers(session)
        for n in range(start, start + per_record):
            for record_id in records:
                outbox.write(session, risk_changed(record_id, n), occurred_at=utcnow())
    return len(records) * per_record


class Watch:
    """A consumer's handler that keeps what it was given, in order."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, _session, message: dict[str, Any]) -> None:
        with self.lock:
            self.seen.append(message)

    def count(self, type_: str | None = None) -> int:
        with self.lock:
            return sum(1 for m in self.seen if type_ is None or m["type"] == type_)


def assert_in_order_per_record(seen: list[dict[str, Any]], expected_per_record: int) -> None:
    versions: dict[str, list[int]] = defaultdict(list)
    for message in seen:
        versions[message["record_key"]].append(message["data"]["assessment_version"])
    for record_key, got in versions.items():
        assert got == list(range(expected_per_record)), f"record {record_key}: {got[:20]}…"


def relay_for(engine, broker_url, exchange, **kwargs) -> Relay:
    return Relay(engine, broker_url, exchange=exchange, poll_s=0.1, reconnect_s=0.3, **kwargs)


def test_order_per_record_holds_across_a_burst_and_a_broker_restart(engine, broker_url, exchange):
    watch = Watch()
    consumer = Consumer("watch", broker_url, engine, watch, ["custody.#"], exchange=exchange, prefetch=200,
                        reconnect_s=0.3).start()
    relay = relay_for(engine, broker_url, exchange, batch_size=50)
    try:
        assert consumer.ready.wait(10)
        records = [str(uuid.uuid4()) for _ in range(20)]
        total = write_burst(engine, records, 10)
        relay.start()
        wait_until(lambda: relay.stats.sent >= 50, 15, "the relay to be under way")
        # The broker goes down mid-stream; changes go on committing meanwhile.
        subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
        try:
            total += write_burst(engine, records, 5, start=10)
        finally:  # never leave the broker stopped for the tests after this one
            subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=60)
        wait_until(lambda: consumer.stats.handled >= total, 40, "every message after the restart")
        assert consumer.stats.handled == total and watch.count() == total  # nothing lost, nothing twice
        assert_in_order_per_record(watch.seen, 15)
        assert relay.stats.reconnects >= 1
        with make_sessionmaker(engine)() as session:
            assert session.scalar(select(func.count()).where(BusMessage.sent_at.is_(None))) == 0
    finally:
        relay.stop()
        consumer.stop()


BACKLOG = 10_000


def test_the_safety_lane_overtakes_a_backlog_of_ten_thousand(engine, broker_url, exchange):
    """10,000 routine events wait in the consumer's queue and 300 more in the outbox when a failed rousing is
    committed after them: the relay sends it first (lane order) and the broker puts it ahead of the queue (AMQP
    priority), so the consumer has it after at most its prefetch."""
    watch = Watch()
    consumer = Consumer("watch", broker_url, engine, watch, ["custody.#"], exchange=exchange, prefetch=10)
    asyncio.run(_declare(broker_url, consumer))
    record = str(uuid.uuid4())
    backlog = [json.dumps({**envelope("custody.risk_changed", risk_changed(record, n).data),
                           "record_key": record}).encode() for n in range(BACKLOG)]
    asyncio.run(_publish_raw(broker_url, exchange, [("custody.risk_changed", body) for body in backlog],
                             confirms=False))
    wait_until(lambda: asyncio.run(_depth(broker_url, consumer.queue)) == BACKLOG, 30, "the backlog to be queued")
    relay = relay_for(engine, broker_url, exchange, batch_size=100)
    relay.record_confirmed = True
    try:
        consumer.start()
        wait_until(lambda: watch.count() > 0, 10, "the consumer to be draining the backlog")
        with make_sessionmaker(engine)() as session, session.begin():
            events.serialise_writers(session)
            for n in range(300):
                outbox.write(session, risk_changed(str(uuid.uuid4()), n), occurred_at=utcnow())
            safety = outbox.write(session, rousing_failed(str(uuid.uuid4())), occurred_at=utcnow())
        assert safety is not None
        committed = time.monotonic()
        relay.start()
        wait_until(lambda: watch.count("custody.rousing_failed") == 1, 10, "the safety event")
        latency = time.monotonic() - committed
        wait_until(lambda: relay.stats.sent == 301, 10, "the relay to mark them sent")
        assert relay.stats.sent_keys[0] == safety.event_id  # relayed ahead of the 300 committed before it
        with watch.lock:
            before = next(i for i, m in enumerate(watch.seen) if m["type"] == "custody.rousing_failed")
        assert before < 100, before  # not behind 10,000: behind what the consumer had already taken
        assert latency < 3.0, latency
    finally:
        consumer.stop()
        relay.stop()


async def _depth(broker_url: str, queue: str) -> int:
    connection = await aio_pika.connect(broker_url, timeout=5)
    async with connection:
        declared = await (await connection.channel()).declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def _declare(broker_url: str, consumer: Consumer) -> None:
    connection = await aio_pika.connect(broker_url, timeout=5)
    async with connection:
        await consumer.declare(await connection.channel())


async def _publish_raw(broker_url: str, exchange: str, bodies: list[tuple[str, bytes]],
                       confirms: bool = True) -> None:
    connection = await aio_pika.connect(broker_url, timeout=5)
    async with connection:
        channel = await connection.channel(publisher_confirms=confirms)
        topic = await declare_exchange(channel, exchange)
        await asyncio.gather(*(topic.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                             routing_key=key, mandatory=False) for key, body in bodies))


async def _dead_letters(broker_url: str, queue: str, expected: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(broker_url, timeout=5)
    async with connection:
        channel = await connection.channel()
        dead = await channel.declare_queue(queue, durable=True)
        got = []
        deadline = time.monotonic() + 10
        while len(got) < expected and time.monotonic() < deadline:
            message = await dead.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
            else:
                got.append(message)
        return got


def envelope(type_: str, data: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or str(uuid.uuid4()), "type": type_, "version": 1,
            "occurred_at": utcnow().isoformat(), "record_key": data["record_id"], "lane": "routine", "data": data}


def test_a_consumer_handles_each_event_once_and_dead_letters_poison(engine, broker_url, exchange):
    gateway = handoffs.SimulatedNationalRecords()
    consumer = handoffs.consumer(handoffs.NATIONAL_RECORDS, broker_url, engine, exchange=exchange,
                                 gateway=gateway).start()
    try:
        assert consumer.ready.wait(10)
        record_id = str(uuid.uuid4())
        person = {"surname": "Quilliam", "forenames": "Tobias", "date_of_birth": "1988-04-09", "gender": "male",
                  "pnc_id": None}
        arrest = envelope("handoff.national_records.arrest", {
            "record_id": record_id, "custody_number": "BW-2026-00077", "person": person, "cro_number": None,
            "arrested_at": utcnow().isoformat(), "offence_codes": ["TH68010"]})
        unarrested = envelope("handoff.national_records.charge", {
            "record_id": record_id, "custody_number": "BW-2026-00078", "person": person,
            "charged_at": utcnow().isoformat(), "charges": [{"offence_code": "TH68010", "offence_date": "2026-11-30"}]})
        broken = envelope("handoff.national_records.charge", {**unarrested["data"], "custody_number": "BW-2026-00077",
                                                               "mothers_maiden_name": "Brack"})
        key = "handoff.national_records."
        asyncio.run(_publish_raw(broker_url, exchange, [
            (key + "arrest", json.dumps(arrest).encode()), (key + "arrest", json.dumps(arrest).encode()),
            (key + "charge", b"{not json"), (key + "charge", json.dumps(broken).encode()),
            (key + "charge", json.dumps(unarrested).encode())]))
        wait_until(lambda: consumer.stats.dead == 3 and consumer.stats.duplicates == 1, 10, "the five messages")
        assert consumer.stats.handled == 1 and [kind for kind, _, _ in gateway.updates] == ["arrest"]
        dead = asyncio.run(_dead_letters(broker_url, consumer.dead_queue, 3))
        reasons = [str(m.headers[consumer_module.REASON_HEADER]) for m in dead]
        assert "JSONDecodeError" in reasons[0]
        assert "breaks its contract" in reasons[1] and "mothers_maiden_name" in reasons[1]
        assert "national records refused it: no arrest is recorded for BW-2026-00078" in reasons[2]
        assert all(m.headers["x-bridewell-queue"] == consumer.queue for m in dead)
    finally:
        consumer.stop()


@pytest.mark.postgres
def test_several_relaying_processes_send_each_event_once(postgres_url, broker_url, exchange, tmp_path):
    """A `bridewell-server relay` process and a relay thread here, on one PostgreSQL database: one relays, the
    other waits; the process is killed (no clean-up: PostgreSQL frees its lock with its connection) and the
    other takes over. Nothing is sent twice, nothing is lost, order per record holds."""
    _pg_reset(postgres_url, None)
    engine = make_engine(postgres_url)
    watch = Watch()
    consumer = Consumer("watch", broker_url, engine, watch, ["custody.#"], exchange=exchange, prefetch=50).start()
    log_path = tmp_path / "relay.log"
    standby = relay_for(make_engine(postgres_url), broker_url, exchange, name="standby")
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "--database-url", postgres_url, "--broker-url", broker_url, "relay"],
            env={**os.environ, "BRIDEWELL_BUS_EXCHANGE": exchange}, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        assert consumer.ready.wait(10)
        wait_until(lambda: "holds the relay lock" in log_path.read_text(), 30, "the relay process to take the lock")
        standby.start()
        records = [str(uuid.uuid4()) for _ in range(10)]
        total = write_burst(engine, records, 10)
        wait_until(lambda: consumer.stats.handled >= total, 20, "the burst, relayed by the process")
        assert not standby.active.is_set() and standby.stats.sent == 0
        process.kill()
        process.wait(10)
        total += write_burst(engine, records, 5, start=10)
        wait_until(lambda: consumer.stats.handled >= total, 20, "the burst after the failover")
        assert standby.active.is_set() and standby.stats.sent == 50
        assert consumer.stats.duplicates == 0 and watch.count() == total
        assert_in_order_per_record(watch.seen, 15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        standby.stop()
        consumer.stop()
        standby.engine.dispose()
        engine.dispose()
