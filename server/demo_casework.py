"""Fictional people, investigations with actions, and intelligence reports for the demo suite.

Every name, date of birth, PNC ID, CRO number and address is invented; PNC IDs and CRO numbers are made with
valid check letters (domain.identifiers) so they pass validation. Loading twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain.identifiers import cro_check, pnc_check
from server.auth.models import User
from server.intelligence.models import IntelligenceEvent, IntelligencePerson, IntelligenceReport
from server.investigations.models import Action, ActionHistory, Investigation, InvestigationPerson, LineOfEnquiry
from server.people.models import Person, PersonAddress, PersonAlias, WarningMarker


def pnc(year: int, serial: int) -> str:
    return f"{year}/{serial:07d}{pnc_check(str(year)[2:], str(serial))}"


def cro(serial: int, yy: int) -> str:
    return f"{serial}/{yy:02d}{cro_check(str(serial), f'{yy:02d}')}"


DemoId = Callable[[str, str], str]  # server.demo.demo_id: the fixed id of a demo row
Pairs = list[tuple[str, str]]

# key, surname, forenames, dob, gender, pnc, cro, aliases [(surname, forenames)], markers [(code, details)], address
PEOPLE: list[tuple[str, str, str, date, str, str | None, str | None, Pairs, Pairs, tuple[str, str, str]]] = [
    ("macdonald", "Macdonald", "Stephen James", date(1988, 4, 11), "male", pnc(2006, 418221), cro(41822, 6),
     [("McDonald", "Steve")], [("violence", "Assaulted two officers on arrest, March 2025.")],
     ("14 Tanner Row", "Northmoor", "NM1 4TR")),
    ("mcdonald", "McDonald", "Steven", date(1988, 11, 4), "male", None, None, [], [],
     ("3 Cooper's Yard", "Northmoor", "NM2 7CY")),
    ("rahman", "Rahman", "Mohammed Idris", date(1992, 7, 19), "male", pnc(2010, 77310), None,
     [("Rahman", "Muhammad"), ("Raman", "Mo")], [("weapons", "Known to carry a lock knife.")],
     ("Flat 6, Ropewalk House", "Eastbridge", "EB3 9RW")),
    ("rehman", "Rehman", "Muhammad", date(1979, 2, 2), "male", None, None, [], [],
     ("22 Lantern Street", "Eastbridge", "EB1 2LS")),
    ("osullivan", "O'Sullivan-Hart", "Kieran", date(1996, 12, 30), "male", pnc(2014, 5512), None, [],
     [("self_harm", "Self-harmed in custody 2024; ligature risk."), ("drugs", "Heroin user.")],
     ("41 Vetch Close", "Northmoor", "NM4 1VC")),
    ("carver", "Carver", "Bethany Rose", date(1985, 5, 23), "female", None, None, [("Carver-Nash", "Beth")], [],
     ("9 Quillon Terrace", "Northmoor", "NM1 9QT")),
    ("pell", "Pell", "Ignatius", date(1961, 9, 8), "male", None, None, [], [],
     ("The Old Forge, Mill Lane", "Wrenbury", "WR6 3ML")),
    ("thwaite", "Thwaite", "Catherine", date(2000, 3, 15), "female", None, None, [("Thwaite", "Kathryn")], [],
     ("18 Brindle Way", "Eastbridge", "EB2 8BW")),
]

# Custody demo detainees (server.demo) whose person records get identifiers, markers and aliases.
DETAINEE_EXTRAS: dict[str, tuple[str | None, str | None, Pairs, Pairs]] = {
    "Gorringe": (pnc(1986, 2231), cro(22310, 86), [("Goringe", "Lysander")],
                 [("violence", "Threatened staff with a chair, 2023.")]),
    "Dunmore-Okafor": (None, None, [("Okafor", "Tamsin")], [("self_harm", "Cut arms while in a cell, 2022."),
                                                           ("mental_health", "Known to the crisis team.")]),
    "Inchbald": (pnc(2002, 90441), None, [("Inchbold", "Perry")], [("weapons", "Carried a machete, 2021."),
                                                                 ("escaper", "Escaped from escort, 2019.")]),
    "Abernethy-Vole": (pnc(2009, 1207), None, [], []),
    "Nankivell": (None, cro(6613, 91), [], [("ailment", "Diabetic: needs insulin at meal times.")]),
}


def _add_person(session: Session, demo_id: DemoId, by: User, now: datetime, key: str, surname: str, forenames: str,
                dob: date, gender: str, pnc_id: str | None, cro_number: str | None, aliases: Pairs, markers: Pairs,
                address: tuple[str, str, str]) -> Person:
    person = Person(id=demo_id("person", key), surname=surname, forenames=forenames, date_of_birth=dob,
                    gender=gender, pnc_id=pnc_id, cro_number=cro_number, version=1, created_at=now,
                    updated_at=now, self_defined_ethnicity="19", officer_defined_ethnicity="0")
    session.add(person)
    _extras(session, demo_id, by, now, person, aliases, markers)
    line1, town, postcode = address
    session.add(PersonAddress(id=demo_id("address", key), person_id=person.id, kind="home", line1=line1,
                              line2="", town=town, postcode=postcode))
    return person


def _extras(session: Session, demo_id: DemoId, by: User, now: datetime, person: Person, aliases: Pairs,
            markers: Pairs) -> None:
    for surname, forenames in aliases:
        session.add(PersonAlias(id=demo_id("alias", f"{person.id}:{surname}:{forenames}"), person_id=person.id,
                                surname=surname, forenames=forenames))
    for i, (code, details) in enumerate(markers):
        session.add(WarningMarker(id=demo_id("marker", f"{person.id}:{code}"), person_id=person.id, code=code,
                                  details=details, set_by_id=by.id, set_at=now - timedelta(days=400 - 30 * i)))


# investigation key, title, summary, [(person key or detainee surname, role)], lines, actions
# action: (title, origin, priority, state, due in hours (None = not allocated), result)
DemoAction = tuple[str, str, str, str, int | None, str | None]
INVESTIGATIONS: list[tuple[str, str, str, Pairs, list[str], list[DemoAction]]] = [
    ("quillon", "Assault at Quillon Terrace", "Bethany Carver was assaulted outside her home on a Friday night; "
     "the suspect is believed to be Stephen Macdonald, who left in a grey van.",
     [("macdonald", "suspect"), ("carver", "victim"), ("pell", "witness")],
     ["Identify the van", "Trace and interview the suspect"],
     [("Obtain CCTV from the Quillon Terrace shop", "M1 message from victim", "high", "filed", -48,
       "Footage seized: exhibit RI/1, shows a grey van at 23:12."),
      ("Take a statement from the witness Ignatius Pell", "S1 first account", "high", "resulted", -6,
       "Statement taken (S2); describes the van's partial registration."),
      ("House-to-house enquiries in Quillon Terrace", "Line of enquiry: identify the van", "medium", "allocated",
       -20, None),
      ("Check the partial registration against ANPR", "S2 witness statement", "high", "allocated", 30, None),
      ("Arrange a medical statement for the victim", "M1 message from victim", "medium", "allocated", 72, None),
      ("Research the suspect's known associates", "Line of enquiry: trace the suspect", "low", "raised", None,
       None),
      ("Seize the suspect's phone records", "Line of enquiry: trace the suspect", "medium", "referred", None,
       None)]),
    ("ropewalk", "Burglary at Ropewalk Stores", "Overnight burglary of Ropewalk Stores; cigarettes and cash "
     "taken. Intelligence names Mohammed Rahman.",
     [("rahman", "suspect"), ("Gorringe", "suspect"), ("thwaite", "witness")],
     ["Forensic examination of the scene"],
     [("Submit glove marks from the rear door for comparison", "R1 scene examiner's report", "high", "allocated",
       -3, None),
      ("Take a statement from the shop keyholder", "M1 initial report", "medium", "allocated", 48, None),
      ("Check pawn shops for the stolen goods", "M1 initial report", "low", "cancelled", None, None),
      ("Review street CCTV on Lantern Street", "Line of enquiry: forensic examination", "medium", "raised", None,
       None)]),
]


def _add_investigation(session: Session, demo_id: DemoId, users: dict[str, User], now: datetime, index: int,
                       key: str, title: str, summary: str, people: Pairs, lines: list[str],
                       actions: list[DemoAction]) -> int:
    investigator, supervisor = users["investigator"], users["supervisor"]
    opened = now - timedelta(days=10 - 3 * index)
    inv = Investigation(id=demo_id("investigation", key), reference=f"INV-{opened.year}-{9001 + index:04d}",
                        title=title, summary=summary, status="open", kind="crime", offences=[],
                        officer_in_charge_id=investigator.id, supervisor_id=supervisor.id,
                        created_by_id=supervisor.id, opened_at=opened, version=1)
    session.add(inv)
    for person_key, role in people:
        session.add(InvestigationPerson(id=demo_id("inv_person", f"{key}:{person_key}"), investigation_id=inv.id,
                                        person_id=demo_id("person", person_key), role=role, added_at=opened,
                                        added_by_id=supervisor.id))
    line_ids = []
    for line in lines:
        line_id = demo_id("line", f"{key}:{line}")
        line_ids.append(line_id)
        session.add(LineOfEnquiry(id=line_id, investigation_id=inv.id, title=line, objective="", status="open",
                                  raised_at=opened, raised_by_id=supervisor.id))
    session.flush()
    for n, (a_title, origin, priority, state, due_h, result) in enumerate(actions, start=1):
        raised = opened + timedelta(hours=n)
        action = Action(id=demo_id("action", f"{key}:{n}"), investigation_id=inv.id, number=f"A{n}", title=a_title,
                        details="", origin=origin, priority=priority, status="raised", raised_by_id=supervisor.id,
                        raised_at=raised, version=1,
                        line_of_enquiry_id=line_ids[0] if "Line of enquiry" in origin and line_ids else None)
        # (event, from status, to status, reason, by, at)
        history: list[tuple[str, str | None, str, str | None, User, datetime]] = [
            ("raise", None, "raised", None, supervisor, raised)]
        if due_h is not None:
            allocated = raised + timedelta(hours=1)
            action.allocated_to_id, action.allocated_at = investigator.id, allocated
            action.due_at = now + timedelta(hours=due_h)
            history.append(("allocate", "raised", "allocated", None, supervisor, allocated))
        if state in ("resulted", "filed"):
            done = min(now - timedelta(hours=2), action.due_at or now)
            action.result_text, action.resulted_at, action.resulted_by_id = result, done, investigator.id
            history.append(("submit_result", "allocated", "resulted", None, investigator, done))
        if state == "filed":
            action.reviewed_by_id, action.reviewed_at = supervisor.id, now - timedelta(hours=1)
            action.review_outcome = "file"
            history.append(("file", "resulted", "filed", None, supervisor, now - timedelta(hours=1)))
        if state == "referred":
            action.reason = "Needs an authorisation decision from the SIO first."
            history.append(("refer", "raised", "referred", action.reason, supervisor, raised + timedelta(hours=2)))
        if state == "cancelled":
            action.reason = "Goods recovered at the scene; no longer needed."
            history.append(("cancel", "raised", "cancelled", action.reason, supervisor, raised + timedelta(hours=2)))
        action.status = state
        action.version = len(history)
        session.add(action)
        for i, (event, before, after, reason, by, at) in enumerate(history):
            session.add(ActionHistory(id=demo_id("action_history", f"{key}:{n}:{i}"), action_id=action.id, at=at,
                                      by_id=by.id, event=event, from_status=before, to_status=after, reason=reason))
    return len(actions)


# key, title, source ref, original, sanitised, source eval, items, handling, conditions, status, [(person, role)]
REPORTS: list[tuple[str, str, str, str, str, str, Pairs, str, str, str, Pairs]] = [
    ("van", "Suspect's van kept at a lock-up", "SRC-0042",
     "Caller (a neighbour at no. 12) says Stephen Macdonald keeps a grey Transit van in lock-up 4 behind Tanner "
     "Row and was seen washing it on Saturday morning.",
     "Stephen Macdonald keeps a grey van in a lock-up behind Tanner Row; it was washed on Saturday morning.",
     "2", [("Grey van kept in lock-up 4 behind Tanner Row.", "B"), ("Van washed on Saturday morning.", "C")],
     "P", "", "disseminated", [("macdonald", "subject")]),
    ("ropewalk", "Burglary proceeds being sold", "SRC-0107",
     "CHIS reports that Mohammed Rahman has been selling cartons of cigarettes from his flat at Ropewalk House "
     "since the weekend; the source bought two.",
     "Mohammed Rahman is believed to be selling cigarettes from his flat since the weekend.",
     "1", [("Selling cartons of cigarettes from his flat.", "A")], "C",
     "Not to be disseminated outside the force without the intelligence manager's authority; do not act on it "
     "without a risk assessment (source protection).", "approved",
     [("rahman", "subject"), ("Gorringe", "associate"), ("rehman", "mentioned")]),
    ("kieran", "Associate supplying heroin", "SRC-0211",
     "Anonymous call: Kieran O'Sullivan-Hart is supplying heroin near Vetch Close in the evenings.",
     "", "3", [("Supplying heroin near Vetch Close in the evenings.", "D")], "P", "", "submitted",
     [("osullivan", "subject")]),
]


def _add_report(session: Session, demo_id: DemoId, users: dict[str, User], now: datetime, index: int, key: str,
                title: str, source_ref: str, original: str, sanitised: str, source_eval: str, items: Pairs,
                handling: str, conditions: str, status: str, people: Pairs) -> None:
    submitted = now - timedelta(days=5 - index)
    report = IntelligenceReport(
        id=demo_id("intelligence_report", key), reference=f"IR-{submitted.year}-{9001 + index:04d}", title=title,
        source_reference=source_ref, original_text=original, sanitised_text=sanitised,
        source_evaluation=source_eval, items=[{"text": t, "assessment": a} for t, a in items],
        handling_code=handling, handling_conditions=conditions, status=status,
        submitted_by_id=users["investigator"].id, submitted_at=submitted, version=1)
    if status in ("approved", "disseminated"):
        report.qa_by_id, report.qa_at, report.qa_notes = users["supervisor"].id, submitted + timedelta(hours=4), \
            "Sanitised; grading confirmed."
    if status == "disseminated":
        report.disseminated_at = submitted + timedelta(hours=5)
    session.add(report)
    for person_key, role in people:
        session.add(IntelligencePerson(id=demo_id("intel_person", f"{key}:{person_key}"), report_id=report.id,
                                       person_id=demo_id("person", person_key), role=role))
    if key == "ropewalk":
        session.add(IntelligenceEvent(id=demo_id("intel_event", key), report_id=report.id, kind="investigation",
                                      ref=f"INV-{now.year}-9002"))


def load_people_demo(session: Session, users: dict[str, User], now: datetime) -> dict[str, int]:
    """Add the demo people, investigations and intelligence (idempotent)."""
    from server.demo import demo_id  # here, not at import: server.demo imports this module

    added = {"people": 0, "actions": 0, "intelligence_reports": 0}
    intel = users["intel"]
    for person_row in PEOPLE:
        if session.get(Person, demo_id("person", person_row[0])) is None:
            _add_person(session, demo_id, intel, now, *person_row)
            added["people"] += 1
    for surname, (pnc_id, cro_number, aliases, markers) in DETAINEE_EXTRAS.items():
        person = session.get(Person, demo_id("person", surname))
        if person is None or person.version > 1 or person.pnc_id or person.aliases or person.warning_markers:
            continue
        person.pnc_id, person.cro_number = pnc_id, cro_number
        person.officer_defined_ethnicity = person.officer_defined_ethnicity or "0"
        _extras(session, demo_id, users["sergeant"], now, person, aliases, markers)
    session.flush()
    for index, investigation in enumerate(INVESTIGATIONS):
        if session.get(Investigation, demo_id("investigation", investigation[0])) is None:
            added["actions"] += _add_investigation(session, demo_id, users, now, index, *investigation)
    for index, report in enumerate(REPORTS):
        if session.get(IntelligenceReport, demo_id("intelligence_report", report[0])) is None:
            _add_report(session, demo_id, users, now, index, *report)
            added["intelligence_reports"] += 1
    session.flush()
    return added
