"""The demo custody suite, booked in properly through the custody services (issue 3).

Each detainee of server.demo.DEMO_DETAINEES is booked in with an arrest, offences, an authorised detention,
a risk assessment, an observation level and checks over the last two hours, at times in the past, so the board opens on a
living suite: one check overdue (Elsworth), one review due within the hour (Jessamy), a juvenile awaiting an
appropriate adult (Carrow), several level-2 detainees and a vulnerable adult whose AA has arrived.
Everything is invented. The services are called with `now` set to the moment each step happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.events import EventType
from domain.observation import CheckResult, CheckType, ObservationLevel
from domain.rights import Right
from domain.risk import Answer, Source
from domain.suites import CellType
from server.auth.models import User
from server import force
from server.custody import booking, care, clock, service, transfers
from server.custody.models import Cell, CustodyRecord, LogEntry, Suite
from server.custody.schemas import (AppropriateAdultIn, BookingIn, CheckIn, DetentionIn, InterviewIn,
                                    ObservationLevelIn, ReviewIn, RightIn, RightsNoticeIn, RiskAssessmentIn,
                                    RiskResponseIn)
from server.db import utcnow
from server.people import service as people
from server.people.models import Person

OFFENCES = [["TH68010"], ["CJ88001"], ["OF61102"], ["CD71039"], ["MD71210"], ["TH68001", "CJ88116"],
            ["TH68007"], ["CD71015"]]
PLACES = ["Quayside Retail Park, Portharrow", "Lantern Street, Portharrow", "Gullhaven Road, Eastmere",
          "The Ropewalk, Portharrow", "Saltings Lane, Eastmere"]
ARRESTERS = ["PC 4471 Dorian Feltwell", "PC 5530 Imogen Ashgrove", "PC 6102 Rufus Pellow"]
OVERDUE_CHECK = "Elsworth"  # last check 80 minutes ago at level 1
REVIEW_DUE_SOON = "Jessamy"  # first review due within the hour, not yet done
AA_AWAITED = "Carrow"  # juvenile; AA requested, not yet arrived
CHECK_HISTORY = timedelta(hours=2)  # checks are generated for the last two hours only (keeps loading quick)

# Issue 15: three suites of different sizes and loads, so the force view has something to show. code, name,
# address, cells (number, type, capacity, out of use because), how many of the detainees (in order) are there.
DemoCell = tuple[str, CellType, int, str | None]
DemoSuite = tuple[str, str, str, list[DemoCell], int]
_EASTMERE: list[DemoCell] = [(f"E{n}", CellType.ADULT, 1, None) for n in range(1, 7)]
_EASTMERE += [("E7", CellType.JUVENILE, 1, None), ("E8", CellType.CONSTANT_WATCH, 1, None)]
_GULLHAVEN: list[DemoCell] = [("G1", CellType.ADULT, 1, None), ("G2", CellType.ADULT, 1, None),
                              ("G3", CellType.ADULT, 1, None), ("G4", CellType.DETENTION_ROOM, 1, None)]
DEMO_SUITES: list[DemoSuite] = [
    ("PHC", "Portharrow Central", "1 Harbour Road, Portharrow PH1 4QA",
     [(f"C{n}", CellType.JUVENILE if n == 3 else CellType.CONSTANT_WATCH if n == 4 else
       CellType.DETENTION_ROOM if n == 15 else CellType.ADULT, 2 if n == 16 else 1,
       "Door hinge damaged; repair booked" if n == 12 else None) for n in range(1, 17)], 10),
    ("EAS", "Eastmere", "Station Approach, Eastmere EM3 9LD", _EASTMERE, 3),
    ("GUL", "Gullhaven", "Quay Street, Gullhaven GH2 1TS", _GULLHAVEN, 1),
]
TRANSFERRED = "Nankivell"  # sent from Gullhaven to Eastmere, awaiting acceptance there

RiskLevel = Literal["low", "medium", "high"]
# surname, forenames, date of birth, gender, hours since arrival, juvenile, vulnerable, risk, observation level
DemoDetainee = tuple[str, str, date, str, float, bool, bool, RiskLevel, int]


def _risk_responses(risk: RiskLevel, obs_level: int, vulnerable: bool) -> list[RiskResponseIn]:
    yes: set[str] = set()
    if risk in ("medium", "high"):
        yes |= {"alcohol_drugs"}
    if obs_level >= 2:
        yes |= {"physical_health"}
    if obs_level >= 3 or risk == "high":
        yes |= {"self_harm_history"}
    if vulnerable:
        yes |= {"mental_health", "appropriate_adult"}
    keys = ["physical_health", "medication", "mental_health", "self_harm_history", "self_harm_current",
            "alcohol_drugs", "dependency", "violence", "warning_markers", "first_time", "appropriate_adult"]
    return [RiskResponseIn(area=k, answer=Answer.YES if k in yes else Answer.NO, source=Source.DETAINEE) for k in keys]


def _check_for(level: int) -> tuple[CheckType, CheckResult]:
    if ObservationLevel(level) in force.observation().rousing_levels:
        return CheckType.ROUSE, CheckResult.RESPONDED
    return CheckType.LOOK, CheckResult.AWAKE_SETTLED


def _transfer(session: Session, sergeant: User, record_id: str, key: Callable[[str], str], now: datetime,
              demo_id: Callable[[str, str], str]) -> None:
    """Property logged, risk re-assessed for the transfer, then sent on to Eastmere (awaiting acceptance)."""
    record = session.get_one(CustodyRecord, record_id)
    service.write_log(session, sergeant, record, "property", "Wallet (£12.40), phone, house keys: bag GH-2231.",
                      now - timedelta(minutes=50), now - timedelta(minutes=50))
    care.add_risk_assessment(session, sergeant, record_id, RiskAssessmentIn(
        id=key("risk_transfer"), trigger="transfer", assessed_at=now - timedelta(minutes=12),
        responses=_risk_responses("medium", 2, False), officer_observations="Calm; asked where he was going.",
        warning_markers="None recorded.", risk_level="medium"), None, now=now - timedelta(minutes=11))
    transfers.send(session, sergeant, record_id, transfers.TransferIn(
        id=key("transfer"), to_suite_id=demo_id("custody_suite", "EAS"), sent_at=now - timedelta(minutes=8),
        note="Gullhaven closes overnight; Eastmere to take him for interview in the morning."), None,
        now=now - timedelta(minutes=7))


def load_custody_demo(session: Session, users: dict[str, User], now: datetime, detainees: list[DemoDetainee],
                      demo_id: Callable[[str, str], str]) -> dict[str, int]:
    """Book in whichever demo detainees are missing. Returns records and log entries added."""
    before = session.scalar(select(func.count()).select_from(LogEntry)) or 0
    added: list[str] = []
    session.info[service.BULK_LOAD] = True
    try:
        places = _suites(session, demo_id, len(detainees))
        _book_all(session, users, now, detainees, demo_id, added, places)
    finally:
        session.info.pop(service.BULK_LOAD, None)
    for record_id in added:  # one event per record, with the whole booked-in record
        record = session.get_one(CustodyRecord, record_id)
        service.emit(session, EventType.CUSTODY_RECORD_CREATED, service.RECORD, record_id,
                     service.record_out(session, record, now), record_id=record_id)
    after = session.scalar(select(func.count()).select_from(LogEntry)) or 0
    return {"records": len(added), "log_entries": after - before}


def _suites(session: Session, demo_id: Callable[[str, str], str], count: int) -> list[tuple[str, str]]:
    """The demo suites and cells (added when missing); the (suite id, cell number) of each detainee in order."""
    places: list[tuple[str, str]] = []
    now = utcnow()
    for code, name, address, cells, held in DEMO_SUITES:
        suite_id = demo_id("custody_suite", code)
        if session.get(Suite, suite_id) is None:
            session.add(Suite(id=suite_id, code=code, name=name, address=address, state="open", version=1,
                              created_at=now, updated_at=now))
            session.add_all(Cell(id=demo_id("custody_cell", f"{code}:{number}"), suite_id=suite_id, number=number,
                                 cell_type=kind.value, capacity=capacity, out_of_use=why is not None,
                                 out_of_use_reason=why, version=1, created_at=now, updated_at=now)
                            for number, kind, capacity, why in cells)
        usable = [number for number, _k, _c, why in cells if why is None]
        places += [(suite_id, usable[i]) for i in range(held)]
    session.flush()
    # More detainees than the suites were laid out for (tests): the rest go to the first suite's later cells.
    spare = [number for number, _k, _c, why in DEMO_SUITES[0][3] if why is None][DEMO_SUITES[0][4]:]
    first = demo_id("custody_suite", DEMO_SUITES[0][0])
    places += [(first, spare[i % len(spare)]) for i in range(max(count - len(places), 0))]
    return places


def _book_all(session: Session, users: dict[str, User], now: datetime, detainees: list[DemoDetainee],
              demo_id: Callable[[str, str], str], added: list[str], places: list[tuple[str, str]]) -> None:
    sergeant, detention, inspector = users["sergeant"], users["detention"], users["inspector"]
    investigator = users["investigator"]
    for index, (surname, forenames, dob, gender, hours, _juvenile, vulnerable, risk, level) in enumerate(detainees):
        record_id = demo_id("custody_record", surname)
        if session.get(CustodyRecord, record_id) is not None:
            continue
        person_id = demo_id("person", surname)
        if session.get(Person, person_id) is None:
            people.create_person(session, {"id": person_id, "surname": surname, "forenames": forenames,
                                           "date_of_birth": dob, "gender": gender}, sergeant)
        arrived = now - timedelta(hours=hours)
        booked = arrived + timedelta(minutes=10)
        authorised = arrived + timedelta(minutes=20)

        def at(minutes: float, arrived: datetime = arrived) -> datetime:
            return arrived + timedelta(minutes=minutes)

        def key(what: str, surname: str = surname) -> str:
            return demo_id(what, surname)

        booking.book_in(session, sergeant, BookingIn(
            id=record_id, person_id=person_id, arrived_at=arrived, arrested_at=arrived - timedelta(minutes=35),
            arrest_place=PLACES[index % len(PLACES)], arresting_officer=ARRESTERS[index % len(ARRESTERS)],
            officer_in_case_id=investigator.id, offences=OFFENCES[index % len(OFFENCES)],
            arrest_reason="Suspected of the offence on the account of a witness and CCTV.",
            arrest_necessity="To allow the prompt and effective investigation of the offence (Code G 2.9(e)).",
            vulnerable=vulnerable, suite_id=places[index][0], cell=places[index][1],
            detention=DetentionIn(decision="authorised", decided_at=authorised,
                                  grounds="To secure and preserve evidence and to obtain evidence by questioning.")),
            now=booked + timedelta(minutes=10))
        added.append(record_id)
        care.give_rights_notice(session, sergeant, record_id, RightsNoticeIn(language="en", given_at=at(22)), None,
                                now=at(22))
        care.add_right(session, sergeant, record_id, RightIn(id=key("right_legal"), right=Right.LEGAL_ADVICE,
                                                             requested=index % 3 != 0, at=at(23)), None, now=at(23))
        care.add_risk_assessment(session, sergeant, record_id, RiskAssessmentIn(
            id=key("risk"), trigger="booking_in", assessed_at=at(25),
            responses=_risk_responses(risk, level, vulnerable),
            officer_observations="Calm and co-operative at the desk." if risk == "low" else
            "Smelt of alcohol; unsteady on his or her feet at the desk.",
            warning_markers="None recorded." if risk != "high" else "Self-harm marker on local systems.",
            risk_level=risk), None, now=at(26))
        care.set_observation_level(session, sergeant, record_id, ObservationLevelIn(
            level=level, set_at=at(30), reason=f"Risk assessment: {risk} risk."), None, now=at(30))
        record = session.get_one(CustodyRecord, record_id)
        if record.juvenile or vulnerable:
            care.appropriate_adult(session, sergeant, record_id, AppropriateAdultIn(
                event="requested", at=at(24), name="Hesketh Morrow (parent)" if record.juvenile else
                "Ifeoma Carlisle (AA scheme)"), None, now=at(24))
            if surname != AA_AWAITED and hours > 2:
                care.appropriate_adult(session, detention, record_id, AppropriateAdultIn(
                    event="arrived", at=at(95)), None, now=at(95))
        # Reviews by the (uninvolved) inspector, each 30 minutes before it falls due.
        number = 1
        while ((due := authorised + force.clock().first_review_after
                + (number - 1) * force.clock().review_interval) - timedelta(minutes=30) < now
               and not (surname == REVIEW_DUE_SOON and due > now)):
            clock.add_review(session, inspector, record_id, ReviewIn(
                id=demo_id("review", f"{surname}:{number}"), kind="review", at=due - timedelta(minutes=30),
                outcome="continue", grounds="Evidence still to be secured; interview not yet complete.",
                representations="Detainee made no representations."), None, now=due - timedelta(minutes=29))
            number += 1
        if index == 4 and hours > 4:  # one interview, for the log and the interview list
            care.start_interview(session, detention, record_id, InterviewIn(
                id=key("interview"), started_at=at(180), ended_at=at(225), location="Interview room 2",
                interviewing_officers=["DC 4093 Rafe Illingsworth"],
                others_present=["Solicitor: Perrin Oakes (Oakes & Tamblyn)"]), None, now=at(226))
        # Checks at the level's interval over the last few hours; one detainee's checks stop early (overdue).
        interval = force.observation().intervals[ObservationLevel(level)]
        check_type, result = _check_for(level)
        last = now - timedelta(minutes=80) if surname == OVERDUE_CHECK else now - timedelta(minutes=2)
        # Start early enough that even the overdue detainee has checks before they stopped.
        t = max(at(30), min(now - CHECK_HISTORY, last - 2 * interval)) + interval - timedelta(minutes=3)
        n = 0
        while t <= last:
            care.add_check(session, detention, record_id, CheckIn(
                id=demo_id("check", f"{surname}:{n}"), check_type=check_type, result=result, observed_at=t),
                None, now=t + timedelta(minutes=1))
            t += interval - timedelta(minutes=3)
            n += 1
        if hours > 1:
            service.write_log(session, detention, record, "drink", "Offered and accepted a cup of water.",
                              at(60), at(61))
        if hours > 5:
            service.write_log(session, detention, record, "meal", "Microwave meal (vegetarian) offered and eaten.",
                              at(290), at(292))
        if surname == TRANSFERRED:
            _transfer(session, sergeant, record_id, key, now, demo_id)
    session.flush()
