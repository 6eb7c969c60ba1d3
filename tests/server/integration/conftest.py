"""Integration-bus fixtures: the real RabbitMQ on 127.0.0.1:5672, each test with its own exchange (and so its
own queues: they are named after it), deleted afterwards so parallel runs never meet. If the broker is not
running the broker tests skip, unless BRIDEWELL_REQUIRE_BROKER=1 (CI), when they fail."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator

import aio_pika
import pytest

from server.integration import consumer as consumer_module
from server.integration import outbox
from tests.server.custody.conftest import h, users  # noqa: F401

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture(scope="session")
def broker_url() -> str:
    # A broker that is up but busy refuses a connection now and then (seen once: a worker's whole broker suite
    # skipped). Where it must run (CI), ask again for up to 20 s before deciding it is not there.
    required = os.environ.get("BRIDEWELL_REQUIRE_BROKER") == "1"
    deadline = time.monotonic() + (20 if required else 0)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", 5672), timeout=2):
                return BROKER_URL
        except OSError as exc:
            if time.monotonic() >= deadline:
                message = f"RabbitMQ is not reachable at 127.0.0.1:5672 ({exc})"
                if required:
                    pytest.fail(message + " and BRIDEWELL_REQUIRE_BROKER=1")
                pytest.skip(message)
        time.sleep(0.5)


async def _delete(url: str, exchange: str, queues: list[str]) -> None:
    connection = await aio_pika.connect(url, timeout=5)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)
        for name in (exchange, consumer_module.dead_exchange_name(exchange)):
            await channel.exchange_delete(name)


@pytest.fixture
def exchange(broker_url) -> Iterator[str]:
    """A topic exchange of this test's own; its consumers' queues (and dead-letter queues) go with it."""
    name = f"bwtest.{secrets.token_hex(4)}"
    yield name
    queues = []
    for consumer in ("escort", "prosecution", "national-records", "watch", "dedupe"):
        queues += [consumer_module.queue_name(name, consumer), consumer_module.dead_queue_name(name, consumer)]
    asyncio.run(_delete(broker_url, name, queues))


@pytest.fixture
def bus_enabled(app) -> Iterator[None]:
    outbox.enable(app.state.engine)
    yield
    outbox.disable(app.state.engine)


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
