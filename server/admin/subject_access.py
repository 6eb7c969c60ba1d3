"""Subject access (DPA 2018 s.45): everything held on one person, as JSON, with what must be withheld left out and
marked with the reason.

What is held is found from the schema, not listed by hand, so a table another issue adds that names a person or
one of their custody records is included without a change here: the person record itself; each custody record
with every table hanging off it (log, checks, rights, reviews, risk assessments, charges, disclosures, ...); the
investigations they are linked to (the link and the investigation's heading, not other people's parts of it);
merges; and any other table naming the person. One query per table, whatever the number of rows.

Intelligence is withheld, never silently dropped: the source (reference, evaluation, unsanitised text, grading,
places and events) always; the whole report for handling code C or one not yet sanitised and disseminated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Table, or_, select
from sqlalchemy.orm import Session

from domain.grading import HandlingCode
from server import audit
from server.admin.schemas import AuditUser, SubjectAccessIn, SubjectAccessOut, SubjectItem, SubjectSection, Withheld
from server.auth.models import User
from server.custody.models import CustodyRecord
from server.db import Base, utcnow
from server.intelligence.access import DISSEMINATED
from server.intelligence.models import IntelligencePerson, IntelligenceReport
from server.investigations.models import Investigation, InvestigationPerson
from server.people.schemas import person_out
from server.people.service import PERSON, get_person

# The reasons, worded once (docs/security.md lists them).
SOURCE = ("Could identify a source of intelligence: withheld to protect the rights and freedoms of others and to "
          "avoid prejudicing the prevention or detection of crime (DPA 2018 s.45(4)(b) and (e)).")
HANDLING_C = ("Handling code C (shared only under stated conditions): disclosure would prejudice the prevention "
              "or detection of crime (DPA 2018 s.45(4)(b)).")
NOT_SANITISED = ("Not yet sanitised and disseminated, so it may identify a source: withheld (DPA 2018 "
                 "s.45(4)(b) and (e)).")
# Held elsewhere in this export, or internal bookkeeping rather than information about the person.
SKIP_TABLES = {"people", "person_aliases", "person_addresses", "person_warning_markers", "investigation_people",
               "users", "user_roles", "auth_tokens", "audit_log", "events", "idempotency_keys"}
SKIP_COLUMNS = {"version", "record_id", "person_id"}


def _fk(column: Column[Any], table: str) -> bool:
    return any(fk.column.table.name == table and fk.column.name == "id" for fk in column.foreign_keys)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat() + "+00:00"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Officers:
    """Officers named by id in what is exported, written as "Rank Name (collar)": one query at the end."""

    def __init__(self) -> None:
        self.cells: list[tuple[dict[str, Any], str, str]] = []

    def row(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in table.columns:
            name = column.name
            if name in SKIP_COLUMNS or table.name.startswith("intelligence"):
                continue
            value = values.get(name)
            # An officer's id (a foreign key to users, or an id column of no other table, such as
            # officer_in_case_id) is written as the officer, if it is one.
            maybe_officer = _fk(column, "users") or (name.endswith("_id") and not column.foreign_keys)
            if maybe_officer and isinstance(value, str) and value:
                label = name.removesuffix("_id")
                out[label] = value
                self.cells.append((out, label, value))
            else:
                out[name] = _value(value)
        return out

    def resolve(self, session: Session) -> None:
        ids = {uid for _, _, uid in self.cells}
        if not ids:
            return
        names = {u.id: " ".join(p for p in (u.rank, u.display_name) if p) + (f" ({u.collar_number})"
                                                                             if u.collar_number else "")
                 for u in session.scalars(select(User).where(User.id.in_(ids)))}
        for cells, label, uid in self.cells:
            cells[label] = names.get(uid, uid)


def _rows(session: Session, table: Table, where: Any) -> list[dict[str, Any]]:
    order = [c for c in table.columns if c.name in ("observed_at", "at", "recorded_at", "created_at")][:1]
    query = select(table).where(where)
    if order:
        query = query.order_by(order[0])
    return [dict(r) for r in session.execute(query).mappings()]


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIP_TABLES
            and not t.name.startswith("intelligence")]


def _intelligence(session: Session, person_id: str) -> tuple[list[SubjectItem], list[Withheld]]:
    items: list[SubjectItem] = []
    summary: list[Withheld] = []
    rows = session.execute(select(IntelligencePerson.role, IntelligenceReport)
                           .join(IntelligenceReport, IntelligenceReport.id == IntelligencePerson.report_id)
                           .where(IntelligencePerson.person_id == person_id)
                           .order_by(IntelligenceReport.submitted_at)).all()
    for n, (role, report) in enumerate(rows, start=1):
        if report.handling_code == HandlingCode.CONDITIONS.value:
            withheld = [Withheld(what="The whole intelligence report", reason=HANDLING_C)]
            item = SubjectItem(heading=f"Intelligence report {n} of {len(rows)}: withheld", fields={},
                               withheld=withheld)
        elif report.status != DISSEMINATED:
            withheld = [Withheld(what="The whole intelligence report", reason=NOT_SANITISED)]
            item = SubjectItem(heading=f"Intelligence report {n} of {len(rows)}: withheld", fields={},
                               withheld=withheld)
        else:
            withheld = [Withheld(what="Source reference, source evaluation, grading, unsanitised text, places "
                                      "and events", reason=SOURCE)]
            item = SubjectItem(heading=f"Intelligence report {report.reference}", withheld=withheld, fields={
                "reference": report.reference, "submitted_at": _value(report.submitted_at),
                "disseminated_at": _value(report.disseminated_at), "named_as": role,
                "text": report.sanitised_text, "handling_code": report.handling_code})
        items.append(item)
        summary.extend(Withheld(what=f"{item.heading}: {w.what}", reason=w.reason) for w in withheld)
    return items, summary


def export(session: Session, user: User, person_id: str, body: SubjectAccessIn) -> SubjectAccessOut:
    person = get_person(session, person_id)
    officers = _Officers()
    records_table = CustodyRecord.__table__
    assert isinstance(records_table, Table)
    custody_rows = _rows(session, records_table, records_table.c.person_id == person.id)
    record_ids = [r["id"] for r in custody_rows]
    # Plain dicts until the officers are resolved (a SubjectItem would copy them first).
    custody_fields = {r["id"]: officers.row(records_table, r) for r in custody_rows}
    other: list[tuple[str, dict[str, Any]]] = []
    held: dict[str, list[dict[str, Any]]] = {}  # table -> its rows, for the tables below them
    for table in _tables():
        if table is records_table:
            continue
        by_record = [c for c in table.columns if _fk(c, "custody_records")]
        by_person = [c for c in table.columns if _fk(c, "people")]
        parents = [(c, parent) for c in table.columns for parent in held if _fk(c, parent)]
        if by_record and record_ids:
            rows = _rows(session, table, by_record[0].in_(record_ids))
            held[table.name] = rows
            for r in rows:
                custody_fields[r[by_record[0].name]].setdefault(table.name, []).append(officers.row(table, r))
        elif by_person:
            rows = _rows(session, table, by_person[0] == person.id) if len(by_person) == 1 else \
                _rows(session, table, _any(by_person, person.id))
            held[table.name] = rows
            other.extend((table.name, officers.row(table, r)) for r in rows)
        elif parents:
            column, parent = parents[0]
            ids = [r["id"] for r in held[parent]]
            if ids:
                other.extend((table.name, officers.row(table, r)) for r in _rows(session, table, column.in_(ids)))
    investigations = [SubjectItem(heading=f"Investigation {inv.reference}", fields={
        "reference": inv.reference, "title": inv.title, "status": inv.status, "opened_at": _value(inv.opened_at),
        "named_as": link.role, "linked_at": _value(link.added_at)}) for link, inv in session.execute(
        select(InvestigationPerson, Investigation)
        .join(Investigation, Investigation.id == InvestigationPerson.investigation_id)
        .where(InvestigationPerson.person_id == person.id).order_by(Investigation.opened_at))]
    intelligence, withheld = _intelligence(session, person.id)
    officers.resolve(session)
    custody_items = [SubjectItem(heading=f"Custody record {r['custody_number']}", fields=custody_fields[r["id"]])
                     for r in custody_rows]
    other_items = [SubjectItem(heading=name.replace("_", " ").capitalize(), fields=fields) for name, fields in other]
    person_item = SubjectItem(heading=f"{person.forenames} {person.surname}".strip(),
                              fields=person_out(person).model_dump(mode="json", exclude={"version"}))
    sections = [SubjectSection(title="Person record", items=[person_item]),
                SubjectSection(title="Custody records", items=custody_items),
                SubjectSection(title="Investigations", items=investigations),
                SubjectSection(title="Intelligence", items=intelligence),
                SubjectSection(title="Other records", items=other_items)]
    justification = f"subject access export {body.request_reference}" + (f": {body.reason}" if body.reason else "")
    audit.record(session, user, audit.AuditAction.DISCLOSURE, PERSON, person.id, justification[:2000])
    audit.record_many(session, user, audit.AuditAction.DISCLOSURE, "custody_record", record_ids,
                      justification[:2000])
    return SubjectAccessOut(
        request_reference=body.request_reference, generated_at=utcnow(), person_id=person.id,
        person_name=person_item.heading,
        generated_by=AuditUser(id=user.id, username=user.username, display_name=user.display_name, rank=user.rank,
                               collar_number=user.collar_number),
        sections=sections, withheld=withheld)


def _any(columns: Iterable[Column[Any]], value: str) -> Any:
    return or_(*(c == value for c in columns))
