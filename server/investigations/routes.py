from __future__ import annotations

from typing import Annotated, Literal

from domain.actions import ActionState
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from domain.roles import Role
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.investigations import service
from server.people.schemas import UserBrief
from server.investigations.schemas import (ActionIn, ActionOut, InvestigationIn, InvestigationOut,
                                           InvestigationPatch, LineIn, LinkPersonIn, TimelineOut, TransitionIn)

router = APIRouter(tags=["investigations"])
Investigator = Annotated[User, Depends(require_roles(Role.INVESTIGATOR, Role.SUPERVISOR))]
StatusQuery = Annotated[list[ActionState] | None, Query()]
ScopeQuery = Annotated[Literal["mine", "team", "all"], Query(description=(
    "mine: I am the officer in the case; team: I am in charge of it or supervise it, or my supervisors do; "
    "all (the default): every investigation"))]


@router.get("/officers", response_model=list[UserBrief])
def officers(user: CurrentUser, session: SessionDep) -> list[UserBrief]:
    """Who may be the officer in the case or the supervisor of an investigation (staff, not the public)."""
    return service.officers(session)


@router.get("/investigations", response_model=list[InvestigationOut])
def list_investigations(user: CurrentUser, session: SessionDep, scope: ScopeQuery = "all") -> list[InvestigationOut]:
    return service.list_investigations(session, user, scope)


@router.post("/investigations", status_code=201, response_model=InvestigationOut)
def create_investigation(body: InvestigationIn, user: Investigator, session: SessionDep,
                         idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.create_investigation(session, user, body))


@router.get("/investigations/{investigation_id}", response_model=InvestigationOut)
def read_investigation(investigation_id: str, user: CurrentUser, session: SessionDep) -> InvestigationOut:
    return service.read_investigation(session, user, investigation_id)


@router.patch("/investigations/{investigation_id}", response_model=InvestigationOut)
def update_investigation(investigation_id: str, body: InvestigationPatch, user: Investigator, session: SessionDep,
                         idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.update_investigation(session, user, investigation_id, body, if_match))


@router.post("/investigations/{investigation_id}/people", status_code=201, response_model=InvestigationOut)
def link_person(investigation_id: str, body: LinkPersonIn, user: Investigator, session: SessionDep,
                idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.link_person(session, user, investigation_id, body))


@router.post("/investigations/{investigation_id}/lines-of-enquiry", status_code=201,
             response_model=InvestigationOut)
def add_line(investigation_id: str, body: LineIn, user: Investigator, session: SessionDep,
             idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.add_line(session, user, investigation_id, body))


@router.post("/investigations/{investigation_id}/actions", status_code=201, response_model=ActionOut)
def raise_action(investigation_id: str, body: ActionIn, user: Investigator, session: SessionDep,
                 idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.raise_action(session, user, investigation_id, body))


@router.get("/investigations/{investigation_id}/actions", response_model=list[ActionOut])
def investigation_actions(investigation_id: str, user: CurrentUser, session: SessionDep,
                          status: StatusQuery = None) -> list[ActionOut]:
    return service.list_investigation_actions(session, user, investigation_id, status)


@router.get("/actions", response_model=list[ActionOut])
def list_actions(user: CurrentUser, session: SessionDep, mine: bool = False,
                 status: StatusQuery = None) -> list[ActionOut]:
    return service.list_actions(session, user, mine, status)


@router.get("/actions/{action_id}", response_model=ActionOut)
def read_action(action_id: str, user: CurrentUser, session: SessionDep) -> ActionOut:
    return service.read_action(session, user, action_id)


@router.post("/actions/{action_id}/transitions", response_model=ActionOut)
def action_transition(action_id: str, body: TransitionIn, user: CurrentUser, session: SessionDep,
                      idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.apply_transition(session, user, action_id, body, if_match))


@router.get("/investigations/{investigation_id}/timeline", response_model=TimelineOut)
def investigation_timeline(investigation_id: str, user: CurrentUser, session: SessionDep) -> TimelineOut:
    return service.timeline(session, user, investigation_id)
