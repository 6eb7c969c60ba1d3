from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from domain.roles import CUSTODY_STAFF
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.custody import service
from server.custody.schemas import CustodyRecordOut, LogEntryIn, LogEntryOut
from server.idempotency import IdempotencyDep

router = APIRouter(prefix="/custody", tags=["custody"])
CustodyStaff = Annotated[User, Depends(require_roles(*CUSTODY_STAFF))]


@router.get("/records", response_model=list[CustodyRecordOut])
def list_records(user: CurrentUser, session: SessionDep, open: bool = False) -> list[CustodyRecordOut]:
    return service.list_records(session, user, open_only=open)


@router.get("/records/{record_id}", response_model=CustodyRecordOut)
def get_record(record_id: str, user: CurrentUser, session: SessionDep) -> CustodyRecordOut:
    return service.read_record(session, user, record_id)


@router.get("/records/{record_id}/log", response_model=list[LogEntryOut])
def list_log(record_id: str, user: CurrentUser, session: SessionDep) -> list[LogEntryOut]:
    return service.list_log(session, user, record_id)


@router.post("/records/{record_id}/log", status_code=201, response_model=LogEntryOut,
             responses={409: {"description": "Record released (read-only) or entry id taken"},
                        422: {"description": "Invalid entry (field errors)"}})
def add_log_entry(record_id: str, body: LogEntryIn, request: Request, user: CustodyStaff,
                  session: SessionDep, idem: IdempotencyDep):
    tolerance = request.app.state.settings.future_tolerance
    return idem.run(201, lambda: service.add_log_entry(session, user, record_id, body, tolerance))
