"""Transactional outbox of change events, and the long-poll change feed that serves it."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Integer, String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from server.auth.dependencies import CurrentUser, SessionDep
from server.db import Base, UTCDateTime, utcnow
from server.wire import UTCOut

BATCH = 500
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


def emit(session: Session, type_: str, entity: str, entity_id: str, data: Any,
         record_id: str | None = None) -> Event:
    """Add an event to the caller's transaction: it becomes visible exactly when the change commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_OUTBOX_LOCK})
    event = Event(type=type_, entity=entity, entity_id=entity_id, record_id=record_id, at=utcnow(),
                  data=jsonable_encoder(data))
    session.add(event)
    session.flush()
    return event


class EventOut(BaseModel):
    seq: int
    type: str
    entity: str
    entity_id: str
    record_id: str | None
    at: UTCOut
    data: Any


class EventsOut(BaseModel):
    events: list[EventOut]
    last_seq: int


def fetch_after(factory: sessionmaker[Session], after: int) -> tuple[list[EventOut], int]:
    with factory() as session:
        rows = session.scalars(select(Event).where(Event.seq > after).order_by(Event.seq).limit(BATCH)).all()
        if rows:
            return [EventOut.model_validate(r, from_attributes=True) for r in rows], rows[-1].seq
        last = session.scalar(select(func.max(Event.seq))) or 0
        return [], last


router = APIRouter(tags=["events"])


@router.get("/events", response_model=EventsOut)
async def events(request: Request, user: CurrentUser, session: SessionDep,
                 after: Annotated[int, Query(ge=0, le=2**53)] = 0,
                 wait: Annotated[float, Query(ge=0, le=30)] = 0) -> EventsOut:
    # The auth session is done with; release its connection before waiting.
    await anyio.to_thread.run_sync(session.close)
    settings = request.app.state.settings
    factory = request.app.state.sessionmaker
    deadline = time.monotonic() + min(wait, settings.events_max_wait_s)
    while True:
        found, last = await anyio.to_thread.run_sync(fetch_after, factory, after)
        if (found or time.monotonic() >= deadline or request.app.state.stopping.is_set()
                or await request.is_disconnected()):
            return EventsOut(events=found, last_seq=last)
        await anyio.sleep(min(settings.events_poll_interval_s, max(0.0, deadline - time.monotonic())))
