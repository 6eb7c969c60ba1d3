"""Custody records, the detainee log and the custody suite's append-only facts (issue 3).

Everything that happens to a detainee is a row of its own (rights, risk assessments, checks, reviews,
authorities, interviews) and also a log entry, so the log is the complete story. Rows are never updated except
an interview's end time; the record carries the current state the board needs.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.people.models import Person

STATUS_IN_CUSTODY = "in_custody"
STATUS_CHARGED = "charged"
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

    # Issue 3: booking-in. Nullable so records made before it (foundation demo) still load.
    booked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrest_place: Mapped[str | None] = mapped_column(String(300), nullable=True)
    arresting_officer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    arresting_officer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    officer_in_case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    offences: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True, default=list)
    arrest_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    arrest_necessity: Mapped[str | None] = mapped_column(Text, nullable=True)
    arrival_route: Mapped[str] = mapped_column(String(32), default="arrested_elsewhere")
    left_first_area_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    relevant_time_basis: Mapped[str | None] = mapped_column(String(200), nullable=True)
    appears_under_18: Mapped[bool] = mapped_column(Boolean, default=False)
    detention_decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detention_grounds: Mapped[str | None] = mapped_column(Text, nullable=True)
    detention_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detention_decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    detention_decided_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detention_decided_by_rank: Mapped[str | None] = mapped_column(String(64), nullable=True)
    aa_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    aa_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    aa_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rights_notice_language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rights_notice_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    observation_level_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    observation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    charged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    charge_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Issue 15: the suite the detainee is in (null only for records made before suites existed) and the cell
    # there (`cell` keeps its number for the board and printouts). Occupancy is counted from these.
    suite_id: Mapped[str | None] = mapped_column(ForeignKey("custody_suites.id"), nullable=True, index=True)
    cell_id: Mapped[str | None] = mapped_column(ForeignKey("custody_cells.id"), nullable=True, index=True)

    person: Mapped[Person] = relationship(lazy="joined")
    suite: Mapped[Suite | None] = relationship(lazy="joined")

    # One open record per person, even when two bookings race (the service checks first and gives a 409).
    __table_args__ = (Index("uq_custody_records_open_person", "person_id", unique=True,
                            sqlite_where=sql_text("status != 'released'"),
                            postgresql_where=sql_text("status != 'released'")),)

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


class _Fact:
    """Columns every custody fact shares: who recorded it, when, on which record."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RightEvent(_Fact, Base):
    __tablename__ = "custody_rights"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    right: Mapped[str] = mapped_column(String(40))
    requested: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    delay_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delay_grounds: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship(lazy="joined")


class RiskAssessment(_Fact, Base):
    __tablename__ = "custody_risk_assessments"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(32))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    officer_observations: Mapped[str | None] = mapped_column(Text, nullable=True)
    warning_markers: Mapped[str | None] = mapped_column(Text, nullable=True)
    risk_level: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)  # domain.risk.assess, kept as it was then
    assessed_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    assessed_by: Mapped[User] = relationship(lazy="joined")


class CellCheck(_Fact, Base):
    __tablename__ = "custody_checks"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    check_type: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(60))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    medical_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    checked_by: Mapped[User] = relationship(lazy="joined")


class Review(_Fact, Base):
    __tablename__ = "custody_reviews"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # review | postponement
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    grounds: Mapped[str] = mapped_column(Text)
    representations: Mapped[str | None] = mapped_column(Text, nullable=True)
    charged: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[User] = relationship(lazy="joined")


class DetentionAuthority(_Fact, Base):
    """A superintendent's extension (s.42), a warrant of further detention (s.43) or its extension (s.44)."""

    __tablename__ = "custody_authorities"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grounds: Mapped[str | None] = mapped_column(Text, nullable=True)
    court: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    authorised_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    authorised_by: Mapped[User] = relationship(lazy="joined")


class Interview(_Fact, Base):
    __tablename__ = "custody_interviews"

    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    interviewing_officers: Mapped[list[str]] = mapped_column(JSON, default=list)
    others_present: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[recorded_by_id])
    # Issue 14: who was present in each capacity, breaks, the recording, special warnings and the outcome.
    solicitor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    appropriate_adult: Mapped[str | None] = mapped_column(String(200), nullable=True)
    interpreter: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recording_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    special_warnings: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=list)
    breaks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True, default=list)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    urgent_grounds: Mapped[str | None] = mapped_column(Text, nullable=True)
    urgent_authorised_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    urgent_authorised_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[urgent_authorised_by_id])


class PropertyItem(Base):
    """PACE s.54: an item found on the detainee, what happened to it, and its return (issue 14). Versioned, because
    the return is written to the row itself (a conditional UPDATE through server.records.claim)."""

    __tablename__ = "custody_property"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    disposition: Mapped[str] = mapped_column(String(16))  # kept | retained | evidence
    bag_number: Mapped[str | None] = mapped_column(String(50), nullable=True)
    seal_number: Mapped[str | None] = mapped_column(String(50), nullable=True)
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature: Mapped[str] = mapped_column(String(16))  # signed | refused
    signature_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[recorded_by_id])
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    return_signature: Mapped[str | None] = mapped_column(String(16), nullable=True)
    return_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    returned_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    returned_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[returned_by_id])
    version: Mapped[int] = mapped_column(Integer, default=1)


@event.listens_for(LogEntry, "before_update")
def _log_is_append_only(_mapper: Mapper[LogEntry], _connection: Connection, target: LogEntry) -> None:
    raise RuntimeError(f"log entry {target.id} is append-only; add a correction instead")


@event.listens_for(LogEntry, "before_delete")
def _log_is_never_deleted(_mapper: Mapper[LogEntry], _connection: Connection, target: LogEntry) -> None:
    raise RuntimeError(f"log entry {target.id} is append-only; it cannot be deleted")


for _cls in (RightEvent, RiskAssessment, CellCheck, Review, DetentionAuthority):
    @event.listens_for(_cls, "before_update")
    def _facts_are_append_only(_mapper: Mapper[Any], _connection: Connection,
                               target: RightEvent | RiskAssessment | CellCheck | Review | DetentionAuthority) -> None:
        raise RuntimeError(f"{type(target).__name__} {target.id} is append-only")



# ------------------------------------------------------------------------------ suites and cells (issue 15)


class Suite(Base):
    """A custody suite of the force. Versioned: an administrator's edit is a conditional update."""

    __tablename__ = "custody_suites"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # domain.suites.SuiteState
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cells: Mapped[list[Cell]] = relationship(lazy="raise", order_by="Cell.number", back_populates="suite")


class Cell(Base):
    __tablename__ = "custody_cells"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    suite_id: Mapped[str] = mapped_column(ForeignKey("custody_suites.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    cell_type: Mapped[str] = mapped_column(String(32), default="adult")  # domain.suites.CellType
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    out_of_use: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_use_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    suite: Mapped[Suite] = relationship(lazy="raise", back_populates="cells")

    __table_args__ = (UniqueConstraint("suite_id", "number", name="uq_custody_cells_suite_number"),)


TRANSFER_SENT = "sent"
TRANSFER_ACCEPTED = "accepted"


class Transfer(Base):
    """A detainee moved between two suites of the force on ONE custody record: the sending suite's handover
    (what it knew then, kept as sent) and the receiving suite's acceptance into a cell there."""

    __tablename__ = "custody_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    from_suite_id: Mapped[str] = mapped_column(ForeignKey("custody_suites.id"))
    to_suite_id: Mapped[str] = mapped_column(ForeignKey("custody_suites.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=TRANSFER_SENT)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    from_cell: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    handover: Mapped[dict[str, Any]] = mapped_column(JSON)  # risk, property, outstanding actions, as sent
    risk_assessment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    to_cell_id: Mapped[str | None] = mapped_column(ForeignKey("custody_cells.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    to_suite: Mapped[Suite] = relationship(lazy="joined", foreign_keys=[to_suite_id])
    from_suite: Mapped[Suite] = relationship(lazy="joined", foreign_keys=[from_suite_id])
    sent_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[sent_by_id])
    accepted_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[accepted_by_id])

    # One transfer under way per record, even when two are sent at once.
    __table_args__ = (Index("uq_custody_transfers_open_record", "record_id", unique=True,
                            sqlite_where=sql_text("status = 'sent'"),
                            postgresql_where=sql_text("status = 'sent'")),)
