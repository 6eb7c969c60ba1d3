"""The shift handover: what the incoming custody sergeant must know about every detainee, and their
acknowledgement of it (issue 13).

GET /custody/handover is one read in a constant number of queries (the open records with the facts the board
uses, the log entries and checks that matter for handover, the last acknowledgement); POST /custody/handovers
records that the incoming sergeant has read it: audited, idempotent, and announced on the change feed so every
board shows when the suite was last handed over and to whom. GET /custody/suite names the station and the
notice languages for printouts.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import observation as obs
from domain.events import EventType
from domain.officers import titled
from domain.rights import Right
from domain.risk import AREAS_BY_KEY
from domain.roles import CUSTODY_STAFF, Role
from server import audit
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server import force
from server.custody import service
from server.custody.models import STATUS_RELEASED, CellCheck, CustodyRecord, LogEntry
from server.custody.schemas import CustodyRecordOut, OfficerOut, _Created
from server.db import Base, UTCDateTime, utcnow
from server.idempotency import IdempotencyDep
from server.records import ensure_new
from server.wire import UTCOut

HANDOVER = "custody_handover"
# Without an earlier handover, "flagged since" covers this long (a custody shift is at most about 12 hours).
FIRST_HANDOVER_WINDOW = timedelta(hours=12)
# Log kinds a sergeant must hear about at handover when they happened during the shift.
FLAG_KINDS = ("risk_assessment", "observation_level", "healthcare", "detention_decision", "review", "correction")
# Log kinds that say an outstanding request was met (a solicitor or appropriate adult arrived).
ARRIVAL_KINDS = ("solicitor_arrival", "appropriate_adult_arrival")
SHORT_RIGHT_TITLES: dict[str, str] = {Right.LEGAL_ADVICE: "Free legal advice",
                      Right.SOMEONE_INFORMED: "Someone to be told of the arrest",
                      Right.CONSULT_CODES: "Consult the Codes of Practice", Right.INTERPRETER: "Interpreter",
                      Right.CONSULAR_CONTACT: "Consular contact",
                      Right.TOLD_OFFENCE_AND_REASONS: "Told the offence and reasons"}
STATION_NOT_NAMED = "Station not named in the force configuration"


class Handover(Base):
    """One acknowledged handover. Append-only: a later handover is a new row."""

    __tablename__ = "custody_handovers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    outgoing: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detainees: Mapped[int] = mapped_column(Integer)
    custody_numbers: Mapped[list[str]] = mapped_column(JSON)
    by: Mapped[User] = relationship(lazy="joined")


# ------------------------------------------------------------------------------------------------- schemas


class HandoverIn(_Created):
    outgoing: str | None = Field(default=None, max_length=200, description="The outgoing custody sergeant")
    note: str | None = Field(default=None, max_length=2000)
    record_ids: list[str] = Field(default_factory=list, max_length=500,
                                  description="The detainees shown on the handover that was read")


class HandoverOut(BaseModel):
    id: str
    acknowledged_at: UTCOut
    by: OfficerOut
    by_label: str  # "Sgt Alys Penhallow (CS2417)": rank once
    outgoing: str | None
    note: str | None
    since: UTCOut | None
    detainees: int
    custody_numbers: list[str]


class FlagOut(BaseModel):
    record_id: str
    custody_number: str
    name: str
    at: UTCOut
    kind: str
    text: str
    by: str


class HandoverDetainee(BaseModel):
    record_id: str
    custody_number: str
    name: str
    cell: str | None
    status: str
    juvenile: bool
    vulnerable: bool
    risk_level: str | None
    risk_concerns: list[str]
    warning_markers: str | None
    observation_level: int | None
    observation_title: str | None
    observation_interval_minutes: int | None
    next_check_due: UTCOut | None
    next_review_due: UTCOut | None
    detention_limit_at: UTCOut | None
    outstanding_rights: list[str]
    appropriate_adult: str | None
    interpreter: str | None
    healthcare: list[str]


class HandoverContent(BaseModel):
    prepared_at: UTCOut
    station: str
    since: UTCOut
    last: HandoverOut | None
    detainees: list[HandoverDetainee]
    flagged: list[FlagOut]


class SuiteOut(BaseModel):
    station: str
    station_named: bool
    notice_languages: dict[str, str]


# ------------------------------------------------------------------------------------------------- service


def _label(user: User) -> str:
    name = titled(user.rank, user.display_name)
    return f"{name} ({user.collar_number})" if user.collar_number else name


def _handover_out(row: Handover) -> HandoverOut:
    return HandoverOut(id=row.id, acknowledged_at=row.acknowledged_at, by=service.officer(row.by),
                       by_label=_label(row.by), outgoing=row.outgoing, note=row.note, since=row.since,
                       detainees=row.detainees, custody_numbers=list(row.custody_numbers))


def last_handover(session: Session) -> Handover | None:
    return session.scalars(select(Handover).order_by(Handover.acknowledged_at.desc()).limit(1)).first()


def station() -> str:
    return force.station_name() or STATION_NOT_NAMED


def suite() -> SuiteOut:
    languages = {e["code"]: e.get("name") or e["code"] for e in force.force_config()["notice_of_rights_languages"]}
    return SuiteOut(station=station(), station_named=force.station_name() is not None, notice_languages=languages)


def _cell_order(cell: str | None) -> tuple[Any, ...]:
    """C2 before C10, as the cells are on the corridor; no cell last."""
    if not cell:
        return (1,)
    return (0, *((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.findall(r"\d+|\D+", cell)))


def _local(at: datetime) -> str:
    return service.fmt(at)[-5:]  # HH:MM: handover is about today; the date is on the row


def _rights(out: CustodyRecordOut, arrivals: dict[str, list[tuple[str, datetime]]]) -> tuple[list[str], str | None]:
    """Outstanding rights and the interpreter line."""
    outstanding: list[str] = []
    interpreter = None
    if out.rights_notice is None:
        outstanding.append("Written notice of rights not yet given")
    solicitor_came = any(kind == "solicitor_arrival" for kind, _ in arrivals.get(out.id, []))
    for right in out.rights:
        if not right.requested:
            continue
        title = SHORT_RIGHT_TITLES.get(right.right, right.right.replace("_", " ").capitalize())
        if right.right == Right.INTERPRETER:
            interpreter = f"Requested {_local(right.at)}" + (f": {right.note}" if right.note else "")
            continue
        if right.delay is not None:
            outstanding.append(f"{title}: delayed until {service.fmt(right.delay.until)} ({right.delay.grounds})")
        elif right.right == Right.LEGAL_ADVICE and not solicitor_came:
            outstanding.append(f"{title}: requested {_local(right.at)}, solicitor not yet arrived"
                               + (f" ({right.note})" if right.note else ""))
        elif right.right != Right.LEGAL_ADVICE:
            outstanding.append(f"{title}: requested {_local(right.at)}" + (f" ({right.note})" if right.note else ""))
    return outstanding, interpreter


def _appropriate_adult(out: CustodyRecordOut) -> str | None:
    if not out.appropriate_adult_required:
        return None
    who = out.appropriate_adult_name or "not yet named"
    if out.appropriate_adult_arrived_at is not None:
        return f"{who}: arrived {_local(out.appropriate_adult_arrived_at)}"
    if out.appropriate_adult_requested_at is not None:
        return f"{who}: requested {_local(out.appropriate_adult_requested_at)}, awaited"
    return f"Required ({out.appropriate_adult_reason or 'juvenile or vulnerable'}), not yet requested"


def handover_content(session: Session, user: User, now: datetime | None = None) -> HandoverContent:
    """Every open record with what handover needs, in a constant number of queries."""
    now = now or utcnow()
    last = last_handover(session)
    since = last.acknowledged_at if last is not None else now - FIRST_HANDOVER_WINDOW
    rows = sorted(session.scalars(select(CustodyRecord).where(CustodyRecord.status != STATUS_RELEASED)).all(),
                  key=lambda r: (_cell_order(r.cell), r.arrived_at, r.custody_number))
    ids = [r.id for r in rows]
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, service.RECORD, ids, "custody handover")
    facts = service._facts(session, ids)  # the board's own facts, so handover and board never disagree
    arrivals: dict[str, list[tuple[str, datetime]]] = {}
    flags: list[FlagOut] = []
    healthcare: dict[str, list[str]] = {rid: [] for rid in ids}
    names = {r.id: (r.custody_number, f"{r.person.surname.upper()}, {r.person.forenames}") for r in rows}
    if ids:
        entries = session.scalars(
            select(LogEntry).where(LogEntry.record_id.in_(ids), LogEntry.kind.in_(FLAG_KINDS + ARRIVAL_KINDS))
            .order_by(LogEntry.observed_at, LogEntry.recorded_at)).all()
        for e in entries:
            if e.kind in ARRIVAL_KINDS:
                arrivals.setdefault(e.record_id, []).append((e.kind, e.observed_at))
            if e.kind == "healthcare":
                healthcare[e.record_id].append(f"{_local(e.observed_at)} {e.text}")
            if e.kind in FLAG_KINDS and e.recorded_at >= since:
                number, name = names[e.record_id]
                flags.append(FlagOut(record_id=e.record_id, custody_number=number, name=name, at=e.observed_at,
                                     kind=e.kind, text=e.text, by=_label(e.author)))
        concerns = session.scalars(select(CellCheck).where(CellCheck.record_id.in_(ids))
                                   .order_by(CellCheck.observed_at)).all()
        for c in concerns:
            result = obs.CheckResult(c.result)
            if not (c.medical_emergency or obs.needs_healthcare(result)):
                continue
            what = "MEDICAL EMERGENCY: failed to rouse" if c.medical_emergency else f"check response: {c.result}"
            healthcare[c.record_id].append(f"{_local(c.observed_at)} {what}: healthcare professional to be called"
                                           + (f" ({c.note})" if c.note else ""))
            if c.recorded_at >= since:
                number, name = names[c.record_id]
                text = (f"Cell check: {c.result}" + (f". {c.note}" if c.note else "")
                        + (" Medical emergency." if c.medical_emergency else ""))
                flags.append(FlagOut(record_id=c.record_id, custody_number=number, name=name, at=c.observed_at,
                                     kind="cell_check", text=text, by=_label(c.checked_by)))
    flags.sort(key=lambda f: (f.at, f.custody_number))
    detainees = []
    for r in rows:
        out = service.record_out(session, r, now, facts[r.id])
        risk = facts[r.id].latest_risk
        outstanding, interpreter = _rights(out, arrivals)
        level = out.observation_level
        concerns_list = [AREAS_BY_KEY[c].question if c in AREAS_BY_KEY else c for c in
                         (risk.outcome.get("concerns", []) if risk is not None else [])]
        detainees.append(HandoverDetainee(
            record_id=r.id, custody_number=r.custody_number, name=out.name, cell=r.cell, status=r.status,
            juvenile=r.juvenile, vulnerable=r.vulnerable, risk_level=r.risk_level, risk_concerns=concerns_list,
            warning_markers=risk.warning_markers if risk is not None else None, observation_level=level,
            observation_title=obs.LEVEL_TITLES[obs.ObservationLevel(level)] if level is not None else None,
            observation_interval_minutes=(round(out.observation_interval_minutes)
                                          if out.observation_interval_minutes is not None else None),
            next_check_due=out.next_check_due, next_review_due=out.next_review_due,
            detention_limit_at=out.detention_limit_at, outstanding_rights=outstanding,
            appropriate_adult=_appropriate_adult(out), interpreter=interpreter, healthcare=healthcare.get(r.id, [])))
    return HandoverContent(prepared_at=now, station=station(), since=since,
                           last=_handover_out(last) if last is not None else None, detainees=detainees, flagged=flags)


def acknowledge(session: Session, user: User, body: HandoverIn, now: datetime | None = None) -> HandoverOut:
    """The incoming custody sergeant has read the handover: recorded, audited, announced."""
    now = now or utcnow()
    service.require(user, Role.CUSTODY_SERGEANT, doing="acknowledge a handover")
    ensure_new(session, Handover, body.id, "handover")
    last = last_handover(session)
    numbers: list[str] = []
    if body.record_ids:
        numbers = list(session.scalars(select(CustodyRecord.custody_number)
                                       .where(CustodyRecord.id.in_(body.record_ids))
                                       .order_by(CustodyRecord.custody_number)))
        if len(numbers) != len(set(body.record_ids)):
            service.field_errors([("record_ids", "One or more detainees on this handover are not custody records; "
                                                 "open the handover again and acknowledge what it shows.")])
    row = Handover(id=body.id, acknowledged_at=now, by=user, outgoing=body.outgoing or None, note=body.note or None,
                   since=last.acknowledged_at if last is not None else None, detainees=len(numbers),
                   custody_numbers=numbers)
    session.add(row)
    session.flush()
    audit.record(session, user, audit.AuditAction.COLLECTION, HANDOVER, row.id,
                 f"handover acknowledged for {len(numbers)} detainee(s)")
    out = _handover_out(row)
    service.emit(session, EventType.CUSTODY_HANDOVER_ACKNOWLEDGED, HANDOVER, row.id, out)
    return out


# -------------------------------------------------------------------------------------------------- routes

router = APIRouter(tags=["custody"])  # included by server/custody/routes.py under /custody


# Role gates checked before anything else (the body, the records): docs/security.md's matrix.
CustodyStaff = Annotated[User, Depends(require_roles(*CUSTODY_STAFF))]
Sergeant = Annotated[User, Depends(require_roles(Role.CUSTODY_SERGEANT))]


@router.get("/handover", response_model=HandoverContent)
def get_handover(user: CustodyStaff, session: SessionDep) -> HandoverContent:
    return handover_content(session, user)


@router.get("/handovers/last", response_model=HandoverOut | None)
def get_last_handover(user: CurrentUser, session: SessionDep) -> HandoverOut | None:
    """When the suite was last handed over and to whom (the board's line); null before the first."""
    row = last_handover(session)
    return _handover_out(row) if row is not None else None


@router.post("/handovers", status_code=201, response_model=HandoverOut,
             responses={403: {"description": "Only a custody sergeant acknowledges a handover"},
                        409: {"description": "Id already used"}, 422: {"description": "Invalid (field errors)"}})
def post_handover(body: HandoverIn, user: Sergeant, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: acknowledge(session, user, body))


@router.get("/suite", response_model=SuiteOut)
def get_suite(user: CurrentUser) -> SuiteOut:
    return suite()
