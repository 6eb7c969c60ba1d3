"""Consumers: each with its own durable queue bound to the routing keys it needs, de-duplicating by event id,
and sending what it can never handle to its dead-letter queue with the reason.

A message is handled and its event id recorded (`bus_consumed`) in one database transaction, then acknowledged:
a redelivered message (the relay resent it, or the ack was lost) finds its id and is acknowledged unhandled.
A message that breaks its contract, is not JSON, or that the handler refuses (`Poison`) goes to
`<exchange>.dead` with routing key = the consumer's queue, its reason in the header `x-bridewell-reason`. A
handler that fails otherwise (the database, a neighbour unreachable) has the message requeued once; failing
again on redelivery, it is dead-lettered too, so one bad message never blocks the queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from server.db import make_sessionmaker
from server.integration import contracts
from server.integration.models import BusConsumed
from server.integration.relay import DEFAULT_EXCHANGE, declare_exchange

log = logging.getLogger("bridewell.bus.consumer")

REASON_HEADER = "x-bridewell-reason"
Handler = Callable[[Session, dict[str, Any]], None]


class Poison(Exception):
    """This message can never be handled (say why): it goes to the dead-letter queue."""


def queue_name(exchange: str, consumer: str) -> str:
    return f"{exchange}.{consumer}"


def dead_exchange_name(exchange: str) -> str:
    return f"{exchange}.dead"


def dead_queue_name(exchange: str, consumer: str) -> str:
    return f"{exchange}.{consumer}.dead"


@dataclass
class ConsumerStats:
    handled: int = 0
    duplicates: int = 0
    dead: int = 0
    retried: int = 0


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Consumer:
    def __init__(self, name: str, broker_url: str, engine: Engine, handler: Handler, bindings: list[str], *,
                 exchange: str = DEFAULT_EXCHANGE, prefetch: int = 10, reconnect_s: float = 1.0):
        self.name = name
        self.broker_url = broker_url
        self.handler = handler
        self.bindings = bindings
        self.exchange_name = exchange
        self.prefetch = prefetch
        self.reconnect_s = reconnect_s
        self.factory = make_sessionmaker(engine)
        self.stats = ConsumerStats()
        self.stopping = threading.Event()
        self.ready = threading.Event()  # the queues exist and it is consuming
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_future: asyncio.Future[None] | None = None

    @property
    def queue(self) -> str:
        return queue_name(self.exchange_name, self.name)

    @property
    def dead_queue(self) -> str:
        return dead_queue_name(self.exchange_name, self.name)

    def start(self) -> Consumer:
        self._thread = threading.Thread(target=self.run, name=f"bridewell-consumer-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        loop, fut = self._loop, self._stop_future
        if loop is not None and fut is not None:
            loop.call_soon_threadsafe(_resolve, fut)
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                asyncio.run(self._consume())
            except Exception as exc:  # noqa: BLE001 (supervised: the broker went away; connect again)
                log.warning("consumer %s: %s: %s; reconnecting in %g s", self.name, type(exc).__name__, exc,
                            self.reconnect_s)
            self.ready.clear()
            self.stopping.wait(self.reconnect_s)

    async def declare(self, channel: aio_pika.abc.AbstractChannel) -> aio_pika.abc.AbstractQueue:
        exchange = await declare_exchange(channel, self.exchange_name)
        dead = await channel.declare_exchange(dead_exchange_name(self.exchange_name), aio_pika.ExchangeType.DIRECT,
                                              durable=True)
        dead_queue = await channel.declare_queue(self.dead_queue, durable=True)
        await dead_queue.bind(dead, routing_key=self.queue)
        queue = await channel.declare_queue(self.queue, durable=True, arguments={"x-max-priority": 2})
        for key in self.bindings:
            await queue.bind(exchange, routing_key=key)
        return queue

    async def _consume(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_future = self._loop.create_future()
        if self.stopping.is_set():
            return
        connection = await aio_pika.connect(self.broker_url, timeout=5)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.prefetch)
            queue = await self.declare(channel)
            dead = await channel.get_exchange(dead_exchange_name(self.exchange_name))
            closed = self._loop.create_future()
            connection.close_callbacks.add(lambda *_: _resolve(closed))

            async def on_message(message: AbstractIncomingMessage) -> None:
                await self._on_message(message, dead)

            await queue.consume(on_message)
            self.ready.set()
            await asyncio.wait([self._stop_future, closed], return_when=asyncio.FIRST_COMPLETED)
        finally:
            await connection.close()

    async def _on_message(self, message: AbstractIncomingMessage, dead: aio_pika.abc.AbstractExchange) -> None:
        try:
            payload = json.loads(message.body)
            if not isinstance(payload, dict):
                raise Poison("the body is not a JSON object")
            wrong = contracts.problems(payload)
            if wrong:
                raise Poison("breaks its contract: " + "; ".join(wrong[:5]))
            self._handle(payload)
        except (Poison, ValueError) as exc:
            await self._dead_letter(message, dead, f"{type(exc).__name__}: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 (the handler's own failure: once more, then dead)
            if message.redelivered:
                await self._dead_letter(message, dead, f"failed twice: {type(exc).__name__}: {exc}")
            else:
                self.stats.retried += 1
                log.warning("consumer %s: %s; requeued once", self.name, exc)
                await message.nack(requeue=True)
            return
        await message.ack()

    def _handle(self, payload: dict[str, Any]) -> None:
        event_id = str(payload["event_id"])
        with self.factory() as session, session.begin():
            if session.get(BusConsumed, (self.name, event_id)) is not None:
                self.stats.duplicates += 1
                return
            self.handler(session, payload)
            session.add(BusConsumed(consumer=self.name, event_id=event_id))
        self.stats.handled += 1

    async def _dead_letter(self, message: AbstractIncomingMessage, dead: aio_pika.abc.AbstractExchange,
                           reason: str) -> None:
        headers = dict(message.headers or {})
        headers[REASON_HEADER] = reason[:1000]
        headers["x-bridewell-queue"] = self.queue
        await dead.publish(aio_pika.Message(message.body, headers=headers, message_id=message.message_id,
                                            content_type=message.content_type,
                                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                           routing_key=self.queue, mandatory=False)
        await message.ack()  # only after the dead-letter queue has it (publisher confirms)
        self.stats.dead += 1
        log.warning("consumer %s: message %s dead-lettered: %s", self.name, message.message_id, reason)
