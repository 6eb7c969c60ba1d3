"""GET /custody/force-view (issue 15): every suite of the force with its cells, and every open custody record,
in one answer of a constant number of queries, with the change-feed position it was read at.

For inspectors, superintendents and sergeants looking across the force: the client works out each suite's figures
(domain/force_view.py) and the queue of reviews due, then follows the feed from `last_seq`, updating one suite
at a time. Every detainee shown is audited, like the board (one bulk insert)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import func, select

from domain.roles import Role
from server.auth.dependencies import SessionDep, require_roles
from server.auth.models import User
from server.custody import service, suites
from server.custody.schemas import CustodyRecordOut
from server.db import utcnow
from server.events import Event
from server.wire import UTCOut

LOOKERS = (Role.INSPECTOR, Role.SUPERINTENDENT, Role.CUSTODY_SERGEANT)
Looker = Annotated[User, Depends(require_roles(*LOOKERS))]


class ForceViewOut(BaseModel):
    at: UTCOut
    last_seq: int  # follow the change feed from here: nothing committed after this read is missed
    suites: list[suites.CustodySuiteOut]
    records: list[CustodyRecordOut]  # open records, every suite


router = APIRouter()


@router.get("/force-view", response_model=ForceViewOut,
            responses={403: {"description": "For inspectors, superintendents and custody sergeants"}})
def force_view(user: Looker, session: SessionDep) -> ForceViewOut:
    """Every suite's records: each suite's figures are made from them (which suites an inspector's review queue
    covers is chosen on the workstation)."""
    # The feed position first: a change committed while the rest is read is then seen twice, never missed.
    last_seq = session.scalar(select(func.max(Event.seq))) or 0
    every = suites.list_suites(session)
    records = service.list_records(session, user, open_only=True)
    return ForceViewOut(at=utcnow(), last_seq=last_seq, suites=every, records=records)
