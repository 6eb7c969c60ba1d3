"""The whole picture of one person across areas: custody, investigations, intelligence, prosecution.

It reads every area, so it lives above them (design.md: areas do not import each other in circles); the people
area knows nothing of custody, investigations or intelligence. GET /api/v1/people/{id}/picture.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, Table, inspect, select
from sqlalchemy.orm import Session

from server import audit
from server.auth.dependencies import CurrentUser, SessionDep
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


def _prosecution_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables
            if t.name.startswith("prosecution") or t.name.endswith("_cases")]


def _fk_to(column: Column[Any], table: str) -> bool:
    return any(fk.column.table.name == table and fk.column.name == "id" for fk in column.foreign_keys)


def _prosecution(session: Session, person_id: str) -> list[ProsecutionLink]:
    """Cases of the prosecution area that name this person directly or through a custody record. Found from
    the schema, because that area is built separately (issue 5: charge_cases hang off custody records)."""
    found = []
    existing = None
    for table in _prosecution_tables():
        if existing is None:
            existing = set(inspect(session.get_bind()).get_table_names())
        if table.name not in existing:
            continue
        for column in table.columns:
            if _fk_to(column, "people"):
                where, role = column == person_id, "defendant" if column.name in ("person_id", "defendant_id") \
                    else column.name.removesuffix("_id")
            elif _fk_to(column, "custody_records"):
                where, role = column.in_(select(CustodyRecord.id).where(CustodyRecord.person_id == person_id)), \
                    "defendant"
            else:
                continue
            for row in session.execute(select(table).where(where)).mappings():
                values: dict[str, Any] = dict(row)
                reference = next((str(values[k]) for k in ("urn", "reference", "case_number") if values.get(k)), None)
                if reference is None and column.name == "record_id":
                    reference = session.scalar(select(CustodyRecord.custody_number)
                                               .where(CustodyRecord.id == values["record_id"]))
                status = values.get("status") or ("charged" if values.get("charged_at") else None)
                found.append(ProsecutionLink(case_id=str(values.get("case_id") or values.get("id")),
                                             reference=reference, status=str(status) if status else None,
                                             role=str(values.get("role") or role)))
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
                    if may_see(user.roles, rep.handling_code, rep.status)]
    merged_from = [person_summary(p) for p in session.scalars(select(Person).where(Person.merged_into == person.id))]
    audit.record(session, user, audit.AuditAction.COMBINATION, PERSON, person.id, "whole picture across modules")
    return PictureOut(person=person_out(person), custody=custody, investigations=investigations,
                      intelligence=intelligence, prosecution=_prosecution(session, person.id),
                      merged_from=merged_from)


router = APIRouter(prefix="/people", tags=["people"])


@router.get("/{person_id}/picture", response_model=PictureOut)
def person_picture(person_id: str, user: CurrentUser, session: SessionDep) -> PictureOut:
    return picture(session, user, person_id)
