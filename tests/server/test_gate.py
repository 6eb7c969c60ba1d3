"""The database gate: requests beyond the pool wait on the event loop, and a wait that outlasts the pool timeout
answers 503 with Retry-After instead of hanging."""

from __future__ import annotations

import asyncio

import pytest

from server.errors import ProblemError
from server.gate import DatabaseGate


def test_a_full_gate_makes_the_next_request_wait_then_answers_503_with_retry_after():
    async def scenario() -> tuple[list[str], ProblemError]:
        gate = DatabaseGate(slots=1, timeout_s=0.3)
        order: list[str] = []
        release = asyncio.Event()

        async def first() -> None:
            async with gate.slot():
                order.append("first in")
                await release.wait()
            order.append("first out")

        async def second() -> None:
            async with gate.slot():
                order.append("second in")

        holder = asyncio.create_task(first())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(second())
        await asyncio.sleep(0.05)
        assert gate.status() == {"slots": 1, "inside": 1, "waiting": 1}
        release.set()
        await asyncio.gather(holder, waiter)  # the waiter got the slot as soon as it was given back

        blocked = asyncio.Event()

        async def hold_forever() -> None:
            async with gate.slot():
                blocked.set()
                await asyncio.sleep(5)

        hog = asyncio.create_task(hold_forever())
        await blocked.wait()
        with pytest.raises(ProblemError) as refused:
            async with gate.slot():
                pass
        hog.cancel()
        return order, refused.value

    order, refused = asyncio.run(scenario())
    assert order == ["first in", "first out", "second in"]
    assert refused.status == 503 and refused.headers == {"Retry-After": "2"}
