"""Booking-in (s.41 relevant time, offences from the catalogue) and the custody sergeant's detention decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from domain.officers import titled
from domain import pace_clock, rights
from domain.offences import code_problem, normalise_code
from domain.roles import Role
from server import audit
from server.auth.models import User
from domain.suites import SuiteState
from server import force
from server.custody import suites
from server.custody.models import STATUS_IN_CUSTODY, STATUS_RELEASED, Cell, CustodyRecord, Suite
from server.custody.schemas import BookingIn, CustodyRecordOut, DetentionIn, RecordPatch
from server.custody.service import (changed, current, field_errors, fmt, next_custody_number, record_out,
                                    require, to_minute, writable, write_log)
from server.db import utcnow
from server.events import _PG_OUTBOX_LOCK
from server.errors import ProblemError
from server.people import service as people
from server.people.models import Person


def _offences(codes: list[str], arrested_at: datetime) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Catalogue entries in force on the (local) arrest date, or field errors naming the bad codes."""
    on = force.local_day(arrested_at)
    found: list[dict[str, Any]] = []
    errors: list[tuple[str, str]] = []
    for i, raw in enumerate(codes):
        if problem := code_problem(raw):
            errors.append((f"offences.{i}", problem))
            continue
        offence = force.catalogue().lookup(raw, on)
        if offence is None:
            errors.append((f"offences.{i}", f"{normalise_code(raw)} is not in the offence catalogue on "
                                            f"{on:%d/%m/%Y}; check the code."))
            continue
        found.append({"code": offence.code, "title": offence.title, "indictable": offence.indictable})
    return found, errors


def _decide(record: CustodyRecord, user: User, decision: DetentionIn) -> None:
    record.detention_decision = decision.decision
    record.detention_grounds = decision.grounds
    record.detention_decided_at = decision.decided_at
    record.detention_decided_by_id = user.id
    record.detention_decided_by_name = user.display_name
    record.detention_decided_by_rank = user.rank
    if decision.decision == "authorised":
        record.detention_authorised_at = decision.decided_at


def _decision_text(decision: DetentionIn, user: User) -> str:
    verb = "authorised" if decision.decision == "authorised" else "refused"
    return (f"Detention {verb} by {titled(user.rank, user.display_name)} ({user.collar_number}). "
            f"Grounds: {decision.grounds}")


def _same_booking(record: CustodyRecord, body: BookingIn) -> bool:
    """The same person arriving at the same time under the same client-made id."""
    person_id = body.person_id or (body.person.id if body.person is not None else None)
    return record.person_id == person_id and record.arrived_at == body.arrived_at


def _lock_numbering(session: Session) -> None:
    """Two bookings at once must not take the same custody number. PostgreSQL: the event outbox's advisory
    lock, which every booking takes anyway when it emits (one lock, so no lock-order deadlock with a booking
    that already emitted people.person.created); SQLite: a write that matches nothing still takes the
    database write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_OUTBOX_LOCK})
    else:
        session.execute(sql_text("UPDATE custody_records SET version = version WHERE 1 = 0"))


def _suite_and_cell(session: Session, body: BookingIn) -> tuple[Suite | None, Cell | None]:
    """The suite booking in (open) and the cell chosen there, locked and free (suites.take_cell: never two
    detainees in a cell for one, however many sergeants book at once). A cell given alone names its suite."""
    suite_id = body.suite_id
    if body.cell_id is not None and suite_id is None:
        chosen = session.get(Cell, body.cell_id)
        if chosen is None:
            field_errors([("cell_id", "There is no such cell; choose one of the suite's free cells.")])
            return None, None
        suite_id = chosen.suite_id
    if suite_id is None:
        return None, None
    suite = suites.suite_or_field_error(session, suite_id, "suite_id")
    if suite.state != SuiteState.OPEN:
        raise ProblemError(409, f"{suite.name} is closed ({suite.state_reason or 'not taking detainees'}); "
                                "book the detainee in at an open suite.",
                           errors=[{"field": "suite_id", "message": f"{suite.name} is closed."}])
    if body.cell_id is None and not body.cell:
        return suite, None
    cell = suites.take_cell(session, suite.id, cell_id=body.cell_id, number=None if body.cell_id else body.cell,
                            field="cell_id" if body.cell_id else "cell")
    return suite, cell


def book_in(session: Session, user: User, body: BookingIn, now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    if body.detention is not None:
        require(user, Role.CUSTODY_SERGEANT, doing="authorise or refuse detention")
    errors: list[tuple[str, str]] = []
    if (body.person_id is None) == (body.person is None):
        errors.append(("person_id", "Give either person_id (an existing person) or person (a new one), "
                                    "not both."))
    decided = body.detention.decided_at if body.detention else None
    # Booking-in is a time the client gives (it may be sent later from the outbox); by default the moment
    # detention was decided, else now.
    booked_in_at = body.booked_in_at or decided or now
    errors += [(e.field, e.message) for e in pace_clock.booking_time_errors(
        now=now, arrested_at=body.arrested_at, arrived_at=body.arrived_at, booked_in_at=booked_in_at,
        detention_authorised_at=decided, route=body.arrival_route)]
    implied = "detention.decided_at" if body.booked_in_at is None and decided is not None else "booked_in_at"
    errors = [("detention.decided_at", m) if f == "detention_authorised_at" else
              (implied, m) if f == "booked_in_at" else (f, m) for f, m in errors]
    errors = list(dict.fromkeys(errors))
    if body.arrival_route is pace_clock.ArrivalRoute.FROM_ANOTHER_AREA and body.left_first_area_at is None:
        errors.append(("left_first_area_at", "Give the time the person left detention in the first police area."))
    offences, offence_errors = _offences(body.offences, body.arrested_at)
    errors += offence_errors
    person = None
    if body.person_id is not None and body.person is None:
        person = session.get(Person, body.person_id)
        if person is None:
            errors.append(("person_id", "There is no person with this id; search again or add a new person."))
    field_errors(errors)
    _lock_numbering(session)
    existing = session.get(CustodyRecord, body.id)
    if existing is not None and _same_booking(existing, body):
        # The id is the client's (a booking made offline is sent when the server returns, perhaps again under
        # another key after its first answer was lost): the same booking again is the record already made.
        return record_out(session, existing)
    if existing is not None:
        raise ProblemError(409, f"A custody record with id {body.id} already exists.",
                           current=current(session, existing))
    if person is not None:
        open_record = session.scalars(select(CustodyRecord).where(CustodyRecord.person_id == person.id,
                                                                  CustodyRecord.status != STATUS_RELEASED)).first()
        if open_record is not None:
            raise ProblemError(409, f"{person.forenames} {person.surname} is already in custody under "
                                    f"{open_record.custody_number}; release them on that record before booking "
                                    "in again.", current=current(session, open_record))
    else:
        assert body.person is not None  # field_errors refused every other combination of person_id and person
        person = people.create_person(session, body.person, user)
    suite, cell = _suite_and_cell(session, body)
    relevant = pace_clock.relevant_time(route=body.arrival_route, arrested_at=body.arrested_at,
                                        arrived_at=body.arrived_at, left_first_area_at=body.left_first_area_at,
                                        config=force.clock())
    record = CustodyRecord(
        id=body.id, custody_number=next_custody_number(session, now.year), person=person,
        cell=cell.number if cell is not None else body.cell, suite_id=suite.id if suite else None,
        cell_id=cell.id if cell is not None else None,
        status=STATUS_IN_CUSTODY, arrived_at=body.arrived_at, booked_in_at=booked_in_at, arrested_at=body.arrested_at,
        arrest_place=body.arrest_place, arresting_officer=body.arresting_officer,
        arresting_officer_id=body.arresting_officer_id, officer_in_case_id=body.officer_in_case_id,
        offences=offences, arrest_reason=body.arrest_reason, arrest_necessity=body.arrest_necessity,
        arrival_route=body.arrival_route.value, left_first_area_at=body.left_first_area_at,
        relevant_time=relevant.at, relevant_time_basis=relevant.basis, vulnerable=body.vulnerable,
        appears_under_18=body.appears_under_18,
        juvenile=rights.is_juvenile(person.date_of_birth, relevant.at, appears_under_18=body.appears_under_18,
                                    local_zone=force.clock().local_zone),
        created_at=now, updated_at=now)
    if body.detention is not None:
        _decide(record, user, body.detention)
    session.add(record)
    session.flush()
    codes = ", ".join(o["code"] for o in offences)
    write_log(session, user, record, "note",
              f"Booked in{' at ' + suite.name if suite else ''}{' to cell ' + cell.number if cell else ''} by "
              f"{user.display_name}. Arrested {fmt(body.arrested_at)} at {body.arrest_place} by "
              f"{body.arresting_officer} for {codes}. Relevant time {fmt(relevant.at)} ({relevant.basis}). "
              f"Reason: {body.arrest_reason} Necessity: {body.arrest_necessity}", booked_in_at, now)
    if body.detention is not None:
        write_log(session, user, record, "detention_decision", _decision_text(body.detention, user),
                  body.detention.decided_at, now)
    return changed(session, user, record, now, action=audit.AuditAction.COLLECTION, created=True)


def decide_detention(session: Session, user: User, record_id: str, body: DetentionIn, if_match: int | None,
                     now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    require(user, Role.CUSTODY_SERGEANT, doing="authorise or refuse detention")
    record = writable(session, record_id, if_match)
    if record.detention_decision is not None:
        raise ProblemError(409, f"Detention was already {record.detention_decision} on this record.",
                           current=current(session, record))
    errors = pace_clock.booking_time_errors(now=now, arrested_at=record.arrested_at or record.arrived_at,
                                            arrived_at=record.arrived_at,
                                            booked_in_at=record.booked_in_at and to_minute(record.booked_in_at),
                                            detention_authorised_at=body.decided_at,
                                            route=pace_clock.ArrivalRoute(record.arrival_route))
    field_errors(("decided_at", e.message) for e in errors if e.field == "detention_authorised_at")
    _decide(record, user, body)
    write_log(session, user, record, "detention_decision", _decision_text(body, user), body.decided_at, now)
    return changed(session, user, record, now)


def patch_record(session: Session, user: User, record_id: str, body: RecordPatch, if_match: int | None,
                 now: datetime | None = None) -> CustodyRecordOut | None:
    now = now or utcnow()
    record = writable(session, record_id, if_match, require_match=True)
    given = body.model_dump(exclude_unset=True)
    if not given:
        field_errors([("body", "Nothing to change: give cell, vulnerable, appears_under_18 or officer_in_case_id.")])
    parts = []
    if record.suite_id is not None and ("cell" in given or "cell_id" in given):
        # A move within the suite: to a free cell of it, checked under the cell's lock like a booking.
        wanted_id, wanted_number = given.pop("cell_id", None), given.pop("cell", None)
        if wanted_id is None and wanted_number is None:
            record.cell, record.cell_id = None, None
            parts.append("cell → none")
        else:
            cell = suites.take_cell(session, record.suite_id, cell_id=wanted_id,
                                    number=None if wanted_id else wanted_number,
                                    field="cell_id" if wanted_id else "cell", record_id=record.id)
            record.cell, record.cell_id = cell.number, cell.id
            parts.append(f"cell → {cell.number}")
    elif "cell_id" in given:
        field_errors([("cell_id", "This record is not in a suite with cells; give cell (its number) instead.")])
    for name, value in given.items():
        if name in ("vulnerable", "appears_under_18") and value is None:
            field_errors([(name, "Give true or false.")])
        setattr(record, name, value)
        parts.append(f"{name.replace('_', ' ')} → {value if value is not None else 'none'}")
    if "appears_under_18" in given:
        record.juvenile = rights.is_juvenile(record.person.date_of_birth, record.relevant_time or record.arrived_at,
                                             appears_under_18=record.appears_under_18,
                                             local_zone=force.clock().local_zone)
    write_log(session, user, record, "note", "Record updated: " + "; ".join(parts) + ".", now, now)
    return changed(session, user, record, now)

