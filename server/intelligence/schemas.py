"""Wire shapes of intelligence reports (docs/api-people.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from server.people.schemas import PersonSummary, UserBrief
from server.wire import NOT_BLANK, CleanStr, ClientId, UTCOut

PERSON_ROLES = ("subject", "associate", "mentioned")
EVENT_KINDS = ("custody", "investigation", "incident")


class ItemIn(BaseModel):
    text: CleanStr = Field(default="", max_length=20_000)
    assessment: str | None = Field(default=None, max_length=2)


class ReportPersonIn(BaseModel):
    person_id: str = Field(max_length=36)
    role: str = Field(default="subject", json_schema_extra={"enum": list(PERSON_ROLES)})

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in PERSON_ROLES:
            raise ValueError(f"Choose one of: {', '.join(PERSON_ROLES)}.")
        return value


class LocationIn(BaseModel):
    description: CleanStr = Field(min_length=1, max_length=300)
    postcode: CleanStr = Field(default="", max_length=10)
    address_id: str | None = Field(default=None, max_length=36)


class EventLinkIn(BaseModel):
    kind: str = Field(json_schema_extra={"enum": list(EVENT_KINDS)})
    ref: CleanStr = Field(min_length=1, max_length=64)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in EVENT_KINDS:
            raise ValueError(f"Choose one of: {', '.join(EVENT_KINDS)}.")
        return value


class GradingFields(BaseModel):
    # Plain strings: domain.grading.validate_grading gives the messages shown beside each field.
    source_evaluation: str | None = Field(default=None, max_length=2)
    items: list[ItemIn] = Field(default_factory=list, max_length=100)
    handling_code: str | None = Field(default=None, max_length=2)
    handling_conditions: CleanStr = Field(default="", max_length=5000)


class ReportIn(GradingFields):
    id: ClientId
    title: CleanStr = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})
    source_reference: CleanStr = Field(max_length=64, json_schema_extra={"pattern": NOT_BLANK})
    original_text: CleanStr = Field(max_length=50_000, json_schema_extra={"pattern": NOT_BLANK})
    sanitised_text: CleanStr = Field(default="", max_length=50_000)
    people: list[ReportPersonIn] = Field(default_factory=list, max_length=50)
    locations: list[LocationIn] = Field(default_factory=list, max_length=50)
    events: list[EventLinkIn] = Field(default_factory=list, max_length=50)


    @field_validator("title", "source_reference", "original_text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("This cannot be blank.")
        return value.strip()


class RegradeIn(GradingFields):
    reason: CleanStr = Field(max_length=2000, json_schema_extra={"pattern": NOT_BLANK})

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Say why the grading changes; it is kept with the history.")
        return value.strip()


class QaIn(BaseModel):
    outcome: str
    notes: CleanStr = Field(default="", max_length=5000)
    sanitised_text: CleanStr | None = Field(default=None, max_length=50_000)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        if value not in ("approve", "return"):
            raise ValueError("Choose approve or return.")
        return value


class LinkPersonIn(ReportPersonIn):
    id: str | None = Field(default=None, max_length=36)


class AddLocationIn(LocationIn):
    """A place added after the report was made (issue 14); the client's id makes a retry the same request."""
    id: ClientId


class AddEventIn(EventLinkIn):
    id: ClientId


class ItemOut(BaseModel):
    text: str
    assessment: str


class ReportPersonOut(BaseModel):
    id: str
    person: PersonSummary
    role: str


class LocationOut(BaseModel):
    id: str
    description: str
    postcode: str
    address_id: str | None


class EventLinkOut(BaseModel):
    id: str
    kind: str
    ref: str


class GradingOut(BaseModel):
    at: UTCOut
    by: UserBrief
    source_evaluation: str
    items: list[ItemOut]
    handling_code: str
    handling_conditions: str
    reason: str


class ReportOut(BaseModel):
    id: str
    reference: str
    title: str
    source_reference: str
    status: str
    sanitised_text: str
    original_text: str | None
    source_evaluation: str
    items: list[ItemOut]
    handling_code: str
    handling_conditions: str
    grading: str
    people: list[ReportPersonOut]
    locations: list[LocationOut]
    events: list[EventLinkOut]
    submitted_by: UserBrief
    submitted_at: UTCOut
    qa_by: UserBrief | None
    qa_at: UTCOut | None
    qa_notes: str | None
    disseminated_at: UTCOut | None
    grading_history: list[GradingOut]
    version: int


class ReportSummary(BaseModel):
    id: str
    reference: str
    title: str
    status: str
    handling_code: str
    grading: str
    submitted_at: UTCOut


def feed_data(report: Any) -> dict[str, Any]:
    """What the change feed carries: everyone reads the feed, so never the text or the source reference."""
    return {"id": report.id, "reference": report.reference, "status": report.status,
            "handling_code": report.handling_code, "version": report.version}
