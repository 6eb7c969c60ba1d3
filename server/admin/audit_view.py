"""The audit viewer's read: who looked at (or changed) what, when, why and from which workstation.

Newest first, keyset-paginated on the row id (`before`), so a page costs the same however deep it is; one SELECT
per page whatever its length (users joined, the workstation a correlated subquery; the subjects of the page's list
reads in one more). The viewer's own read is
audited in the same transaction, naming what it was filtered on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from server import audit
from server.admin.schemas import AuditEntryOut, AuditPage, AuditUser
from server.audit import AuditEntry, AuditSubject
from server.auth.models import Token, User
from server.custody.models import CustodyRecord
from server.people.models import Person
from server.prosecution.models import ChargeCase

AUDIT = "audit_log"


@dataclass(frozen=True)
class AuditFilter:
    # The person (and anyone merged into them), their custody records and charges: a row naming one of these ids,
    # alone (entity_id) or among a list read's subjects (audit_subject), so a look through the board or a search
    # is found too.
    person_id: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    user_id: str | None = None
    username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    workstation: str | None = None

    def said(self) -> str:
        parts = [f"{k}={v.isoformat() if isinstance(v, datetime) else v}" for k, v in vars(self).items()
                 if v is not None]
        return ", ".join(parts) or "no filter"


def _workstation() -> Any:
    """The workstation of the session the user had at the time of the row: the newest one signed in before it
    and not yet signed out (the audit row does not name its session; see docs/security.md)."""
    return (select(Token.workstation)
            .where(Token.user_id == AuditEntry.user_id, Token.created_at <= AuditEntry.at,
                   or_(Token.revoked_at.is_(None), Token.revoked_at >= AuditEntry.at))
            .order_by(Token.created_at.desc()).limit(1).correlate(AuditEntry).scalar_subquery())


def _names(subject_clause: Any, entity_clause: Any) -> Any:
    """Rows naming the subject: alone (entity_id, indexed) or among a list read's subjects (audit_subject's
    entity_id index, then its primary key)."""
    return or_(entity_clause, AuditEntry.id.in_(select(AuditSubject.audit_id).where(subject_clause)))


def read_page(session: Session, viewer: User, flt: AuditFilter, before: int | None, limit: int,
              reason: str | None) -> AuditPage:
    workstation = _workstation().label("workstation")
    query = (select(AuditEntry, User, workstation).outerjoin(User, User.id == AuditEntry.user_id)
             .order_by(AuditEntry.id.desc()).limit(limit + 1))
    where: list[Any] = []
    if before is not None:
        where.append(AuditEntry.id < before)
    if flt.person_id is not None:
        them = select(Person.id).where(or_(Person.id == flt.person_id, Person.merged_into == flt.person_id))
        their_records = select(CustodyRecord.id).where(CustodyRecord.person_id.in_(them))
        their_cases = select(ChargeCase.id).where(ChargeCase.record_id.in_(their_records))
        where.append(_names(or_(AuditSubject.entity_id.in_(them), AuditSubject.entity_id.in_(their_records),
                                AuditSubject.entity_id.in_(their_cases)),
                            or_(AuditEntry.entity_id.in_(them), AuditEntry.entity_id.in_(their_records),
                                AuditEntry.entity_id.in_(their_cases))))
    if flt.entity_id is not None:
        where.append(_names(AuditSubject.entity_id == flt.entity_id, AuditEntry.entity_id == flt.entity_id))
    if flt.entity is not None:
        where.append(AuditEntry.entity == flt.entity)
    if flt.user_id is not None:
        where.append(AuditEntry.user_id == flt.user_id)
    if flt.username is not None:
        where.append(User.username == flt.username.strip())
    if flt.action is not None:
        where.append(AuditEntry.action == flt.action)
    if flt.since is not None:
        where.append(AuditEntry.at >= flt.since)
    if flt.until is not None:
        where.append(AuditEntry.at < flt.until)
    if flt.workstation is not None:
        where.append(_workstation() == flt.workstation)
    if where:
        query = query.where(and_(*where))
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    entries = [AuditEntryOut(
        id=e.id, at=e.at, action=e.action, entity=e.entity, entity_id=e.entity_id, justification=e.justification,
        workstation=ws, subjects=[s.entity_id for s in e.subjects],
        user=AuditUser(id=u.id, username=u.username, display_name=u.display_name, rank=u.rank,
                       collar_number=u.collar_number) if u is not None else None)
        for e, u, ws in rows]
    # Reading the audit is itself a consultation of personal data (who looked at whom).
    subject = flt.person_id or flt.entity_id
    said = f"audit viewer ({flt.said()}; {len(entries)} rows)"
    audit.record(session, viewer, audit.AuditAction.CONSULTATION, AUDIT, subject,
                 f"{said}: {reason}" if reason else said)
    return AuditPage(entries=entries, next_before=entries[-1].id if more and entries else None)
