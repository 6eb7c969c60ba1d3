"""Sign-in, tokens and user creation. Services never commit: the request does."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.roles import Role
from server.auth.models import Token, User, UserRole
from server.auth.passwords import hash_password, verify_password
from server.db import utcnow
from server.errors import ProblemError

WRONG_CREDENTIALS = "Wrong user name or password."
BEARER = {"WWW-Authenticate": "Bearer"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, username: str, password: str, ttl: timedelta) -> tuple[str, Token]:
    user = session.scalar(select(User).where(User.username == username.strip()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        raise ProblemError(401, WRONG_CREDENTIALS, headers=BEARER)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = Token(token_hash=token_hash(token), user=user, created_at=now, expires_at=now + ttl)
    session.add(row)
    return token, row


def user_for_token(session: Session, token: str, now: datetime | None = None) -> tuple[User, Token]:
    row = session.get(Token, token_hash(token))
    if row is None:
        raise ProblemError(401, "This sign-in is not recognised; sign in again.", headers=BEARER)
    if row.revoked_at is not None:
        raise ProblemError(401, "This session was signed out; sign in again.", headers=BEARER)
    if row.expires_at <= (now or utcnow()):
        raise ProblemError(401, "Your session expired; sign in again.", headers=BEARER)
    if not row.user.active:
        raise ProblemError(401, "This account has been disabled; ask an administrator.", headers=BEARER)
    return row.user, row


def revoke(token_row: Token) -> None:
    token_row.revoked_at = utcnow()


def create_user(session: Session, *, username: str, display_name: str, rank: str, collar_number: str,
                role: Role | str, password: str, user_id: str | None = None) -> User:
    username = username.strip()
    if not username:
        raise ProblemError.field("username", "A user name is needed.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ProblemError.field("username", f"The user name {username!r} is already taken.", status=409)
    if len(password) < 8:
        raise ProblemError.field("password", "A password needs at least 8 characters.")
    user = User(id=user_id or str(uuid.uuid4()), username=username, display_name=display_name, rank=rank,
                collar_number=collar_number, role=Role(role).value, password_hash=hash_password(password),
                active=True)
    user.role_rows = [UserRole(role=user.role)]
    session.add(user)
    return user
