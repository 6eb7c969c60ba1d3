from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from domain.roles import Role
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.intelligence import service
from server.intelligence.schemas import LinkPersonIn, QaIn, RegradeIn, ReportIn, ReportOut, ReportSummary

router = APIRouter(prefix="/intelligence", tags=["intelligence"])
Supervisor = Annotated[User, Depends(require_roles(Role.SUPERVISOR))]


@router.post("/reports", status_code=201, response_model=ReportOut)
def create_report(body: ReportIn, user: CurrentUser, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.create_report(session, user, body))


@router.get("/reports", response_model=list[ReportSummary])
def list_reports(user: CurrentUser, session: SessionDep, status: str | None = None,
                 person_id: str | None = None) -> list[ReportSummary]:
    return service.list_reports(session, user, status, person_id)


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
