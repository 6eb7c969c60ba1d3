"""Transfers between the force's custody suites (issue 15), on ONE custody record.

The sending suite's sergeant sends the detainee (`POST /custody/records/{id}/transfers`): the server requires a
risk re-assessment made for the transfer (trigger "transfer", after any earlier transfer: APP, issue 14), and
keeps the handover as it was then: risk, property, what is outstanding. The detainee leaves their cell. The
receiving suite's sergeant accepts into a free cell there (`POST /custody/transfers/{id}/accept`, the same cell
lock as booking-in). Both steps are log entries of the record, each naming the suites.

The PACE clock carries on: the relevant time does not move. Every suite of the force is in the force's own police
area, so s.41(5) (arrest sought in a second police area: domain.md §1.2) never applies between them; a detainee
wanted by another force is booked in there as arriving "from another area" (booking.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import observation as obs
from domain.events import EventType
from domain.officers import titled
from domain.risk import AREAS_BY_KEY, transfer_reassessment_problem
from domain.roles import CUSTODY_STAFF, Role
from domain.suites import SuiteState
from server import audit, records
from server.auth.dependencies import SessionDep, require_roles
from server.auth.models import User
from server.custody import handover, suites
from server.custody.models import (TRANSFER_ACCEPTED, TRANSFER_SENT, CustodyRecord, LogEntry, RiskAssessment, Suite,
                                   Transfer)
from server.custody.schemas import OfficerOut
from server.custody.service import emit
from server.custody.service import (RECORD, assessment_times, changed, current, event_time, fmt, get_record, officer,
                                    record_out, require, writable, write_log)
from server.db import utcnow
from server.errors import ProblemError
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.wire import CleanStr, ClientId, UTCIn, UTCOut

TRANSFER = "custody_transfer"
RISK_FIELD = "risk_assessment"


class HandoverRisk(BaseModel):
    level: str | None
    assessed_at: UTCOut | None
    version: int | None
    for_transfer: bool  # the latest assessment was made for this transfer
    concerns: list[str]
    warning_markers: str | None
    observation: str | None


class PropertyItem(BaseModel):
    at: UTCOut
    text: str


class TransferSummary(BaseModel):
    """What the sending suite hands over, as it stands (before sending) or as it was sent (kept on the transfer)."""
    risk: HandoverRisk
    property: list[PropertyItem]
    outstanding: list[str]
    risk_reassessment_needed: str | None  # why sending is refused now, or null


class TransferIn(BaseModel):
    model_config = {"extra": "forbid"}
    id: ClientId
    to_suite_id: str = Field(max_length=36)
    sent_at: UTCIn
    note: CleanStr | None = Field(default=None, max_length=2000)


class AcceptIn(BaseModel):
    model_config = {"extra": "forbid"}
    cell_id: str = Field(max_length=36)
    accepted_at: UTCIn


class TransferOut(BaseModel):
    id: str
    record_id: str
    custody_number: str
    name: str
    status: str
    from_suite_id: str
    from_suite_name: str
    from_cell: str | None
    to_suite_id: str
    to_suite_name: str
    sent_at: UTCOut
    sent_by: OfficerOut
    note: str | None
    handover: TransferSummary
    accepted_at: UTCOut | None
    accepted_by: OfficerOut | None
    to_cell: str | None


# ----------------------------------------------------------------------------------------------- service


def _latest_risk(session: Session, record_id: str) -> RiskAssessment | None:
    return session.scalars(select(RiskAssessment).where(RiskAssessment.record_id == record_id)
                           .order_by(RiskAssessment.version.desc()).limit(1)).first()


def _last_accepted(session: Session, record_id: str) -> datetime | None:
    return session.scalars(select(Transfer.accepted_at).where(Transfer.record_id == record_id,
                                                              Transfer.status == TRANSFER_ACCEPTED)
                           .order_by(Transfer.accepted_at.desc()).limit(1)).first()


def summary(session: Session, record: CustodyRecord, now: datetime | None = None) -> TransferSummary:
    out = record_out(session, record, now)
    risk = _latest_risk(session, record.id)
    level = out.observation_level
    concerns = [AREAS_BY_KEY[c].question if c in AREAS_BY_KEY else c
                for c in (risk.outcome.get("concerns", []) if risk is not None else [])]
    property_rows = session.scalars(select(LogEntry).where(LogEntry.record_id == record.id,
                                                           LogEntry.kind == "property")
                                    .order_by(LogEntry.observed_at, LogEntry.recorded_at)).all()
    arrivals = {record.id: [(e.kind, e.observed_at) for e in session.scalars(
        select(LogEntry).where(LogEntry.record_id == record.id, LogEntry.kind.in_(handover.ARRIVAL_KINDS)))]}
    outstanding, interpreter = handover._rights(out, arrivals)
    if interpreter:
        outstanding.append(f"Interpreter: {interpreter}")
    if (aa := handover._appropriate_adult(out)) is not None and out.appropriate_adult_awaited:
        outstanding.append(f"Appropriate adult: {aa}")
    if out.next_review_due is not None:
        outstanding.append(f"Review {out.review_number_due} due {fmt(out.next_review_due)}")
    if out.next_check_due is not None:
        outstanding.append(f"Next cell check due {fmt(out.next_check_due)}")
    if out.detention_limit_at is not None:
        outstanding.append(f"Detention limit {fmt(out.detention_limit_at)} (relevant time unchanged by the transfer)")
    return TransferSummary(
        risk=HandoverRisk(level=out.risk_level, assessed_at=risk.assessed_at if risk else None,
                          version=risk.version if risk else None,
                          for_transfer=risk is not None and risk.trigger == "transfer", concerns=concerns,
                          warning_markers=risk.warning_markers if risk else None,
                          observation=obs.LEVEL_TITLES[obs.ObservationLevel(level)] if level is not None else None),
        property=[PropertyItem(at=e.observed_at, text=e.text) for e in property_rows], outstanding=outstanding,
        risk_reassessment_needed=transfer_reassessment_problem(
            assessment_times(session, record.id), charged_at=record.charged_at,
            last_moved_at=_last_accepted(session, record.id)))


def transfer_out(row: Transfer, record: CustodyRecord) -> TransferOut:
    to_cell = None
    if row.status == TRANSFER_ACCEPTED and row.to_cell_id is not None:
        to_cell = record.cell if record.cell_id == row.to_cell_id else None
    return TransferOut(
        id=row.id, record_id=row.record_id, custody_number=record.custody_number,
        name=f"{record.person.surname.upper()}, {record.person.forenames}", status=row.status,
        from_suite_id=row.from_suite_id, from_suite_name=row.from_suite.name, from_cell=row.from_cell,
        to_suite_id=row.to_suite_id, to_suite_name=row.to_suite.name, sent_at=row.sent_at,
        sent_by=officer(row.sent_by), note=row.note, handover=TransferSummary.model_validate(row.handover),
        accepted_at=row.accepted_at, accepted_by=officer(row.accepted_by) if row.accepted_by else None,
        to_cell=to_cell)


def read_summary(session: Session, user: User, record_id: str) -> TransferSummary:
    record = get_record(session, record_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, RECORD, record.id, "transfer handover")
    return summary(session, record)


def _summary_text(s: TransferSummary) -> str:
    risk = s.risk
    parts = [f"Risk: {risk.level or 'not assessed'}" + (f" ({'; '.join(risk.concerns)})" if risk.concerns else "")
             + (f", {risk.observation}" if risk.observation else "") + "."]
    if risk.warning_markers:
        parts.append(f"Warning markers: {risk.warning_markers}.")
    parts.append("Property: " + ("; ".join(p.text for p in s.property) if s.property else "none recorded") + ".")
    parts.append("Outstanding: " + ("; ".join(s.outstanding) if s.outstanding else "nothing") + ".")
    return " ".join(parts)


def send(session: Session, user: User, record_id: str, body: TransferIn, if_match: int | None,
         now: datetime | None = None) -> TransferOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="transfer a detainee to another suite")
    existing = session.get(Transfer, body.id)
    if existing is not None and existing.record_id == record_id and existing.to_suite_id == body.to_suite_id:
        return transfer_out(existing, get_record(session, record_id))  # the same transfer sent again (outbox)
    if existing is not None:
        raise records.already_taken("transfer", body.id)
    record = writable(session, record_id, if_match)
    event_time("sent_at", body.sent_at, record, now)
    if record.suite_id is None or record.suite is None:
        raise ProblemError(409, f"Custody record {record.custody_number} is not in a suite of the force; set its "
                                "suite before transferring.", current=current(session, record))
    pending = session.scalars(select(Transfer).where(Transfer.record_id == record.id,
                                                     Transfer.status == TRANSFER_SENT)).first()
    if pending is not None:
        raise ProblemError(409, f"A transfer to {pending.to_suite.name} was already sent "
                                f"({fmt(pending.sent_at)}) and awaits acceptance there.",
                           current=current(session, record))
    if body.to_suite_id == record.suite_id:
        raise ProblemError.field("to_suite_id", f"The detainee is already at {record.suite.name}; choose another "
                                                "suite.")
    to_suite = suites.suite_or_field_error(session, body.to_suite_id, "to_suite_id")
    if to_suite.state != SuiteState.OPEN:
        raise ProblemError.field("to_suite_id", f"{to_suite.name} is closed"
                                                f"{' (' + to_suite.state_reason + ')' if to_suite.state_reason else ''}"
                                                "; choose an open suite.")
    handed = summary(session, record, now)
    if handed.risk_reassessment_needed:
        audit.refused(session, user, RECORD, record.id, "transfer without a risk re-assessment")
        raise ProblemError.field(RISK_FIELD, handed.risk_reassessment_needed)
    risk = _latest_risk(session, record.id)
    from_suite, from_cell = record.suite, record.cell
    row = Transfer(id=body.id, record_id=record.id, from_suite_id=from_suite.id, to_suite_id=to_suite.id,
                   status=TRANSFER_SENT, sent_at=body.sent_at, sent_by=user, from_cell=from_cell, note=body.note,
                   handover=handed.model_dump(mode="json"), risk_assessment_id=risk.id if risk else None,
                   recorded_at=now)
    session.add(row)
    record.cell, record.cell_id = None, None  # the detainee has left the cell; the suite is theirs until accepted
    try:
        session.flush()
    except IntegrityError:  # a second transfer of the same record at the same moment: the partial unique index
        raise ProblemError(409, "Another transfer of this detainee was sent at the same moment.") from None
    session.refresh(row)
    write_log(session, user, record, "transfer",
              f"Transfer to {to_suite.name} sent from {from_suite.name}"
              f"{' (cell ' + from_cell + ')' if from_cell else ''} by {titled(user.rank, user.display_name)}. "
              + _summary_text(handed) + (f" Note: {body.note}" if body.note else ""), body.sent_at, now)
    changed(session, user, record, now)
    out = transfer_out(row, record)
    audit.record(session, user, audit.AuditAction.COLLECTION, TRANSFER, row.id)
    emit(session, EventType.CUSTODY_TRANSFER_SENT, TRANSFER, row.id, out, record_id=record.id)
    return out


def accept(session: Session, user: User, transfer_id: str, body: AcceptIn, if_match: int | None,
           now: datetime | None = None) -> TransferOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="accept a transferred detainee")
    row = records.get_or_404(session, Transfer, transfer_id, "transfer")
    record = writable(session, row.record_id, if_match)
    session.refresh(row)  # read again under the record's lock: another sergeant may have accepted meanwhile
    if row.status != TRANSFER_SENT:
        who = titled(row.accepted_by.rank, row.accepted_by.display_name) if row.accepted_by else "someone"
        raise ProblemError(409, f"This transfer was already accepted at {row.to_suite.name} by {who}.",
                           current=transfer_out(row, record).model_dump(mode="json"))
    event_time("accepted_at", body.accepted_at, record, now)
    if body.accepted_at < row.sent_at:
        raise ProblemError.field("accepted_at", f"The detainee was sent at {fmt(row.sent_at)}; give a time after "
                                                "that.")
    cell = suites.take_cell(session, row.to_suite_id, cell_id=body.cell_id, field="cell_id", record_id=record.id)
    row.status, row.accepted_at, row.accepted_by, row.to_cell_id = TRANSFER_ACCEPTED, body.accepted_at, user, cell.id
    record.suite_id, record.cell_id, record.cell = row.to_suite_id, cell.id, cell.number
    session.flush()
    session.expire(record, ["suite"])
    relevant = f"relevant time {fmt(record.relevant_time)} unchanged" if record.relevant_time else "clock unchanged"
    write_log(session, user, record, "transfer",
              f"Transfer from {row.from_suite.name} accepted at {row.to_suite.name} into cell {cell.number} by "
              f"{titled(user.rank, user.display_name)}; the PACE clock carries on ({relevant}).", body.accepted_at, now)
    changed(session, user, record, now)
    out = transfer_out(row, record)
    audit.record(session, user, audit.AuditAction.ALTERATION, TRANSFER, row.id)
    emit(session, EventType.CUSTODY_TRANSFER_ACCEPTED, TRANSFER, row.id, out, record_id=record.id)
    return out


def list_pending(session: Session, user: User, to_suite_id: str | None) -> list[TransferOut]:
    """Transfers sent and not yet accepted (to one suite), in three queries however many."""
    query = select(Transfer).where(Transfer.status == TRANSFER_SENT).order_by(Transfer.sent_at)
    if to_suite_id is not None:
        query = query.where(Transfer.to_suite_id == to_suite_id)
    rows = list(session.scalars(query))
    found = {r.id: r for r in session.scalars(select(CustodyRecord).where(
        CustodyRecord.id.in_([t.record_id for t in rows])))} if rows else {}
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, RECORD, [t.record_id for t in rows],
                      "transfers awaiting acceptance")
    return [transfer_out(t, found[t.record_id]) for t in rows]


def disposal_transfer_problem(session: Session, transfer_to: str | None) -> str | None:
    """The 'transferred' disposal is for leaving the force's custody (a prison, another force); a suite of the
    force is reached by a transfer between suites, which keeps the one record."""
    wanted = (transfer_to or "").strip().lower()
    if not wanted:
        return None
    for code, name in session.execute(select(Suite.code, Suite.name)):
        if wanted in (code.lower(), name.lower()):
            return (f"{name} is a suite of this force: use Custody > Transfer to another suite, which keeps this "
                    "custody record and its clock.")
    return None


# ---------------------------------------------------------------------------------------------------- routes

router = APIRouter()
CustodyStaff = Annotated[User, Depends(require_roles(*CUSTODY_STAFF))]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only a custody sergeant transfers a detainee"},
    409: {"description": "Record released or not in a suite, a transfer already under way, cell full"},
    412: {"description": "If-Match version is stale (current = the record)"},
    422: {"description": "Invalid (field errors), or no risk re-assessment for the transfer"},
}


@router.get("/records/{record_id}/transfer-summary", response_model=TransferSummary)
def get_summary(record_id: str, user: CustodyStaff, session: SessionDep) -> TransferSummary:
    """What would be handed over now, and whether a risk re-assessment is still needed before sending."""
    return read_summary(session, user, record_id)


@router.post("/records/{record_id}/transfers", status_code=201, response_model=TransferOut, responses=ERRORS)
def post_transfer(record_id: str, body: TransferIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
                  if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: send(session, user, record_id, body, if_match))


@router.post("/transfers/{transfer_id}/accept", response_model=TransferOut, responses=ERRORS)
def post_accept(transfer_id: str, body: AcceptIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
                if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: accept(session, user, transfer_id, body, if_match))


@router.get("/transfers", response_model=list[TransferOut])
def get_transfers(user: CustodyStaff, session: SessionDep,
                  to_suite: Annotated[str | None, Query(max_length=36)] = None) -> list[TransferOut]:
    """Transfers awaiting acceptance (at one suite)."""
    return list_pending(session, user, to_suite)



