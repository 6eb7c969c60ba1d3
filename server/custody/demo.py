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
from server.auth.models import User
from server.custody import booking, care, clock, force, service
from server.custody.models import CustodyRecord, LogEntry
from server.custody.schemas import (AppropriateAdultIn, BookingIn, CheckIn, DetentionIn, InterviewIn,
                                    ObservationLevelIn, ReviewIn, RightIn, RightsNoticeIn, RiskAssessmentIn,
                                    RiskResponseIn)
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


def load_custody_demo(session: Session, users: dict[str, User], now: datetime, detainees: list[DemoDetainee],
                      demo_id: Callable[[str, str], str]) -> dict[str, int]:
    """Book in whichever demo detainees are missing. Returns records and log entries added."""
    before = session.scalar(select(func.count()).select_from(LogEntry)) or 0
    added: list[str] = []
    session.info[service.BULK_LOAD] = True
    try:
        _book_all(session, users, now, detainees, demo_id, added)
    finally:
        session.info.pop(service.BULK_LOAD, None)
    for record_id in added:  # one event per record, with the whole booked-in record
        record = session.get_one(CustodyRecord, record_id)
        service.emit(session, EventType.CUSTODY_RECORD_CREATED, service.RECORD, record_id,
                     service.record_out(session, record, now), record_id=record_id)
    after = session.scalar(select(func.count()).select_from(LogEntry)) or 0
    return {"records": len(added), "log_entries": after - before}


def _book_all(session: Session, users: dict[str, User], now: datetime, detainees: list[DemoDetainee],
              demo_id: Callable[[str, str], str], added: list[str]) -> None:
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
            vulnerable=vulnerable, cell=f"C{index + 1}",
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
    session.flush()
