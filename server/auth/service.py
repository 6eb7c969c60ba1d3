"""Sign-in, tokens and user creation. Services never commit: the request does."""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from datetime import datetime, timedelta

from typing import cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from domain.roles import Role
from server import audit
from server.auth import throttle
from server.auth.models import Token, User, UserRole
from server.auth.passwords import hash_password, password_problem, verify_password
from server.db import keep_after_rollback, utcnow
from server.errors import ProblemError

WRONG_CREDENTIALS = "Wrong user name or password."
BEARER = {"WWW-Authenticate": "Bearer"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


SIGN_IN = "sign_in"


def login(session: Session, username: str, password: str, ttl: timedelta, *, address: str | None = None,
          policy: throttle.Policy | None = None) -> tuple[str, Token]:
    """Sign in, throttled per user name and per address (server/auth/throttle.py); every failure is audited
    and counted even though the request fails (keep_after_rollback)."""
    policy = policy or throttle.Policy()
    typed = username.strip()[:64]
    wait = throttle.retry_after(session, typed, address)
    if wait is not None:
        keep_after_rollback(session, lambda again: audit.record(
            again, None, audit.AuditAction.REFUSAL, SIGN_IN, None, f"sign-in refused, throttled: {typed!r}"))
        raise ProblemError(429, f"Too many failed sign-ins: try again in {_wait_words(wait)}.",
                           headers={"Retry-After": str(wait)}, retry_after=wait)
    user = session.scalar(select(User).where(User.username == username.strip()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        user_id = user.id if user is not None else None  # read now: the rollback expires the object
        why = "wrong user name or password" if not ok or user is None else "account disabled"

        def count_failure(again: Session) -> None:
            throttle.failed(again, policy, typed, address)
            audit.record(again, user_id, audit.AuditAction.REFUSAL, SIGN_IN, user_id,
                         f"sign-in failed ({why}): {typed!r}")

        keep_after_rollback(session, count_failure)
        raise ProblemError(401, WRONG_CREDENTIALS, headers=BEARER)
    throttle.succeeded(session, typed)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = Token(token_hash=token_hash(token), user=user, created_at=now, expires_at=now + ttl)
    session.add(row)
    return token, row


# The token, its user and the user's roles in ONE query (every request pays for this check: issue 9).
_WITH_USER_AND_ROLES = (joinedload(Token.user).joinedload(User.role_rows),)

_USER_COLUMNS = tuple(User.__table__.columns)
_USER_KEYS = tuple(column.key for column in _USER_COLUMNS)
# The sign-in check every request makes, as plain rows (one per role): loading the token, its user and the roles
# as ORM objects cost more CPU than the round trip (issue 9's fifth round).
_SIGNED_IN = (select(Token.revoked_at, Token.expires_at, *_USER_COLUMNS, UserRole.role)
              .join(User, User.id == Token.user_id)
              .outerjoin(UserRole, UserRole.user_id == User.id)
              .where(Token.token_hash == bindparam("token_hash")))


def _refused(revoked_at: datetime | None, expires_at: datetime, active: bool, now: datetime | None) -> None:
    if revoked_at is not None:
        raise ProblemError(401, "This session was signed out; sign in again.", headers=BEARER)
    if expires_at <= (now or utcnow()):
        raise ProblemError(401, "Your session expired; sign in again.", headers=BEARER)
    if not active:
        raise ProblemError(401, "This account has been disabled; ask an administrator.", headers=BEARER)


def user_for_token(session: Session, token: str, now: datetime | None = None) -> tuple[User, Token]:
    """The token as an ORM object with its user: for signing it out. Checking a request's sign-in is
    signed_in's (cheaper)."""
    row = session.get(Token, token_hash(token), options=_WITH_USER_AND_ROLES)
    if row is None:
        raise ProblemError(401, "This sign-in is not recognised; sign in again.", headers=BEARER)
    _refused(row.revoked_at, row.expires_at, row.user.active, now)
    return row.user, row


def signed_in(session: Session, token: str, now: datetime | None = None) -> User:
    """The user this bearer token signs in, read afresh from the database (a sign-out or a disabled account
    made through any process shows at once), in one query of plain rows; 401 if it does not sign anyone in.

    The user is made from those rows and attached to the session as if it had been loaded (its roles with it),
    so the request's writes can name it (`author=user`) without it being read again."""
    rows = session.execute(_SIGNED_IN, {"token_hash": token_hash(token)}).all()
    if not rows:
        raise ProblemError(401, "This sign-in is not recognised; sign in again.", headers=BEARER)
    revoked_at, expires_at, *columns, _role = rows[0]
    values = dict(zip(_USER_KEYS, columns, strict=True))
    _refused(revoked_at, expires_at, values["active"], now)
    known = session.identity_map.get(session.identity_key(User, (values["id"],)))
    if known is not None:  # already in this session (POST /batch's run): that object, as it is
        return cast(User, known)
    user = User(**values)
    roles = [UserRole(user_id=user.id, role=row[-1]) for row in rows if row[-1] is not None]
    for loaded in (user, *roles):
        make_transient_to_detached(loaded)  # as if read from the database: no INSERT, nothing changed
    set_committed_value(user, "role_rows", sorted(roles, key=lambda r: r.role))  # the relationship's order_by
    session.add(user)
    return user


def revoke(token_row: Token) -> None:
    token_row.revoked_at = utcnow()


def set_password(user: User, password: str) -> None:
    """A new password (an administrator's reset, a change): the same policy as at create-user."""
    problem = password_problem(password, user.username)
    if problem:
        raise ProblemError.field("password", problem)
    user.password_hash = hash_password(password)


def create_user(session: Session, *, username: str, display_name: str, rank: str, collar_number: str,
                role: Role | str, password: str, user_id: str | None = None) -> User:
    username = username.strip()
    if not username:
        raise ProblemError.field("username", "A user name is needed.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ProblemError.field("username", f"The user name {username!r} is already taken.", status=409)
    problem = password_problem(password, username)
    if problem:
        raise ProblemError.field("password", problem)
    user = User(id=user_id or str(uuid.uuid4()), username=username, display_name=display_name, rank=rank,
                collar_number=collar_number, role=Role(role).value, password_hash=hash_password(password),
                active=True)
    user.role_rows = [UserRole(role=user.role)]
    session.add(user)
    return user


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"
