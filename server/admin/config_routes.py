"""/api/v1/admin/config: the force configuration and the offence catalogue, held in the database and changed
by administrators without a restart (issue 15; server/admin/config_service.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from domain.roles import Role
from server.admin import config_service as service
from server.admin.config_schemas import (CatalogueOut, ConfigVersionOut, OffenceEntryIn, OffenceSavedOut,
                                         SettingsIn, SettingsOut)
from server.auth.dependencies import SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch

Administrator = Annotated[User, Depends(require_roles(Role.ADMINISTRATOR))]

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed for your role (detail says why)"},
    422: {"description": "Invalid (field errors)"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    412: {"description": "If-Match version is stale (current = the setting as stored)"},
    428: {"description": "If-Match missing"},
}

router = APIRouter(prefix="/admin/config", tags=["administration"])
# A CJS offence code (domain/offences.py), in either case: said in the document as the service checks it.
CODE_PATTERN = r"^(?:[A-Za-z]{2}[0-9]{2}|[Cc][Oo][Mm][Ll])[0-9]{3}[ABCIabci]?$"


@router.get("/settings", response_model=SettingsOut, responses=READ_ERRORS)
def read_settings(_admin: Administrator, session: SessionDep) -> SettingsOut:
    return service.read_settings(session)


@router.patch("/settings", response_model=SettingsOut, responses=WRITE_ERRORS)
def change_settings(body: SettingsIn, admin: Administrator, session: SessionDep, idem: IdempotencyDep,
                    if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.change_settings(session, admin, body, if_match))


@router.get("/offences", response_model=CatalogueOut, responses=READ_ERRORS)
def read_catalogue(_admin: Administrator, session: SessionDep) -> CatalogueOut:
    return service.read_catalogue(session)


@router.put("/offences/{code}", response_model=OffenceSavedOut, responses=WRITE_ERRORS)
def save_offence(code: Annotated[str, Path(min_length=7, max_length=8, pattern=CODE_PATTERN)], body: OffenceEntryIn,
                 admin: Administrator, session: SessionDep, idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.save_offence(session, admin, code, body, if_match))


@router.get("/{kind}/history", response_model=list[ConfigVersionOut], responses=READ_ERRORS)
def read_history(kind: Literal["settings", "offences"], _admin: Administrator,
                 session: SessionDep) -> list[ConfigVersionOut]:
    return service.history(session, kind)
