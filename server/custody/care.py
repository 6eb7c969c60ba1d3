"""Rights and entitlements, the appropriate adult, risk assessments, observation levels, cell checks and
interviews: the care of the detainee while in custody."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.officers import titled
from domain.wording import sentence
from domain import interviews
from domain import observation as obs
from domain import rights
from domain.events import EventType
from domain.risk import RiskResponse, assess
from domain.roles import Role
from server import audit, records
from server.auth.models import User
from server import force
from server.custody.models import CellCheck, CustodyRecord, Interview, RightEvent, RiskAssessment
from server.custody.schemas import (AppropriateAdultIn, CheckIn, CheckOut, CustodyRecordOut, InterviewBreakOut,
                                    InterviewEndIn, InterviewIn, InterviewOut, ObservationLevelIn, RightIn, RightOut,
                                    RightsNoticeIn, RiskAssessmentIn, RiskAssessmentOut, RiskResponseIn,
                                    UrgentAuthorityOut)
from server.custody.service import (aa_reason, emit, changed, event_time, field_errors, fmt, forbid, get_record,
                                    last_check_at, next_check_due, offence_indictable, officer, record_out, require,
                                    right_out, writable, write_log)
from server.db import utcnow
from server.errors import ProblemError


def _taken(session: Session, model: type[Any], row_id: str, what: str) -> None:
    records.ensure_new(session, model, row_id, what)


# ------------------------------------------------------------------------------------------------ rights


def add_right(session: Session, user: User, record_id: str, body: RightIn, if_match: int | None,
              now: datetime | None = None) -> RightOut:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    _taken(session, RightEvent, body.id, "rights entry")
    event_time("at", body.at, record, now)
    if body.delay is not None:
        delay, indictable = body.delay, offence_indictable(record)
        relevant = record.relevant_time or record.arrived_at
        max_delay = timedelta(hours=force.force_config()["rights"]["max_delay_hours"])
        decision = user.decide(lambda role: rights.check_delay(
            body.right, authoriser_role=role, offence_indictable=indictable, relevant_time=relevant,
            delay_until=delay.until, grounds=delay.grounds, max_delay=max_delay))
        if not decision.ok:
            reason = decision.reason or "This delay is not allowed."
            if reason.startswith("Only "):
                raise forbid(reason)
            field = "delay.until" if "hours of the" in reason else "delay.grounds" if "grounds" in reason else "delay"
            field_errors([(field, reason)])
    row = RightEvent(id=body.id, record_id=record.id, right=body.right.value, requested=body.requested, at=body.at,
                     note=body.note, delay_until=body.delay.until if body.delay else None,
                     delay_grounds=body.delay.grounds if body.delay else None, recorded_by=user, recorded_at=now)
    session.add(row)
    session.flush()
    title = rights.RIGHT_TITLES[body.right]
    text = f"{title}: {'requested' if body.requested else 'not requested'}."
    if body.delay:
        text += (f" Delayed until {fmt(body.delay.until)}, authorised by {titled(user.rank, user.display_name)}. "
                 f"Grounds: {body.delay.grounds}")
    if body.note:
        text += f" {body.note}"
    write_log(session, user, record, "rights", text, body.at, now)
    out = right_out(row)
    emit(session, EventType.CUSTODY_RIGHT_CREATED, "custody_right", row.id, out, record_id=record.id)
    changed(session, user, record, now)
    return out


def give_rights_notice(session: Session, user: User, record_id: str, body: RightsNoticeIn, if_match: int | None,
                       now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    if body.language not in force.notice_languages():
        field_errors([("language", "Choose a language the notice is held in: "
                                   + ", ".join(sorted(force.notice_languages())) + ".")])
    event_time("given_at", body.given_at, record, now)
    record.rights_notice_language, record.rights_notice_given_at = body.language, body.given_at
    language = force.notice_language_name(body.language)
    write_log(session, user, record, "rights",
              f"Written notice of rights and entitlements given (language: {language}).", body.given_at, now)
    return changed(session, user, record, now)


def appropriate_adult(session: Session, user: User, record_id: str, body: AppropriateAdultIn, if_match: int | None,
                      now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    event_time("at", body.at, record, now)
    who = f" ({body.name})" if body.name else ""
    if body.event == "requested":
        record.aa_requested_at = body.at
        record.aa_name = body.name or record.aa_name
        write_log(session, user, record, "note", f"Appropriate adult requested{who}.", body.at, now)
    else:
        if record.aa_requested_at is not None and body.at < record.aa_requested_at:
            field_errors([("at", "The appropriate adult cannot arrive before they were requested.")])
        record.aa_arrived_at = body.at
        record.aa_name = body.name or record.aa_name
        write_log(session, user, record, "appropriate_adult_arrival", f"Appropriate adult arrived{who}.", body.at, now)
    return changed(session, user, record, now)


# ------------------------------------------------------------------------------------------------- risk


def _risk_out(row: RiskAssessment) -> RiskAssessmentOut:
    o = row.outcome
    return RiskAssessmentOut(id=row.id, record_id=row.record_id, version=row.version, trigger=row.trigger,
                             assessed_at=row.assessed_at, responses=[RiskResponseIn(**r) for r in row.responses],
                             officer_observations=row.officer_observations, warning_markers=row.warning_markers,
                             risk_level=row.risk_level, notes=row.notes, concerns=o["concerns"],
                             unanswered=o["unanswered"], risk_to=o["risk_to"], suggested_level=o["suggested_level"],
                             reasons=o["reasons"], assessed_by=officer(row.assessed_by), recorded_at=row.recorded_at)


def add_risk_assessment(session: Session, user: User, record_id: str, body: RiskAssessmentIn,
                        if_match: int | None, now: datetime | None = None) -> RiskAssessmentOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="carry out a risk assessment")
    record = writable(session, record_id, if_match)
    _taken(session, RiskAssessment, body.id, "risk assessment")
    event_time("assessed_at", body.assessed_at, record, now)
    outcome = assess(RiskResponse(r.area, r.answer, r.source, body.assessed_at, r.note or "") for r in body.responses)
    version = (session.scalar(select(func.max(RiskAssessment.version))
                              .where(RiskAssessment.record_id == record.id)) or 0) + 1
    row = RiskAssessment(
        id=body.id, record_id=record.id, version=version, trigger=body.trigger, assessed_at=body.assessed_at,
        responses=[r.model_dump(mode="json") for r in body.responses],
        officer_observations=body.officer_observations, warning_markers=body.warning_markers,
        risk_level=body.risk_level, notes=body.notes, assessed_by=user, recorded_at=now,
        outcome={"concerns": list(outcome.concerns), "unanswered": list(outcome.unanswered),
                 "risk_to": sorted(str(r) for r in outcome.risk_to), "suggested_level": int(outcome.suggested_level),
                 "reasons": list(outcome.reasons)})
    session.add(row)
    record.risk_level = body.risk_level
    session.flush()
    concerns = ", ".join(outcome.concerns) or "none"
    write_log(session, user, record, "risk_assessment",
              f"Risk assessment v{version} ({body.trigger.replace('_', ' ')}): risk {body.risk_level}. "
              f"Concerns: {concerns}. Suggested minimum observation level {int(outcome.suggested_level)}."
              + (f" Officer observations: {body.officer_observations}" if body.officer_observations else ""),
              body.assessed_at, now)
    out = _risk_out(row)
    emit(session, EventType.CUSTODY_RISK_ASSESSMENT_CREATED, "custody_risk_assessment", row.id, out,
         record_id=record.id)
    changed(session, user, record, now)
    return out


def list_risk_assessments(session: Session, user: User, record_id: str) -> list[RiskAssessmentOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(RiskAssessment).where(RiskAssessment.record_id == record.id)
                           .order_by(RiskAssessment.version)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_risk_assessment", record.id)
    return [_risk_out(r) for r in rows]


# ------------------------------------------------------------------------------------ observation and checks


def set_observation_level(session: Session, user: User, record_id: str, body: ObservationLevelIn,
                          if_match: int | None, now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="set the observation level")
    record = writable(session, record_id, if_match)
    event_time("set_at", body.set_at, record, now)
    level = obs.ObservationLevel(body.level)
    record.observation_level, record.observation_level_set_at = int(level), body.set_at
    record.observation_reason = body.reason
    write_log(session, user, record, "observation_level",
              f"{obs.LEVEL_TITLES[level]} set by {titled(user.rank, user.display_name)}. Reason: {body.reason}",
              body.set_at, now)
    return changed(session, user, record, now)


def _check_out(row: CellCheck, record: CustodyRecord, last: datetime | None) -> CheckOut:
    result = obs.CheckResult(row.result)
    return CheckOut(id=row.id, record_id=row.record_id, check_type=row.check_type, result=row.result,
                    observed_at=row.observed_at, recorded_at=row.recorded_at, level=row.level, note=row.note,
                    checked_by=officer(row.checked_by), medical_emergency=row.medical_emergency,
                    needs_healthcare=obs.needs_healthcare(result), next_check_due=next_check_due(record, last))


def add_check(session: Session, user: User, record_id: str, body: CheckIn, if_match: int | None,
              now: datetime | None = None) -> CheckOut:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    _taken(session, CellCheck, body.id, "check")
    event_time("observed_at", body.observed_at, record, now)
    if record.observation_level is None:
        raise ProblemError.field("observation_level", "The custody sergeant must set an observation level before "
                                                      "checks are recorded.")
    level = obs.ObservationLevel(record.observation_level)
    field_errors(obs.check_errors(level, body.check_type, body.result, config=force.observation()))
    emergency = obs.is_medical_emergency(body.result)
    row = CellCheck(id=body.id, record_id=record.id, check_type=body.check_type.value, result=body.result.value,
                    observed_at=body.observed_at, level=int(level), note=body.note, medical_emergency=emergency,
                    checked_by=user, recorded_at=now)
    session.add(row)
    session.flush()
    text = f"{obs.CHECK_TYPE_TITLES[body.check_type]} (level {int(level)}): {body.result.value}."
    if emergency:
        text = "MEDICAL EMERGENCY – failed to rouse; call an ambulance now. " + text
    elif obs.needs_healthcare(body.result):
        text += " Response raised concern: call a healthcare professional."
    if body.note:
        text += f" {body.note}"
    write_log(session, user, record, "cell_check", text, body.observed_at, now)
    out = _check_out(row, record, last_check_at(session, record.id))
    emit(session, EventType.CUSTODY_CHECK_CREATED, "custody_check", row.id, out, record_id=record.id)
    if emergency:
        emit(session, EventType.CUSTODY_MEDICAL_EMERGENCY, "custody_check", row.id, out, record_id=record.id)
    audit.record(session, user, audit.AuditAction.COLLECTION, "custody_check", row.id)
    changed(session, user, record, now)
    return out


def list_checks(session: Session, user: User, record_id: str) -> list[CheckOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(CellCheck).where(CellCheck.record_id == record.id)
                           .order_by(CellCheck.observed_at, CellCheck.recorded_at)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_check", record.id)
    last = last_check_at(session, record.id)
    return [_check_out(r, record, last) for r in rows]


# ------------------------------------------------------------------------------------------------ interviews


def _interview_out(row: Interview) -> InterviewOut:
    urgent = None
    if row.urgent_grounds and row.urgent_authorised_by is not None:
        urgent = UrgentAuthorityOut(grounds=row.urgent_grounds, authorised_by=officer(row.urgent_authorised_by))
    return InterviewOut(id=row.id, record_id=row.record_id, started_at=row.started_at, ended_at=row.ended_at,
                        location=row.location, interviewing_officers=list(row.interviewing_officers),
                        others_present=list(row.others_present), solicitor=row.solicitor,
                        appropriate_adult=row.appropriate_adult, interpreter=row.interpreter,
                        recording_reference=row.recording_reference,
                        special_warnings=list(row.special_warnings or []),
                        breaks=[InterviewBreakOut(**b) for b in row.breaks or []], outcome=row.outcome,
                        outcome_note=row.outcome_note, urgent_authority=urgent,
                        recorded_by=officer(row.recorded_by), recorded_at=row.recorded_at)


def _who(row: Interview) -> str:
    text = "Interviewing: " + ", ".join(row.interviewing_officers) + "."
    present = [f"{what}: {name}" for what, name in (("solicitor", row.solicitor),
                                                     ("appropriate adult", row.appropriate_adult),
                                                     ("interpreter", row.interpreter)) if name]
    if present:
        text += " Present – " + "; ".join(present) + "."
    if row.others_present:
        text += " Also present: " + ", ".join(row.others_present) + "."
    return text + (f" Location: {sentence(row.location)}" if row.location else "")


def _ending(row: Interview) -> str:
    """What the log says when an interview ends: breaks, warnings, the recording and the outcome."""
    parts = []
    for b in row.breaks or []:
        began, ended = datetime.fromisoformat(b["started_at"]), datetime.fromisoformat(b["ended_at"])
        parts.append(f"Break {fmt(began)}–{fmt(ended)}" + (f" ({b['reason']})" if b.get("reason") else "") + ".")
    if row.special_warnings:
        parts.append("Special warnings given: " + "; ".join(interviews.SPECIAL_WARNINGS[w]
                                                           for w in row.special_warnings) + ".")
    if row.recording_reference:
        parts.append(f"Recording reference {row.recording_reference}.")
    if row.outcome:
        parts.append(f"Outcome: {interviews.OUTCOMES[row.outcome]}."
                     + (f" {sentence(row.outcome_note)}" if row.outcome_note else ""))
    return " ".join(parts)


def _set_ending(row: Interview, record: CustodyRecord, ended_at: datetime,
                body: InterviewIn | InterviewEndIn) -> None:
    """Check the end, the breaks (inside the interview, in order) and store them with the outcome."""
    errors: list[tuple[str, str]] = []
    if ended_at < row.started_at:
        errors.append(("ended_at", "The interview cannot end before it started."))
    previous = row.started_at
    for i, b in enumerate(body.breaks):
        if b.ended_at <= b.started_at:
            errors.append((f"breaks.{i}.ended_at", "A break must end after it starts."))
        if b.started_at < previous:
            errors.append((f"breaks.{i}.started_at", "Breaks must be in order, inside the interview, not overlapping."))
        if b.ended_at > ended_at:
            errors.append((f"breaks.{i}.ended_at", "A break cannot end after the interview ended."))
        previous = b.ended_at
    field_errors(errors)
    row.ended_at = ended_at
    row.breaks = [b.model_dump(mode="json") for b in body.breaks]
    row.special_warnings = list(dict.fromkeys([*(row.special_warnings or []), *body.special_warnings]))
    row.recording_reference = body.recording_reference or row.recording_reference
    row.outcome, row.outcome_note = body.outcome, body.outcome_note


def _may_start(session: Session, user: User, record: CustodyRecord, body: InterviewIn) -> None:
    """Code C 11.15/11.18: no interview of a juvenile or vulnerable detainee while the appropriate adult is awaited,
    unless urgent-interview authority is recorded by the rank the force configures; one interview at a time."""
    awaited = aa_reason(record) is not None and record.aa_arrived_at is None
    required = force.urgent_interview_authority()
    grounds = body.urgent_authority.grounds if body.urgent_authority else None
    decision = user.decide(lambda role: interviews.check_interview_start(
        appropriate_adult_awaited=awaited, urgent_grounds=grounds, authoriser_role=role, required_role=required))
    if not decision.ok:
        if grounds:
            raise forbid(decision.reason)
        raise ProblemError(409, decision.reason, errors=[{"field": "urgent_authority", "message": decision.reason}],
                           current=record_out(session, record).model_dump(mode="json"))
    if not awaited and body.urgent_authority is not None:
        field_errors([("urgent_authority", "The appropriate adult is not awaited; urgent-interview authority is "
                                           "only recorded when interviewing without them.")])
    running = session.scalar(select(Interview).where(Interview.record_id == record.id, Interview.ended_at.is_(None)))
    if running is not None and body.ended_at is None:
        raise ProblemError(409, f"An interview started at {fmt(running.started_at)} has not ended; end it first.",
                           current=_interview_out(running).model_dump(mode="json"))


def start_interview(session: Session, user: User, record_id: str, body: InterviewIn, if_match: int | None,
                    now: datetime | None = None) -> InterviewOut:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    _taken(session, Interview, body.id, "interview")
    event_time("started_at", body.started_at, record, now)
    if body.ended_at is not None:
        event_time("ended_at", body.ended_at, record, now)
    _may_start(session, user, record, body)
    urgent = body.urgent_authority is not None
    row = Interview(id=body.id, record_id=record.id, started_at=body.started_at, ended_at=None,
                    location=body.location, interviewing_officers=list(body.interviewing_officers),
                    others_present=list(body.others_present), solicitor=body.solicitor,
                    appropriate_adult=body.appropriate_adult, interpreter=body.interpreter,
                    recording_reference=body.recording_reference, special_warnings=list(body.special_warnings),
                    breaks=[], urgent_grounds=body.urgent_authority.grounds if body.urgent_authority else None,
                    urgent_authorised_by=user if urgent else None, recorded_by=user, recorded_at=now)
    if body.ended_at is not None:
        _set_ending(row, record, body.ended_at, body)
    elif body.breaks or body.outcome:
        field_errors([("ended_at", "Give the end time with breaks and the outcome (or record them at the end).")])
    session.add(row)
    session.flush()
    text = "Interview started. " + _who(row)
    if urgent:
        text += (f" URGENT INTERVIEW without the appropriate adult, authorised by "
                 f"{titled(user.rank, user.display_name)}. Grounds: {sentence(row.urgent_grounds or '')}")
    write_log(session, user, record, "interview_start", text, body.started_at, now)
    if body.ended_at is not None:
        write_log(session, user, record, "interview_end", ("Interview ended. " + _ending(row)).strip(),
                  body.ended_at, now)
    out = _interview_out(row)
    emit(session, EventType.CUSTODY_INTERVIEW_CREATED, "custody_interview", row.id, out, record_id=record.id)
    changed(session, user, record, now)
    return out


def end_interview(session: Session, user: User, record_id: str, interview_id: str, body: InterviewEndIn,
                  if_match: int | None, now: datetime | None = None) -> InterviewOut:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    row = session.get(Interview, interview_id)
    if row is None or row.record_id != record.id:
        raise ProblemError(404, "There is no such interview on this custody record.")
    if row.ended_at is not None:
        raise ProblemError(409, f"This interview already ended at {fmt(row.ended_at)}.",
                           current=_interview_out(row).model_dump(mode="json"))
    event_time("ended_at", body.ended_at, record, now)
    _set_ending(row, record, body.ended_at, body)
    session.flush()
    write_log(session, user, record, "interview_end", ("Interview ended. " + _who(row) + " " + _ending(row)).strip(),
              body.ended_at, now)
    out = _interview_out(row)
    emit(session, EventType.CUSTODY_INTERVIEW_UPDATED, "custody_interview", row.id, out, record_id=record.id)
    changed(session, user, record, now)
    return out


def list_interviews(session: Session, user: User, record_id: str) -> list[InterviewOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(Interview).where(Interview.record_id == record.id)
                           .order_by(Interview.started_at)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_interview", record.id)
    return [_interview_out(r) for r in rows]
