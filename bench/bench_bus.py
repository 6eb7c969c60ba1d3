"""The integration bus against the real RabbitMQ: events relayed per second, and the safety lane's latency
behind a backlog of routine events (issue 16).

    .venv/bin/python bench/bench_bus.py [--events 10000] [--database-url URL] [--broker-url amqp://…]

1. writes N routine bus messages (one transaction), 2. relays them to a queue nobody is reading yet (events/s,
publish and database time), 3. starts the consumer on that backlog and commits one safety event (failed
rousing): how long until the consumer has it, and how many routine events were handled before it.
Uses an exchange and queues of its own (deleted afterwards) and, by default, a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aio_pika  # noqa: E402

from server import events  # noqa: E402
from server.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from server.integration import consumer as consumer_module  # noqa: E402
from server.integration import outbox  # noqa: E402
from server.integration.consumer import Consumer  # noqa: E402
from server.integration.relay import Relay  # noqa: E402
from server.migrate import upgrade  # noqa: E402


def _draft(type_: str, record_id: str, n: int) -> outbox.Draft:
    now = utcnow().isoformat()
    if type_ == "custody.rousing_failed":
        return outbox.Draft(type_, record_id, {
            "record_id": record_id, "custody_number": "BW-2026-00001", "cell": "C3", "check_id": str(uuid.uuid4()),
            "observed_at": now, "observation_level": 2, "result": "failed to rouse", "medical_emergency": True})
    return outbox.Draft(type_, record_id, {
        "record_id": record_id, "custody_number": f"BW-2026-{n % 100:05d}", "assessment_id": str(uuid.uuid4()),
        "assessment_version": n, "risk_level": "low", "assessed_at": now, "suggested_observation_level": 1})


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.005)


async def _declare(url: str, consumer: Consumer) -> None:
    async with await aio_pika.connect(url, timeout=5) as connection:
        await consumer.declare(await connection.channel())


async def _cleanup(url: str, exchange: str, consumer: Consumer) -> None:
    async with await aio_pika.connect(url, timeout=5) as connection:
        channel = await connection.channel()
        await channel.queue_delete(consumer.queue)
        await channel.queue_delete(consumer.dead_queue)
        await channel.exchange_delete(exchange)
        await channel.exchange_delete(consumer_module.dead_exchange_name(exchange))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url")
    parser.add_argument("--batch", type=int, default=500, help="the relay's batch size")
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672/")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="bench-bus-")
    url = args.database_url or f"sqlite:///{folder.name}/bus.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    outbox.enable(engine)
    exchange = f"bwbench.{secrets.token_hex(4)}"
    seen: list[str] = []
    consumer = Consumer("watch", args.broker_url, engine, lambda _s, m: seen.append(m["type"]), ["custody.#"],
                        exchange=exchange, prefetch=10)
    asyncio.run(_declare(args.broker_url, consumer))
    relay = Relay(engine, args.broker_url, exchange=exchange, poll_s=0.05, batch_size=args.batch)
    try:
        records = [str(uuid.uuid4()) for _ in range(100)]
        began = time.perf_counter()
        with make_sessionmaker(engine)() as session, session.begin():
            events.serialise_writers(session)
            for n in range(args.events):
                outbox.write(session, _draft("custody.risk_changed", records[n % 100], n), occurred_at=utcnow())
        written = time.perf_counter() - began
        print(f"wrote {args.events} bus messages in {written:.2f} s ({args.events / written:.0f}/s)")
        began = time.perf_counter()
        relay.start()
        _wait(lambda: relay.stats.sent >= args.events, 300, "the relay")
        took = time.perf_counter() - began
        print(f"relayed {args.events} events in {took:.2f} s: {args.events / took:.0f} events/s "
              f"(publish+confirm {relay.stats.publish_s:.2f} s, database {relay.stats.database_s:.2f} s, "
              f"{relay.stats.batches} batches)")
        consumer.start()
        _wait(lambda: len(seen) > 0, 30, "the consumer")
        with make_sessionmaker(engine)() as session, session.begin():
            events.serialise_writers(session)
            outbox.write(session, _draft("custody.rousing_failed", records[0], 0), occurred_at=utcnow())
        committed = time.perf_counter()
        _wait(lambda: "custody.rousing_failed" in seen, 30, "the safety event")
        latency = time.perf_counter() - committed
        ahead = seen.index("custody.rousing_failed")
        print(f"safety lane, backlog queued at the broker: handled {latency * 1000:.0f} ms after commit, behind "
              f"{ahead} routine events of {args.events} ({args.events - ahead} overtaken)")
        # The other backlog: the relay behind (RabbitMQ was down, say) with N routine messages still unsent.
        consumer.stop()
        relay.stop()
        asyncio.run(_cleanup(args.broker_url, exchange, consumer))
        seen.clear()
        consumer = Consumer("watch", args.broker_url, engine, lambda _s, m: seen.append(m["type"]), ["custody.#"],
                            exchange=exchange, prefetch=10)
        consumer.start()
        _wait(consumer.ready.is_set, 30, "the consumer")
        with make_sessionmaker(engine)() as session, session.begin():
            events.serialise_writers(session)
            for n in range(args.events):
                outbox.write(session, _draft("custody.risk_changed", records[n % 100], n), occurred_at=utcnow())
        relay = Relay(engine, args.broker_url, exchange=exchange, poll_s=0.05, batch_size=args.batch)
        relay.start()
        _wait(lambda: relay.stats.sent > 0, 30, "the relay to start")
        with make_sessionmaker(engine)() as session, session.begin():
            events.serialise_writers(session)
            outbox.write(session, _draft("custody.rousing_failed", records[0], 0), occurred_at=utcnow())
        committed = time.perf_counter()
        _wait(lambda: "custody.rousing_failed" in seen, 60, "the safety event")
        latency = time.perf_counter() - committed
        ahead = seen.index("custody.rousing_failed")
        print(f"safety lane, backlog unsent in the outbox: handled {latency * 1000:.0f} ms after commit, behind "
              f"{ahead} routine events of {args.events} ({args.events - ahead} overtaken)")
    finally:
        consumer.stop()
        relay.stop()
        asyncio.run(_cleanup(args.broker_url, exchange, consumer))
        engine.dispose()
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
