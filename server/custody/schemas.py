from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.custody_log import LOG_KINDS, text_problem
from server.wire import CleanStr, UTCIn, UTCOut


class PersonBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    surname: str
    forenames: str
    date_of_birth: date | None


class CustodyRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    custody_number: str
    person: PersonBrief
    cell: str | None
    status: str
    arrived_at: UTCOut
    relevant_time: UTCOut | None
    detention_authorised_at: UTCOut | None
    juvenile: bool
    vulnerable: bool
    risk_level: str | None
    observation_level: int | None
    # Computed by the custody issue from domain/ clocks; null in the foundation.
    next_check_due: UTCOut | None = None
    next_review_due: UTCOut | None = None
    detention_limit_at: UTCOut | None = None
    released_at: UTCOut | None
    version: int


class AuthorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    display_name: str
    rank: str
    collar_number: str


class LogEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    record_id: str
    kind: str
    text: str
    observed_at: UTCOut
    recorded_at: UTCOut
    author: AuthorOut
    corrects_id: str | None


def _uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("Give a UUID made by the client, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e.") from None


class LogEntryIn(BaseModel):
    id: str = Field(max_length=36)
    kind: str = Field(max_length=40)
    # No max_length here: text_problem gives the message the client shows beside the field.
    text: CleanStr
    observed_at: UTCIn
    corrects_id: str | None = Field(default=None, max_length=36)

    @field_validator("id")
    @classmethod
    def _id_is_uuid(cls, value: str) -> str:
        return _uuid_text(value)

    @field_validator("corrects_id")
    @classmethod
    def _corrects_is_uuid(cls, value: str | None) -> str | None:
        return None if value is None else _uuid_text(value)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in LOG_KINDS:
            raise ValueError(f"Unknown kind {value[:40]!r}; choose one of: {', '.join(LOG_KINDS)}.")
        return value

    @field_validator("text")
    @classmethod
    def _text_ok(cls, value: str) -> str:
        if problem := text_problem(value):
            raise ValueError(problem)
        return value
