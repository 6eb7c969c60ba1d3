"""Custody record reads and the detainee log rules. Services never commit: the request does."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import audit, events
from server.auth.models import User
from server.custody.models import STATUS_RELEASED, CustodyRecord, LogEntry
from server.custody.schemas import CustodyRecordOut, LogEntryIn, LogEntryOut
from server.db import utcnow
from server.errors import ProblemError

RECORD = "custody_record"
LOG_ENTRY = "log_entry"
LOG = "custody_log"  # the whole detainee log of one record (entity_id = the record's id)


def list_records(session: Session, user: User, open_only: bool) -> list[CustodyRecordOut]:
    query = select(CustodyRecord).order_by(CustodyRecord.arrived_at, CustodyRecord.custody_number)
    if open_only:
        query = query.where(CustodyRecord.status != STATUS_RELEASED)
    rows = session.scalars(query).all()
    for row in rows:
        audit.record(session, user, audit.AuditAction.CONSULTATION, RECORD, row.id, "custody records list")
    return [CustodyRecordOut.model_validate(r) for r in rows]


def get_record(session: Session, record_id: str) -> CustodyRecord:
    row = session.get(CustodyRecord, record_id)
    if row is None:
        raise ProblemError(404, f"There is no custody record with id {record_id[:40]!r}.")
    return row


def read_record(session: Session, user: User, record_id: str) -> CustodyRecordOut:
    row = get_record(session, record_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, RECORD, row.id)
    return CustodyRecordOut.model_validate(row)


def list_log(session: Session, user: User, record_id: str) -> list[LogEntryOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(LogEntry).where(LogEntry.record_id == record.id)
                           .order_by(LogEntry.observed_at, LogEntry.recorded_at, LogEntry.id)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, LOG, record.id)
    return [LogEntryOut.model_validate(r) for r in rows]


def _ensure_writable(record: CustodyRecord) -> None:
    if record.status == STATUS_RELEASED:
        released = record.released_at.isoformat() if record.released_at else "earlier"
        raise ProblemError(409, f"Custody record {record.custody_number} was closed on release ({released}); "
                                "it is read-only.", current=CustodyRecordOut.model_validate(record).model_dump(
                                    mode="json"))


def add_log_entry(session: Session, user: User, record_id: str, body: LogEntryIn,
                  future_tolerance: timedelta, now: datetime | None = None) -> LogEntryOut:
    record = get_record(session, record_id)
    _ensure_writable(record)
    now = now or utcnow()
    if body.observed_at > now + future_tolerance:
        minutes = int(future_tolerance.total_seconds() // 60)
        raise ProblemError.field("observed_at", f"This time is in the future; give the time it happened "
                                                f"(at most {minutes} minutes ahead of the server clock).")
    existing = session.get(LogEntry, body.id)
    if existing is not None:
        raise ProblemError(409, f"A log entry with id {body.id} already exists.",
                           current=LogEntryOut.model_validate(existing).model_dump(mode="json"))
    if body.corrects_id is not None:
        target = session.get(LogEntry, body.corrects_id)
        if target is None or target.record_id != record.id:
            raise ProblemError.field("corrects_id", "The entry being corrected is not in this custody record.")
    entry = LogEntry(id=body.id, record_id=record.id, kind=body.kind, text=body.text,
                     observed_at=body.observed_at, recorded_at=now, author=user, corrects_id=body.corrects_id)
    session.add(entry)
    session.flush()
    out = LogEntryOut.model_validate(entry)
    audit.record(session, user, audit.AuditAction.COLLECTION, LOG_ENTRY, entry.id)
    events.emit(session, "custody.log_entry.created", LOG_ENTRY, entry.id, out, record_id=record.id)
    return out


def next_custody_number(session: Session, year: int) -> str:
    prefix = f"BW-{year}-"
    last = session.scalar(select(func.max(CustodyRecord.custody_number))
                          .where(CustodyRecord.custody_number.like(prefix + "%")))
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:06d}"
