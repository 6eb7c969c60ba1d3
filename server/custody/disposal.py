"""Charge and disposal: how the detainee leaves custody. After disposal the record is read-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.officers import titled
from domain.wording import sentence
from domain.disposal import OUTCOME_TITLES, Outcome, disposal_errors
from domain.risk import disposal_reassessment_problem
from domain.roles import Role
from server.auth.models import User
from server import force
from server.custody import transfers
from server.custody.models import STATUS_CHARGED, STATUS_RELEASED, LogEntry
from server.custody.schemas import ChargeIn, CustodyRecordOut, DisposalIn
from server.custody.service import (assessment_times, changed, current, event_time, field_errors, fmt, officer,
                                    require, writable, write_log)
from server.db import utcnow
from server.errors import ProblemError



def charge(session: Session, user: User, record_id: str, body: ChargeIn, if_match: int | None,
           now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="charge a detainee")
    record = writable(session, record_id, if_match)
    if record.charged_at is not None:
        raise ProblemError(409, f"The detainee was already charged at {fmt(record.charged_at)}.",
                           current=current(session, record))
    event_time("charged_at", body.charged_at, record, now,
               after=[("detention was authorised", record.detention_authorised_at)])
    record.status, record.charged_at, record.charge_summary = STATUS_CHARGED, body.charged_at, body.summary
    write_log(session, user, record, "disposal",
              f"Charged by {titled(user.rank, user.display_name)}: {sentence(body.summary)} Re-assess risk now (APP).",
              body.charged_at, now)
    return changed(session, user, record, now)


def dispose(session: Session, user: User, record_id: str, body: DisposalIn, if_match: int | None,
            now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="release, bail, remand or transfer a detainee")
    record = writable(session, record_id, if_match)
    last_entry = session.scalar(select(func.max(LogEntry.observed_at)).where(LogEntry.record_id == record.id))
    event_time("released_at", body.released_at, record, now, after=[("the last entry in the log", last_entry)])
    outcome = Outcome(body.outcome)
    field_errors(disposal_errors(
        outcome, released_at=body.released_at,
        release_day=force.local_day(body.released_at),
        bail_return_date=body.bail_return_date, transfer_to=body.transfer_to, court=body.court,
        summary=body.summary, charged_at=record.charged_at))
    if problem := disposal_reassessment_problem(body.outcome, assessment_times(session, record.id),
                                                leaving_at=body.released_at,
                                                charged_at=record.charged_at):
        field_errors([("outcome", problem)])
    if outcome is Outcome.TRANSFERRED and (problem := transfers.disposal_transfer_problem(session, body.transfer_to)):
        field_errors([("transfer_to", problem)])
    details = body.model_dump(mode="json")
    details["decided_by"] = officer(user).model_dump()
    record.disposal = details
    if body.outcome == "charged" and record.charged_at is None:
        record.charged_at, record.charge_summary = body.released_at, body.summary
    record.status, record.released_at = STATUS_RELEASED, body.released_at
    text = f"{OUTCOME_TITLES[outcome]} by {titled(user.rank, user.display_name)}."
    for label, value in (("Summary", body.summary), ("Answer bail on", body.bail_return_date),
                         ("Conditions", body.bail_conditions), ("To", body.transfer_to), ("Court", body.court)):
        if value:
            text += f" {label}: {sentence(value)}"
    write_log(session, user, record, "disposal", text, body.released_at, now)
    return changed(session, user, record, now)
