"""The floor for bench_load.py: a bare FastAPI app serving the same workstation loop with the least work possible.

Same database, same HTTP stack (uvicorn), no auth, no audit, no idempotency, no ORM objects:
- GET  /board                    the open custody records with their people, one query (sync endpoint, pool)
- GET  /records/{id}/log         one detainee's log with its authors, one query
- POST /records/{id}/log         one INSERT into custody_log_entries, then wakes the waits
- GET  /events?after=&wait=      an async wait on an in-process condition: no connection, no query while waiting;
                                 answers the seqs (and entry ids) of the new entries, at most 500
- POST /events/data              what changed, for those seqs: the new log entries, one query (as the client
                                 asks after each wake)
- GET  /health

Run (bench_load.py does this): BENCH_DATABASE_URL=postgresql+psycopg://... uvicorn --app-dir bench bare_app:app
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Query
from pydantic import BaseModel
from sqlalchemy import bindparam, create_engine, text

# The project's default pool size is the thing under test, so the floor gets a pool that does not starve its
# 40 request threads: 20 + 20 connections.
engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=20, max_overflow=20, pool_pre_ping=True)

BOARD = text("""
    SELECT r.*, p.surname, p.forenames, p.date_of_birth, p.gender
    FROM custody_records r JOIN people p ON p.id = r.person_id
    WHERE r.status <> 'released'
    ORDER BY r.arrived_at, r.custody_number""")
LOG = text("""
    SELECT e.id, e.record_id, e.kind, e.text, e.observed_at, e.recorded_at, e.corrects_id,
           u.id AS author_id, u.display_name, u.rank, u.collar_number
    FROM custody_log_entries e JOIN users u ON u.id = e.author_id
    WHERE e.record_id = :rid
    ORDER BY e.observed_at, e.recorded_at, e.id""")
INSERT = text("""
    INSERT INTO custody_log_entries (id, record_id, kind, text, observed_at, recorded_at, author_id)
    VALUES (:id, :rid, :kind, :text, :observed_at, :recorded_at, :author_id)""")

DATA = text("""
    SELECT e.id, e.record_id, e.kind, e.text, e.observed_at, e.recorded_at, e.author_id
    FROM custody_log_entries e WHERE e.id IN :ids""").bindparams(bindparam("ids", expanding=True))
BATCH = 500  # the server's events per answer

_author: dict[str, str] = {}
_seq = 0
_changes: list[str] = []  # the entry id of each change; its seq is its index + 1
_changed: asyncio.Condition | None = None
_loop: asyncio.AbstractEventLoop | None = None


class LogEntryIn(BaseModel):
    id: str
    kind: str
    text: str
    observed_at: datetime


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings()]


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    global _changed, _loop
    _changed, _loop = asyncio.Condition(), asyncio.get_running_loop()
    with engine.connect() as conn:
        _author["id"] = conn.execute(text("SELECT id FROM users WHERE username = 'detention'")).scalar_one()
    yield
    engine.dispose()


# The same runtime configuration as the served API (server/app.py, server/runtime.py): no OpenTelemetry hooks;
# bench_load.py starts it without the access log, on asyncio's loop with httptools, as bridewell-server runs.
app = FastAPI(lifespan=_lifespan, telemetry={"tracing": False, "metrics": False, "logs": False})


async def _bump(entry_id: str) -> None:
    global _seq
    assert _changed is not None
    async with _changed:
        _changes.append(entry_id)
        _seq = len(_changes)
        _changed.notify_all()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/board")
def board() -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return _rows(conn.execute(BOARD))


@app.get("/records/{record_id}/log")
def log(record_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return _rows(conn.execute(LOG, {"rid": record_id}))


@app.post("/records/{record_id}/log", status_code=201)
def add_log(record_id: str, body: LogEntryIn) -> dict[str, Any]:
    now = datetime.now(UTC).replace(tzinfo=None)
    row = {"id": body.id, "rid": record_id, "kind": body.kind, "text": body.text,
           "observed_at": body.observed_at.astimezone(UTC).replace(tzinfo=None), "recorded_at": now,
           "author_id": _author["id"]}
    with engine.begin() as conn:
        conn.execute(INSERT, row)
    assert _loop is not None
    asyncio.run_coroutine_threadsafe(_bump(body.id), _loop)  # wake the waits, as a committed change would
    return row


@app.get("/events")
async def events(after: int = Query(0, ge=0), wait: float = Query(0, ge=0, le=30)) -> dict[str, Any]:
    assert _changed is not None
    async with _changed:
        try:
            await asyncio.wait_for(_changed.wait_for(lambda: _seq > after), timeout=wait)
        except TimeoutError:
            pass
        last = min(_seq, after + BATCH)
        return {"events": [{"seq": seq, "entity": "custody_log_entry", "entity_id": _changes[seq - 1]}
                           for seq in range(after + 1, last + 1)], "last_seq": last}


class EventDataIn(BaseModel):
    seqs: list[int]


@app.post("/events/data")
def events_data(body: EventDataIn) -> dict[str, Any]:
    ids = [_changes[s - 1] for s in body.seqs[:BATCH] if 0 < s <= len(_changes)]
    if not ids:
        return {"events": []}
    with engine.connect() as conn:
        return {"events": _rows(conn.execute(DATA, {"ids": ids}))}
