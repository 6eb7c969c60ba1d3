"""Custody suites and cells (issue 15): what the force has, how full each cell is, and the one way a detainee is
put into a cell.

Occupancy is never stored: it is the number of open custody records whose `cell_id` is the cell, counted after
the cell's row is locked (`take_cell`). Two sergeants booking into the last free place of a cell at once: the
second waits on the lock, counts the first's committed booking and is refused (409), on SQLite (the database
write lock) and PostgreSQL (the row lock; READ COMMITTED gives the count a fresh snapshot) alike.

Administrators edit suites and cells (versioned: server.records.claim; audited; `custody.suite.*` events carry the
whole suite with its cells, so every workstation's lists of suites and cells update from the feed)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from domain.events import EventType
from domain.roles import Role
from domain.suites import MAX_CELL_CAPACITY, CellType, SuiteState, cell_refusal
from server import audit, events, records
from server.auth.dependencies import CurrentUser, SessionDep, require_roles
from server.auth.models import User
from server.custody.models import STATUS_RELEASED, Cell, CustodyRecord, Suite
from server.db import utcnow
from server.errors import ProblemError
from server.events import _PG_OUTBOX_LOCK
from server.idempotency import IdempotencyDep
from server.records import IfMatch
from server.wire import CleanStr, ClientId, Flag

SUITE = "custody_suite"
CELL = "custody_cell"

# ------------------------------------------------------------------------------------------------ wire types


class CellOut(BaseModel):
    id: str
    suite_id: str
    number: str
    type: CellType
    capacity: int
    out_of_use: bool
    out_of_use_reason: str | None
    occupants: int
    free_places: int  # 0 when out of use
    version: int


class CustodySuiteOut(BaseModel):
    id: str
    code: str
    name: str
    address: str
    state: SuiteState
    state_reason: str | None
    cells: list[CellOut]
    cells_total: int
    cells_free: int  # cells in use that can take one more detainee
    detainees: int  # open custody records in the suite
    version: int


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("Must not be blank.")
    return value.strip() if value is not None else None


class SuiteName(BaseModel):
    id: str
    code: str
    name: str
    state: SuiteState


class SuiteIn(BaseModel):
    model_config = {"extra": "forbid"}
    id: ClientId
    code: CleanStr = Field(min_length=1, max_length=16)
    name: CleanStr = Field(min_length=1, max_length=200)
    address: CleanStr = Field(default="", max_length=1000)
    state: SuiteState = SuiteState.OPEN
    state_reason: CleanStr | None = Field(default=None, max_length=1000)

    _blank = field_validator("code", "name")(classmethod(lambda cls, v: _not_blank(v)))


class SuitePatch(BaseModel):
    model_config = {"extra": "forbid"}
    code: CleanStr | None = Field(default=None, min_length=1, max_length=16)
    name: CleanStr | None = Field(default=None, min_length=1, max_length=200)
    address: CleanStr | None = Field(default=None, max_length=1000)
    state: SuiteState | None = None
    state_reason: CleanStr | None = Field(default=None, max_length=1000)

    _blank = field_validator("code", "name")(classmethod(lambda cls, v: _not_blank(v)))


class CellIn(BaseModel):
    model_config = {"extra": "forbid"}
    id: ClientId
    number: CleanStr = Field(min_length=1, max_length=16)
    type: CellType
    capacity: int = Field(ge=1, le=MAX_CELL_CAPACITY)
    out_of_use: Flag = False
    out_of_use_reason: CleanStr | None = Field(default=None, max_length=1000)

    _blank = field_validator("number")(classmethod(lambda cls, v: _not_blank(v)))


class CellPatch(BaseModel):
    model_config = {"extra": "forbid"}
    number: CleanStr | None = Field(default=None, min_length=1, max_length=16)
    type: CellType | None = None
    capacity: int | None = Field(default=None, ge=1, le=MAX_CELL_CAPACITY)
    out_of_use: Flag | None = None
    out_of_use_reason: CleanStr | None = Field(default=None, max_length=1000)

    _blank = field_validator("number")(classmethod(lambda cls, v: _not_blank(v)))


# ------------------------------------------------------------------------------------------------- reads


def occupancy(session: Session, cell_ids: Sequence[str]) -> dict[str, int]:
    """Open custody records per cell, in one query."""
    if not cell_ids:
        return {}
    rows = session.execute(select(CustodyRecord.cell_id, func.count()).where(
        CustodyRecord.cell_id.in_(cell_ids), CustodyRecord.status != STATUS_RELEASED).group_by(CustodyRecord.cell_id))
    return {cell_id: count for cell_id, count in rows if cell_id is not None}


def _detainees(session: Session, suite_ids: Sequence[str]) -> dict[str, int]:
    rows = session.execute(select(CustodyRecord.suite_id, func.count()).where(
        CustodyRecord.suite_id.in_(suite_ids), CustodyRecord.status != STATUS_RELEASED)
        .group_by(CustodyRecord.suite_id))
    return {suite_id: count for suite_id, count in rows if suite_id is not None}


def cell_out(cell: Cell, occupants: int) -> CellOut:
    free = 0 if cell.out_of_use else max(cell.capacity - occupants, 0)
    return CellOut(id=cell.id, suite_id=cell.suite_id, number=cell.number, type=CellType(cell.cell_type),
                   capacity=cell.capacity, out_of_use=cell.out_of_use, out_of_use_reason=cell.out_of_use_reason,
                   occupants=occupants, free_places=free, version=cell.version)


def _cell_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """C2 before C10, as the cells are on the corridor (letters, then the number)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", number))


def suites_out(session: Session, suites: Sequence[Suite]) -> list[CustodySuiteOut]:
    """Suites with their cells and occupancy: three queries however many suites and cells."""
    cells = [c for s in suites for c in s.cells]
    held = occupancy(session, [c.id for c in cells])
    detainees = _detainees(session, [s.id for s in suites]) if suites else {}
    out = []
    for s in suites:
        cell_rows = [cell_out(c, held.get(c.id, 0)) for c in sorted(s.cells, key=lambda c: _cell_key(c.number))]
        out.append(CustodySuiteOut(id=s.id, code=s.code, name=s.name, address=s.address, state=SuiteState(s.state),
                                   state_reason=s.state_reason, cells=cell_rows, cells_total=len(cell_rows),
                                   cells_free=sum(1 for c in cell_rows if c.free_places > 0),
                                   detainees=detainees.get(s.id, 0), version=s.version))
    return out


def _load(session: Session, suite_ids: Iterable[str] | None = None) -> list[Suite]:
    query = select(Suite).options(selectinload(Suite.cells)).order_by(Suite.name, Suite.code)
    if suite_ids is not None:
        query = query.where(Suite.id.in_(list(suite_ids)))
    return list(session.scalars(query))


def list_suites(session: Session) -> list[CustodySuiteOut]:
    return suites_out(session, _load(session))


def read_suite(session: Session, suite_id: str) -> CustodySuiteOut:
    found = _load(session, [suite_id])
    if not found:
        raise ProblemError(404, f"There is no custody suite with id {suite_id[:40]!r}.")
    return suites_out(session, found)[0]


def suite_or_field_error(session: Session, suite_id: str, field: str) -> Suite:
    suite = session.get(Suite, suite_id)
    if suite is None:
        raise ProblemError.field(field, "There is no custody suite with this id; choose a suite from the list.")
    return suite


# ------------------------------------------------------------------------------------- putting into a cell


def _lock_cell(session: Session, cell_id: str) -> bool:
    """Lock the cell's row (PostgreSQL) or take the database write lock (SQLite) until the request commits, so
    the occupancy counted next cannot change under us. False when there is no such cell.

    PostgreSQL: the change feed's advisory lock first, which every write takes when it emits anyway, so a
    cell lock is always taken after it and never in the opposite order (no deadlock with a booking)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"),
                        {"k": _PG_OUTBOX_LOCK})
    result = session.execute(sql_text("UPDATE custody_cells SET version = version WHERE id = :id"), {"id": cell_id})
    return bool(getattr(result, "rowcount", 0))


def take_cell(session: Session, suite_id: str, *, cell_id: str | None = None, number: str | None = None,
              field: str = "cell_id", record_id: str | None = None) -> Cell:
    """The cell (by id, or by number within the suite) locked, checked free and ready to be assigned to a record
    in this transaction; 422 (field error) for a cell that is not the suite's, 409 for one that is out of use or
    full. `record_id`: a record already in the cell is not counted (moving within the same cell)."""
    if cell_id is None and number is not None:
        cell_id = session.scalar(select(Cell.id).where(Cell.suite_id == suite_id, Cell.number == number))
        if cell_id is None:
            raise ProblemError.field(field, f"This suite has no cell {number}; choose one of its free cells.")
    if cell_id is None or not _lock_cell(session, cell_id):
        raise ProblemError.field(field, "There is no such cell; choose one of the suite's free cells.")
    cell = session.get(Cell, cell_id, populate_existing=True)
    assert cell is not None  # locked just now
    if cell.suite_id != suite_id:
        raise ProblemError.field(field, f"Cell {cell.number} is in another custody suite; choose one of this "
                                        "suite's cells.")
    held = select(func.count()).select_from(CustodyRecord).where(
        CustodyRecord.cell_id == cell.id, CustodyRecord.status != STATUS_RELEASED)
    if record_id is not None:
        held = held.where(CustodyRecord.id != record_id)
    occupants = session.scalar(held) or 0
    if reason := cell_refusal(out_of_use=cell.out_of_use, out_of_use_reason=cell.out_of_use_reason,
                              capacity=cell.capacity, occupants=occupants, number=cell.number):
        suite = read_suite(session, suite_id)
        raise ProblemError(409, reason, errors=[{"field": field, "message": reason}],
                           current=suite.model_dump(mode="json"))
    return cell


# --------------------------------------------------------------------------------------- administration


def _publish(session: Session, user: User, suite_id: str, *, created: bool, entity: str, entity_id: str,
             action: audit.AuditAction) -> CustodySuiteOut:
    session.flush()
    audit.record(session, user, action, entity, entity_id)
    out = read_suite(session, suite_id)
    events.emit(session, EventType.CUSTODY_SUITE_CREATED if created else EventType.CUSTODY_SUITE_UPDATED, SUITE,
                suite_id, out)
    return out


def _code_free(session: Session, code: str, suite_id: str) -> None:
    other = session.scalar(select(Suite.id).where(func.upper(Suite.code) == code.upper(), Suite.id != suite_id))
    if other is not None:
        raise ProblemError.field("code", f"Another suite already has the code {code}.")


def create_suite(session: Session, user: User, body: SuiteIn) -> CustodySuiteOut:
    records.ensure_new(session, Suite, body.id, "custody suite", current=lambda s: read_suite(session, s.id))
    _code_free(session, body.code, body.id)
    now = utcnow()
    session.add(Suite(id=body.id, code=body.code.upper(), name=body.name, address=body.address,
                      state=body.state.value, state_reason=body.state_reason, version=1, created_at=now,
                      updated_at=now))
    return _publish(session, user, body.id, created=True, entity=SUITE, entity_id=body.id,
                    action=audit.AuditAction.COLLECTION)


def update_suite(session: Session, user: User, suite_id: str, body: SuitePatch,
                 if_match: int | None) -> CustodySuiteOut:
    suite = records.claim(session, Suite, suite_id, if_match, what="custody suite",
                          current=lambda s: read_suite(session, s.id))
    given = body.model_dump(exclude_unset=True)
    if not given:
        raise ProblemError.field("body", "Nothing to change: give code, name, address, state or state_reason.")
    for name in ("code", "name", "state"):
        if name in given and given[name] is None:
            raise ProblemError.field(name, "Give a value.")
    if "code" in given:
        _code_free(session, given["code"], suite_id)
        given["code"] = given["code"].upper()
    if "state" in given:
        given["state"] = SuiteState(given["state"]).value
    for name, value in given.items():
        setattr(suite, name, value)
    suite.updated_at = utcnow()
    return _publish(session, user, suite_id, created=False, entity=SUITE, entity_id=suite_id,
                    action=audit.AuditAction.ALTERATION)


def _number_free(session: Session, suite_id: str, number: str, cell_id: str) -> None:
    other = session.scalar(select(Cell.id).where(Cell.suite_id == suite_id, func.upper(Cell.number) == number.upper(),
                                                 Cell.id != cell_id))
    if other is not None:
        raise ProblemError.field("number", f"This suite already has a cell {number}.")


def _check_out_of_use(out_of_use: bool, reason: str | None) -> None:
    if out_of_use and not (reason or "").strip():
        raise ProblemError.field("out_of_use_reason", "Say why the cell is out of use (e.g. damaged, being cleaned).")


def create_cell(session: Session, user: User, suite_id: str, body: CellIn) -> CustodySuiteOut:
    # Claiming the suite serialises cell edits of one suite and moves its version (its cells are part of it).
    records.claim(session, Suite, suite_id, None, what="custody suite", current=lambda s: read_suite(session, s.id),
                  required=False)
    records.ensure_new(session, Cell, body.id, "cell")
    _number_free(session, suite_id, body.number, body.id)
    _check_out_of_use(body.out_of_use, body.out_of_use_reason)
    now = utcnow()
    session.add(Cell(id=body.id, suite_id=suite_id, number=body.number.upper(), cell_type=body.type.value,
                     capacity=body.capacity, out_of_use=body.out_of_use,
                     out_of_use_reason=body.out_of_use_reason if body.out_of_use else None, version=1,
                     created_at=now, updated_at=now))
    return _publish(session, user, suite_id, created=False, entity=CELL, entity_id=body.id,
                    action=audit.AuditAction.COLLECTION)


def update_cell(session: Session, user: User, cell_id: str, body: CellPatch, if_match: int | None) -> CustodySuiteOut:
    cell = records.claim(session, Cell, cell_id, if_match, what="cell",
                         current=lambda c: cell_out(c, occupancy(session, [c.id]).get(c.id, 0)))
    given = body.model_dump(exclude_unset=True)
    if not given:
        raise ProblemError.field("body", "Nothing to change: give number, type, capacity, out_of_use or "
                                         "out_of_use_reason.")
    for name in ("number", "type", "capacity", "out_of_use"):
        if name in given and given[name] is None:
            raise ProblemError.field(name, "Give a value.")
    records.claim(session, Suite, cell.suite_id, None, what="custody suite",
                  current=lambda s: read_suite(session, s.id), required=False)
    occupants = occupancy(session, [cell.id]).get(cell.id, 0)
    if "number" in given:
        _number_free(session, cell.suite_id, given["number"], cell.id)
        cell.number = given["number"].upper()
    if "type" in given:
        cell.cell_type = CellType(given["type"]).value
    if "capacity" in given:
        if given["capacity"] < occupants:
            raise ProblemError.field("capacity", f"Cell {cell.number} holds {occupants} detainees now; move "
                                                 "someone before lowering its capacity below that.")
        cell.capacity = given["capacity"]
    if "out_of_use" in given:
        cell.out_of_use = given["out_of_use"]
    if "out_of_use_reason" in given:
        cell.out_of_use_reason = given["out_of_use_reason"]
    if not cell.out_of_use:
        cell.out_of_use_reason = None
    _check_out_of_use(cell.out_of_use, cell.out_of_use_reason)
    if cell.out_of_use and occupants and given.get("out_of_use"):
        raise ProblemError.field("out_of_use", f"Cell {cell.number} holds a detainee; move them to another cell "
                                               "before taking it out of use.")
    cell.updated_at = utcnow()
    return _publish(session, user, cell.suite_id, created=False, entity=CELL, entity_id=cell.id,
                    action=audit.AuditAction.ALTERATION)


# ---------------------------------------------------------------------------------------------------- routes

router = APIRouter()
Administrator = Annotated[User, Depends(require_roles(Role.ADMINISTRATOR))]
ADMIN_ERRORS: dict[int | str, dict[str, object]] = {
    403: {"description": "Only an administrator edits suites and cells"},
    409: {"description": "Id already used"},
    412: {"description": "If-Match version is stale (current = the suite or cell)"},
    422: {"description": "Invalid (field errors)"},
}


@router.get("/suite-names", response_model=list[SuiteName])
def get_suite_names(session: SessionDep) -> list[SuiteName]:
    """The force's suites by name, before signing in: a workstation's sign-in dialog offers them so the officer
    chooses where they are as they sign in. Names and codes of police stations only (public); no counts."""
    return [SuiteName(id=s.id, code=s.code, name=s.name, state=SuiteState(s.state))
            for s in session.scalars(select(Suite).order_by(Suite.name, Suite.code))]


@router.get("/suites", response_model=list[CustodySuiteOut])
def get_suites(user: CurrentUser, session: SessionDep) -> list[CustodySuiteOut]:
    """Every suite of the force with its cells and how full each is (no personal data: counts only)."""
    return list_suites(session)


@router.get("/suites/{suite_id}", response_model=CustodySuiteOut)
def get_one_suite(suite_id: str, user: CurrentUser, session: SessionDep) -> CustodySuiteOut:
    return read_suite(session, suite_id)


@router.post("/suites", status_code=201, response_model=CustodySuiteOut, responses=ADMIN_ERRORS)
def post_suite(body: SuiteIn, user: Administrator, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: create_suite(session, user, body))


@router.patch("/suites/{suite_id}", response_model=CustodySuiteOut,
              responses={**ADMIN_ERRORS, 428: {"description": "If-Match missing"}})
def patch_suite(suite_id: str, body: SuitePatch, user: Administrator, session: SessionDep, idem: IdempotencyDep,
                if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: update_suite(session, user, suite_id, body, if_match))


@router.post("/suites/{suite_id}/cells", status_code=201, response_model=CustodySuiteOut, responses=ADMIN_ERRORS)
def post_cell(suite_id: str, body: CellIn, user: Administrator, session: SessionDep,
              idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: create_cell(session, user, suite_id, body))


@router.patch("/cells/{cell_id}", response_model=CustodySuiteOut,
              responses={**ADMIN_ERRORS, 428: {"description": "If-Match missing"}})
def patch_cell(cell_id: str, body: CellPatch, user: Administrator, session: SessionDep, idem: IdempotencyDep,
               if_match: IfMatch) -> JSONResponse:
    return idem.run(200, lambda: update_cell(session, user, cell_id, body, if_match))


