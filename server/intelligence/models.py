"""Intelligence reports (3x5x2), their grading history, and links to people, places and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.people.models import Person


class IntelligenceReport(Base):
    __tablename__ = "intelligence_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # Never the source's identity: a reference to the original submission held by the source unit.
    source_reference: Mapped[str] = mapped_column(String(64))
    original_text: Mapped[str] = mapped_column(Text)
    sanitised_text: Mapped[str] = mapped_column(Text, default="")
    source_evaluation: Mapped[str] = mapped_column(String(1))
    items: Mapped[Any] = mapped_column(JSON)  # [{"text", "assessment"}], one grade per item
    handling_code: Mapped[str] = mapped_column(String(1), index=True)
    handling_conditions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    qa_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    qa_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    qa_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    disseminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id], lazy="joined")
    qa_by: Mapped[User | None] = relationship(foreign_keys=[qa_by_id], lazy="joined")
    people: Mapped[list[IntelligencePerson]] = relationship(order_by="IntelligencePerson.id",
                                                            cascade="all, delete-orphan")
    locations: Mapped[list[IntelligenceLocation]] = relationship(order_by="IntelligenceLocation.id",
                                                                 cascade="all, delete-orphan")
    events: Mapped[list[IntelligenceEvent]] = relationship(order_by="IntelligenceEvent.id",
                                                           cascade="all, delete-orphan")
    grading_history: Mapped[list[IntelligenceGrading]] = relationship(order_by="IntelligenceGrading.at",
                                                                      cascade="all, delete-orphan")


class IntelligenceGrading(Base):
    """A grading superseded by a re-grading (history is kept, never overwritten)."""

    __tablename__ = "intelligence_gradings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("intelligence_reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    source_evaluation: Mapped[str] = mapped_column(String(1))
    items: Mapped[Any] = mapped_column(JSON)
    handling_code: Mapped[str] = mapped_column(String(1))
    handling_conditions: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    by: Mapped[User] = relationship(lazy="joined")


class IntelligencePerson(Base):
    __tablename__ = "intelligence_report_people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("intelligence_reports.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    person: Mapped[Person] = relationship(lazy="joined")


class IntelligenceLocation(Base):
    __tablename__ = "intelligence_report_locations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("intelligence_reports.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(10), default="")
    address_id: Mapped[str | None] = mapped_column(ForeignKey("person_addresses.id"), nullable=True)


class IntelligenceEvent(Base):
    __tablename__ = "intelligence_report_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("intelligence_reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(64))
