"""The PACE clock on the record: reviews (s.40), superintendent's extension (s.42), warrants (s.43, s.44)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.officers import titled
from domain import pace_clock
from domain.events import EventType
from domain.pace_clock import AuthorityKind
from domain.roles import Role
from server import audit, records
from server.auth.models import User
from server import force
from server.custody.models import CustodyRecord, DetentionAuthority, Review
from server.custody.schemas import AuthorityOut, ExtensionIn, ReviewIn, ReviewOut, WarrantIn
from server.custody.service import (emit, _authorities, _reviews, authority_out, changed, domain_authorities,
                                    event_time, field_errors, fmt, forbid, involved_officer_ids, is_charged,
                                    offence_indictable, require, review_out, writable, write_log)
from server.db import utcnow
from server.errors import ProblemError


def _taken(session: Session, model: type[Any], row_id: str, what: str = "entry") -> None:
    records.ensure_new(session, model, row_id, what)


def add_review(session: Session, user: User, record_id: str, body: ReviewIn, if_match: int | None,
               now: datetime | None = None) -> ReviewOut:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    charged = is_charged(record)
    involved = user.id in involved_officer_ids(record)
    decision = user.decide(lambda role: pace_clock.check_reviewer(role, involved_in_investigation=involved,
                                                                  charged=charged))
    if not decision.ok:
        raise forbid(decision.reason or "You may not review this detention.")
    _taken(session, Review, body.id)
    authorised_at = record.detention_authorised_at
    if authorised_at is None:
        raise ProblemError.field("kind", "Detention has not been authorised yet, so there is nothing to review.")
    event_time("at", body.at, record, now, after=[("detention was authorised", authorised_at)])
    config = force.clock()
    done = sum(1 for r in _reviews(session, record.id) if r.kind == "review")
    number = done + 1
    due = pace_clock.review_due_at(number, authorised_at, config)
    if body.kind == "postponement":
        post = pace_clock.check_postponement(body.grounds, review_number=number, postponed_at=body.at,
                                             detention_authorised_at=authorised_at, config=config)
        if not post.ok:
            field_errors([("grounds" if not body.grounds.strip() else "at", post.reason or "")])
    else:
        errors: list[tuple[str, str]] = []
        if body.outcome is None:
            errors.append(("outcome", "A review needs an outcome: continue detention or release."))
        if not body.grounds.strip():
            errors.append(("grounds", "Record the grounds for the decision."))
        field_errors(errors)
    row = Review(id=body.id, record_id=record.id, number=number, kind=body.kind, at=body.at, due_at=due,
                 outcome=body.outcome if body.kind == "review" else None, grounds=body.grounds,
                 representations=body.representations, charged=charged, reviewer=user, recorded_at=now)
    session.add(row)
    session.flush()
    if body.kind == "review":
        late = f" (late: due by {fmt(due)})" if body.at > due else ""
        outcome = "continued detention" if body.outcome == "continue" else "directed release"
        text = (f"Review {number} by {titled(user.rank, user.display_name)}{late}: {outcome}. Grounds: {body.grounds}")
        if body.representations:
            text += f" Representations: {body.representations}"
    else:
        text = (f"Review {number} postponed by {titled(user.rank, user.display_name)} (due by {fmt(due)}). "
                f"Reason: {body.grounds}")
    write_log(session, user, record, "review", text, body.at, now)
    out = review_out(row)
    emit(session, EventType.CUSTODY_REVIEW_CREATED, "custody_review", row.id, out, record_id=record.id)
    changed(session, user, record, now)
    return out


def _authority_field(reason: str) -> str:
    timing = ("review" in reason or "within" in reason or "run out" in reason or "ended at" in reason
              or "expired" in reason)
    return "authorised_at" if timing else "expires_at"


def _store_authority(session: Session, user: User, record: CustodyRecord, row: DetentionAuthority, text: str,
                     now: datetime) -> AuthorityOut:
    session.add(row)
    session.flush()
    write_log(session, user, record, "extension", text, row.granted_at, now)
    out = authority_out(row)
    emit(session, EventType.CUSTODY_AUTHORITY_CREATED, "custody_authority", row.id, out, record_id=record.id)
    audit.record(session, user, audit.AuditAction.COLLECTION, "custody_authority", row.id)
    changed(session, user, record, now)
    return out


def add_extension(session: Session, user: User, record_id: str, body: ExtensionIn, if_match: int | None,
                  now: datetime | None = None) -> AuthorityOut:
    now = now or utcnow()
    if not user.has_role(Role.SUPERINTENDENT):
        raise forbid("Only a superintendent or above may extend detention beyond 24 hours (PACE s.42); you are "
                     f"signed in as {user.rank.lower()}.")
    record = writable(session, record_id, if_match)
    _taken(session, DetentionAuthority, body.id)
    event_time("authorised_at", body.authorised_at, record, now,
               after=[("detention was authorised", record.detention_authorised_at)])
    decision = pace_clock.check_extension(
        relevant=record.relevant_time or record.arrived_at, authorised_at=body.authorised_at,
        expires_at=body.expires_at, offence_indictable=offence_indictable(record),
        review_times=[r.at for r in _reviews(session, record.id) if r.kind == "review"],
        authorities=domain_authorities(_authorities(session, record.id)), authoriser_role=Role.SUPERINTENDENT,
        config=force.clock())
    if not decision.ok:
        field_errors([(_authority_field(decision.reason or ""), decision.reason or "Not allowed.")])
    row = DetentionAuthority(id=body.id, record_id=record.id, kind=AuthorityKind.SUPERINTENDENT.value,
                             granted_at=body.authorised_at, expires_at=body.expires_at, grounds=body.grounds,
                             authorised_by=user, recorded_at=now)
    return _store_authority(session, user, record, row,
                            f"Detention extended to {fmt(body.expires_at)} by {titled(user.rank, user.display_name)} "
                            f"(PACE s.42). Grounds: {body.grounds}", now)


def add_warrant(session: Session, user: User, record_id: str, body: WarrantIn, if_match: int | None,
                now: datetime | None = None) -> AuthorityOut:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="record a warrant of further detention")
    record = writable(session, record_id, if_match)
    _taken(session, DetentionAuthority, body.id)
    event_time("applied_at", body.applied_at, record, now,
               after=[("detention was authorised", record.detention_authorised_at)])
    event_time("issued_at", body.issued_at, record, now)
    kind = AuthorityKind(body.kind)
    relevant = record.relevant_time or record.arrived_at
    authorities = domain_authorities(_authorities(session, record.id))
    if kind is AuthorityKind.WARRANT:
        # s.43(5): applied for within 36 h of the relevant time (42 h if the court could not sit), while the
        # detention was still authorised; issued before that authority ran out.
        applied = pace_clock.check_warrant_application(
            relevant=relevant, applied_at=body.applied_at, authorities=authorities,
            court_not_sitting=body.court_not_sitting, issued_at=body.issued_at, config=force.clock())
        if not applied.ok:
            reason = applied.reason or "Not allowed."
            field_errors([("issued_at" if reason.startswith("The warrant") else "applied_at", reason)])
    elif body.applied_at > body.issued_at:
        field_errors([("applied_at", "The extension cannot have been issued before the application for it.")])
    decision = pace_clock.check_court_authority(
        kind=kind, relevant=relevant, issued_at=body.issued_at, expires_at=body.expires_at,
        authorities=authorities, config=force.clock())
    if not decision.ok:
        reason = decision.reason or "Not allowed."
        field_errors([("kind" if "once a warrant" in reason else "issued_at" if "expired" in reason
                       else "expires_at", reason)])
    row = DetentionAuthority(id=body.id, record_id=record.id, kind=kind.value, granted_at=body.issued_at,
                             expires_at=body.expires_at, court=body.court, reference=body.reference,
                             authorised_by=user, recorded_at=now)
    what = "Warrant of further detention" if kind is AuthorityKind.WARRANT else "Extension of warrant"
    ref = f", ref {body.reference}" if body.reference else ""
    ref += f", applied for {fmt(body.applied_at)}" + (" (the court could not sit at 36 hours)"
                                                    if body.court_not_sitting else "")
    return _store_authority(session, user, record, row,
                            f"{what} issued by {body.court}{ref}: detention authorised until "
                            f"{fmt(body.expires_at)}. Recorded by {titled(user.rank, user.display_name)}.", now)
