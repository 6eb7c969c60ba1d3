"""Merging duplicate person records and undoing a merge (supervisor only; domain.md §6.4).

Every column anywhere in the schema that references people.id is re-pointed (found from the metadata, so
areas added later – prosecution, custody – are covered without changes here). Each moved row is recorded,
so undo puts back exactly the rows that moved and nothing else.
"""

from __future__ import annotations

import json
import uuid

from typing import Any

from sqlalchemy import Column, ColumnElement, Row, Table, delete, select, update
from sqlalchemy.orm import Session

from domain.events import EventType
from server import audit, events, records
from server.auth.models import User
from server.db import Base, utcnow
from server.errors import ProblemError
from server.people.keys import refresh_alias_keys
from server.people.models import Person, PersonAlias, PersonMerge, PersonMergeLink
from server.people.schemas import MergeIn, MergeOut, person_out
from server.people.service import PERSON, get_person

MERGE = "person_merge"
# Columns that describe a merge rather than link a person to something.
_NOT_LINKS = {("people", "merged_into"), ("person_merges", "survivor_id"), ("person_merges", "merged_id")}


def person_link_columns() -> list[tuple[Table, Column[Any]]]:
    found: list[tuple[Table, Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in _NOT_LINKS:
                continue
            if any(fk.column.table.name == "people" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _row_key(table: Table, row: Row[Any]) -> str:
    pk = list(table.primary_key.columns)
    values = [row._mapping[c.name] for c in pk]
    return str(values[0]) if len(values) == 1 else json.dumps([str(v) for v in values])


def _where_key(table: Table, key: str) -> list[ColumnElement[bool]]:
    pk = list(table.primary_key.columns)
    values = [key] if len(pk) == 1 else json.loads(key)
    return [c == v for c, v in zip(pk, values)]


def _repoint(session: Session, table: Table, column: Column[Any], where: list[ColumnElement[bool]],
             new_id: str) -> None:
    values: dict[str, Any] = {column.name: new_id}
    if "version" in table.c:  # records with optimistic locking must show they changed
        values["version"] = table.c.version + 1
    session.execute(update(table).where(*where).values(**values))


def merge_out(merge: PersonMerge) -> MergeOut:
    return MergeOut.model_validate(merge)


def _emit_people(session: Session, *people: Person) -> None:
    for person in people:
        events.emit(session, EventType.PERSON_UPDATED, PERSON, person.id, person_out(person))


def _claim_both(session: Session, survivor_id: str, merged_id: str) -> tuple[Person, Person]:
    """Lock both people and move them to their next version, always in id order so two merges cannot deadlock."""
    claimed = {pid: records.claim(session, Person, pid, None, what="person", current=person_out, required=False)
               for pid in sorted({survivor_id, merged_id})}
    return claimed[survivor_id], claimed[merged_id]


def merge_people(session: Session, user: User, body: MergeIn) -> MergeOut:
    if body.survivor_id == body.merged_id:
        raise ProblemError.field("merged_id", "A record cannot be merged into itself; choose two different people.")
    survivor, merged = _claim_both(session, body.survivor_id, body.merged_id)
    for person, field in ((survivor, "survivor_id"), (merged, "merged_id")):
        if person.merged_into:
            raise ProblemError.field(field, f"{person.forenames} {person.surname} was already merged into "
                                            f"another record; merge with that one.")
    if survivor.pnc_id and merged.pnc_id and survivor.pnc_id != merged.pnc_id:
        raise ProblemError(409, f"These records have different PNC IDs ({survivor.pnc_id} and {merged.pnc_id}); "
                                "people with different PNC IDs are never merged. Check with the PNC bureau.")
    if survivor.cro_number and merged.cro_number and survivor.cro_number != merged.cro_number:
        raise ProblemError(409, f"These records have different CRO numbers ({survivor.cro_number} and "
                                f"{merged.cro_number}); they are not merged. Check with the PNC bureau.")
    if session.get(PersonMerge, body.id) is not None:
        raise ProblemError(409, f"A merge with id {body.id} already exists.")
    session.flush()
    now = utcnow()
    merge = PersonMerge(id=body.id, survivor_id=survivor.id, merged_id=merged.id, reason=body.reason,
                        merged_by=user, merged_at=now)
    session.add(merge)
    session.flush()
    links = []
    for table, column in person_link_columns():
        rows = session.execute(select(*table.primary_key.columns).where(column == merged.id)).all()
        for row in rows:
            key = _row_key(table, row)
            _repoint(session, table, column, _where_key(table, key), survivor.id)
            links.append(PersonMergeLink(id=str(uuid.uuid4()), merge_id=merge.id, table_name=table.name,
                                         column_name=column.name, row_id=key))
    session.add_all(links)
    session.flush()
    session.expire_all()
    survivor, merged, merge = session.get_one(Person, body.survivor_id), session.get_one(Person, body.merged_id), \
        session.get_one(PersonMerge, body.id)
    # The survivor keeps the merged record's name as an alias, and any identifier it lacked.
    alias = PersonAlias(id=str(uuid.uuid4()), person_id=survivor.id, surname=merged.surname,
                        forenames=merged.forenames, date_of_birth=merged.date_of_birth, added_by_merge_id=merge.id)
    refresh_alias_keys(alias)
    session.add(alias)
    if merged.pnc_id and not survivor.pnc_id:
        survivor.pnc_id = merge.copied_pnc_id = merged.pnc_id
    if merged.cro_number and not survivor.cro_number:
        survivor.cro_number = merge.copied_cro_number = merged.cro_number
    merged.merged_into = survivor.id
    for person in (survivor, merged):
        person.updated_at = now  # the version moved on when _claim_both claimed them
    session.flush()
    session.expire_all()
    merge = session.get_one(PersonMerge, body.id)
    out = merge_out(merge)
    for pid in (survivor.id, merged.id):
        audit.record(session, user, audit.AuditAction.COMBINATION, PERSON, pid, f"merge {merge.id}: {body.reason}")
    events.emit(session, EventType.PERSON_MERGED, PERSON, merged.id, out)
    _emit_people(session, session.get_one(Person, body.survivor_id), session.get_one(Person, body.merged_id))
    return out


def undo_merge(session: Session, user: User, merge_id: str, reason: str) -> MergeOut:
    merge = session.get(PersonMerge, merge_id)
    if merge is None:
        raise ProblemError(404, f"There is no merge with id {merge_id[:40]!r}.")
    if merge.undone_at is not None:
        raise ProblemError(409, "This merge was already undone.", current=merge_out(merge).model_dump(mode="json"))
    _claim_both(session, merge.survivor_id, merge.merged_id)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for link in merge.links:
        table = tables[link.table_name]
        _repoint(session, table, table.c[link.column_name], _where_key(table, link.row_id), merge.merged_id)
    session.execute(delete(PersonAlias).where(PersonAlias.added_by_merge_id == merge.id)
                    .execution_options(synchronize_session=False))
    session.flush()
    session.expire_all()
    merge = session.get_one(PersonMerge, merge_id)
    survivor, merged = session.get_one(Person, merge.survivor_id), session.get_one(Person, merge.merged_id)
    if merge.copied_pnc_id and survivor.pnc_id == merge.copied_pnc_id:
        survivor.pnc_id = None
    if merge.copied_cro_number and survivor.cro_number == merge.copied_cro_number:
        survivor.cro_number = None
    merged.merged_into = None
    now = utcnow()
    for person in (survivor, merged):
        person.updated_at = now
    merge.undone_at, merge.undone_by, merge.undo_reason = now, user, reason
    session.flush()
    out = merge_out(merge)
    for pid in (survivor.id, merged.id):
        audit.record(session, user, audit.AuditAction.ALTERATION, PERSON, pid, f"undo merge {merge.id}: {reason}")
    events.emit(session, EventType.PERSON_MERGE_UNDONE, PERSON, merged.id, out)
    _emit_people(session, survivor, merged)
    return out


def merges_of(session: Session, person_id: str) -> list[MergeOut]:
    get_person(session, person_id)
    rows = session.scalars(select(PersonMerge).where((PersonMerge.survivor_id == person_id)
                                                     | (PersonMerge.merged_id == person_id))
                           .order_by(PersonMerge.merged_at)).all()
    return [merge_out(m) for m in rows]
