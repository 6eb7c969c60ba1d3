"""Users, their roles and their bearer tokens (stored only as SHA-256)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.roles import Role
from server.db import Base, UTCDateTime, utcnow

ROLE_ORDER = {role.value: n for n, role in enumerate(Role)}


class _Verdict(Protocol):
    def __bool__(self) -> bool: ...


V = TypeVar("V", bound=_Verdict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[str] = mapped_column(String(64))
    collar_number: Mapped[str] = mapped_column(String(32))
    # The first of the user's roles, kept for older clients (/me `role`); `roles` is the whole set.
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Issue 12: free text until suites are records of their own.
    home_suite: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # selectin: one more query per signed-in request, never one per user in a list.
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                     order_by="UserRole.role")

    @property
    def roles(self) -> list[str]:
        """Every role, the first role first, then in the order of domain.roles.Role. A user made without a
        user_roles row (an older code path) still has the role in `role`."""
        extra = sorted({r.role for r in self.role_rows} - {self.role}, key=lambda r: ROLE_ORDER.get(r, 99))
        return [self.role, *extra]

    def has_role(self, *roles: Role | str) -> bool:
        wanted = {Role(r).value for r in roles}
        return any(r in wanted for r in self.roles)

    def decide(self, rule: Callable[[Role], V]) -> V:
        """A domain rule written for one role, decided for every role the user holds: the first role it allows
        wins; if it allows none, the refusal for the first role (so the message names the user's main role)."""
        verdicts = [rule(Role(r)) for r in self.roles]
        return next((v for v in verdicts if v), verdicts[0])


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class Token(Base):
    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Where the session was signed in from (the client's X-Workstation header, else its address).
    workstation: Mapped[str | None] = mapped_column(String(200), nullable=True)

    user: Mapped[User] = relationship(lazy="joined")
