"""Wire shapes of the people API (docs/api-people.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.identifiers import short_pnc_id
from domain.people import (GENDERS, OFFICER_DEFINED_ETHNICITY, SELF_DEFINED_ETHNICITY, WARNING_MARKERS, dob_problem,
                           name_problem)
from server.people.models import Person
from server.wire import NOT_BLANK, CleanStr, ClientId, DateIn, UTCOut



class UserBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    display_name: str
    rank: str
    collar_number: str
    role: str


class AliasIn(BaseModel):
    id: str | None = Field(default=None, max_length=36)
    surname: CleanStr = Field(max_length=100)
    forenames: CleanStr = Field(default="", max_length=200)
    date_of_birth: DateIn | None = None

    @field_validator("surname")
    @classmethod
    def _surname(cls, value: str) -> str:
        if problem := name_problem(value, "alias surname"):
            raise ValueError(problem)
        return value.strip()

    @field_validator("forenames")
    @classmethod
    def _forenames(cls, value: str) -> str:
        if problem := name_problem(value, "alias forenames", required=False):
            raise ValueError(problem)
        return value.strip()

    _dob = field_validator("date_of_birth")(classmethod(lambda cls, v: _check_dob(v)))


class AddressIn(BaseModel):
    id: str | None = Field(default=None, max_length=36)
    kind: str = Field(default="home", max_length=20)
    line1: CleanStr = Field(min_length=1, max_length=200)
    line2: CleanStr = Field(default="", max_length=200)
    town: CleanStr = Field(default="", max_length=100)
    postcode: CleanStr = Field(default="", max_length=10)
    from_date: DateIn | None = None
    to_date: DateIn | None = None


class MarkerIn(BaseModel):
    id: str | None = Field(default=None, max_length=36)
    code: str = Field(max_length=30, json_schema_extra={"enum": list(WARNING_MARKERS)})
    details: CleanStr = Field(default="", max_length=2000)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if value not in WARNING_MARKERS:
            raise ValueError(f"Unknown warning marker; choose one of: {', '.join(WARNING_MARKERS)}.")
        return value


class _PersonFields(BaseModel):
    gender: str | None = None
    self_defined_ethnicity: str | None = None
    officer_defined_ethnicity: str | None = None
    pnc_id: CleanStr | None = Field(default=None, max_length=20)
    cro_number: CleanStr | None = Field(default=None, max_length=20)
    aliases: list[AliasIn] | None = Field(default=None, max_length=50)
    addresses: list[AddressIn] | None = Field(default=None, max_length=50)

    @field_validator("gender")
    @classmethod
    def _gender(cls, value: str | None) -> str | None:
        if value is not None and value not in GENDERS:
            raise ValueError(f"Choose one of: {', '.join(GENDERS)}.")
        return value

    @field_validator("self_defined_ethnicity")
    @classmethod
    def _sde(cls, value: str | None) -> str | None:
        if value is not None and value not in SELF_DEFINED_ETHNICITY:
            raise ValueError("Give the ONS code 1 to 19 (19: prefer not to say).")
        return value

    @field_validator("officer_defined_ethnicity")
    @classmethod
    def _ode(cls, value: str | None) -> str | None:
        if value is not None and value not in OFFICER_DEFINED_ETHNICITY:
            raise ValueError("Give the officer-defined code 0 to 7.")
        return value


def _check_dob(value: date | None) -> date | None:
    if value is not None and (problem := dob_problem(value, datetime.now(UTC).date())):
        raise ValueError(problem)
    return value


def _check_surname(value: str) -> str:
    if problem := name_problem(value, "surname"):
        raise ValueError(problem)
    return value.strip()


def _check_forenames(value: str) -> str:
    if problem := name_problem(value, "forenames"):
        raise ValueError(problem)
    return value.strip()


class PersonIn(_PersonFields):
    id: ClientId
    surname: CleanStr = Field(max_length=100)
    forenames: CleanStr = Field(max_length=200)
    date_of_birth: DateIn | None = None
    warning_markers: list[MarkerIn] | None = Field(default=None, max_length=50)

    _surname = field_validator("surname")(classmethod(lambda cls, v: _check_surname(v)))
    _forenames = field_validator("forenames")(classmethod(lambda cls, v: _check_forenames(v)))
    _dob = field_validator("date_of_birth")(classmethod(lambda cls, v: _check_dob(v)))


class PersonPatch(_PersonFields):
    surname: CleanStr | None = Field(default=None, max_length=100)
    forenames: CleanStr | None = Field(default=None, max_length=200)
    date_of_birth: DateIn | None = None

    @field_validator("surname")
    @classmethod
    def _surname(cls, value: str | None) -> str | None:
        return None if value is None else _check_surname(value)

    @field_validator("forenames")
    @classmethod
    def _forenames(cls, value: str | None) -> str | None:
        return None if value is None else _check_forenames(value)

    _dob = field_validator("date_of_birth")(classmethod(lambda cls, v: _check_dob(v)))


class MarkerAdd(BaseModel):
    id: ClientId
    code: str = Field(max_length=30, json_schema_extra={"enum": list(WARNING_MARKERS)})
    details: CleanStr = Field(default="", max_length=2000)

    _code = field_validator("code")(classmethod(lambda cls, v: MarkerIn._code(v)))


class ReasonIn(BaseModel):
    reason: CleanStr = Field(max_length=2000, json_schema_extra={"pattern": NOT_BLANK})

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Give the reason; it is recorded.")
        return value.strip()


class AliasOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    surname: str
    forenames: str
    date_of_birth: date | None


class AddressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    line1: str
    line2: str
    town: str
    postcode: str
    from_date: date | None
    to_date: date | None


class MarkerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    title: str = ""
    details: str
    set_by: UserBrief
    set_at: UTCOut
    removed_at: UTCOut | None
    removed_by: UserBrief | None
    removal_reason: str | None


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    surname: str
    forenames: str
    date_of_birth: date | None
    gender: str | None
    self_defined_ethnicity: str | None
    officer_defined_ethnicity: str | None
    pnc_id: str | None
    pnc_id_short: str | None = None
    cro_number: str | None
    aliases: list[AliasOut]
    addresses: list[AddressOut]
    warning_markers: list[MarkerOut]
    merged_into: str | None
    version: int
    created_at: UTCOut
    updated_at: UTCOut | None


class PersonSummary(BaseModel):
    id: str
    surname: str
    forenames: str
    date_of_birth: date | None
    gender: str | None
    pnc_id: str | None
    pnc_id_short: str | None
    warning_codes: list[str]
    merged_into: str | None


def person_out(person: Person) -> PersonOut:
    out = PersonOut.model_validate(person)
    out.pnc_id_short = short_pnc_id(person.pnc_id) if person.pnc_id else None
    markers = sorted(out.warning_markers, key=lambda m: (m.removed_at is not None, m.set_at))
    for m in markers:
        m.title = WARNING_MARKERS.get(m.code, m.code)
    out.warning_markers = markers
    return out


def person_summary(person: Person) -> PersonSummary:
    return PersonSummary(
        id=person.id, surname=person.surname, forenames=person.forenames, date_of_birth=person.date_of_birth,
        gender=person.gender, pnc_id=person.pnc_id,
        pnc_id_short=short_pnc_id(person.pnc_id) if person.pnc_id else None,
        warning_codes=sorted({m.code for m in person.warning_markers if m.removed_at is None}),
        merged_into=person.merged_into)


class SearchResult(BaseModel):
    person: PersonSummary
    score: int
    reasons: list[str]


class SearchPage(BaseModel):
    total: int
    page: int
    page_size: int
    results: list[SearchResult]


class SearchIn(BaseModel):
    """Search terms travel in the body (POST), never in the URL, so they stay out of access logs."""

    q: str | None = Field(default=None, max_length=200)
    dob: str | None = Field(default=None, max_length=20)
    pnc: str | None = Field(default=None, max_length=20)
    gender: str | None = Field(default=None, max_length=20)
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=20, ge=1, le=100)


class DuplicateCheckIn(BaseModel):
    surname: CleanStr = Field(max_length=100)
    forenames: CleanStr = Field(default="", max_length=200)
    date_of_birth: DateIn | None = None
    pnc_id: CleanStr | None = Field(default=None, max_length=20)
    cro_number: CleanStr | None = Field(default=None, max_length=20)


class DuplicateCandidates(BaseModel):
    candidates: list[SearchResult]


class MergeIn(BaseModel):
    id: ClientId
    survivor_id: str = Field(max_length=36)
    merged_id: str = Field(max_length=36)
    reason: CleanStr = Field(max_length=2000)

    _reason = field_validator("reason")(classmethod(lambda cls, v: ReasonIn._reason(v)))


class MovedLink(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    table: str = Field(validation_alias="table_name")
    column: str = Field(validation_alias="column_name")
    row_id: str


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    survivor_id: str
    merged_id: str
    reason: str
    merged_by: UserBrief
    merged_at: UTCOut
    moved_links: list[MovedLink] = Field(validation_alias="links")
    undone_at: UTCOut | None
    undone_by: UserBrief | None
    undo_reason: str | None
