"""/api/v1/admin/users (administrators), /api/v1/audit (supervisors and administrators) and
/api/v1/people/{id}/subject-access (supervisors and administrators)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from domain.roles import Role
from server.admin import audit_view, service, subject_access
from server.admin.schemas import (AdminUserOut, AuditPage, PasswordReset, SessionsRevoked, SubjectAccessIn,
                                  SubjectAccessOut, UserCreate, UserPatch)
from server.audit import AuditAction
from server.auth.dependencies import SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.wire import CleanStr

Administrator = Annotated[User, Depends(require_roles(Role.ADMINISTRATOR))]
AuditReader = Annotated[User, Depends(require_roles(Role.SUPERVISOR, Role.ADMINISTRATOR))]

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed for your role (detail says why)"},
    422: {"description": "Invalid (field errors)"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    404: {"description": "No such user"},
    409: {"description": "User name or id already taken"},
    412: {"description": "If-Match version is stale (current = the user)"},
    428: {"description": "If-Match missing"},
}

users = APIRouter(prefix="/admin/users", tags=["administration"])


@users.get("", response_model=list[AdminUserOut], responses=READ_ERRORS)
def list_users(admin: Administrator, session: SessionDep) -> list[AdminUserOut]:
    return service.list_users(session, admin)


@users.post("", status_code=201, response_model=AdminUserOut, responses=WRITE_ERRORS)
def create_user(body: UserCreate, admin: Administrator, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.create(session, admin, body))


@users.get("/{user_id}", response_model=AdminUserOut, responses={**READ_ERRORS, 404: {"description": "No such user"}})
def read_user(user_id: str, admin: Administrator, session: SessionDep) -> AdminUserOut:
    return service.read_user(session, admin, user_id)


@users.patch("/{user_id}", response_model=AdminUserOut, responses=WRITE_ERRORS)
def change_user(user_id: str, body: UserPatch, admin: Administrator, session: SessionDep, idem: IdempotencyDep,
                if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.change(session, admin, user_id, body, if_match))


@users.post("/{user_id}/password", response_model=AdminUserOut, responses=WRITE_ERRORS)
def reset_password(user_id: str, body: PasswordReset, admin: Administrator, session: SessionDep,
                   idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.reset_password(session, admin, user_id, body, if_match))


@users.post("/{user_id}/sessions/revoke", response_model=SessionsRevoked, responses=WRITE_ERRORS)
def revoke_sessions(user_id: str, admin: Administrator, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(200, lambda: service.revoke_sessions(session, admin, user_id))


audit_router = APIRouter(prefix="/audit", tags=["audit"])


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: Any) -> Any:
    # A query parameter is text; pydantic would also read "0.5" as seconds since 1970. Only ISO 8601 is a time.
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_TIME.match(value)):
        return value
    raise ValueError("Give a date and time with its offset, e.g. 2026-11-30T09:00:00+00:00.")


def _utc(value: datetime) -> datetime:
    """A filter bound in UTC. Any date is a valid bound (before the first row, nothing is found); one so far out
    that it leaves the calendar in UTC (year 1 with an offset) is the calendar's end instead."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year < 2 else datetime.max).replace(tzinfo=UTC)
Id = Annotated[str | None, Query(max_length=36)]
TimeFilter = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_utc)]


@audit_router.get("", response_model=AuditPage, responses=READ_ERRORS)
def read_audit(viewer: AuditReader, session: SessionDep, person_id: Id = None, entity_id: Id = None,
               entity: Annotated[str | None, Query(max_length=64)] = None, user_id: Id = None,
               username: Annotated[str | None, Query(max_length=64)] = None, action: AuditAction | None = None,
               since: Annotated[TimeFilter | None, Query()] = None,
               until: Annotated[TimeFilter | None, Query()] = None,
               workstation: Annotated[str | None, Query(max_length=200)] = None,
               before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               x_access_reason: Annotated[CleanStr | None, Header(max_length=2000)] = None) -> AuditPage:
    """Newest first. `before` is the `next_before` of the page before; the reason for looking travels in the
    X-Access-Reason header, never the URL."""
    flt = audit_view.AuditFilter(person_id=person_id, entity=entity, entity_id=entity_id, user_id=user_id,
                                 username=username,
                                 action=action.value if action else None, since=since, until=until,
                                 workstation=workstation)
    return audit_view.read_page(session, viewer, flt, before, limit, x_access_reason)


subject_router = APIRouter(prefix="/people", tags=["people"])


@subject_router.post("/{person_id}/subject-access", response_model=SubjectAccessOut,
                     responses={**READ_ERRORS, 404: {"description": "No such person"}})
def subject_access_export(person_id: str, body: SubjectAccessIn, user: AuditReader,
                          session: SessionDep) -> SubjectAccessOut:
    """Everything held on the person, with what is withheld marked with the reason (a disclosure, audited)."""
    return subject_access.export(session, user, person_id, body)
