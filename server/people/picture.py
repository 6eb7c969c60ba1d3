"""The whole picture of one person across modules: custody, investigations, intelligence, prosecution."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.auth.models import User
from server.custody.models import CustodyRecord
from server.db import Base
from server.intelligence.access import may_see
from server.intelligence.models import IntelligencePerson, IntelligenceReport
from server.investigations.models import Investigation, InvestigationPerson
from server.people.models import Person
from server.people.schemas import PersonOut, PersonSummary, person_out, person_summary
from server.people.service import PERSON, get_person
from server.wire import UTCOut


class CustodyLink(BaseModel):
    record_id: str
    custody_number: str
    status: str
    arrived_at: UTCOut
    released_at: UTCOut | None
    role: str = "detainee"


class InvestigationLink(BaseModel):
    investigation_id: str
    reference: str
    title: str
    status: str
    role: str


class IntelligenceLink(BaseModel):
    report_id: str
    reference: str
    title: str
    handling_code: str
    status: str
    role: str


class ProsecutionLink(BaseModel):
    case_id: str
    reference: str | None
    status: str | None
    role: str


class PictureOut(BaseModel):
    person: PersonOut
    custody: list[CustodyLink]
    investigations: list[InvestigationLink]
    intelligence: list[IntelligenceLink]
    prosecution: list[ProsecutionLink]
    merged_from: list[PersonSummary]


def _prosecution(session: Session, person_id: str) -> list[ProsecutionLink]:
    """Rows of the prosecution area that name this person, found from the schema (it is built separately)."""
    found = []
    for table in Base.metadata.sorted_tables:
        if not table.name.startswith("prosecution"):
            continue
        for column in table.columns:
            if not any(fk.column.table.name == "people" for fk in column.foreign_keys):
                continue
            for row in session.execute(select(table).where(column == person_id)).mappings():
                values: dict[str, Any] = dict(row)
                found.append(ProsecutionLink(
                    case_id=str(values.get("case_id") or values.get("id")),
                    reference=next((str(values[k]) for k in ("urn", "reference", "case_number") if values.get(k)),
                                   None),
                    status=str(values["status"]) if values.get("status") else None,
                    role=str(values.get("role") or ("defendant" if column.name in ("person_id", "defendant_id")
                                                    else column.name.removesuffix("_id")))))
    return found


def picture(session: Session, user: User, person_id: str) -> PictureOut:
    person = get_person(session, person_id)
    custody = [CustodyLink(record_id=r.id, custody_number=r.custody_number, status=r.status,
                           arrived_at=r.arrived_at, released_at=r.released_at)
               for r in session.scalars(select(CustodyRecord).where(CustodyRecord.person_id == person.id)
                                        .order_by(CustodyRecord.arrived_at.desc()))]
    investigations = [InvestigationLink(investigation_id=inv.id, reference=inv.reference, title=inv.title,
                                        status=inv.status, role=link.role)
                      for link, inv in session.execute(
                          select(InvestigationPerson, Investigation)
                          .join(Investigation, Investigation.id == InvestigationPerson.investigation_id)
                          .where(InvestigationPerson.person_id == person.id)
                          .order_by(Investigation.opened_at.desc()))]
    intelligence = [IntelligenceLink(report_id=rep.id, reference=rep.reference, title=rep.title,
                                     handling_code=rep.handling_code, status=rep.status, role=link.role)
                    for link, rep in session.execute(
                        select(IntelligencePerson, IntelligenceReport)
                        .join(IntelligenceReport, IntelligenceReport.id == IntelligencePerson.report_id)
                        .where(IntelligencePerson.person_id == person.id)
                        .order_by(IntelligenceReport.submitted_at.desc()))
                    if may_see(user.role, rep.handling_code, rep.status)]
    merged_from = [person_summary(p) for p in session.scalars(select(Person).where(Person.merged_into == person.id))]
    audit.record(session, user, audit.AuditAction.COMBINATION, PERSON, person.id, "whole picture across modules")
    return PictureOut(person=person_out(person), custody=custody, investigations=investigations,
                      intelligence=intelligence, prosecution=_prosecution(session, person.id),
                      merged_from=merged_from)
