"""Investigations, the people in them, lines of enquiry and incident-room actions (domain.actions rules)."""

from __future__ import annotations

from collections.abc import Sequence

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from domain.actions import (MANAGERS, STATE_TITLES, TERMINAL, ActionEvent, ActionState, next_action_number,
                            transition)
from domain.events import EventType
from server import audit, events, records
from server.auth.models import User, UserRole
from server.db import utcnow
from server.errors import ProblemError
from server.investigations.models import Action, ActionHistory, Investigation, InvestigationPerson, LineOfEnquiry
from server.investigations.schemas import (ActionIn, ActionOut, HistoryOut, InvestigationIn, InvestigationOut,
                                           InvestigationPatch, LineIn, LineOut, LinkPersonIn, OffenceOut,
                                           PersonLinkOut, TimelineEntry, TimelineOut, TransitionIn)
from server.people.models import Person
from server.people.schemas import UserBrief, person_summary
from server.people.service import get_person
from server.force import catalogue

INVESTIGATION = "investigation"
ACTION = "action"
_PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}
_OPEN_STATES = {ActionState.RAISED.value, ActionState.ALLOCATED.value, ActionState.REFERRED.value}


def _brief(user: User | None) -> UserBrief | None:
    return UserBrief.model_validate(user) if user is not None else None


# --- investigations ----------------------------------------------------------------------------------------

def get_investigation(session: Session, investigation_id: str) -> Investigation:
    return records.get_or_404(session, Investigation, investigation_id, "investigation")


def _action_counts(session: Session, investigation_ids: list[str]) -> dict[str, dict[str, int]]:
    """Actions per state for many investigations in one grouped query."""
    counts = {inv_id: {s.value: 0 for s in ActionState} for inv_id in investigation_ids}
    if investigation_ids:
        for inv_id, status, n in session.execute(
                select(Action.investigation_id, Action.status, func.count())
                .where(Action.investigation_id.in_(investigation_ids))
                .group_by(Action.investigation_id, Action.status)):
            counts[inv_id][status] = n
    return counts


# The people shown with an investigation, with their warning markers, loaded for a whole list at once.
_WITH_PEOPLE = (selectinload(Investigation.people).joinedload(InvestigationPerson.person)
                .selectinload(Person.warning_markers), selectinload(Investigation.lines_of_enquiry))


def investigation_out(session: Session, inv: Investigation,
                      counts: dict[str, int] | None = None) -> InvestigationOut:
    if counts is None:
        counts = _action_counts(session, [inv.id])[inv.id]
    return InvestigationOut(
        id=inv.id, reference=inv.reference, title=inv.title, summary=inv.summary, status=inv.status,
        kind=inv.kind, offences=[OffenceOut(**o) for o in inv.offences or []], opened_at=inv.opened_at,
        created_by=UserBrief.model_validate(inv.created_by), officer_in_charge=_brief(inv.officer_in_charge),
        supervisor=_brief(inv.supervisor),
        people=[PersonLinkOut(id=p.id, person=person_summary(p.person), role=p.role, added_at=p.added_at,
                              added_by=UserBrief.model_validate(p.added_by)) for p in inv.people],
        lines_of_enquiry=[LineOut.model_validate(line) for line in inv.lines_of_enquiry],
        action_counts=counts, version=inv.version)


def officers(session: Session) -> list[UserBrief]:
    """Active investigators and supervisors, by name (one query for the users, one for their roles)."""
    wanted = ("investigator", "supervisor")
    rows = session.scalars(select(User).where(User.active.is_(True), or_(
        User.role.in_(wanted), User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(wanted)))))
        .order_by(User.display_name)).all()
    return [UserBrief.model_validate(u) for u in rows]


def _user(session: Session, user_id: str | None, field: str) -> User | None:
    if user_id is None:
        return None
    found = session.get(User, user_id)
    if found is None or not found.active:
        raise ProblemError.field(field, "There is no such officer.")
    return found


def next_reference(session: Session, year: int) -> str:
    prefix = f"INV-{year}-"
    last = session.scalar(select(func.max(Investigation.reference)).where(Investigation.reference.like(prefix + "%")))
    return f"{prefix}{(int(last.removeprefix(prefix)) + 1) if last else 1:04d}"


def _offences(codes: list[str], field: str = "offences") -> list[dict[str, str]]:
    """Catalogue codes as the officer chose them, with the title in force today (kept, so the summary still reads
    the same when the catalogue changes)."""
    today = utcnow().date()
    loaded = catalogue()
    chosen, errors = [], []
    for n, code in enumerate(codes):
        offence = loaded.lookup(code, today) or next((o for o in loaded.all() if o.code == code), None)
        if offence is None:
            errors.append({"field": f"{field}.{n}", "message": f"{code} is not in the offence catalogue."})
        else:
            chosen.append({"code": offence.code, "title": offence.title})
    if errors:
        raise ProblemError(422, "; ".join(e["message"] for e in errors), errors=errors)
    return chosen


def _team_filter(session: Session, user: User) -> ColumnElement[bool]:
    """My team's investigations: those I am in charge of or supervise, and those supervised by my supervisors
    (the officers who supervise an investigation I am in charge of)."""
    supervisors = [s for s in session.scalars(select(Investigation.supervisor_id).distinct()
                                              .where(Investigation.officer_in_charge_id == user.id)) if s]
    return or_(Investigation.officer_in_charge_id == user.id,
               Investigation.supervisor_id.in_([user.id, *supervisors]))


def list_investigations(session: Session, user: User, scope: str = "all") -> list[InvestigationOut]:
    query = select(Investigation).options(*_WITH_PEOPLE).order_by(Investigation.opened_at.desc())
    if scope == "mine":
        query = query.where(Investigation.officer_in_charge_id == user.id)
    elif scope == "team":
        query = query.where(_team_filter(session, user))
    rows = session.scalars(query).unique().all()
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, INVESTIGATION, [r.id for r in rows],
                      "investigations list")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, "person",
                      [p.person_id for r in rows for p in r.people], "investigations list")
    counts = _action_counts(session, [r.id for r in rows])
    return [investigation_out(session, r, counts[r.id]) for r in rows]


def read_investigation(session: Session, user: User, investigation_id: str) -> InvestigationOut:
    inv = get_investigation(session, investigation_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, INVESTIGATION, inv.id)
    return investigation_out(session, inv)


def _claim_investigation(session: Session, investigation_id: str, if_match: int | None,
                         required: bool = True) -> Investigation:
    return records.claim(session, Investigation, investigation_id, if_match, what="investigation",
                         current=lambda inv: investigation_out(session, inv), required=required)


# The audit entry of an edit says what changed, so the timeline can show it (who, when) without a history table.
CHANGED_PREFIX = "details changed: "
_FIELD_WORDS = {"title": "title", "summary": "summary", "status": "status", "kind": "type",
                "offences": "offences", "officer_in_charge_id": "officer in the case", "supervisor_id": "supervisor"}


def _investigation_changed(session: Session, user: User, inv: Investigation, *,
                           created: bool = False, details: str | None = None) -> InvestigationOut:
    """After _claim_investigation (which moved the version on) or a create: audit and announce."""
    session.flush()
    session.expire(inv)
    out = investigation_out(session, inv)
    audit.record(session, user, audit.AuditAction.COLLECTION if created else audit.AuditAction.ALTERATION,
                 INVESTIGATION, inv.id, details)
    events.emit(session, EventType.INVESTIGATION_CREATED if created else EventType.INVESTIGATION_UPDATED,
                INVESTIGATION, inv.id, out)
    return out


def create_investigation(session: Session, user: User, body: InvestigationIn) -> InvestigationOut:
    records.ensure_new(session, Investigation, body.id, "investigation")
    oic = _user(session, body.officer_in_charge_id, "officer_in_charge_id") or user
    supervisor = _user(session, body.supervisor_id, "supervisor_id")
    offences = _offences(body.offences)
    now = utcnow()
    inv = Investigation(id=body.id, reference=next_reference(session, now.year), title=body.title,
                        summary=body.summary, status="open", kind=body.kind, offences=offences,
                        officer_in_charge=oic, supervisor=supervisor, created_by_id=user.id, opened_at=now,
                        version=1)
    session.add(inv)
    return _investigation_changed(session, user, inv, created=True)


def update_investigation(session: Session, user: User, investigation_id: str, body: InvestigationPatch,
                         if_match: int | None) -> InvestigationOut:
    inv = _claim_investigation(session, investigation_id, if_match)
    given = body.model_fields_set
    changed = []
    for name in ("title", "summary", "status", "kind"):
        if name in given and getattr(body, name) is not None and getattr(body, name) != getattr(inv, name):
            setattr(inv, name, getattr(body, name))
            changed.append(_FIELD_WORDS[name])
    if "offences" in given and body.offences is not None:
        offences = _offences(body.offences)
        if offences != (inv.offences or []):
            inv.offences = offences
            changed.append(_FIELD_WORDS["offences"])
    for field, attr in (("officer_in_charge_id", "officer_in_charge"), ("supervisor_id", "supervisor")):
        if field in given and getattr(body, field) != getattr(inv, field):
            setattr(inv, attr, _user(session, getattr(body, field), field))
            changed.append(_FIELD_WORDS[field])
    return _investigation_changed(session, user, inv,
                                  details=f"{CHANGED_PREFIX}{', '.join(changed) or 'nothing'}")


def link_person(session: Session, user: User, investigation_id: str, body: LinkPersonIn) -> InvestigationOut:
    inv = _claim_investigation(session, investigation_id, None, required=False)
    try:
        person = get_person(session, body.person_id)
    except ProblemError:
        raise ProblemError.field("person_id",
                                 "There is no such person; search for them or create them first.") from None
    if person.merged_into:
        raise ProblemError.field("person_id", "This record was merged into another; link the surviving record.")
    records.ensure_new(session, InvestigationPerson, body.id, "link")
    session.add(InvestigationPerson(id=body.id, investigation_id=inv.id, person_id=person.id, role=body.role,
                                    added_at=utcnow(), added_by_id=user.id))
    audit.record(session, user, audit.AuditAction.COMBINATION, "person", person.id,
                 f"linked to investigation {inv.reference} as {body.role}")
    return _investigation_changed(session, user, inv)


def add_line(session: Session, user: User, investigation_id: str, body: LineIn) -> InvestigationOut:
    inv = _claim_investigation(session, investigation_id, None, required=False)
    records.ensure_new(session, LineOfEnquiry, body.id, "line of enquiry")
    session.add(LineOfEnquiry(id=body.id, investigation_id=inv.id, title=body.title, objective=body.objective,
                              status="open", raised_at=utcnow(), raised_by_id=user.id))
    return _investigation_changed(session, user, inv)


# --- actions -----------------------------------------------------------------------------------------------

def is_overdue(action: Action, now: datetime) -> bool:
    return action.status in _OPEN_STATES and action.due_at is not None and action.due_at < now


def action_out(action: Action, now: datetime | None = None) -> ActionOut:
    now = now or utcnow()
    return ActionOut(
        id=action.id, investigation_id=action.investigation_id,
        investigation_reference=action.investigation.reference, number=action.number, title=action.title,
        details=action.details, origin=action.origin, priority=action.priority,
        line_of_enquiry_id=action.line_of_enquiry_id, status=action.status,
        status_title=STATE_TITLES[ActionState(action.status)], raised_by=UserBrief.model_validate(action.raised_by),
        raised_at=action.raised_at, allocated_to=_brief(action.allocated_to), allocated_at=action.allocated_at,
        due_at=action.due_at, overdue=is_overdue(action, now), result_text=action.result_text,
        resulted_at=action.resulted_at, resulted_by=_brief(action.resulted_by),
        reviewed_by=_brief(action.reviewed_by), reviewed_at=action.reviewed_at,
        review_outcome=action.review_outcome, reason=action.reason, further_action_id=action.further_action_id,
        version=action.version, history=[HistoryOut.model_validate(h) for h in action.history])


def get_action(session: Session, action_id: str) -> Action:
    return records.get_or_404(session, Action, action_id, "action")


def _history(action: Action, user: User, event: str, from_status: str | None, to_status: str,
             reason: str | None = None, note: str | None = None, at: datetime | None = None) -> None:
    action.history.append(ActionHistory(id=str(uuid.uuid4()), action_id=action.id, at=at or utcnow(),
                                        by_id=user.id, event=event, from_status=from_status, to_status=to_status,
                                        reason=reason or None, note=note))


def _new_action(session: Session, user: User, inv: Investigation, *, action_id: str, title: str, details: str,
                origin: str, priority: str, line_of_enquiry_id: str | None) -> Action:
    records.ensure_new(session, Action, action_id, "action")
    if line_of_enquiry_id is not None:
        line = session.get(LineOfEnquiry, line_of_enquiry_id)
        if line is None or line.investigation_id != inv.id:
            raise ProblemError.field("line_of_enquiry_id", "This line of enquiry is not in this investigation.")
    numbers = session.scalars(select(Action.number).where(Action.investigation_id == inv.id)).all()
    now = utcnow()
    action = Action(id=action_id, investigation_id=inv.id, investigation=inv, number=next_action_number(numbers),
                    title=title, details=details, origin=origin, priority=priority,
                    line_of_enquiry_id=line_of_enquiry_id, status=ActionState.RAISED.value, raised_by=user,
                    raised_at=now, version=1)
    session.add(action)
    _history(action, user, "raise", None, ActionState.RAISED.value, note=f"origin: {origin}", at=now)
    session.flush()
    return action


def _emit_action(session: Session, user: User, action: Action, *, created: bool,
                 now: datetime | None = None) -> ActionOut:
    session.flush()
    out = action_out(action, now)
    audit.record(session, user, audit.AuditAction.COLLECTION if created else audit.AuditAction.ALTERATION,
                 ACTION, action.id)
    events.emit(session, EventType.ACTION_CREATED if created else EventType.ACTION_UPDATED, ACTION, action.id, out)
    return out


def raise_action(session: Session, user: User, investigation_id: str, body: ActionIn) -> ActionOut:
    inv = get_investigation(session, investigation_id)
    if body.due_at is not None and body.due_at < utcnow():
        raise ProblemError.field("due_at", "The due date is in the past.")
    action = _new_action(session, user, inv, action_id=body.id, title=body.title, details=body.details,
                         origin=body.origin, priority=body.priority, line_of_enquiry_id=body.line_of_enquiry_id)
    action.due_at = body.due_at
    return _emit_action(session, user, action, created=True)


def list_investigation_actions(session: Session, user: User, investigation_id: str,
                               statuses: Sequence[str] | None) -> list[ActionOut]:
    inv = get_investigation(session, investigation_id)
    query = select(Action).options(selectinload(Action.history)).where(Action.investigation_id == inv.id)
    if statuses:
        query = query.where(Action.status.in_(statuses))
    rows = session.scalars(query).unique().all()
    rows = sorted(rows, key=lambda a: int(a.number[1:]) if a.number[1:].isdigit() else 0)
    audit.record(session, user, audit.AuditAction.CONSULTATION, INVESTIGATION, inv.id, "actions list")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, ACTION, [a.id for a in rows], "actions list")
    now = utcnow()
    return [action_out(a, now) for a in rows]


def list_actions(session: Session, user: User, mine: bool, statuses: Sequence[str] | None,
                 now: datetime | None = None) -> list[ActionOut]:
    query = select(Action).options(selectinload(Action.history))
    if mine:
        query = query.where(Action.allocated_to_id == user.id)
    if statuses:
        query = query.where(Action.status.in_(statuses))
    now = now or utcnow()
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows = sorted(session.scalars(query).unique().all(),
                  key=lambda a: (not is_overdue(a, now), a.due_at or far, _PRIORITY_RANK.get(a.priority, 9),
                                 a.investigation.reference, a.number))
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, ACTION, [a.id for a in rows], "actions list")
    return [action_out(a, now) for a in rows]


def read_action(session: Session, user: User, action_id: str) -> ActionOut:
    action = get_action(session, action_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, ACTION, action.id)
    return action_out(action)


def _refuse(event: ActionEvent, action: Action, user: User, reason: str) -> ProblemError:
    """403 when the person may not do this at all, 422 when the action's state or the input is wrong."""
    not_allocated = event is ActionEvent.SUBMIT_RESULT and action.allocated_to_id != user.id
    not_manager = event is not ActionEvent.SUBMIT_RESULT and not user.has_role(*MANAGERS)
    if (not_allocated or not_manager) and ActionState(action.status) not in TERMINAL:
        return ProblemError(403, reason)
    return ProblemError(422, reason, errors=[{"field": "event", "message": reason}])


def apply_transition(session: Session, user: User, action_id: str, body: TransitionIn,
                     if_match: int | None, now: datetime | None = None) -> ActionOut:
    # The claim makes two officers moving the same action at once be served in turn; the second gets 412, so
    # the history never shows two transitions out of one state.
    action = records.claim(session, Action, action_id, if_match, what="action", current=action_out)
    now = now or utcnow()
    event = ActionEvent(body.event)
    allocated = action.allocated_to_id == user.id
    decided = user.decide(lambda role: transition(ActionState(action.status), event, role, allocated,
                                                  reason=body.reason))
    if not decided:
        raise _refuse(event, action, user, decided.reason)
    errors = []
    officer = None
    if event is ActionEvent.ALLOCATE:
        if body.allocated_to_id is None:
            errors.append({"field": "allocated_to_id", "message": "Choose the officer to allocate it to."})
        else:
            officer = session.get(User, body.allocated_to_id)
            if officer is None or not officer.active:
                errors.append({"field": "allocated_to_id", "message": "There is no such officer."})
        if body.due_at is None:
            errors.append({"field": "due_at", "message": "Give the date and time it is due."})
        elif body.due_at < now:
            errors.append({"field": "due_at", "message": "The due date is in the past."})
    if event is ActionEvent.SUBMIT_RESULT and not (body.result_text or "").strip():
        errors.append({"field": "result_text", "message": "Write the result before submitting it."})
    if event is ActionEvent.FURTHER_ACTION and body.further_action is None:
        errors.append({"field": "further_action", "message": "Describe the further action to raise."})
    if errors:
        raise ProblemError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)

    before = action.status
    note = None
    if event is ActionEvent.ALLOCATE:
        assert officer is not None and body.due_at is not None  # both checked above
        action.allocated_to, action.allocated_at, action.due_at = officer, now, body.due_at
        note = f"allocated to {officer.display_name}, due {body.due_at.isoformat()}"
    elif event is ActionEvent.SUBMIT_RESULT:
        action.result_text, action.resulted_at, action.resulted_by = body.result_text, now, user
    elif event in (ActionEvent.FILE, ActionEvent.FURTHER_ACTION, ActionEvent.RETURN):
        action.reviewed_by, action.reviewed_at, action.review_outcome = user, now, event.value
    if body.reason.strip():
        action.reason = body.reason.strip()
    further = None
    if event is ActionEvent.FURTHER_ACTION:
        fa = body.further_action
        assert fa is not None
        further = _new_action(session, user, action.investigation, action_id=fa.id, title=fa.title,
                              details=fa.details, origin=fa.origin or f"Further action from {action.number}",
                              priority=fa.priority, line_of_enquiry_id=action.line_of_enquiry_id)
        action.further_action_id = further.id
        note = f"further action {further.number} raised"
    assert decided.new_state is not None  # an allowed transition always names the state it leads to
    action.status = decided.new_state.value
    _history(action, user, event.value, before, action.status, body.reason.strip() or None, note, now)
    if further is not None:
        _emit_action(session, user, further, created=True)
    return _emit_action(session, user, action, created=False, now=now)


# --- timeline ----------------------------------------------------------------------------------------------

_STATUS_WORDS = {s.value: t for s, t in STATE_TITLES.items()}


def timeline(session: Session, user: User, investigation_id: str) -> TimelineOut:
    """Everything that happened on an investigation, oldest first: opened, its details changed (from the audit
    entries that say what changed), people linked, lines of enquiry, and every step of every action. A constant
    number of queries whatever its size."""
    inv = session.scalars(select(Investigation).options(*_WITH_PEOPLE)
                          .where(Investigation.id == investigation_id)).unique().one_or_none()
    if inv is None:
        raise ProblemError(404, "There is no such investigation.")
    entries = [TimelineEntry(at=inv.opened_at, by=UserBrief.model_validate(inv.created_by), kind="opened",
                             text=f"Investigation {inv.reference} opened: {inv.title}", entity=INVESTIGATION,
                             entity_id=inv.id)]
    changes = session.execute(select(audit.AuditEntry, User).join(User, User.id == audit.AuditEntry.user_id)
                              .where(audit.AuditEntry.entity == INVESTIGATION,
                                     audit.AuditEntry.entity_id == inv.id,
                                     audit.AuditEntry.action == audit.AuditAction.ALTERATION.value,
                                     audit.AuditEntry.justification.like(CHANGED_PREFIX + "%"))).all()
    for entry, by in changes:
        words = (entry.justification or "").removeprefix(CHANGED_PREFIX)
        entries.append(TimelineEntry(at=entry.at, by=UserBrief.model_validate(by), kind="changed",
                                     text=f"Details changed: {words}", entity=INVESTIGATION, entity_id=inv.id))
    for link in inv.people:
        entries.append(TimelineEntry(at=link.added_at, by=UserBrief.model_validate(link.added_by), kind="person",
                                     text=f"{_person_words(link.person)} linked as {link.role}", entity="person",
                                     entity_id=link.person_id))
    for line in inv.lines_of_enquiry:
        entries.append(TimelineEntry(at=line.raised_at, by=UserBrief.model_validate(line.raised_by), kind="line",
                                     text=f"Line of enquiry: {line.title}", entity="line_of_enquiry",
                                     entity_id=line.id))
    actions = session.scalars(select(Action).options(selectinload(Action.history).joinedload(ActionHistory.by))
                              .where(Action.investigation_id == inv.id)).unique().all()
    for action in actions:
        for step in action.history:
            text = f"Action {action.number} {action.title}: {_STATUS_WORDS.get(step.to_status, step.to_status)}"
            if step.event == "raise":
                text = f"Action {action.number} raised ({action.priority} priority): {action.title}"
            extra = "; ".join(x for x in (step.note if step.event != "raise" else None, step.reason) if x)
            entries.append(TimelineEntry(at=step.at, by=UserBrief.model_validate(step.by), kind="action",
                                         text=f"{text}{f' — {extra}' if extra else ''}", entity=ACTION,
                                         entity_id=action.id))
    entries.sort(key=lambda e: e.at)
    audit.record(session, user, audit.AuditAction.CONSULTATION, INVESTIGATION, inv.id, "timeline")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, "person",
                      [p.person_id for p in inv.people], f"investigation {inv.reference} timeline")
    return TimelineOut(investigation_id=inv.id, reference=inv.reference, entries=entries)


def _person_words(person: Person) -> str:
    return f"{person.surname.upper()}, {person.forenames}".strip(", ")
