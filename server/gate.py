"""The database gate: a request waits for a free pooled connection asynchronously, before it takes a thread.

FastAPI runs each sync dependency, the handler and the session's commit as separate hops onto the worker threads
(anyio's limiter, 40 by default). Without the gate, under load every thread can end up blocked waiting for a
pooled connection while the requests that hold the connections wait for a thread for their next hop: nothing
moves until the pool timeout breaks it with errors. With the gate, at most as many requests as the pool has
connections are inside at once; the rest wait on the event loop holding nothing (no thread, no connection) and
answer 503 + Retry-After if no slot frees within the pool timeout. One gate per server process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import RETRY_AFTER_BUSY, ProblemError, problem_response

BUSY = "The server is busy; try again in a moment."


class DatabaseGate:
    def __init__(self, slots: int, timeout_s: float):
        self.slots = max(1, slots)
        self.timeout_s = timeout_s
        self.inside = 0
        self.waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None

    def _semaphore_here(self) -> asyncio.Semaphore:
        # One per event loop: in-process test clients may serve the same app from more than one loop.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.slots)
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one connection's worth of the pool; 503 (ProblemError) if none frees within the timeout."""
        semaphore = self._semaphore_here()
        self.waiting += 1
        try:
            await asyncio.wait_for(semaphore.acquire(), self.timeout_s)
        except TimeoutError:
            raise ProblemError(503, BUSY, headers={"Retry-After": RETRY_AFTER_BUSY}) from None
        finally:
            self.waiting -= 1
        self.inside += 1
        try:
            yield
        finally:
            self.inside -= 1
            semaphore.release()

    def status(self) -> dict[str, int]:
        return {"slots": self.slots, "inside": self.inside, "waiting": self.waiting}


class DatabaseGateMiddleware:
    """Every HTTP request passes the gate, except those that do their own database work through it (the change
    feed's long poll, which must not hold a slot while it waits) and those that do none (health)."""

    def __init__(self, app: ASGIApp, gate: DatabaseGate, exempt_suffixes: tuple[str, ...]):
        self.app, self.gate, self.exempt = app, gate, exempt_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).endswith(self.exempt):
            await self.app(scope, receive, send)
            return
        try:
            async with self.gate.slot():
                await self.app(scope, receive, send)
        except ProblemError as busy:
            if busy.status != 503:
                raise
            await problem_response(503, busy.detail, headers=busy.headers)(scope, receive, send)
