from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.roles import Role
from server.wire import CleanStr, UTCOut


class LoginIn(BaseModel):
    username: CleanStr = Field(min_length=1, max_length=64)
    password: CleanStr = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    rank: str
    collar_number: str
    role: Role  # the first role, kept for older clients
    roles: list[Role]  # every role the user holds (issue 12)


class LoginOut(BaseModel):
    token: str
    expires_at: UTCOut
    user: UserOut
