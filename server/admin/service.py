"""User administration: create, change, lock, reset a password, end every session. Administrators only (the
routes check); every change is audited in the same transaction; every change to a user claims its version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from domain.roles import ROLE_TITLES, Role
from server import audit, records
from server.admin.schemas import AdminUserOut, PasswordReset, SessionsRevoked, UserCreate, UserPatch
from server.auth.models import Token, User, UserRole
from server.auth.service import create_user, set_password
from server.db import utcnow
from server.errors import ProblemError

USER = "user"


def _live_sessions(session: Session, user_ids: list[str] | None) -> dict[str, tuple[int, str | None]]:
    """user id -> (live sessions, workstation of the newest): two queries whatever the number of users."""
    now = utcnow()
    live = and_(Token.revoked_at.is_(None), Token.expires_at > now)
    where = [live] if user_ids is None else [live, Token.user_id.in_(user_ids)]
    counts: dict[str, int] = {uid: n for uid, n in session.execute(
        select(Token.user_id, func.count()).where(*where).group_by(Token.user_id))}
    newest = (select(Token.user_id, func.max(Token.created_at).label("newest")).where(*where)
              .group_by(Token.user_id).subquery())
    places: dict[str, str | None] = {uid: ws for uid, ws in session.execute(
        select(Token.user_id, Token.workstation)
        .join(newest, and_(newest.c.user_id == Token.user_id, newest.c.newest == Token.created_at)))}
    return {uid: (n, places.get(uid)) for uid, n in counts.items()}


def user_out(user: User, sessions: dict[str, tuple[int, str | None]] | None = None) -> AdminUserOut:
    out = AdminUserOut.model_validate(user)
    out.live_sessions, out.last_workstation = (sessions or {}).get(user.id, (0, None))
    return out


def _one_out(session: Session, user: User) -> AdminUserOut:
    return user_out(user, _live_sessions(session, [user.id]))


def list_users(session: Session, admin: User) -> list[AdminUserOut]:
    users = list(session.scalars(select(User).order_by(User.display_name, User.username)))
    sessions = _live_sessions(session, None)
    audit.record_many(session, admin, audit.AuditAction.CONSULTATION, USER, [u.id for u in users],
                      "user administration: list of users")
    return [user_out(u, sessions) for u in users]


def read_user(session: Session, admin: User, user_id: str) -> AdminUserOut:
    user = records.get_or_404(session, User, user_id, USER)
    audit.record(session, admin, audit.AuditAction.CONSULTATION, USER, user.id, "user administration")
    return _one_out(session, user)


def _set_roles(user: User, roles: list[Role]) -> None:
    """The first role goes in users.role (older clients); every role in user_roles. Rows are added and removed,
    never replaced wholesale, so a role kept is never deleted and inserted again in one flush."""
    wanted = [r.value for r in roles]
    user.role = wanted[0]
    for row in [r for r in user.role_rows if r.role not in wanted]:
        user.role_rows.remove(row)
    held = {r.role for r in user.role_rows}
    user.role_rows.extend(UserRole(user_id=user.id, role=r) for r in wanted if r not in held)


def _titles(roles: list[str]) -> str:
    return ", ".join(ROLE_TITLES[Role(r)].lower() for r in roles)


def create(session: Session, admin: User, body: UserCreate) -> AdminUserOut:
    records.ensure_new(session, User, body.id, USER, current=user_out)
    # create_user checks the password policy (server.auth.passwords.password_problem), as at the command line.
    user = create_user(session, username=body.username, display_name=body.display_name, rank=body.rank,
                       collar_number=body.collar_number, role=body.roles[0], password=body.password,
                       user_id=body.id)
    user.home_suite = body.home_suite
    session.flush()
    _set_roles(user, body.roles)
    session.flush()
    audit.record(session, admin, audit.AuditAction.COLLECTION, USER, user.id,
                 f"user created: {user.username}, roles {_titles(user.roles)}")
    return user_out(user)


def _claim(session: Session, user_id: str, if_match: int | None) -> User:
    return records.claim(session, User, user_id, if_match, what=USER, current=user_out)


def revoke_all(session: Session, user_id: str) -> int:
    """End every live session of this user (one UPDATE); how many there were."""
    now = utcnow()
    result = session.execute(update(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None),
                                                 Token.expires_at > now)
                             .values(revoked_at=now).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def change(session: Session, admin: User, user_id: str, body: UserPatch, if_match: int | None) -> AdminUserOut:
    if body.roles is not None and user_id == admin.id and Role.ADMINISTRATOR not in body.roles:
        raise ProblemError.field("roles", "You cannot remove your own administrator role: ask another "
                                          "administrator, so nobody locks every administrator out.", status=403)
    if body.active is False and user_id == admin.id:
        raise ProblemError.field("active", "You cannot lock your own account.", status=403)
    user = _claim(session, user_id, if_match)
    said: list[str] = []
    fields: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"roles", "active"})
    for name, value in fields.items():
        if value is None:
            continue  # null is "leave it as it is", like leaving the field out (an empty text clears it)
        if getattr(user, name) != value:
            said.append(f"{name.replace('_', ' ')} {getattr(user, name)!r} -> {value!r}")
            setattr(user, name, value)
    if body.roles is not None and [r.value for r in body.roles] != user.roles:
        said.append(f"roles {_titles(user.roles)} -> {_titles([r.value for r in body.roles])}")
        _set_roles(user, body.roles)
    if body.active is not None and body.active != user.active:
        user.active = body.active
        if body.active:
            said.append("unlocked")
        else:
            said.append(f"locked; {revoke_all(session, user.id)} session(s) ended")
    user.updated_at = utcnow()
    session.flush()
    audit.record(session, admin, audit.AuditAction.ALTERATION, USER, user.id,
                 ("user changed: " + "; ".join(said)) if said else "user saved unchanged")
    return _one_out(session, user)


def reset_password(session: Session, admin: User, user_id: str, body: PasswordReset,
                   if_match: int | None) -> AdminUserOut:
    user = _claim(session, user_id, if_match)
    # The one password policy (length, not common, not the user name); a refusal rolls the claim back.
    set_password(user, body.password)
    user.updated_at = utcnow()
    # Whoever knew the old password may be signed in with it: a reset ends every session.
    ended = revoke_all(session, user.id)
    audit.record(session, admin, audit.AuditAction.ALTERATION, USER, user.id,
                 f"password reset by an administrator; {ended} session(s) ended")
    return _one_out(session, user)


def revoke_sessions(session: Session, admin: User, user_id: str) -> SessionsRevoked:
    user = records.get_or_404(session, User, user_id, USER)
    ended = revoke_all(session, user.id)
    audit.record(session, admin, audit.AuditAction.ALTERATION, USER, user.id,
                 f"every session ended by an administrator ({ended})")
    return SessionsRevoked(user_id=user.id, revoked=ended)
