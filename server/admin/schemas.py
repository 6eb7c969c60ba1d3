"""What the administration endpoints take and give."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator
from pydantic.config import JsonDict

from domain.passwords import MIN_LENGTH
from domain.roles import Role
from server.wire import CleanStr, UTCOut


# What the service checks, said in the schema too (so the OpenAPI document is honest); the words of the refusal
# are the service's (or the validator's), not pydantic's.
ROLES_SCHEMA: JsonDict = {"minItems": 1}
NO_NUL: JsonDict = {"pattern": "^[^\\x00]*$"}  # CleanStr refuses NUL (PostgreSQL cannot store it)
PASSWORD_SCHEMA: JsonDict = {"minLength": MIN_LENGTH, **NO_NUL}


def _distinct(roles: list[Role]) -> list[Role]:
    if not roles:
        raise ValueError("Choose at least one role.")
    return list(dict.fromkeys(roles))


class AdminUserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    rank: str
    collar_number: str
    home_suite: str
    role: Role  # the first role
    roles: list[Role]
    active: bool
    version: int
    created_at: UTCOut
    updated_at: UTCOut | None = None
    live_sessions: int = 0  # sessions signed in, not signed out, not expired
    last_workstation: str | None = None  # where the newest of them was signed in from


class UserCreate(BaseModel):
    id: str = Field(min_length=1, max_length=36)
    username: CleanStr = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    display_name: CleanStr = Field(min_length=1, max_length=200, json_schema_extra=NO_NUL)
    rank: CleanStr = Field(default="", max_length=64, json_schema_extra=NO_NUL)
    collar_number: CleanStr = Field(default="", max_length=32, json_schema_extra=NO_NUL)
    home_suite: CleanStr = Field(default="", max_length=200, json_schema_extra=NO_NUL)
    roles: list[Role] = Field(max_length=len(Role), json_schema_extra=ROLES_SCHEMA)
    password: CleanStr = Field(min_length=1, max_length=1024, json_schema_extra=PASSWORD_SCHEMA)

    _roles = field_validator("roles")(_distinct)


class UserPatch(BaseModel):
    """Only the fields sent are changed. `active: false` locks the account (and ends its sessions)."""

    display_name: CleanStr | None = Field(default=None, min_length=1, max_length=200, json_schema_extra=NO_NUL)
    rank: CleanStr | None = Field(default=None, max_length=64, json_schema_extra=NO_NUL)
    collar_number: CleanStr | None = Field(default=None, max_length=32, json_schema_extra=NO_NUL)
    home_suite: CleanStr | None = Field(default=None, max_length=200, json_schema_extra=NO_NUL)
    roles: list[Role] | None = Field(default=None, max_length=len(Role), json_schema_extra=ROLES_SCHEMA)
    active: Annotated[bool, Strict()] | None = None  # only JSON true or false

    @field_validator("roles")
    @classmethod
    def _roles(cls, roles: list[Role] | None) -> list[Role] | None:
        return None if roles is None else _distinct(roles)


class PasswordReset(BaseModel):
    password: CleanStr = Field(min_length=1, max_length=1024, json_schema_extra=PASSWORD_SCHEMA)


class SessionsRevoked(BaseModel):
    user_id: str
    revoked: int  # how many live sessions were ended


class AuditUser(BaseModel):
    id: str
    username: str
    display_name: str
    rank: str
    collar_number: str


class AuditEntryOut(BaseModel):
    id: int
    at: UTCOut
    user: AuditUser | None
    action: str
    entity: str
    entity_id: str | None
    justification: str | None
    # The workstation of the session the user had signed in with at that time (see docs/security.md).
    workstation: str | None
    # A list read is one row naming all it showed: its subjects (entity_id is then empty). Issue 9.
    subjects: list[str] = []


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before: int | None  # pass as `before` for the next (older) page; None: this is the last page


class SubjectAccessIn(BaseModel):
    # The force's reference for the request (its DPA request number).
    request_reference: CleanStr = Field(min_length=1, max_length=100, json_schema_extra=NO_NUL)
    reason: CleanStr = Field(default="", max_length=2000, json_schema_extra=NO_NUL)


class Withheld(BaseModel):
    what: str
    reason: str


class SubjectItem(BaseModel):
    heading: str
    fields: dict[str, Any]  # JSON values; nested lists for the rows of a record (log entries, ...)
    withheld: list[Withheld] = []


class SubjectSection(BaseModel):
    title: str
    items: list[SubjectItem]


class SubjectAccessOut(BaseModel):
    request_reference: str
    generated_at: UTCOut
    generated_by: AuditUser
    person_id: str
    person_name: str
    sections: list[SubjectSection]
    withheld: list[Withheld]  # every withholding, in one list, for the covering letter
