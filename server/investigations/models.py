"""Investigations (crimes), the people in them, lines of enquiry, and incident-room actions with history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.people.models import Person


class Investigation(Base):
    __tablename__ = "investigations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Issue 14: what kind of investigation, the offences under investigation (catalogue codes with their
    # titles as chosen), and the supervising officer.
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    offences: Mapped[Any] = mapped_column(JSON, nullable=True, default=list)
    supervisor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    officer_in_charge_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    officer_in_charge: Mapped[User | None] = relationship(foreign_keys=[officer_in_charge_id], lazy="joined")
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    people: Mapped[list[InvestigationPerson]] = relationship(order_by="InvestigationPerson.added_at",
                                                             cascade="all, delete-orphan")
    lines_of_enquiry: Mapped[list[LineOfEnquiry]] = relationship(order_by="LineOfEnquiry.raised_at",
                                                                 cascade="all, delete-orphan")


class InvestigationPerson(Base):
    __tablename__ = "investigation_people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(ForeignKey("investigations.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(lazy="joined")
    added_by: Mapped[User] = relationship(lazy="joined")


class LineOfEnquiry(Base):
    __tablename__ = "lines_of_enquiry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(ForeignKey("investigations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raised_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))

    raised_by: Mapped[User] = relationship(lazy="joined")


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    investigation_id: Mapped[str] = mapped_column(ForeignKey("investigations.id"), index=True)
    number: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(200))
    priority: Mapped[str] = mapped_column(String(10))
    line_of_enquiry_id: Mapped[str | None] = mapped_column(ForeignKey("lines_of_enquiry.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    raised_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    allocated_to_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    resulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resulted_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    further_action_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    investigation: Mapped[Investigation] = relationship(lazy="joined")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="joined")
    allocated_to: Mapped[User | None] = relationship(foreign_keys=[allocated_to_id], lazy="joined")
    resulted_by: Mapped[User | None] = relationship(foreign_keys=[resulted_by_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")
    history: Mapped[list[ActionHistory]] = relationship(order_by="ActionHistory.at",
                                                        cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("investigation_id", "number"),)


class ActionHistory(Base):
    """Every transition of an action: who, when, from and to, and why."""

    __tablename__ = "action_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    by: Mapped[User] = relationship(lazy="joined")
