from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from domain.roles import Role
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.intelligence import service
from server.intelligence.schemas import (AddEventIn, AddLocationIn, LinkPersonIn, QaIn, RegradeIn, ReportIn, ReportOut,
                                         ReportSummary)

router = APIRouter(prefix="/intelligence", tags=["intelligence"])
Supervisor = Annotated[User, Depends(require_roles(Role.SUPERVISOR))]


@router.post("/reports", status_code=201, response_model=ReportOut)
def create_report(body: ReportIn, user: CurrentUser, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.create_report(session, user, body))


@router.get("/reports", response_model=list[ReportSummary])
def list_reports(user: CurrentUser, session: SessionDep, status: str | None = None,
                 person_id: str | None = None,
                 place: Annotated[str | None, Query(max_length=300, description=(
                     "Reports with a place whose description contains this, or whose postcode starts with it"))] = None,
                 event_kind: Annotated[Literal["custody", "investigation", "incident"] | None, Query()] = None,
                 event_ref: Annotated[str | None, Query(max_length=64, description=(
                     "Reports linked to an event whose reference contains this"))] = None) -> list[ReportSummary]:
    return service.list_reports(session, user, status, person_id, place, event_kind, event_ref)


@router.get("/reports/{report_id}", response_model=ReportOut)
def open_report(report_id: str, user: CurrentUser, session: SessionDep,
                x_access_reason: Annotated[str | None, Header(max_length=6000, description=(
                    "Why the report is opened (DPA 2018 s.62), UTF-8 percent-encoded. A header, never the URL, "
                    "so it stays out of access logs."))] = None) -> ReportOut:
    return service.open_report(session, user, report_id, unquote(x_access_reason) if x_access_reason else None)


@router.post("/reports/{report_id}/grading", response_model=ReportOut)
def regrade(report_id: str, body: RegradeIn, user: CurrentUser, session: SessionDep, idem: IdempotencyDep,
            if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.regrade(session, user, report_id, body, if_match))


@router.post("/reports/{report_id}/qa", response_model=ReportOut)
def qa(report_id: str, body: QaIn, user: Supervisor, session: SessionDep, idem: IdempotencyDep,
       if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.qa(session, user, report_id, body, if_match))


@router.post("/reports/{report_id}/disseminate", response_model=ReportOut)
def disseminate(report_id: str, user: CurrentUser, session: SessionDep, idem: IdempotencyDep,
                if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.disseminate(session, user, report_id, if_match))


@router.post("/reports/{report_id}/people", status_code=201, response_model=ReportOut)
def add_person(report_id: str, body: LinkPersonIn, user: CurrentUser, session: SessionDep,
               idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.add_person(session, user, report_id, body))


@router.post("/reports/{report_id}/locations", status_code=201, response_model=ReportOut)
def add_location(report_id: str, body: AddLocationIn, user: CurrentUser, session: SessionDep,
                 idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.add_location(session, user, report_id, body))


@router.post("/reports/{report_id}/events", status_code=201, response_model=ReportOut)
def add_event(report_id: str, body: AddEventIn, user: CurrentUser, session: SessionDep,
              idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.add_event(session, user, report_id, body))
