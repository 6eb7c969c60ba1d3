"""Charging from the offence catalogue and recording disclosures. Services never commit: the request does.

Charging marks the custody record charged through server.custody.disposal.charge (its log entry, version bump
and record event), then stores the numbered charges with the caution, reply, bail decision and first hearing.
Everything is validated before anything is written, so a 422 leaves the record and its charges as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.charging import DateRange, caution_on_charge, render_particulars, template_fields
from domain.events import EventType
from domain.offences import MODE_TITLES, Offence, code_problem, normalise_code
from domain.roles import Role
from server import audit, events
from server.auth.models import User
from server import force
from server.custody import disposal
from server.custody import service as custody
from server.custody.models import CustodyRecord
from server.custody.schemas import ChargeIn
from server.db import utcnow
from server.errors import ProblemError
from server.prosecution.catalogue import catalogue
from server.prosecution.models import Charge, ChargeCase, Disclosure
from server.prosecution.schemas import (BAIL_TITLES, BailOut, ChargeCaseIn, ChargeCaseOut, ChargeItemIn, ChargeOut,
                                        DisclosureIn, DisclosureOut, HearingOut, OfficerOut)

CASE = "charge_case"
DISCLOSURE = "disclosure"


def officer(user: User) -> OfficerOut:
    return OfficerOut(id=user.id, name=user.display_name, rank=user.rank, collar_number=user.collar_number or "")


def case_out(case: ChargeCase, custody_number: str) -> ChargeCaseOut:
    return ChargeCaseOut(
        id=case.id, record_id=case.record_id, custody_number=custody_number, charged_at=case.charged_at,
        charged_by=officer(case.charged_by), caution_given=case.caution_given,
        caution_wording=case.caution_wording, reply=case.reply,
        bail=BailOut(decision=case.bail_decision, title=BAIL_TITLES[case.bail_decision],
                     conditions=list(case.bail_conditions or []), reasons=case.bail_reasons),
        hearing=HearingOut(court=case.court, court_code=case.court_code, at=case.hearing_at),
        charges=[ChargeOut(id=c.id, number=c.number, offence_code=c.offence_code, title=c.title,
                           statement=c.statement, mode_of_trial=c.mode_of_trial,
                           mode_of_trial_title=next(t for m, t in MODE_TITLES.items() if m.value == c.mode_of_trial),
                           offence_date=c.offence_date, offence_date_end=c.offence_date_end,
                           particulars=c.particulars, particulars_values=dict(c.particulars_values or {}),
                           catalogue_version=c.catalogue_version)
                 for c in case.charges],
        recorded_at=case.recorded_at)


@dataclass(frozen=True)
class _Resolved:
    """One charge checked against the catalogue: the offence in force and its particulars."""

    offence: Offence
    text: str
    values: dict[str, str]


def _charge_problems(i: int, item: ChargeItemIn,
                     charged_at: datetime) -> tuple[list[tuple[str, str]], _Resolved | None]:
    """Field errors of charge i, or the resolved charge (offence + particulars text)."""
    at = f"charges.{i}"
    code = normalise_code(item.offence_code)
    if problem := code_problem(code):
        return [(f"{at}.offence_code", problem)], None
    errors: list[tuple[str, str]] = []
    charged_on = force.local_day(charged_at)  # the officer's day: an offence "today" charged at 00:30 BST is fine
    if item.offence_date > charged_on:
        errors.append((f"{at}.offence_date", "The offence date is after the charge; check the date."))
    if item.offence_date_end is not None and item.offence_date_end > charged_on:
        errors.append((f"{at}.offence_date_end", "The end of the date range is after the charge."))
    offence = catalogue().lookup(code, item.offence_date)
    if offence is None:
        versions = [o for o in catalogue().all() if o.code == code]
        if versions:
            spans = "; ".join(f"{o.effective_from or 'no start'} to {o.effective_to or 'now'}" for o in versions)
            errors.append((f"{at}.offence_code", f"{code} was not in force on {item.offence_date:%d/%m/%Y} "
                                                 f"(in force {spans}); choose the offence in force then."))
        else:
            errors.append((f"{at}.offence_code", f"{code} is not in the offence catalogue; choose an offence "
                                                 "from the list."))
        return errors, None
    values: dict[str, object] = {k: v for k, v in (item.particulars or {}).items() if v.strip()}
    if not values and [f for f in template_fields(offence.particulars_template) if f != "date"]:
        errors.append((f"{at}.particulars", "Give the particulars of the offence (place, property, victim or "
                                            "owner, as the wording needs)."))
        return errors, None
    unknown = sorted(set(values) - set(template_fields(offence.particulars_template)))
    for name in unknown:
        errors.append((f"{at}.particulars.{name}", f"{code}'s wording has no '{name}'; remove it."))
    values["date"] = DateRange(item.offence_date, item.offence_date_end)
    text, problems = render_particulars(offence.particulars_template, values)
    for p in problems:
        field = f"{at}.offence_date" if p.field == "particulars.date" else f"{at}.{p.field}"
        errors.append((field, p.message))
    if errors or text is None:  # no text comes only with problems
        return errors, None
    return [], _Resolved(offence, text, {k: str(v) for k, v in values.items() if k != "date"})


def charge(session: Session, user: User, record_id: str, body: ChargeCaseIn,
           now: datetime | None = None) -> ChargeCaseOut:
    now = now or utcnow()
    custody.require(user, Role.CUSTODY_SERGEANT, doing="charge a detainee")
    record = custody.writable(session, record_id)
    if (existing := session.get(ChargeCase, body.id)) is not None:
        raise ProblemError(409, f"A charge with id {body.id} was already recorded.",
                           current=case_out(existing, record.custody_number).model_dump(mode="json"))
    custody.event_time("charged_at", body.charged_at, record, now)
    errors: list[tuple[str, str]] = []
    resolved: list[_Resolved | None] = []
    for i, item in enumerate(body.charges):
        problems, ok = _charge_problems(i, item, body.charged_at)
        errors += problems
        resolved.append(ok)
    if not body.caution_given:
        errors.append(("caution_given", "Caution the detainee on charge (Code C 16.2) and record that you did."))
    if body.hearing.at <= now:
        errors.append(("hearing.at", "The first hearing must be in the future; check the date and time."))
    bail = body.bail
    conditions = [c.strip() for c in bail.conditions if c.strip()]
    if bail.decision == "conditional_bail" and not conditions:
        errors.append(("bail.conditions", "Give at least one condition of bail, or choose unconditional bail."))
    if bail.decision == "unconditional_bail" and conditions:
        errors.append(("bail.conditions", "Unconditional bail has no conditions; choose conditional bail."))
    if bail.decision != "unconditional_bail" and not bail.reasons.strip():
        what = "refusing bail (Bail Act grounds)" if bail.decision == "remanded_in_custody" else "the conditions"
        errors.append(("bail.reasons", f"Give the reasons for {what}."))
    custody.field_errors(errors)
    ready = [r for r in resolved if r is not None]  # all of them: an unresolved charge is a field error

    summary = "; ".join(f"{n}. {r.offence.code} {r.offence.title}" for n, r in enumerate(ready, 1))
    disposal.charge(session, user, record_id, ChargeIn(charged_at=body.charged_at, summary=summary[:2000]), None,
                    now=now)
    case = ChargeCase(id=body.id, record_id=record.id, charged_at=body.charged_at, charged_by_id=user.id,
                      caution_given=True, caution_wording=caution_on_charge(force.force_config()),
                      reply=body.reply, bail_decision=bail.decision, bail_conditions=conditions,
                      bail_reasons=bail.reasons.strip(), court=body.hearing.court,
                      court_code=body.hearing.court_code.strip(), hearing_at=body.hearing.at, recorded_at=now)
    session.add(case)
    version = force.catalogue_version()  # the catalogue these offences were looked up in (issue 15)
    for n, (item, r) in enumerate(zip(body.charges, ready, strict=True), 1):
        o = r.offence
        session.add(Charge(id=f"{body.id[:-4]}{n:04d}",  # stable per charge, so a replay is the same
                           case_id=case.id, number=n,
                           offence_code=o.code, title=o.title, statement=o.statement,
                           mode_of_trial=o.mode_of_trial.value, offence_date=item.offence_date,
                           offence_date_end=item.offence_date_end, particulars=r.text,
                           particulars_values=r.values,
                           catalogue_version=version))
    session.flush()
    session.refresh(case)
    reply = f'Reply after charge: "{body.reply}"' if body.reply.strip() else "Made no reply after charge."
    text = (f"Cautioned on charge. {reply} {BAIL_TITLES[bail.decision]}"
            + (f" with conditions: {'; '.join(conditions)}" if conditions else "")
            + (f". Reasons: {bail.reasons.strip()}" if bail.reasons.strip() else "")
            + f". First hearing: {body.hearing.court}, {custody.fmt(body.hearing.at)}.")
    custody.write_log(session, user, record, "disposal", text, body.charged_at, now)
    out = case_out(case, record.custody_number)
    audit.record(session, user, audit.AuditAction.COLLECTION, CASE, case.id)
    events.emit(session, EventType.CHARGE_CASE_CREATED, CASE, case.id, out, record_id=record.id)
    return out


def list_cases(session: Session, user: User, record_id: str) -> list[ChargeCaseOut]:
    record = custody.get_record(session, record_id)
    rows = session.scalars(select(ChargeCase).where(ChargeCase.record_id == record.id)).all()
    # The record is named even when it has no charges: that it has none is what was looked at.
    audit.record(session, user, audit.AuditAction.CONSULTATION, "custody_record", record.id, "charges list")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, CASE, [r.id for r in rows], "charges list")
    return [case_out(r, record.custody_number) for r in rows]


def disclosure_out(d: Disclosure) -> DisclosureOut:
    return DisclosureOut(id=d.id, record_id=d.record_id, document=d.document, method=d.method,
                         recipient=d.recipient, purpose=d.purpose, destination=d.destination, at=d.at,
                         by=officer(d.by))


def disclose(session: Session, user: User, body: DisclosureIn, now: datetime | None = None) -> DisclosureOut:
    """A copy of a record left the system (printed or saved as a file): DPA 2018 s.62 'disclosure'."""
    now = now or utcnow()
    record = session.get(CustodyRecord, body.record_id)
    if record is None:
        custody.field_errors([("record_id", "There is no custody record with this id.")])
    if body.document == "charge_sheet" and session.scalar(
            select(ChargeCase.id).where(ChargeCase.record_id == body.record_id)) is None:
        custody.field_errors([("document", "This record has no charges, so there is no charge sheet.")])
    if (existing := session.get(Disclosure, body.id)) is not None:
        raise ProblemError(409, f"A disclosure with id {body.id} was already recorded.",
                           current=disclosure_out(existing).model_dump(mode="json"))
    row = Disclosure(id=body.id, record_id=body.record_id, document=body.document, method=body.method,
                     recipient=body.recipient, purpose=body.purpose, destination=body.destination, at=now,
                     by_id=user.id)
    session.add(row)
    session.flush()
    session.refresh(row)
    entity = "custody_record" if body.document == "custody_record" else CASE
    audit.record(session, user, audit.AuditAction.DISCLOSURE, entity, body.record_id,
                 f"{body.document} by {body.method} to {body.recipient}: {body.purpose}"
                 + (f" ({body.destination})" if body.destination else ""))
    out = disclosure_out(row)
    events.emit(session, EventType.DISCLOSURE_CREATED, DISCLOSURE, row.id, out, record_id=body.record_id)
    return out


def list_disclosures(session: Session, user: User, record_id: str) -> list[DisclosureOut]:
    custody.get_record(session, record_id)
    rows = session.scalars(select(Disclosure).where(Disclosure.record_id == record_id)
                           .order_by(Disclosure.at)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, DISCLOSURE, record_id, "disclosures of a record")
    return [disclosure_out(r) for r in rows]
