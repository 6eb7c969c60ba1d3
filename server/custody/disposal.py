"""Charge and disposal: how the detainee leaves custody. After disposal the record is read-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.roles import Role
from server.auth.models import User
from server.custody.models import STATUS_CHARGED, STATUS_RELEASED
from server.custody.schemas import ChargeIn, CustodyRecordOut, DisposalIn
from server.custody.service import (changed, current, event_time, field_errors, fmt, officer, require, writable,
                                    write_log)
from server.db import utcnow
from server.errors import ProblemError

OUTCOME_TITLES = {
    "charged": "Charged",
    "pre_charge_bail": "Released on pre-charge bail",
    "released_under_investigation": "Released under investigation",
    "no_further_action": "Released: no further action",
    "remanded_for_court": "Remanded in custody for court",
    "transferred": "Transferred",
}


def charge(session: Session, user: User, record_id: str, body: ChargeIn, if_match: int | None,
           now: datetime | None = None) -> CustodyRecordOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="charge a detainee")
    record = writable(session, record_id, if_match)
    if record.charged_at is not None:
        raise ProblemError(409, f"The detainee was already charged at {fmt(record.charged_at)}.",
                           current=current(session, record))
    event_time("charged_at", body.charged_at, record, now)
    record.status, record.charged_at, record.charge_summary = STATUS_CHARGED, body.charged_at, body.summary
    write_log(session, user, record, "disposal",
              f"Charged by {user.rank} {user.display_name}: {body.summary} Re-assess risk now (APP).",
              body.charged_at, now)
    return changed(session, user, record, now)


def dispose(session: Session, user: User, record_id: str, body: DisposalIn, if_match: int | None,
            now: datetime | None = None) -> CustodyRecordOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="release, bail, remand or transfer a detainee")
    record = writable(session, record_id, if_match)
    event_time("released_at", body.released_at, record, now)
    errors: list[tuple[str, str]] = []
    if body.outcome == "pre_charge_bail":
        if body.bail_return_date is None:
            errors.append(("bail_return_date", "Give the date the person must answer bail."))
        elif body.bail_return_date <= body.released_at.date():
            errors.append(("bail_return_date", "The bail return date must be after the day of release."))
    if body.outcome == "transferred" and not (body.transfer_to or "").strip():
        errors.append(("transfer_to", "Say where the detainee is transferred to."))
    if body.outcome == "remanded_for_court" and not (body.court or "").strip():
        errors.append(("court", "Name the court the detainee is remanded to."))
    if body.outcome == "charged" and record.charged_at is None and not (body.summary or "").strip():
        errors.append(("summary", "Give the charge summary (the detainee has not been charged on this record)."))
    if record.charged_at is not None and body.released_at < record.charged_at:
        errors.append(("released_at", "Release cannot be before the charge."))
    field_errors(errors)
    details = body.model_dump(mode="json")
    details["decided_by"] = officer(user).model_dump()
    record.disposal = details
    if body.outcome == "charged" and record.charged_at is None:
        record.charged_at, record.charge_summary = body.released_at, body.summary
    record.status, record.released_at = STATUS_RELEASED, body.released_at
    text = f"{OUTCOME_TITLES[body.outcome]} by {user.rank} {user.display_name}."
    for label, value in (("Summary", body.summary), ("Answer bail on", body.bail_return_date),
                         ("Conditions", body.bail_conditions), ("To", body.transfer_to), ("Court", body.court)):
        if value:
            text += f" {label}: {value}."
    write_log(session, user, record, "disposal", text, body.released_at, now)
    return changed(session, user, record, now)
