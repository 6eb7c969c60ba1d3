from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.people.models import Person

STATUS_IN_CUSTODY = "in_custody"
STATUS_RELEASED = "released"


class CustodyRecord(Base):
    __tablename__ = "custody_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    custody_number: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    cell: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default=STATUS_IN_CUSTODY, index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    relevant_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detention_authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    juvenile: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    observation_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != STATUS_RELEASED


class LogEntry(Base):
    """Append-only: corrections are new entries pointing at the one they correct."""

    __tablename__ = "custody_log_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("custody_log_entries.id"), nullable=True)

    author: Mapped[User] = relationship(lazy="joined")


@event.listens_for(LogEntry, "before_update")
def _log_is_append_only(_mapper, _connection, target: LogEntry) -> None:
    raise RuntimeError(f"log entry {target.id} is append-only; add a correction instead")


@event.listens_for(LogEntry, "before_delete")
def _log_is_never_deleted(_mapper, _connection, target: LogEntry) -> None:
    raise RuntimeError(f"log entry {target.id} is append-only; it cannot be deleted")
