"""Search keys stored beside each name so person retrieval is an indexed query (see server.people.search)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.names import compact, soundex

if TYPE_CHECKING:  # the models call these from their insert/update hooks
    from server.people.models import Person, PersonAlias


def first_forename(forenames: str) -> str:
    parts = forenames.split()
    return parts[0] if parts else ""


def name_keys(surname: str, forenames: str) -> dict[str, str]:
    first = first_forename(forenames)
    return {"surname_key": compact(surname), "surname_sx": soundex(surname),
            "forename_key": compact(first), "forename_sx": soundex(first)}


def dob_keys(dob: date | None) -> dict[str, int | None]:
    return {"dob_year": dob.year if dob else None, "dob_month": dob.month if dob else None,
            "dob_day": dob.day if dob else None}


def refresh_person_keys(person: Person) -> None:
    for attr, value in {**name_keys(person.surname, person.forenames), **dob_keys(person.date_of_birth)}.items():
        setattr(person, attr, value)


def refresh_alias_keys(alias: PersonAlias) -> None:
    for attr, value in name_keys(alias.surname, alias.forenames).items():
        setattr(alias, attr, value)
