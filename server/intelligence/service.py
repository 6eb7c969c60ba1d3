"""Intelligence reports: 3x5x2 grading (domain.grading), need-to-know access, QA, dissemination, re-grading."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from domain.events import EventType
from domain.grading import validate_grading
from server import audit, events, records
from server.auth.models import User
from server.db import utcnow
from server.errors import ProblemError
from server.intelligence.access import DISSEMINATED, in_intelligence_role, may_see, refusal
from server.intelligence.models import (IntelligenceEvent, IntelligenceGrading, IntelligenceLocation,
                                        IntelligencePerson, IntelligenceReport)
from server.intelligence.schemas import (AddEventIn, AddLocationIn, EventLinkOut, GradingFields, GradingOut,
                                         ItemOut, LinkPersonIn, LocationOut, QaIn, RegradeIn, ReportIn, ReportOut,
                                         ReportPersonOut, ReportSummary, feed_data)
from server.people.models import PersonAddress
from server.people.schemas import UserBrief, person_summary
from server.people.service import get_person

REPORT = "intelligence_report"
SUBMITTED, RETURNED, APPROVED = "submitted", "returned", "approved"


def _feed_visibility(user: User, data: Any) -> str | None:
    """The change feed's data of a report goes only to those who may see the report (need to know)."""
    code, status = str(data.get("handling_code", "")), str(data.get("status", ""))
    return None if may_see(user.roles, code, status) else refusal(code, status)


events.register_visibility(REPORT, _feed_visibility)


def _grading(body: GradingFields) -> tuple[str, list[dict[str, str]], str, str]:
    """Validate with domain.grading; field names follow the API (items.N.assessment)."""
    grading, errors = validate_grading(body.source_evaluation, [i.assessment for i in body.items],
                                       body.handling_code, body.handling_conditions)
    problems = []
    for e in errors:
        field = e.field
        if field == "intelligence":
            field = "items"
        elif field.startswith("intelligence."):
            field = f"items.{field.split('.', 1)[1]}.assessment"
        problems.append({"field": field, "message": e.message})
    if problems:
        raise ProblemError(422, "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5]), errors=problems)
    assert grading is not None
    items = [{"text": i.text, "assessment": a.value} for i, a in zip(body.items, grading.intelligence)]
    return grading.source.value, items, grading.handling.value, grading.handling_conditions


def notation(report: IntelligenceReport) -> str:
    grades = ",".join(i["assessment"] for i in report.items) or "?"
    return f"{report.source_evaluation}/{grades}/{report.handling_code}"


def report_out(report: IntelligenceReport, user: User) -> ReportOut:
    return ReportOut(
        id=report.id, reference=report.reference, title=report.title, source_reference=report.source_reference,
        status=report.status, sanitised_text=report.sanitised_text,
        original_text=report.original_text if in_intelligence_role(user.roles) else None,
        source_evaluation=report.source_evaluation, items=[ItemOut(**i) for i in report.items],
        handling_code=report.handling_code, handling_conditions=report.handling_conditions,
        grading=notation(report),
        people=[ReportPersonOut(id=p.id, person=person_summary(p.person), role=p.role) for p in report.people],
        locations=[LocationOut(id=loc.id, description=loc.description, postcode=loc.postcode,
                               address_id=loc.address_id) for loc in report.locations],
        events=[EventLinkOut(id=e.id, kind=e.kind, ref=e.ref) for e in report.events],
        submitted_by=UserBrief.model_validate(report.submitted_by), submitted_at=report.submitted_at,
        qa_by=UserBrief.model_validate(report.qa_by) if report.qa_by else None, qa_at=report.qa_at,
        qa_notes=report.qa_notes, disseminated_at=report.disseminated_at,
        grading_history=[GradingOut(at=g.at, by=UserBrief.model_validate(g.by),
                                    source_evaluation=g.source_evaluation, items=[ItemOut(**i) for i in g.items],
                                    handling_code=g.handling_code, handling_conditions=g.handling_conditions,
                                    reason=g.reason) for g in report.grading_history],
        version=report.version)


def summary(report: IntelligenceReport) -> ReportSummary:
    return ReportSummary(id=report.id, reference=report.reference, title=report.title, status=report.status,
                         handling_code=report.handling_code, grading=notation(report),
                         submitted_at=report.submitted_at)


def _get(session: Session, report_id: str) -> IntelligenceReport:
    return records.get_or_404(session, IntelligenceReport, report_id, "intelligence report")


def _claim(session: Session, user: User, report_id: str, if_match: int | None,
           required: bool = True) -> IntelligenceReport:
    return records.claim(session, IntelligenceReport, report_id, if_match, what="intelligence report",
                         current=lambda r: report_out(r, user), required=required)


def _require_intelligence_role(user: User) -> None:
    if not in_intelligence_role(user.roles):
        raise ProblemError(403, "Only intelligence officers and supervisors may do this (need to know).")


def next_reference(session: Session, year: int) -> str:
    prefix = f"IR-{year}-"
    last = session.scalar(select(func.max(IntelligenceReport.reference))
                          .where(IntelligenceReport.reference.like(prefix + "%")))
    return f"{prefix}{(int(last.removeprefix(prefix)) + 1) if last else 1:04d}"


def _link_person(session: Session, report: IntelligenceReport, person_id: str, role: str, field: str,
                 link_id: str | None = None) -> None:
    try:
        person = get_person(session, person_id)
    except ProblemError:
        raise ProblemError.field(field, "There is no such person; search for them or create them first.") from None
    if person.merged_into:
        raise ProblemError.field(field, "This record was merged into another; link the surviving record.")
    report.people.append(IntelligencePerson(id=link_id or str(uuid.uuid4()), report_id=report.id,
                                            person_id=person.id, role=role))


def create_report(session: Session, user: User, body: ReportIn) -> ReportOut:
    source, items, handling, conditions = _grading(body)
    records.ensure_new(session, IntelligenceReport, body.id, "intelligence report")
    now = utcnow()
    report = IntelligenceReport(id=body.id, reference=next_reference(session, now.year), title=body.title,
                                source_reference=body.source_reference, original_text=body.original_text,
                                sanitised_text=body.sanitised_text.strip(), source_evaluation=source, items=items,
                                handling_code=handling, handling_conditions=conditions, status=SUBMITTED,
                                submitted_by=user, submitted_at=now, version=1)
    session.add(report)
    for i, p in enumerate(body.people):
        _link_person(session, report, p.person_id, p.role, f"people.{i}.person_id")
    for i, loc in enumerate(body.locations):
        if loc.address_id is not None and session.get(PersonAddress, loc.address_id) is None:
            raise ProblemError.field(f"locations.{i}.address_id", "There is no such address.")
        report.locations.append(IntelligenceLocation(id=str(uuid.uuid4()), report_id=report.id,
                                                     description=loc.description, postcode=loc.postcode.upper(),
                                                     address_id=loc.address_id))
    for ev in body.events:
        report.events.append(IntelligenceEvent(id=str(uuid.uuid4()), report_id=report.id, kind=ev.kind, ref=ev.ref))
    session.flush()
    audit.record(session, user, audit.AuditAction.COLLECTION, REPORT, report.id)
    events.emit(session, EventType.INTEL_REPORT_CREATED, REPORT, report.id, feed_data(report))
    # The submitter sees what they wrote, even when their role would not let them reopen it.
    out = report_out(report, user)
    out.original_text = report.original_text
    return out


def _escaped(text: str) -> str:
    """The user's %, _ and backslash taken literally in a LIKE pattern (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    """A case-insensitive 'contains' pattern."""
    return f"%{_escaped(text.strip().lower())}%"


def list_reports(session: Session, user: User, status: str | None, person_id: str | None,
                 place: str | None = None, event_kind: str | None = None,
                 event_ref: str | None = None) -> list[ReportSummary]:
    query = select(IntelligenceReport).order_by(IntelligenceReport.submitted_at.desc())
    if status:
        query = query.where(IntelligenceReport.status == status)
    if place and place.strip():
        # A place matches on its description or its postcode (spaces ignored in a postcode).
        pattern, postcode = _like(place), place.replace(" ", "").upper()
        query = query.where(IntelligenceReport.id.in_(
            select(IntelligenceLocation.report_id).where(or_(
                func.lower(IntelligenceLocation.description).like(pattern, escape="\\"),
                func.replace(IntelligenceLocation.postcode, " ", "").like(f"{_escaped(postcode)}%", escape="\\")))))
    if event_kind or (event_ref and event_ref.strip()):
        events_query = select(IntelligenceEvent.report_id)
        if event_kind:
            events_query = events_query.where(IntelligenceEvent.kind == event_kind)
        if event_ref and event_ref.strip():
            events_query = events_query.where(func.lower(IntelligenceEvent.ref).like(_like(event_ref), escape="\\"))
        query = query.where(IntelligenceReport.id.in_(events_query))
    if person_id:
        query = query.where(IntelligenceReport.id.in_(select(IntelligencePerson.report_id)
                                                      .where(IntelligencePerson.person_id == person_id)))
    rows = [r for r in session.scalars(query).unique().all() if may_see(user.roles, r.handling_code, r.status)]
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, REPORT, [r.id for r in rows],
                      "intelligence reports list")
    return [summary(r) for r in rows]


def open_report(session: Session, user: User, report_id: str, reason: str | None) -> ReportOut:
    if reason is None or not reason.strip():
        raise ProblemError.field("reason", "Say why you are opening this report; the reason is logged (DPA 2018 "
                                           "s.62).")
    report = _get(session, report_id)
    if not may_see(user.roles, report.handling_code, report.status):
        audit.refused(session, user, REPORT, report.id, f"refused (handling code {report.handling_code}, "
                                                        f"{report.status}): {reason.strip()[:1900]}")
        raise ProblemError(403, refusal(report.handling_code, report.status))
    audit.record(session, user, audit.AuditAction.CONSULTATION, REPORT, report.id, reason.strip()[:2000])
    return report_out(report, user)


def _changed(session: Session, user: User, report: IntelligenceReport) -> ReportOut:
    """After _claim (which moved the version on): audit and announce."""
    session.flush()
    audit.record(session, user, audit.AuditAction.ALTERATION, REPORT, report.id)
    events.emit(session, EventType.INTEL_REPORT_UPDATED, REPORT, report.id, feed_data(report))
    return report_out(report, user)


def regrade(session: Session, user: User, report_id: str, body: RegradeIn, if_match: int | None) -> ReportOut:
    _require_intelligence_role(user)
    report = _claim(session, user, report_id, if_match)
    source, items, handling, conditions = _grading(body)
    # The grading being replaced goes into the history with who replaced it, when and why.
    report.grading_history.append(IntelligenceGrading(
        id=str(uuid.uuid4()), report_id=report.id, at=utcnow(), by_id=user.id,
        source_evaluation=report.source_evaluation, items=report.items, handling_code=report.handling_code,
        handling_conditions=report.handling_conditions,
        reason=body.reason))
    report.source_evaluation, report.items = source, items
    report.handling_code, report.handling_conditions = handling, conditions
    return _changed(session, user, report)


def qa(session: Session, user: User, report_id: str, body: QaIn, if_match: int | None) -> ReportOut:
    report = _claim(session, user, report_id, if_match)
    if report.status not in (SUBMITTED, RETURNED):
        raise ProblemError(422, f"This report is {report.status}; only a submitted report is quality-assured.",
                           errors=[{"field": "status", "message": f"The report is {report.status}."}])
    if body.sanitised_text is not None:
        report.sanitised_text = body.sanitised_text.strip()
    if body.outcome == "approve" and not report.sanitised_text.strip():
        raise ProblemError.field("sanitised_text", "Write the sanitised text (nothing that identifies the source) "
                                                   "before approving.")
    report.status = APPROVED if body.outcome == "approve" else RETURNED
    report.qa_by, report.qa_at, report.qa_notes = user, utcnow(), body.notes.strip() or None
    return _changed(session, user, report)


def disseminate(session: Session, user: User, report_id: str, if_match: int | None) -> ReportOut:
    _require_intelligence_role(user)
    report = _claim(session, user, report_id, if_match)
    if report.status != APPROVED:
        raise ProblemError(422, f"This report is {report.status}; a supervisor must approve it (QA) before it is "
                                "disseminated.", errors=[{"field": "status", "message": "Not yet approved."}])
    report.status, report.disseminated_at = DISSEMINATED, utcnow()
    return _changed(session, user, report)


def add_person(session: Session, user: User, report_id: str, body: LinkPersonIn) -> ReportOut:
    _require_intelligence_role(user)
    report = _claim(session, user, report_id, None, required=False)
    _link_person(session, report, body.person_id, body.role, "person_id", body.id)
    audit.record(session, user, audit.AuditAction.COMBINATION, "person", body.person_id,
                 f"linked to intelligence report {report.reference} as {body.role}")
    return _changed(session, user, report)


def add_location(session: Session, user: User, report_id: str, body: AddLocationIn) -> ReportOut:
    _require_intelligence_role(user)
    report = _claim(session, user, report_id, None, required=False)
    records.ensure_new(session, IntelligenceLocation, body.id, "place")
    if body.address_id is not None and session.get(PersonAddress, body.address_id) is None:
        raise ProblemError.field("address_id", "There is no such address.")
    report.locations.append(IntelligenceLocation(id=body.id, report_id=report.id, description=body.description,
                                                 postcode=body.postcode.upper(), address_id=body.address_id))
    return _changed(session, user, report)


def add_event(session: Session, user: User, report_id: str, body: AddEventIn) -> ReportOut:
    _require_intelligence_role(user)
    report = _claim(session, user, report_id, None, required=False)
    records.ensure_new(session, IntelligenceEvent, body.id, "event")
    report.events.append(IntelligenceEvent(id=body.id, report_id=report.id, kind=body.kind, ref=body.ref))
    return _changed(session, user, report)
