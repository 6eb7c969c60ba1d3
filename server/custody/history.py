"""Custody history: closed custody records found by person, custody number and date range (and suite, once
suites exist), and a person's earlier episodes with what was recorded about their risks, for booking-in.

What earlier episodes recorded (warning markers, risk concerns) goes back as PROMPTS for the new risk assessment:
text the sergeant reads and asks about again, never an answer filled in for them (domain.md §2.1).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.auth.models import User
from server.custody.models import STATUS_RELEASED, CustodyRecord, RiskAssessment
from server.custody.schemas import (CarriedPromptOut, CustodyRecordOut, EpisodeOut, OffenceOut,
                                    PersonCustodyHistoryOut)
from server.custody.service import RECORD, _facts, field_errors, record_out
from server.db import utcnow
from server.errors import ProblemError
from server.people.models import Person, WarningMarker

MAX_RESULTS = 200


def search(session: Session, user: User, *, person_id: str | None, custody_number: str | None,
           from_date: date | None, to_date: date | None, suite: str | None = None) -> list[CustodyRecordOut]:
    """Closed records, newest first. `suite` is accepted for when suites exist (issue 15 wires it); until then a
    record has no suite and the filter is refused rather than silently ignored."""
    if suite:
        field_errors([("suite", "Custody records do not name a suite yet; search without a suite.")])
    if from_date and to_date and to_date < from_date:
        field_errors([("to", "The end of the date range is before its start.")])
    query = select(CustodyRecord).where(CustodyRecord.status == STATUS_RELEASED)
    if person_id:
        query = query.where(CustodyRecord.person_id == person_id)
    if custody_number:
        query = query.where(CustodyRecord.custody_number.ilike(f"%{custody_number.strip()}%"))
    # A date range is of local days on the wire, but UTC bounds are close enough for a search (an episode that
    # arrived within an hour of midnight is found on the neighbouring day's search too).
    if from_date:
        query = query.where(CustodyRecord.arrived_at >= datetime.combine(from_date, time(), UTC) - timedelta(hours=1))
    if to_date:
        query = query.where(CustodyRecord.arrived_at < datetime.combine(to_date, time(), UTC) + timedelta(days=1))
    rows = session.scalars(query.order_by(CustodyRecord.arrived_at.desc(), CustodyRecord.custody_number)
                           .limit(MAX_RESULTS)).all()
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, RECORD, [r.id for r in rows],
                      "custody history search")
    # The search itself too, so a search that found nothing still shows who looked (for whom, when given).
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_history", person_id or "search")
    now = utcnow()
    facts = _facts(session, [r.id for r in rows])
    return [record_out(session, r, now, facts[r.id]) for r in rows]


def person_history(session: Session, user: User, person_id: str) -> PersonCustodyHistoryOut:
    """A person's earlier custody episodes and the prompts they carry (markers, concerns), in three queries."""
    person = session.get(Person, person_id)
    if person is None:
        raise ProblemError(404, f"There is no person with id {person_id[:40]!r}.")
    rows = session.scalars(select(CustodyRecord).where(CustodyRecord.person_id == person_id)
                           .order_by(CustodyRecord.arrived_at.desc())).all()
    episodes = [EpisodeOut(id=r.id, custody_number=r.custody_number, arrived_at=r.arrived_at,
                           released_at=r.released_at, offences=[OffenceOut(**o) for o in r.offences or []],
                           outcome=(r.disposal or {}).get("outcome"), risk_level=r.risk_level) for r in rows]
    prompts: list[CarriedPromptOut] = []
    markers = session.scalars(select(WarningMarker).where(WarningMarker.person_id == person_id,
                                                          WarningMarker.removed_at.is_(None))
                              .order_by(WarningMarker.set_at)).all()
    for m in markers:
        prompts.append(CarriedPromptOut(source="warning marker", text=f"{m.code}: {m.details}".rstrip(": "),
                                        recorded_at=m.set_at))
    numbers = {r.id: r.custody_number for r in rows}
    if numbers:
        seen: set[str] = set()
        for risk in session.scalars(select(RiskAssessment).where(RiskAssessment.record_id.in_(list(numbers)))
                                    .order_by(RiskAssessment.assessed_at.desc())):
            where = f"risk assessment on {numbers[risk.record_id]}"
            texts = ([f"Warning markers recorded: {risk.warning_markers}"] if risk.warning_markers else [])
            texts += [f"Concern recorded: {c}" for c in risk.outcome.get("concerns", [])]
            for text in texts:
                if text not in seen:  # the same concern in many episodes is one prompt (the newest)
                    seen.add(text)
                    prompts.append(CarriedPromptOut(source=where, text=text, recorded_at=risk.assessed_at))
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_history", person_id)
    return PersonCustodyHistoryOut(person_id=person_id, episodes=episodes, prompts=prompts)
