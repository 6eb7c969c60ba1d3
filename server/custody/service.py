"""Custody record reads, the representation the board needs, the detainee log, and helpers every custody
write shares (writable check, If-Match, log entry + audit + event). Services never commit: the request does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, insert, inspect, select
from sqlalchemy.orm import Session, defaultload, lazyload
from sqlalchemy.orm.interfaces import LoaderOption
from pydantic import TypeAdapter

from domain import observation as obs
from domain import pace_clock, rights
from domain.decision import FieldError
from domain.events import EventType
from domain.risk import Trigger, reassessment_reason
from domain.roles import ROLE_TITLES, Role
from server import audit, events, records
from server.auth.models import User
from server import force
from server.custody.models import (STATUS_CHARGED, STATUS_RELEASED, TRANSFER_SENT, CellCheck, CustodyRecord,
                                   DetentionAuthority, Interview, LogEntry, Review, RightEvent, RiskAssessment, Suite,
                                   Transfer)
from server.custody.schemas import (AuthorityOut, CustodyRecordOut, DelayOut, DetentionDecisionOut, DisposalOut,
                                    LogEntryIn, LogEntryOut, OffenceOut, OfficerOut, PersonBrief, ReviewOut,
                                    RightOut, RightsNoticeOut, TransferBrief)
from server.db import utcnow
from server.errors import ProblemError

RECORD = "custody_record"
LOG_ENTRY = "log_entry"
LOG = "custody_log"  # the whole detainee log of one record (entity_id = the record's id)


# ------------------------------------------------------------------------------------------ small helpers


def officer(user: User) -> OfficerOut:
    return OfficerOut(id=user.id, name=user.display_name, rank=user.rank)


def role_of(user: User) -> Role:
    """The user's first role, for messages; decisions go by every role held (require, User.decide)."""
    return Role(user.role)


def forbid(reason: str) -> ProblemError:
    return ProblemError(403, reason)


def require(user: User, *roles: Role, doing: str) -> None:
    """403 naming who may do it, unless the user holds one of `roles`."""
    if not user.has_role(*roles):
        names = " or ".join(ROLE_TITLES[r].lower() for r in roles)
        raise forbid(f"Only a {names} may {doing}; you are signed in as {ROLE_TITLES[role_of(user)].lower()}.")


def field_errors(errors: Iterable[FieldError | tuple[str, str]]) -> None:
    """Raise one 422 holding every field error, if there are any."""
    pairs = [(e.field, e.message) if isinstance(e, FieldError) else e for e in errors]
    if pairs:
        raise ProblemError(422, "; ".join(f"{f}: {m}" for f, m in pairs[:5]),
                           errors=[{"field": f, "message": m} for f, m in pairs])


def fmt(at: datetime) -> str:
    """Local wall-clock time for log text (the wire keeps UTC)."""
    return at.astimezone(ZoneInfo(force.clock().local_zone)).strftime("%d/%m/%Y %H:%M")


def to_minute(at: datetime) -> datetime:
    """Forms give times to the minute: a step recorded at 14:05:40 does not make the next one "at 14:05" early."""
    return at.replace(second=0, microsecond=0)


def event_time(field: str, at: datetime, record: CustodyRecord, now: datetime,
               after: Iterable[tuple[str, datetime | None]] = ()) -> None:
    """A custody event must be after booking-in, not in the future (domain.pace_clock), and after the earlier
    steps of the record it depends on (`after`: what, when), so the record reads in its own order."""
    booked = to_minute(record.booked_in_at or record.arrived_at)
    if problem := pace_clock.event_time_error(field, at, booked_in_at=booked, now=now):
        field_errors([problem])
    for what, earlier in after:
        if earlier is not None and at < to_minute(earlier):
            field_errors([(field, f"This time is before {what} ({fmt(earlier)}); check the date and time.")])


# ------------------------------------------------------------------------------------- the representation


def _reviews(session: Session, record_id: str) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.record_id == record_id)
                                .order_by(Review.at, Review.recorded_at)))


def _authorities(session: Session, record_id: str) -> list[DetentionAuthority]:
    return list(session.scalars(select(DetentionAuthority).where(DetentionAuthority.record_id == record_id)
                                .order_by(DetentionAuthority.granted_at)))


def domain_authorities(rows: Iterable[DetentionAuthority]) -> list[pace_clock.Authority]:
    return [pace_clock.Authority(pace_clock.AuthorityKind(a.kind), a.granted_at, a.expires_at) for a in rows]


def review_out(r: Review) -> ReviewOut:
    return ReviewOut(id=r.id, record_id=r.record_id, number=r.number, kind=r.kind, at=r.at, due_at=r.due_at,
                     late=r.kind == "review" and r.at > r.due_at, outcome=r.outcome, grounds=r.grounds,
                     representations=r.representations, charged=r.charged, reviewer=officer(r.reviewer),
                     recorded_at=r.recorded_at)


def authority_out(a: DetentionAuthority) -> AuthorityOut:
    return AuthorityOut(id=a.id, record_id=a.record_id, kind=a.kind, granted_at=a.granted_at,
                        expires_at=a.expires_at, grounds=a.grounds, court=a.court, reference=a.reference,
                        authorised_by=officer(a.authorised_by), recorded_at=a.recorded_at)


def right_out(r: RightEvent) -> RightOut:
    delay = DelayOut(until=r.delay_until, grounds=r.delay_grounds or "") if r.delay_until else None
    return RightOut(id=r.id, record_id=r.record_id, right=r.right, requested=r.requested, at=r.at, note=r.note,
                    delay=delay, recorded_by=officer(r.recorded_by), recorded_at=r.recorded_at)


def involved_officer_ids(record: CustodyRecord) -> list[str]:
    return [i for i in (record.arresting_officer_id, record.officer_in_case_id) if i]


def offence_indictable(record: CustodyRecord) -> bool:
    return any(o.get("indictable") for o in record.offences or [])


def aa_reason(record: CustodyRecord) -> str | None:
    relevant = record.relevant_time or record.arrived_at
    return rights.appropriate_adult_reason(date_of_birth=record.person.date_of_birth, relevant_time=relevant,
                                           vulnerable=record.vulnerable,
                                           appears_under_18=record.appears_under_18)


def last_check_at(session: Session, record_id: str) -> datetime | None:
    return session.scalar(select(func.max(CellCheck.observed_at)).where(CellCheck.record_id == record_id))


def next_check_due(record: CustodyRecord, last_check: datetime | None) -> datetime | None:
    if record.observation_level is None or not record.is_open:
        return None
    set_at = record.observation_level_set_at or record.booked_in_at or record.arrived_at
    return obs.next_check_due(obs.ObservationLevel(record.observation_level), level_set_at=set_at,
                              last_check_at=last_check, config=force.observation())


@dataclass
class _Facts:
    """The rows of one record that the board's representation is computed from."""
    reviews: list[Review] = field(default_factory=list)
    authorities: list[DetentionAuthority] = field(default_factory=list)
    rights: list[RightEvent] = field(default_factory=list)
    latest_risk: RiskAssessment | None = None
    last_check: datetime | None = None
    in_interview: bool = False  # an interview started and not yet ended (the board says "In interview")
    transfer: Transfer | None = None  # sent to another suite, not yet accepted


def _officer_only(entity: type[Any]) -> list[LoaderOption]:
    """A fact's officer is shown by name, rank and number: their roles are not loaded with them (one query per
    fact type saved on every board read; they still load if something asks for them)."""
    return [defaultload(rel.class_attribute).lazyload(User.role_rows)
            for rel in inspect(entity).relationships if rel.mapper.class_ is User]


def _timed_columns() -> tuple[Any, Any]:
    """Per custody record: its last cell check, and whether an interview is running (correlated subqueries, so they
    can be read with the records themselves)."""
    last_check = (select(func.max(CellCheck.observed_at)).where(CellCheck.record_id == CustodyRecord.id)
                  .correlate(CustodyRecord).scalar_subquery())
    interviewing = exists().where(Interview.record_id == CustodyRecord.id, Interview.ended_at.is_(None))
    return last_check, interviewing


def _facts(session: Session, record_ids: list[str],
           timed: dict[str, tuple[datetime | None, bool]] | None = None) -> dict[str, _Facts]:
    """The facts of many records in a fixed number of queries, however many records (the board is not N+1).
    `timed`: each record's last check and running interview, when already read with the records."""
    facts = {rid: _Facts() for rid in record_ids}
    if not record_ids:
        return facts
    for review in session.scalars(select(Review).where(Review.record_id.in_(record_ids))
                                  .order_by(Review.at, Review.recorded_at).options(*_officer_only(Review))):
        facts[review.record_id].reviews.append(review)
    for authority in session.scalars(select(DetentionAuthority).where(DetentionAuthority.record_id.in_(record_ids))
                                     .order_by(DetentionAuthority.granted_at)
                                     .options(*_officer_only(DetentionAuthority))):
        facts[authority.record_id].authorities.append(authority)
    for right in session.scalars(select(RightEvent).where(RightEvent.record_id.in_(record_ids))
                                 .order_by(RightEvent.at, RightEvent.recorded_at).options(*_officer_only(RightEvent))):
        facts[right.record_id].rights.append(right)
    newest = (select(RiskAssessment.record_id, func.max(RiskAssessment.version).label("version"))
              .where(RiskAssessment.record_id.in_(record_ids)).group_by(RiskAssessment.record_id).subquery())
    for risk in session.scalars(select(RiskAssessment).join(newest, (RiskAssessment.record_id == newest.c.record_id)
                                                              & (RiskAssessment.version == newest.c.version))
                                .options(*_officer_only(RiskAssessment))):
        facts[risk.record_id].latest_risk = risk
    if timed is None:
        timed = {rid: (last, busy) for rid, last, busy in session.execute(
            select(CustodyRecord.id, *_timed_columns()).where(CustodyRecord.id.in_(record_ids)))}
    for record_id, (last, busy) in timed.items():
        facts[record_id].last_check = last  # max() keeps the column's type: an aware UTC datetime
        facts[record_id].in_interview = bool(busy)
    for transfer in session.scalars(select(Transfer).where(Transfer.record_id.in_(record_ids),
                                                           Transfer.status == TRANSFER_SENT)
                                    .options(*_officer_only(Transfer))):
        facts[transfer.record_id].transfer = transfer
    return facts


def record_out(session: Session, record: CustodyRecord, now: datetime | None = None,
               facts: _Facts | None = None) -> CustodyRecordOut:
    """Everything the board shows, computed with domain/ and the force configuration. `facts` from _facts()
    when representing many records; read here when representing one."""
    now = now or utcnow()
    config = force.clock()
    if facts is None:
        facts = _facts(session, [record.id])[record.id]
    reviews, authorities, right_rows = facts.reviews, facts.authorities, facts.rights
    latest_risk, last_check = facts.latest_risk, facts.last_check
    reviews_done = sum(1 for r in reviews if r.kind == "review")
    number_due = next_due = None
    basic = limit = absolute = None
    if record.relevant_time is not None:
        summary = pace_clock.summarise(relevant=record.relevant_time, now=now,
                                       detention_authorised_at=record.detention_authorised_at,
                                       reviews_done=reviews_done, authorities=domain_authorities(authorities),
                                       config=config)
        basic, limit, absolute = summary.basic_limit, summary.current_limit, summary.absolute_limit
        if summary.next_review is not None and record.is_open:
            number_due, next_due = summary.next_review.number, summary.next_review.due_at
    level = record.observation_level
    interval = (force.observation().intervals[obs.ObservationLevel(level)].total_seconds() / 60
                if level is not None else None)
    reason = aa_reason(record)
    decision = None
    if record.detention_decision is not None and record.detention_decided_at is not None:  # set together
        decision = DetentionDecisionOut(decision=record.detention_decision, grounds=record.detention_grounds or "",
                                        decided_at=record.detention_decided_at,
                                        by=OfficerOut(id=record.detention_decided_by_id or "",
                                                      name=record.detention_decided_by_name or "",
                                                      rank=record.detention_decided_by_rank or ""))
    notice = None
    if record.rights_notice_given_at is not None:
        notice = RightsNoticeOut(language=record.rights_notice_language or "", given_at=record.rights_notice_given_at)
    reassess = None
    if record.is_open and record.booked_in_at is not None:
        triggers = [(Trigger.CHARGE, record.charged_at)] if record.charged_at else []
        reassess = reassessment_reason(latest_risk.assessed_at if latest_risk else None, triggers)
    person = record.person
    suite, moving = record.suite, facts.transfer
    transfer = (TransferBrief(id=moving.id, to_suite_id=moving.to_suite_id, to_suite_name=moving.to_suite.name,
                              sent_at=moving.sent_at) if moving is not None else None)
    return CustodyRecordOut(
        id=record.id, custody_number=record.custody_number, person=PersonBrief.model_validate(person),
        name=f"{person.surname.upper()}, {person.forenames}", cell=record.cell, status=record.status,
        suite_id=record.suite_id, suite_code=suite.code if suite else None, suite_name=suite.name if suite else None,
        cell_id=record.cell_id, transfer=transfer,
        arrived_at=record.arrived_at, booked_in_at=record.booked_in_at, arrested_at=record.arrested_at,
        arrest_place=record.arrest_place, arresting_officer=record.arresting_officer,
        arresting_officer_id=record.arresting_officer_id, officer_in_case_id=record.officer_in_case_id,
        involved_officer_ids=involved_officer_ids(record),
        offences=[OffenceOut(**o) for o in record.offences or []], offence_indictable=offence_indictable(record),
        arrest_reason=record.arrest_reason, arrest_necessity=record.arrest_necessity,
        arrival_route=record.arrival_route,
        voluntary_attender=record.arrival_route == pace_clock.ArrivalRoute.VOLUNTARY_ATTENDER,
        relevant_time=record.relevant_time, relevant_time_basis=record.relevant_time_basis,
        detention_decision=decision, detention_authorised_at=record.detention_authorised_at,
        juvenile=record.juvenile, vulnerable=record.vulnerable,
        appropriate_adult_required=reason is not None, appropriate_adult_reason=reason,
        appropriate_adult_requested_at=record.aa_requested_at, appropriate_adult_arrived_at=record.aa_arrived_at,
        appropriate_adult_name=record.aa_name,
        appropriate_adult_awaited=reason is not None and record.aa_arrived_at is None and record.is_open,
        rights_notice=notice, rights=[right_out(r) for r in right_rows],
        risk_level=record.risk_level, risk_assessed_at=latest_risk.assessed_at if latest_risk else None,
        risk_assessment_version=latest_risk.version if latest_risk else None,
        observation_level=level, observation_level_set_at=record.observation_level_set_at,
        observation_reason=record.observation_reason, observation_interval_minutes=interval,
        last_check_at=last_check, next_check_due=next_check_due(record, last_check),
        reviews=[review_out(r) for r in reviews], reviews_done=reviews_done, review_number_due=number_due,
        next_review_due=next_due, authorities=[authority_out(a) for a in authorities],
        basic_limit_at=basic, detention_limit_at=limit, absolute_limit_at=absolute,
        charged_at=record.charged_at, charge_summary=record.charge_summary, risk_reassessment_reason=reassess,
        disposal=DisposalOut(**record.disposal) if record.disposal else None,
        released_at=record.released_at, in_interview=facts.in_interview and record.is_open,
        appears_under_18=record.appears_under_18,
        version=record.version)


def current(session: Session, record: CustodyRecord) -> dict[str, Any]:
    return record_out(session, record).model_dump(mode="json")


# ------------------------------------------------------------------------------------------------ reads


def list_records(session: Session, user: User, open_only: bool,
                 suite_id: str | None = None) -> list[CustodyRecordOut]:
    """The board: every record, or the open ones; of one suite when `suite_id` is given (issue 15: a
    workstation's board shows its suite, and a transfer on its way to the suite is shown there too)."""
    found = _board_rows(session, open_only, suite_id)
    rows = [record for record, _last, _busy in found]
    now = utcnow()
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, RECORD, [r.id for r in rows],
                      "custody records list")
    facts = _facts(session, [r.id for r in rows], {record.id: (last, busy) for record, last, busy in found})
    return [record_out(session, r, now, facts[r.id]) for r in rows]


def _board_rows(session: Session, open_only: bool, suite_id: str | None) -> list[Any]:
    """(record, last check, running interview) of the board's records, in the board's order."""
    query = select(CustodyRecord).order_by(CustodyRecord.arrived_at, CustodyRecord.custody_number)
    if open_only:
        query = query.where(CustodyRecord.status != STATUS_RELEASED)
    if suite_id is not None:
        incoming = select(Transfer.record_id).where(Transfer.to_suite_id == suite_id, Transfer.status == TRANSFER_SENT)
        query = query.where((CustodyRecord.suite_id == suite_id) | CustodyRecord.id.in_(incoming))
    return list(session.execute(query.add_columns(*_timed_columns())).all())


_RECORD_JSON = TypeAdapter(CustodyRecordOut)
# Per database (engine), record id -> (key, its JSON on the board). Per process; the key is read from the database
# with the board's rows on every read, so a change committed through any process (or host) is seen by the next read.
_board_caches: WeakKeyDictionary[Any, dict[str, tuple[tuple[Any, ...], bytes]]] = WeakKeyDictionary()
_BOARD_CACHE_MAX = 5000


def _board_key(record: CustodyRecord, last_check: datetime | None, busy: bool, config: tuple[Any, ...]
               ) -> tuple[Any, ...]:
    """What one record's board entry is made from, besides rows that only change with the record's version.

    Every change to a record and to its facts (reviews, authorities, rights, risk assessments, transfers,
    interviews, charge, disposal ...) claims the record at its next version (server.records.claim); cell checks and
    interviews are read with the rows (`last_check`, `busy`); the person is joined to the record (its version); the
    suites (the record's, a transfer's destination) and the force's configuration are in `config`. Officers are not
    renamed (users are only created). The entry holds no "now": its clocks are deadlines (domain.pace_clock)."""
    return (record.version, record.person_id, record.person.version, last_check, bool(busy), config)


def board_json(session: Session, user: User, open_only: bool, suite_id: str | None = None) -> bytes:
    """The board as JSON (the same as list_records, serialised), each record's entry reused while its key is
    unchanged: a board read is then one query for the rows, the audit row, and the facts of changed records only.
    The read is audited every time, naming every record on it."""
    found = _board_rows(session, open_only, suite_id)
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, RECORD, [r.id for r, _l, _b in found],
                      "custody records list")
    # Every suite's edit (its name, a cell) claims the suite's next version: their sum moves with any of them.
    suites = session.execute(select(func.count(), func.coalesce(func.sum(Suite.version), 0))).one()
    config = (force.clock(), force.observation(), tuple(suites))
    keys = {record.id: _board_key(record, last, busy, config) for record, last, busy in found}
    engine = session.get_bind().engine  # records of another database (tests, tools) are not this one's
    cache = _board_caches.get(engine)
    if cache is None:
        cache = _board_caches.setdefault(engine, {})
    parts: dict[str, bytes] = {}
    for record_id, key in keys.items():
        held = cache.get(record_id)
        if held is not None and held[0] == key:
            parts[record_id] = held[1]
    stale = [(record, last, busy) for record, last, busy in found if record.id not in parts]
    if stale:
        now = utcnow()
        facts = _facts(session, [r.id for r, _l, _b in stale], {r.id: (last, busy) for r, last, busy in stale})
        if len(cache) > _BOARD_CACHE_MAX:
            cache.clear()
        for record, _last, _busy in stale:
            parts[record.id] = _RECORD_JSON.dump_json(record_out(session, record, now, facts[record.id]),
                                                      by_alias=True)
            cache[record.id] = (keys[record.id], parts[record.id])
    return b"[" + b",".join(parts[record.id] for record, _l, _b in found) + b"]"


def assessment_times(session: Session, record_id: str) -> list[tuple[str, datetime]]:
    """(trigger, assessed_at) of every risk assessment of the record: what the re-assessment rules read."""
    return [(trigger, at) for trigger, at in session.execute(
        select(RiskAssessment.trigger, RiskAssessment.assessed_at).where(RiskAssessment.record_id == record_id))]


# A write that needs only the record's own columns (a log entry: every workstation repeats it): its person and
# suite are loaded only if something asks for them (the 409 of a released record shows the whole record).
_WITHOUT_PERSON_AND_SUITE = (lazyload(CustodyRecord.person), lazyload(CustodyRecord.suite))


def get_record(session: Session, record_id: str) -> CustodyRecord:
    return records.get_or_404(session, CustodyRecord, record_id, "custody record")


def read_record(session: Session, user: User, record_id: str) -> CustodyRecordOut:
    row = get_record(session, record_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, RECORD, row.id)
    return record_out(session, row)


def list_log(session: Session, user: User, record_id: str) -> list[LogEntryOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(LogEntry).where(LogEntry.record_id == record.id)
                           .order_by(LogEntry.observed_at, LogEntry.recorded_at, LogEntry.id)
                           .options(*_officer_only(LogEntry))).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, LOG, record.id)
    return [LogEntryOut.model_validate(r) for r in rows]


# --------------------------------------------------------------------------------------- shared write path


def _ensure_writable(record: CustodyRecord, session: Session | None = None) -> None:
    if record.status == STATUS_RELEASED:
        released = record.released_at.isoformat() if record.released_at else "earlier"
        body = (record_out(session, record).model_dump(mode="json") if session is not None else None)
        raise ProblemError(409, f"Custody record {record.custody_number} was closed on release ({released}); "
                                "it is read-only.", current=body)


def writable(session: Session, record_id: str, if_match: int | None = None, *,
             require_match: bool = False) -> CustodyRecord:
    """The record, open, claimed at its next version (server.records.claim: a conditional UPDATE that also
    serialises two officers writing to one record) and, when If-Match is given, at the version the client saw.

    If-Match is required for a change to the record's own fields (`require_match`); appending a fact (a check,
    a review, a right) may leave it out, because it overwrites nothing another officer wrote."""
    record = records.claim(session, CustodyRecord, record_id, if_match, what="custody record",
                           current=lambda r: current(session, r), required=require_match)
    _ensure_writable(record, session)
    return record


BULK_LOAD = "custody_bulk_load"  # session.info flag: demo loading, no per-step events or representations


def emit(session: Session, type_: EventType, entity: str, entity_id: str, data: Any,
         record_id: str | None = None) -> None:
    """events.emit, except while the demo suite is bulk-loaded (it announces each record once at the end)."""
    if not session.info.get(BULK_LOAD):
        events.emit(session, type_, entity, entity_id, data, record_id=record_id)


def write_log(session: Session, user: User, record: CustodyRecord, kind: str, text: str,
              observed_at: datetime, now: datetime, entry_id: str | None = None) -> LogEntry:
    """A timed, attributed detainee log entry for something recorded elsewhere, so the log is the whole story."""
    entry = LogEntry(id=entry_id or str(uuid.uuid4()), record_id=record.id, kind=kind, text=text[:10_000],
                     observed_at=observed_at, recorded_at=now, author=user, corrects_id=None)
    session.add(entry)
    session.flush()
    if not session.info.get(BULK_LOAD):
        emit(session, EventType.CUSTODY_LOG_ENTRY_CREATED, LOG_ENTRY, entry.id, LogEntryOut.model_validate(entry),
             record_id=record.id)
    return entry


def changed(session: Session, user: User, record: CustodyRecord, now: datetime, *,
            action: audit.AuditAction = audit.AuditAction.ALTERATION, created: bool = False) -> CustodyRecordOut | None:
    """Audit, and emit the full new record so boards update live. None while the demo suite is bulk-loaded (its
    loader announces each record once at the end and reads no representation)."""
    record.updated_at = now  # the version moved on when writable() claimed the record
    session.flush()
    audit.record(session, user, action, RECORD, record.id)
    if session.info.get(BULK_LOAD):
        return None
    out = record_out(session, record, now)
    events.emit(session, EventType.CUSTODY_RECORD_CREATED if created else EventType.CUSTODY_RECORD_UPDATED, RECORD,
                record.id, out, record_id=record.id)
    return out


def add_log_entry(session: Session, user: User, record_id: str, body: LogEntryIn,
                  future_tolerance: timedelta, now: datetime | None = None) -> LogEntryOut:
    record = records.get_or_404(session, CustodyRecord, record_id, "custody record", _WITHOUT_PERSON_AND_SUITE)
    _ensure_writable(record, session)
    now = now or utcnow()
    _check_observed_at(record, body, now, future_tolerance)
    records.ensure_new(session, LogEntry, body.id, "log entry", LogEntryOut.model_validate)
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
    events.emit(session, EventType.CUSTODY_LOG_ENTRY_CREATED, LOG_ENTRY, entry.id, out, record_id=record.id)
    return out


def _check_observed_at(record: CustodyRecord, body: LogEntryIn, now: datetime, future_tolerance: timedelta) -> None:
    if body.observed_at < record.arrived_at:
        raise ProblemError.field("observed_at", f"This time is before the detainee arrived at the station "
                                                f"({fmt(record.arrived_at)}); check the date and time.")
    if body.observed_at > now + future_tolerance:
        minutes = int(future_tolerance.total_seconds() // 60)
        raise ProblemError.field("observed_at", f"This time is in the future; give the time it happened "
                                                f"(at most {minutes} minutes ahead of the server clock).")


def prepare_log_entries(session: Session, user: User, items: list[tuple[str, LogEntryIn]],
                        future_tolerance: timedelta) -> list[dict[str, Any] | None]:
    """POST /batch's bulk path (server/batch.py) for a run of log entries: each one's row (its recorded_at given
    by `log_entries_out`) when add_log_entry
    would simply store it, else None (add_log_entry then does it alone and gives its own answer: a refusal, or
    a correction of another entry). The run's records are read in one query and its ids probed in one."""
    now = utcnow()
    wanted = {record_id for record_id, _body in items}
    found = {r.id: r for r in session.scalars(select(CustodyRecord).where(CustodyRecord.id.in_(wanted)))}
    taken = set(session.scalars(select(LogEntry.id).where(LogEntry.id.in_({body.id for _id, body in items}))))
    rows: list[dict[str, Any] | None] = []
    for record_id, body in items:
        record = found.get(record_id)
        plain = (record is not None and record.status != STATUS_RELEASED and body.corrects_id is None
                 and body.id not in taken)
        taken.add(body.id)  # the same id again later in the run: that one is refused as taken, alone
        if plain and record is not None:
            try:
                _check_observed_at(record, body, now, future_tolerance)
            except ProblemError:
                plain = False
        rows.append({"id": body.id, "record_id": record_id, "kind": body.kind, "text": body.text,
                     "observed_at": body.observed_at, "recorded_at": None, "author_id": user.id,
                     "corrects_id": None} if plain else None)
    return rows


def log_entries_out(user: User, rows: list[dict[str, Any]]) -> list[LogEntryOut]:
    """What add_log_entry answers for each row `prepare_log_entries` made (user: their author), each row given
    its recorded_at now, when it is about to be stored: each its own moment, in order, as each sent alone gets
    one (a record's log is read in recorded_at order among entries observed at the same time)."""
    now = utcnow() - _TICK
    for row in rows:
        row["recorded_at"] = now = max(utcnow(), now + _TICK)
    return [LogEntryOut.model_validate(SimpleNamespace(**row, author=user)) for row in rows]


_TICK = timedelta(microseconds=1)


def store_log_entries(session: Session, user: User, rows: list[dict[str, Any]],
                      answers: list[dict[str, Any]]) -> None:
    """Store rows `prepare_log_entries` made (`answers`: their LogEntryOut as JSON), in order, as add_log_entry
    stores one (the entry, its audit row, its event), with one INSERT for the entries and one for their events."""
    session.execute(insert(LogEntry), rows)
    for row in rows:
        audit.record(session, user, audit.AuditAction.COLLECTION, LOG_ENTRY, row["id"])
    events.emit_many(session, [(EventType.CUSTODY_LOG_ENTRY_CREATED, LOG_ENTRY, row["id"], answer, row["record_id"])
                               for row, answer in zip(rows, answers, strict=True)])


def next_custody_number(session: Session, year: int) -> str:
    prefix = f"BW-{year}-"
    last = session.scalar(select(func.max(CustodyRecord.custody_number))
                          .where(CustodyRecord.custody_number.like(prefix + "%")))
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:06d}"


def is_charged(record: CustodyRecord) -> bool:
    return record.status == STATUS_CHARGED
