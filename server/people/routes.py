from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from domain.people import WARNING_MARKERS
from domain.roles import Role
from server import audit
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.people import merge, search, service
from server.people.schemas import (DuplicateCandidates, DuplicateCheckIn, MarkerAdd, MergeIn, MergeOut, PersonIn,
                                   PersonOut, PersonPatch, ReasonIn, SearchIn, SearchPage, person_out)

router = APIRouter(prefix="/people", tags=["people"])
Supervisor = Annotated[User, Depends(require_roles(Role.SUPERVISOR))]


@router.get("/warning-marker-codes")
def marker_codes(user: CurrentUser) -> list[dict[str, str]]:
    return [{"code": code, "title": title} for code, title in WARNING_MARKERS.items()]


@router.post("/search", response_model=SearchPage)
def search_people(body: SearchIn, user: CurrentUser, session: SessionDep) -> SearchPage:
    q, dob, pnc = body.q, body.dob, body.pnc
    query = search.parse_query(q, dob, pnc, body.gender)
    result = search.search_people(session, query, body.page, body.page_size)
    audit.record(session, user, audit.AuditAction.CONSULTATION, "person_search", None,
                 f"search q={q!r} dob={dob!r} pnc={pnc!r}: {result.total} found")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, "person", [r.person.id for r in result.results],
                      f"search results q={q!r}"[:2000])
    return result


@router.post("/duplicates-check", response_model=DuplicateCandidates)
def duplicates_check(body: DuplicateCheckIn, user: CurrentUser, session: SessionDep) -> DuplicateCandidates:
    pnc, cro = service.canonical_identifiers(body.pnc_id, body.cro_number)
    found = DuplicateCandidates(candidates=search.duplicate_candidates(
        session, body.surname, body.forenames, body.date_of_birth, pnc, cro))
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, "person",
                      [c.person.id for c in found.candidates], "duplicates check")
    return found


@router.post("", status_code=201, response_model=PersonOut)
def create_person(body: PersonIn, user: CurrentUser, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: person_out(service.create_person(session, body, user)))


@router.post("/merges", status_code=201, response_model=MergeOut)
def merge_people(body: MergeIn, user: Supervisor, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: merge.merge_people(session, user, body))


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def undo_merge(merge_id: str, body: ReasonIn, user: Supervisor, session: SessionDep,
               idem: IdempotencyDep) -> JSONResponse:
    return idem.run(200, lambda: merge.undo_merge(session, user, merge_id, body.reason))


@router.get("/{person_id}", response_model=PersonOut)
def read_person(person_id: str, user: CurrentUser, session: SessionDep) -> PersonOut:
    return service.read_person(session, user, person_id)


@router.patch("/{person_id}", response_model=PersonOut)
def update_person(person_id: str, body: PersonPatch, user: CurrentUser, session: SessionDep, idem: IdempotencyDep,
                  if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: service.update_person(session, user, person_id, body, if_match))


@router.post("/{person_id}/warning-markers", status_code=201, response_model=PersonOut)
def add_marker(person_id: str, body: MarkerAdd, user: CurrentUser, session: SessionDep,
               idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.add_marker(session, user, person_id, body))


@router.post("/{person_id}/warning-markers/{marker_id}/remove", response_model=PersonOut)
def remove_marker(person_id: str, marker_id: str, body: ReasonIn, user: CurrentUser, session: SessionDep,
                  idem: IdempotencyDep) -> JSONResponse:
    return idem.run(200, lambda: service.remove_marker(session, user, person_id, marker_id, body.reason))


@router.get("/{person_id}/merges", response_model=list[MergeOut])
def person_merges(person_id: str, user: CurrentUser, session: SessionDep) -> list[MergeOut]:
    merges = merge.merges_of(session, person_id)
    audit.record(session, user, audit.AuditAction.CONSULTATION, "person_merges", person_id, "merges list")
    audit.record_many(session, user, audit.AuditAction.CONSULTATION, "person",
                      [pid for m in merges for pid in (m.survivor_id, m.merged_id) if pid != person_id], "merges list")
    return merges
