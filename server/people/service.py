"""People (POLE) records: create, read, update, warning markers. Services never commit: the request does.

`create_person(session, data)` and `get_person(session, id)` are also used by custody booking-in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.events import EventType
from domain.identifiers import validate_cro, validate_pnc_id
from domain.people import dob_problem
from server import audit, events, records
from server.auth.models import User
from server.db import utcnow
from server.errors import ProblemError
from server.people.keys import refresh_alias_keys, refresh_person_keys
from server.people.models import Person, PersonAddress, PersonAlias, WarningMarker
from server.people.schemas import AddressIn, AliasIn, MarkerAdd, PersonIn, PersonOut, PersonPatch, person_out

PERSON = "person"


def _field_errors(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise ProblemError(422, "; ".join(f"{f}: {m}" for f, m in errors[:5]),
                           errors=[{"field": f, "message": m} for f, m in errors])


def canonical_identifiers(pnc_id: str | None, cro_number: str | None,
                          today: date | None = None) -> tuple[str | None, str | None]:
    """Validate with domain.identifiers and return the canonical forms (422 field errors otherwise)."""
    errors: list[tuple[str, str]] = []
    pnc = cro = None
    if pnc_id is not None and pnc_id.strip():
        checked = validate_pnc_id(pnc_id, today=today)
        if checked.ok:
            pnc = checked.canonical
        else:
            errors.append(("pnc_id", checked.error or "Not a valid PNC ID."))
    if cro_number is not None and cro_number.strip():
        checked = validate_cro(cro_number)
        if checked.ok:
            cro = checked.canonical
        else:
            errors.append(("cro_number", checked.error or "Not a valid CRO number."))
    _field_errors(errors)
    return pnc, cro


def _check_dob(dob: date | None, field: str = "date_of_birth") -> None:
    if dob is not None and (problem := dob_problem(dob, utcnow().date())):
        _field_errors([(field, problem)])


def _check_alias_dobs(aliases: list[AliasIn] | None) -> None:
    for i, alias in enumerate(aliases or []):
        _check_dob(alias.date_of_birth, f"aliases.{i}.date_of_birth")


def _identifier_clash(session: Session, person_id: str | None, pnc: str | None, cro: str | None) -> None:
    for column, value, label in ((Person.pnc_id, pnc, "PNC ID"), (Person.cro_number, cro, "CRO number")):
        if value is None:
            continue
        other = session.scalar(select(Person).where(column == value, Person.merged_into.is_(None),
                                                    Person.id != (person_id or "")).limit(1))
        if other is not None:
            raise ProblemError(409, f"{other.forenames} {other.surname} already has {label} {value}; open that "
                                    "record rather than creating a second one.",
                               current=person_out(other).model_dump(mode="json"))


def _aliases(person_id: str, aliases: list[AliasIn], existing: Sequence[PersonAlias] = ()) -> list[PersonAlias]:
    """Rows for the given aliases; one whose id is already this person's is updated in place (a client sends
    back what it read), so replacing the list never inserts a second row with the same id."""
    known = {a.id: a for a in existing}
    rows = []
    for a in aliases:
        row = known.get(a.id or "") or PersonAlias(id=a.id or str(uuid.uuid4()), person_id=person_id)
        row.surname, row.forenames, row.date_of_birth = a.surname, a.forenames, a.date_of_birth
        refresh_alias_keys(row)
        rows.append(row)
    return rows


def _addresses(person_id: str, addresses: list[AddressIn],
               existing: Sequence[PersonAddress] = ()) -> list[PersonAddress]:
    known = {a.id: a for a in existing}
    rows = []
    for a in addresses:
        row = known.get(a.id or "") or PersonAddress(id=a.id or str(uuid.uuid4()), person_id=person_id)
        row.kind, row.line1, row.line2, row.town = a.kind, a.line1, a.line2, a.town
        row.postcode, row.from_date, row.to_date = a.postcode.upper().strip(), a.from_date, a.to_date
        rows.append(row)
    return rows


def create_person(session: Session, data: PersonIn | Mapping[str, Any], user: User | None = None) -> Person:
    """Validate and add a person (with aliases, addresses and markers); emits people.person.created."""
    body = data if isinstance(data, PersonIn) else PersonIn.model_validate(dict(data))
    _check_dob(body.date_of_birth)
    _check_alias_dobs(body.aliases)
    pnc, cro = canonical_identifiers(body.pnc_id, body.cro_number)
    records.ensure_new(session, Person, body.id, "person", person_out)
    _identifier_clash(session, None, pnc, cro)
    now = utcnow()
    person = Person(id=body.id, surname=body.surname, forenames=body.forenames, date_of_birth=body.date_of_birth,
                    gender=body.gender, self_defined_ethnicity=body.self_defined_ethnicity,
                    officer_defined_ethnicity=body.officer_defined_ethnicity, pnc_id=pnc, cro_number=cro,
                    version=1, created_at=now, updated_at=now)
    refresh_person_keys(person)
    person.aliases = _aliases(person.id, body.aliases or [])
    person.addresses = _addresses(person.id, body.addresses or [])
    if body.warning_markers:
        if user is None:
            raise ProblemError.field("warning_markers", "Warning markers need the officer who set them.")
        person.warning_markers = [WarningMarker(id=m.id or str(uuid.uuid4()), person_id=person.id, code=m.code,
                                                details=m.details, set_by=user, set_at=now)
                                  for m in body.warning_markers]
    session.add(person)
    session.flush()
    out = person_out(person)
    audit.record(session, user, audit.AuditAction.COLLECTION, PERSON, person.id)
    events.emit(session, EventType.PERSON_CREATED, PERSON, person.id, out)
    return person


def get_person(session: Session, person_id: str) -> Person:
    return records.get_or_404(session, Person, person_id, "person")


def read_person(session: Session, user: User, person_id: str) -> PersonOut:
    person = get_person(session, person_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, PERSON, person.id)
    return person_out(person)


def _claim(session: Session, person_id: str, if_match: int | None, required: bool = True) -> Person:
    return records.claim(session, Person, person_id, if_match, what="person", current=person_out, required=required)


def _changed(session: Session, user: User, person: Person) -> PersonOut:
    """After _claim (which moved the version on): stamp, audit and announce the change."""
    person.updated_at = utcnow()
    session.flush()
    out = person_out(person)
    audit.record(session, user, audit.AuditAction.ALTERATION, PERSON, person.id)
    events.emit(session, EventType.PERSON_UPDATED, PERSON, person.id, out)
    return out


def update_person(session: Session, user: User, person_id: str, body: PersonPatch,
                  if_match: int | None) -> PersonOut:
    person = _claim(session, person_id, if_match)
    if person.merged_into:
        raise ProblemError(409, f"This record was merged into {person.merged_into}; change that record instead.")
    given = body.model_fields_set
    if "date_of_birth" in given:
        _check_dob(body.date_of_birth)
    _check_alias_dobs(body.aliases)
    pnc, cro = canonical_identifiers(body.pnc_id, body.cro_number)
    if "pnc_id" in given or "cro_number" in given:
        _identifier_clash(session, person.id, pnc if "pnc_id" in given else None,
                          cro if "cro_number" in given else None)
    for name in ("surname", "forenames"):
        if name in given:
            if getattr(body, name) is None:
                _field_errors([(name, f"The {name} cannot be removed.")])
            setattr(person, name, getattr(body, name))
    for name in ("date_of_birth", "gender", "self_defined_ethnicity", "officer_defined_ethnicity"):
        if name in given:
            setattr(person, name, getattr(body, name))
    if "pnc_id" in given:
        person.pnc_id = pnc
    if "cro_number" in given:
        person.cro_number = cro
    if "aliases" in given:
        # Aliases a merge added stay: the merge (and its undo) own them.
        kept = [a for a in person.aliases if a.added_by_merge_id]
        editable = [a for a in person.aliases if not a.added_by_merge_id]
        person.aliases = kept + _aliases(person.id, body.aliases or [], editable)
    if "addresses" in given:
        person.addresses = _addresses(person.id, body.addresses or [], person.addresses)
    refresh_person_keys(person)
    return _changed(session, user, person)


def add_marker(session: Session, user: User, person_id: str, body: MarkerAdd) -> PersonOut:
    person = _claim(session, person_id, None, required=False)
    if person.merged_into:
        raise ProblemError(409, f"This record was merged into {person.merged_into}; add the marker there.")
    records.ensure_new(session, WarningMarker, body.id, "warning marker")
    person.warning_markers.append(WarningMarker(id=body.id, person_id=person.id, code=body.code,
                                                details=body.details, set_by=user, set_at=utcnow()))
    return _changed(session, user, person)


def remove_marker(session: Session, user: User, person_id: str, marker_id: str, reason: str) -> PersonOut:
    person = _claim(session, person_id, None, required=False)
    marker = next((m for m in person.warning_markers if m.id == marker_id), None)
    if marker is None:
        raise ProblemError(404, f"This person has no warning marker {marker_id[:40]!r}.")
    if marker.removed_at is not None:
        raise ProblemError(409, "This warning marker was already removed.")
    marker.removed_at, marker.removed_by, marker.removal_reason = utcnow(), user, reason
    return _changed(session, user, person)
