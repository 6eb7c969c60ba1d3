"""Wire shapes of investigations, lines of enquiry and actions (docs/api-people.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.actions import ActionEvent, Priority
from server.people.schemas import PersonSummary, UserBrief
from server.wire import NOT_BLANK, CleanStr, ClientId, UTCIn, UTCOut

PERSON_ROLES = ("suspect", "victim", "witness", "other")
# What kind of investigation (issue 14); a force may want its own list later, so the server keeps it in one place.
INVESTIGATION_KINDS = ("crime", "missing person", "sudden death", "fraud", "public protection", "other")
SCOPES = ("mine", "team", "all")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This cannot be blank.")
    return value.strip()


def _kind(value: str | None) -> str | None:
    if value is not None and value not in INVESTIGATION_KINDS:
        raise ValueError(f"Choose one of: {', '.join(INVESTIGATION_KINDS)}.")
    return value


def _codes(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    codes = [c.strip().upper() for c in value]
    if any(not c for c in codes):
        raise ValueError("An offence code cannot be blank.")
    if len(set(codes)) != len(codes):
        raise ValueError("Each offence once.")
    return codes


OffenceCodes = list[Annotated[CleanStr, Field(max_length=16, json_schema_extra={"pattern": NOT_BLANK})]]


class InvestigationIn(BaseModel):
    id: ClientId
    title: CleanStr = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    summary: CleanStr = Field(default="", max_length=20_000)
    kind: str = Field(default="crime", json_schema_extra={"enum": list(INVESTIGATION_KINDS)})
    offences: OffenceCodes = Field(default_factory=list, max_length=50)
    officer_in_charge_id: str | None = Field(default=None, max_length=36)
    supervisor_id: str | None = Field(default=None, max_length=36)

    _title = field_validator("title")(classmethod(lambda cls, v: _not_blank(v)))
    _kind = field_validator("kind")(classmethod(lambda cls, v: _kind(v)))
    _offences = field_validator("offences")(classmethod(lambda cls, v: _codes(v)))


class InvestigationPatch(BaseModel):
    title: CleanStr | None = Field(default=None, max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    summary: CleanStr | None = Field(default=None, max_length=20_000)
    status: str | None = Field(default=None, json_schema_extra={"enum": ["open", "closed"]})
    kind: str | None = Field(default=None, json_schema_extra={"enum": list(INVESTIGATION_KINDS)})
    offences: OffenceCodes | None = Field(default=None, max_length=50)
    officer_in_charge_id: str | None = Field(default=None, max_length=36)
    supervisor_id: str | None = Field(default=None, max_length=36)

    _title = field_validator("title")(classmethod(lambda cls, v: None if v is None else _not_blank(v)))
    _kind = field_validator("kind")(classmethod(lambda cls, v: _kind(v)))
    _offences = field_validator("offences")(classmethod(lambda cls, v: _codes(v)))

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        if value is not None and value not in ("open", "closed"):
            raise ValueError("Choose open or closed.")
        return value


class LinkPersonIn(BaseModel):
    id: ClientId
    person_id: str = Field(max_length=36)
    role: str = Field(json_schema_extra={"enum": list(PERSON_ROLES)})


    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in PERSON_ROLES:
            raise ValueError(f"Choose one of: {', '.join(PERSON_ROLES)}.")
        return value


class LineIn(BaseModel):
    id: ClientId
    title: CleanStr = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    objective: CleanStr = Field(default="", max_length=5000)

    _title = field_validator("title")(classmethod(lambda cls, v: _not_blank(v)))


def _priority(value: str) -> str:
    if value not in {p.value for p in Priority}:
        raise ValueError("Choose the priority: high, medium or low.")
    return value


class ActionIn(BaseModel):
    id: ClientId
    title: CleanStr = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    details: CleanStr = Field(default="", max_length=20_000)
    origin: CleanStr = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    priority: str = Field(default="medium", json_schema_extra={"enum": [p.value for p in Priority]})
    line_of_enquiry_id: str | None = Field(default=None, max_length=36)
    due_at: UTCIn | None = None  # issue 14: raised from the investigation with the date it is due

    _title = field_validator("title")(classmethod(lambda cls, v: _not_blank(v)))
    _origin = field_validator("origin")(classmethod(lambda cls, v: _not_blank(v)))
    _prio = field_validator("priority")(classmethod(lambda cls, v: _priority(v)))


class FurtherActionIn(BaseModel):
    id: ClientId
    title: CleanStr = Field(max_length=200)
    details: CleanStr = Field(default="", max_length=20_000)
    origin: CleanStr | None = Field(default=None, max_length=200)
    priority: str = Field(default="medium", json_schema_extra={"enum": [p.value for p in Priority]})

    _title = field_validator("title")(classmethod(lambda cls, v: _not_blank(v)))
    _prio = field_validator("priority")(classmethod(lambda cls, v: _priority(v)))


class TransitionIn(BaseModel):
    event: str = Field(json_schema_extra={"enum": [e.value for e in ActionEvent]})
    reason: CleanStr = Field(default="", max_length=5000)
    allocated_to_id: str | None = Field(default=None, max_length=36)
    due_at: UTCIn | None = None
    result_text: CleanStr | None = Field(default=None, max_length=50_000)
    further_action: FurtherActionIn | None = None

    @field_validator("event")
    @classmethod
    def _event(cls, value: str) -> str:
        if value not in {e.value for e in ActionEvent}:
            raise ValueError(f"Choose one of: {', '.join(e.value for e in ActionEvent)}.")
        return value


class PersonLinkOut(BaseModel):
    id: str
    person: PersonSummary
    role: str
    added_at: UTCOut
    added_by: UserBrief


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    objective: str
    status: str
    raised_at: UTCOut
    raised_by: UserBrief


class OffenceOut(BaseModel):
    code: str
    title: str


class InvestigationOut(BaseModel):
    id: str
    reference: str
    title: str
    summary: str
    status: str
    kind: str
    offences: list[OffenceOut]
    opened_at: UTCOut
    created_by: UserBrief
    officer_in_charge: UserBrief | None
    supervisor: UserBrief | None
    people: list[PersonLinkOut]
    lines_of_enquiry: list[LineOut]
    action_counts: dict[str, int]
    version: int


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: UTCOut
    by: UserBrief
    event: str
    from_status: str | None
    to_status: str
    reason: str | None
    note: str | None


class ActionOut(BaseModel):
    id: str
    investigation_id: str
    investigation_reference: str
    number: str
    title: str
    details: str
    origin: str
    priority: str
    line_of_enquiry_id: str | None
    status: str
    status_title: str
    raised_by: UserBrief
    raised_at: UTCOut
    allocated_to: UserBrief | None
    allocated_at: UTCOut | None
    due_at: UTCOut | None
    overdue: bool
    result_text: str | None
    resulted_at: UTCOut | None
    resulted_by: UserBrief | None
    reviewed_by: UserBrief | None
    reviewed_at: UTCOut | None
    review_outcome: str | None
    reason: str | None
    further_action_id: str | None
    version: int
    history: list[HistoryOut]


class TimelineEntry(BaseModel):
    """One thing that happened on an investigation: when, who, what (words), and what it was about."""

    at: UTCOut
    by: UserBrief
    kind: str  # opened, changed, person, line, action
    text: str
    entity: str
    entity_id: str


class TimelineOut(BaseModel):
    investigation_id: str
    reference: str
    entries: list[TimelineEntry]
