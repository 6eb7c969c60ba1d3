"""HTTP routes of the custody suite (docs/api-custody.md). Rules of authority live in the services, which
give the reason with each 403; the route only admits custody staff to writes."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from domain.roles import CUSTODY_STAFF
from server.auth.dependencies import (BearerToken, CurrentUser, SessionDep, as_dependency, role_check,
                                     signed_in_request)
from server.auth.models import User
from server.custody import (booking, care, clock, disposal, force_view, handover, history, property, service, suites,
                            transfers)
from server.custody.schemas import (AppropriateAdultIn, AuthorityOut, BookingIn, ChargeIn, CheckIn, CheckOut,
                                    CustodyRecordOut, DetentionIn, DisposalIn, ExtensionIn, InterviewEndIn,
                                    InterviewIn, InterviewOut, LogAndRiskOut, LogEntryIn, LogEntryOut,
                                    ObservationLevelIn, RecordPatch, ReviewIn, ReviewOut, RightIn, RightOut,
                                    RightsNoticeIn, RiskAssessmentIn, RiskAssessmentOut, WarrantIn,
                                    PersonCustodyHistoryOut, PropertyIn, PropertyItemOut, PropertyReturnIn)
from server import batch
from server.db import finish
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.settings import Settings
from server.wire import DateIn

router = APIRouter(prefix="/custody", tags=["custody"])
custody_staff = role_check(*CUSTODY_STAFF)  # also run by POST /batch's direct path (below)
CustodyStaff = Annotated[User, Depends(as_dependency(custody_staff))]


WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not allowed for your role (detail says why)"},
    409: {"description": "Record released (read-only), or id already used"},
    412: {"description": "If-Match version is stale (current = the record)"},
    422: {"description": "Invalid (field errors)"},
}


# The two reads every workstation repeats (the board, a detainee's log) answer with their JSON made in the
# handler's thread: returned as models, FastAPI would validate them again against response_model, in one more
# thread hop, before serialising them the same way (issue 9). The board's is reused per record (service.board_json).
_LOG = TypeAdapter(list[LogEntryOut])


def _json(adapter: TypeAdapter[Any], value: Any) -> Response:
    return Response(adapter.dump_json(value, by_alias=True), media_type="application/json")


# The board and a detainee's log are reads every workstation repeats: their sign-in check, work and commit run in
# one thread hop (signed_in_request), not one hop per dependency (issue 9).
@router.get("/records", response_model=list[CustodyRecordOut])
async def list_records(request: Request, _token: BearerToken, open: bool = False,
                       suite: Annotated[str | None, Query(max_length=36)] = None) -> Response:
    """The board; `suite`: one suite's records (and those on their way to it)."""
    board = await signed_in_request(
        request, lambda session, user: service.board_json(session, user, open_only=open, suite_id=suite))
    return Response(board, media_type="application/json")


@router.post("/records", status_code=201, response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def book_in(body: BookingIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: booking.book_in(session, user, body))


@router.get("/records/{record_id}", response_model=CustodyRecordOut)
def get_record(record_id: str, user: CurrentUser, session: SessionDep) -> CustodyRecordOut:
    return service.read_record(session, user, record_id)


@router.patch("/records/{record_id}", response_model=CustodyRecordOut,
              responses={**WRITE_ERRORS, 428: {"description": "If-Match missing"}})
def patch_record(record_id: str, body: RecordPatch, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
                 if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: booking.patch_record(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/detention-decision", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def detention_decision(record_id: str, body: DetentionIn, user: CustodyStaff, session: SessionDep,
                       idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: booking.decide_detention(session, user, record_id, body, if_match))


@router.get("/records/{record_id}/log", response_model=list[LogEntryOut])
async def list_log(record_id: str, request: Request, _token: BearerToken) -> Response:
    return await signed_in_request(
        request, lambda session, user: _json(_LOG, service.list_log(session, user, record_id)))


@router.post("/records/{record_id}/log", status_code=201, response_model=LogEntryOut,
             responses={409: {"description": "Record released (read-only) or entry id taken"},
                        422: {"description": "Invalid entry (field errors)"}})
async def add_log_entry(record_id: str, body: LogEntryIn, request: Request, user: CustodyStaff,
                        session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    # Async, the entry and the commit in one thread hop (db.finish): every workstation repeats this write.
    settings = request.app.state.settings
    return await finish(session, lambda: idem.run(201, lambda: _add_log_entry(session, user, record_id, body, None,
                                                                               settings)))


def _add_log_entry(session: Session, user: User, record_id: str, body: LogEntryIn, _if_match: int | None,
                   settings: Settings) -> LogEntryOut:
    return service.add_log_entry(session, user, record_id, body, settings.future_tolerance)


# The outbox queues these by the thousand: POST /batch runs them on its direct path, with this route's model,
# role check and call (server/batch.py).
batch.direct("POST", "/custody/records/{record_id}/log", LogEntryIn, 201, custody_staff, _add_log_entry,
             batch.Bulk(lambda session, user, items, settings:
                        service.prepare_log_entries(session, user, items, settings.future_tolerance),
                        service.log_entries_out, service.store_log_entries))


@router.post("/records/{record_id}/rights", status_code=201, response_model=RightOut, responses=WRITE_ERRORS)
def add_right(record_id: str, body: RightIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
              if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: care.add_right(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/rights-notice", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def rights_notice(record_id: str, body: RightsNoticeIn, user: CustodyStaff, session: SessionDep,
                  idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: care.give_rights_notice(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/appropriate-adult", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def appropriate_adult(record_id: str, body: AppropriateAdultIn, user: CustodyStaff, session: SessionDep,
                      idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: care.appropriate_adult(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/risk-assessments", status_code=201, response_model=RiskAssessmentOut,
             responses=WRITE_ERRORS)
def add_risk_assessment(record_id: str, body: RiskAssessmentIn, user: CustodyStaff, session: SessionDep,
                        idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: care.add_risk_assessment(session, user, record_id, body, if_match))


@router.get("/records/{record_id}/risk-assessments", response_model=list[RiskAssessmentOut])
def list_risk_assessments(record_id: str, user: CurrentUser, session: SessionDep) -> list[RiskAssessmentOut]:
    return care.list_risk_assessments(session, user, record_id)


# Switching detainee (issue 17): the log and the risk assessment in one request, read and audited by the same
# services as the two routes above, in one transaction (one commit, not two).
_LOG_AND_RISK = TypeAdapter(LogAndRiskOut)


@router.get("/records/{record_id}/log-and-risk", response_model=LogAndRiskOut)
def log_and_risk(record_id: str, user: CurrentUser, session: SessionDep) -> Response:
    # Held here, the record is loaded once: each service's own look-up then finds it in the session (the session
    # keeps rows only while they are referenced, so without this the second read loaded it again).
    record = service.get_record(session, record_id)
    return _json(_LOG_AND_RISK, LogAndRiskOut(log=service.list_log(session, user, record.id),
                                              risk_assessments=care.list_risk_assessments(session, user, record.id)))


@router.post("/records/{record_id}/observation-level", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def observation_level(record_id: str, body: ObservationLevelIn, user: CustodyStaff, session: SessionDep,
                      idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: care.set_observation_level(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/checks", status_code=201, response_model=CheckOut, responses=WRITE_ERRORS)
def add_check(record_id: str, body: CheckIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
              if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: _add_check(session, user, record_id, body, if_match, None))


def _add_check(session: Session, user: User, record_id: str, body: CheckIn, if_match: int | None,
               _settings: Settings | None) -> CheckOut:
    return care.add_check(session, user, record_id, body, if_match)


batch.direct("POST", "/custody/records/{record_id}/checks", CheckIn, 201, custody_staff, _add_check)


@router.get("/records/{record_id}/checks", response_model=list[CheckOut])
def list_checks(record_id: str, user: CurrentUser, session: SessionDep) -> list[CheckOut]:
    return care.list_checks(session, user, record_id)


@router.post("/records/{record_id}/reviews", status_code=201, response_model=ReviewOut, responses=WRITE_ERRORS)
def add_review(record_id: str, body: ReviewIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
               if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: clock.add_review(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/extensions", status_code=201, response_model=AuthorityOut,
             responses=WRITE_ERRORS)
def add_extension(record_id: str, body: ExtensionIn, user: CustodyStaff, session: SessionDep,
                  idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: clock.add_extension(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/warrants", status_code=201, response_model=AuthorityOut, responses=WRITE_ERRORS)
def add_warrant(record_id: str, body: WarrantIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
                if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: clock.add_warrant(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/interviews", status_code=201, response_model=InterviewOut,
             responses=WRITE_ERRORS)
def start_interview(record_id: str, body: InterviewIn, user: CustodyStaff, session: SessionDep,
                    idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: care.start_interview(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/interviews/{interview_id}/end", response_model=InterviewOut,
             responses=WRITE_ERRORS)
def end_interview(record_id: str, interview_id: str, body: InterviewEndIn, user: CustodyStaff,
                  session: SessionDep, idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: care.end_interview(session, user, record_id, interview_id, body, if_match))


@router.get("/records/{record_id}/interviews", response_model=list[InterviewOut])
def list_interviews(record_id: str, user: CurrentUser, session: SessionDep) -> list[InterviewOut]:
    return care.list_interviews(session, user, record_id)


@router.post("/records/{record_id}/charge", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def charge(record_id: str, body: ChargeIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
           if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: disposal.charge(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/disposal", response_model=CustodyRecordOut, responses=WRITE_ERRORS)
def dispose(record_id: str, body: DisposalIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
            if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: disposal.dispose(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/property", status_code=201, response_model=list[PropertyItemOut],
             responses=WRITE_ERRORS)
def add_property(record_id: str, body: PropertyIn, user: CustodyStaff, session: SessionDep, idem: IdempotencyDep,
                 if_match: IfMatch) -> JSONResponse:
    return idem.run(201, lambda: property.add_property(session, user, record_id, body, if_match))


@router.post("/records/{record_id}/property/return", response_model=list[PropertyItemOut], responses=WRITE_ERRORS)
def return_property(record_id: str, body: PropertyReturnIn, user: CustodyStaff, session: SessionDep,
                    idem: IdempotencyDep, if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: property.return_property(session, user, record_id, body, if_match))


@router.get("/records/{record_id}/property", response_model=list[PropertyItemOut])
def list_property(record_id: str, user: CurrentUser, session: SessionDep) -> list[PropertyItemOut]:
    return property.list_property(session, user, record_id)


@router.get("/history", response_model=list[CustodyRecordOut],
            responses={422: {"description": "Invalid search (field errors)"}})
def search_history(user: CurrentUser, session: SessionDep,
                   person_id: Annotated[str | None, Query(max_length=36)] = None,
                   custody_number: Annotated[str | None, Query(max_length=32)] = None,
                   from_date: Annotated[DateIn | None, Query(alias="from")] = None,
                   to_date: Annotated[DateIn | None, Query(alias="to")] = None,
                   suite: Annotated[str | None, Query(max_length=200)] = None) -> list[CustodyRecordOut]:
    """Closed custody records (released), newest first, at most 200. `suite` is for when suites exist."""
    return history.search(session, user, person_id=person_id, custody_number=custody_number, from_date=from_date,
                          to_date=to_date, suite=suite)


@router.get("/people/{person_id}/history", response_model=PersonCustodyHistoryOut)
def person_history(person_id: str, user: CurrentUser, session: SessionDep) -> PersonCustodyHistoryOut:
    """A person's custody episodes and the prompts they carry for a new risk assessment (booking-in)."""
    return history.person_history(session, user, person_id)


# The shift handover and the suite's name (server/custody/handover.py), under the same /custody prefix.
router.include_router(handover.router)
# Suites and cells (issue 15: server/custody/suites.py), under the same prefix.
router.include_router(suites.router)
router.include_router(transfers.router)
router.include_router(force_view.router)  # issue 15: the force view (every suite at once)
