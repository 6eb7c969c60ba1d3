"""The bus's tables: its transactional outbox, the facts already announced, and what each consumer has handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

LANE_PRIORITY = 0  # safety events: relayed first, published with AMQP priority
LANE_ROUTINE = 1


class BusMessage(Base):
    """One message for the broker, written in the same transaction as the change it reports."""

    __tablename__ = "bus_outbox"

    # The order of writing (emit() serialises writers on PostgreSQL, so it is commit order too).
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # stable: consumers de-duplicate by it
    routing_key: Mapped[str] = mapped_column(String(120))  # <area>.<type>, also the contract's name
    contract_version: Mapped[int] = mapped_column(SmallInteger)
    lane: Mapped[int] = mapped_column(SmallInteger)
    record_key: Mapped[str] = mapped_column(String(80))  # messages of one record are delivered in order
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole envelope, as the contract says
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_bus_outbox_unsent", "lane", "seq",
                            sqlite_where=text("sent_at IS NULL"), postgresql_where=text("sent_at IS NULL")),
                      Index("ix_bus_outbox_sent_at", "sent_at"))


class BusFact(Base):
    """A fact announced once (detention authorised, a disposal, an overdue check): kept after its message is
    purged, so a later change of the same record never announces it again."""

    __tablename__ = "bus_facts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BusConsumed(Base):
    """What a consumer has handled, by event id: a redelivered message is acknowledged and not handled again."""

    __tablename__ = "bus_consumed"

    consumer: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
