"""The bus outbox: what the change-feed events a change emits mean to other police systems, written as bus
messages in the same transaction (server.events calls `on_emit` for every event it adds).

Only an engine the bus is enabled for (a broker is configured: `enable(engine)`) writes bus messages; without
one nothing here runs and the database holds no bus rows (the embedded default).

A mapper turns one change-feed event into zero or more drafts. A fact that may be seen in several events (the
record's representation is emitted on every change) carries a fact key and is written once (`bus_facts`).
Mappers are registered by the change-feed type's string, so an area that adds a type (the interviews and suite
transfers work) is mapped with one `register(...)` line here.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from domain.disposal import Outcome
from domain.observation import CheckResult
from server import events
from server.custody.models import CustodyRecord, Interview, LogEntry, RiskAssessment
from server.integration.contracts import BY_TYPE
from server.integration.models import LANE_PRIORITY, LANE_ROUTINE, BusFact, BusMessage
from server.people.models import Person, WarningMarker

Data = dict[str, Any]


@dataclass(frozen=True)
class Draft:
    type: str  # the contract (routing key)
    record_key: str
    data: Data
    fact_key: str | None = None  # written once ever


Mapper = Callable[[Session, events.Event, Data], Iterable[Draft]]
_MAPPERS: dict[str, list[Mapper]] = {}

# Engines that write bus messages, and the wake-up each one's relays wait on (set when a bus row commits).
_ENABLED: weakref.WeakKeyDictionary[Engine, threading.Event] = weakref.WeakKeyDictionary()
_WROTE = "bridewell.bus_written"


def register(source_type: str, mapper: Mapper) -> None:
    _MAPPERS.setdefault(source_type, []).append(mapper)


def enable(engine: Engine) -> threading.Event:
    """Write bus messages for this engine's changes from now on; the event is set whenever some commit."""
    events.add_emit_hook(on_emit)
    return _ENABLED.setdefault(engine, threading.Event())


def disable(engine: Engine) -> None:
    _ENABLED.pop(engine, None)


def enabled(session: Session) -> bool:
    bind = session.get_bind()
    return isinstance(bind, Engine) and bind in _ENABLED


def on_emit(session: Session, row: events.Event) -> None:
    mappers = _MAPPERS.get(row.type)
    if not mappers or not enabled(session):
        return
    data = row.data if isinstance(row.data, dict) else {}
    for mapper in mappers:
        for draft in mapper(session, row, data):
            write(session, draft, occurred_at=row.at)


def write(session: Session, draft: Draft, occurred_at: datetime) -> BusMessage | None:
    """Add one message to the caller's transaction (None: its fact was announced before)."""
    if draft.fact_key is not None:
        if session.get(BusFact, draft.fact_key) is not None:
            return None
        session.add(BusFact(key=draft.fact_key, at=occurred_at))
    contract = BY_TYPE[draft.type]
    event_id = str(uuid.uuid4())
    envelope = {"event_id": event_id, "type": contract.type, "version": contract.version,
                "occurred_at": occurred_at.isoformat(), "record_key": draft.record_key,
                "lane": "priority" if contract.priority else "routine", "data": draft.data}
    message = BusMessage(event_id=event_id, routing_key=contract.type, contract_version=contract.version,
                         lane=LANE_PRIORITY if contract.priority else LANE_ROUTINE, record_key=draft.record_key,
                         payload=envelope, created_at=occurred_at)
    session.add(message)
    session.info[_WROTE] = True
    return message


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        bind = session.get_bind()
        wake = _ENABLED.get(bind) if isinstance(bind, Engine) else None
        if wake is not None:
            wake.set()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)


# ------------------------------------------------------------------------------------------------ what it reads


def _record(session: Session, record_id: str) -> CustodyRecord:
    record = session.get(CustodyRecord, record_id)
    if record is None:  # emitted in this transaction: it exists
        raise LookupError(f"custody record {record_id} not found")
    return record


def _identity(person: Person) -> Data:
    return {"surname": person.surname, "forenames": person.forenames,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "gender": person.gender, "pnc_id": person.pnc_id}


def _codes(offences: list[Data] | None) -> list[str]:
    return [str(o.get("code")) for o in offences or [] if o.get("code")]


def _escort_record(session: Session, record: CustodyRecord, reason: str, destination: str, leaves_at: str) -> Data:
    """The person escort record: identity, risk, warning markers, medication and property, nothing else."""
    person = record.person
    risk = session.scalars(select(RiskAssessment).where(RiskAssessment.record_id == record.id)
                           .order_by(RiskAssessment.version.desc()).limit(1)).first()
    markers = session.scalars(select(WarningMarker).where(WarningMarker.person_id == person.id,
                                                          WarningMarker.removed_at.is_(None))
                              .order_by(WarningMarker.set_at)).all()
    property_entries = session.scalars(select(LogEntry.text).where(LogEntry.record_id == record.id,
                                                                   LogEntry.kind == "property")
                                       .order_by(LogEntry.observed_at, LogEntry.recorded_at)).all()
    medication: list[str] = []
    concerns: list[str] = []
    if risk is not None:
        for response in risk.responses or []:
            note = (response.get("note") or "").strip()
            if response.get("area") == "medication" and response.get("answer") == "yes":
                medication.append(note or "Takes medication (no details recorded)")
        concerns = [str(c) for c in (risk.outcome or {}).get("concerns", [])]
        if risk.warning_markers:
            concerns.append(risk.warning_markers)
    return {"record_id": record.id, "custody_number": record.custody_number, "reason": reason,
            "destination": destination, "leaves_at": leaves_at, "person": _identity(person),
            "risk": {"level": record.risk_level, "observation_level": record.observation_level,
                     "assessed_at": risk.assessed_at.isoformat() if risk is not None else None,
                     "concerns": concerns},
            "warning_markers": [{"code": m.code, "details": m.details} for m in markers],
            "medication": medication, "property": list(property_entries)}


# ------------------------------------------------------------------------------------------------- the mappers


def _booked_in(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    record = _record(session, row.entity_id)
    base = {"record_id": record.id, "custody_number": record.custody_number}
    yield Draft("custody.booked_in", record.id, {
        **base, "person_id": record.person_id, "arrived_at": data["arrived_at"],
        "booked_in_at": data.get("booked_in_at"), "arrested_at": data.get("arrested_at"),
        "offence_codes": _codes(record.offences)}, fact_key=f"booked_in:{record.id}")
    if record.arrested_at is not None:  # a voluntary attender has no arrest to record nationally
        yield Draft("handoff.national_records.arrest", record.id, {
            **base, "person": _identity(record.person), "cro_number": record.person.cro_number,
            "arrested_at": data.get("arrested_at"), "offence_codes": _codes(record.offences)},
            fact_key=f"nr_arrest:{record.id}")
    yield from _record_changed(session, row, data)


def _record_changed(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    """The custody record's representation after a change: the facts it newly shows."""
    record_id = row.entity_id
    base = {"record_id": record_id, "custody_number": data["custody_number"]}
    person_id = data["person"]["id"]
    if data.get("detention_authorised_at"):
        yield Draft("custody.detention_authorised", record_id, {
            **base, "person_id": person_id, "authorised_at": data["detention_authorised_at"],
            "relevant_time": data.get("relevant_time")}, fact_key=f"detention_authorised:{record_id}")
    if data.get("charged_at"):
        record = _record(session, record_id)
        yield Draft("custody.charged", record_id, {
            **base, "person_id": person_id, "charged_at": data["charged_at"],
            "offence_codes": _codes(record.offences)}, fact_key=f"charged:{record_id}")
    disposal = data.get("disposal")
    if disposal:
        yield from _disposed(session, record_id, base, person_id, disposal)


def _disposed(session: Session, record_id: str, base: Data, person_id: str, disposal: Data) -> Iterable[Draft]:
    if session.get(BusFact, f"disposed:{record_id}") is not None:
        return
    outcome, at = disposal["outcome"], disposal["released_at"]
    common = {**base, "person_id": person_id}
    if outcome == Outcome.PRE_CHARGE_BAIL:
        yield Draft("custody.bailed", record_id, {**common, "released_at": at,
                                                  "bail_return_date": disposal.get("bail_return_date")})
    elif outcome == Outcome.REMANDED_FOR_COURT:
        yield Draft("custody.remanded", record_id, {**common, "released_at": at, "court": disposal.get("court") or ""})
    elif outcome == Outcome.TRANSFERRED:
        yield Draft("custody.transferred", record_id, {**common, "transferred_at": at,
                                                       "transfer_to": disposal.get("transfer_to") or ""})
    else:
        yield Draft("custody.released", record_id, {**common, "released_at": at, "outcome": outcome})
    record = _record(session, record_id)
    if outcome in (Outcome.REMANDED_FOR_COURT, Outcome.TRANSFERRED):
        remanded = outcome == Outcome.REMANDED_FOR_COURT
        yield Draft("handoff.escort.person_escort_record", record_id, _escort_record(
            session, record, "remanded" if remanded else "transferred",
            (disposal.get("court") if remanded else disposal.get("transfer_to")) or "", at))
    yield Draft("handoff.national_records.disposal", record_id, {
        **base, "person": _identity(record.person), "outcome": outcome, "decided_at": at,
        "court": disposal.get("court"), "bail_return_date": disposal.get("bail_return_date")},
        fact_key=f"disposed:{record_id}")


def _risk(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    record = _record(session, data["record_id"])
    yield Draft("custody.risk_changed", record.id, {
        "record_id": record.id, "custody_number": record.custody_number, "assessment_id": row.entity_id,
        "assessment_version": data["version"], "risk_level": data["risk_level"],
        "assessed_at": data["assessed_at"], "suggested_observation_level": data["suggested_level"]})


def _check(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    if data.get("result") != CheckResult.FAILED_TO_ROUSE:
        return
    record = _record(session, data["record_id"])
    yield Draft("custody.rousing_failed", record.id, {
        "record_id": record.id, "custody_number": record.custody_number, "cell": record.cell,
        "check_id": row.entity_id, "observed_at": data["observed_at"], "observation_level": data["level"],
        "result": data["result"], "medical_emergency": bool(data.get("medical_emergency"))},
        fact_key=f"rousing_failed:{row.entity_id}")


def _interview(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    if not data.get("ended_at"):
        return
    record = _record(session, data["record_id"])
    yield Draft("custody.interviewed", record.id, {
        "record_id": record.id, "custody_number": record.custody_number, "interview_id": row.entity_id,
        "started_at": data["started_at"], "ended_at": data["ended_at"]}, fact_key=f"interviewed:{row.entity_id}")


def _charge_case(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    record = _record(session, data["record_id"])
    base = {"record_id": record.id, "custody_number": record.custody_number}
    charges = data.get("charges") or []
    codes = [c["offence_code"] for c in charges]
    # Charging through the prosecution area first marks the record charged (custody.charged went out with the
    # arrest's offences, in this same transaction): give it the offences charged instead.
    pending = session.scalars(select(BusMessage).where(BusMessage.routing_key == "custody.charged",
                                                       BusMessage.record_key == record.id,
                                                       BusMessage.sent_at.is_(None))).first()
    if pending is not None:
        pending.payload = {**pending.payload, "data": {**pending.payload["data"], "offence_codes": codes}}
    yield Draft("custody.charged", record.id, {
        **base, "person_id": record.person_id, "charged_at": data["charged_at"],
        "offence_codes": codes}, fact_key=f"charged:{record.id}")
    interviews = session.scalar(select(func.count()).select_from(Interview)
                                .where(Interview.record_id == record.id)) or 0
    officer = data["charged_by"]
    yield Draft("handoff.prosecution.case_file", record.id, {
        "case_id": row.entity_id, **base, "defendant": _identity(record.person),
        "charges": [{"sequence": c["number"], "offence_code": c["offence_code"], "title": c["title"],
                     "statement": c["statement"], "mode_of_trial": c["mode_of_trial"],
                     "offence_date": c["offence_date"], "offence_date_end": c.get("offence_date_end"),
                     "particulars": c["particulars"]} for c in charges],
        "charged_at": data["charged_at"],
        "charged_by": {"name": officer["name"], "rank": officer["rank"], "collar_number": officer["collar_number"]},
        "caution_given": bool(data["caution_given"]), "reply_after_charge": data.get("reply") or "",
        "custody_summary": {
            "arrested_at": record.arrested_at.isoformat() if record.arrested_at else None,
            "arrest_place": record.arrest_place, "arrived_at": record.arrived_at.isoformat(),
            "relevant_time": record.relevant_time.isoformat() if record.relevant_time else None,
            "detention_authorised_at": (record.detention_authorised_at.isoformat()
                                        if record.detention_authorised_at else None),
            "interviews": int(interviews)},
        "bail": {"decision": data["bail"]["decision"], "conditions": list(data["bail"]["conditions"]),
                 "reasons": data["bail"]["reasons"]},
        "first_hearing": {"court": data["hearing"]["court"], "court_code": data["hearing"]["court_code"],
                          "at": data["hearing"]["at"]}}, fact_key=f"case_file:{row.entity_id}")
    yield Draft("handoff.national_records.charge", record.id, {
        **base, "person": _identity(record.person), "charged_at": data["charged_at"],
        "charges": [{"offence_code": c["offence_code"], "offence_date": c["offence_date"]} for c in charges]},
        fact_key=f"nr_charge:{row.entity_id}")


def _action(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    allocated = data.get("allocated_to")
    if data.get("status") != "allocated" or not allocated or not data.get("allocated_at"):
        return
    yield Draft("investigations.action_allocated", row.entity_id, {
        "action_id": row.entity_id, "action_number": data["number"], "investigation_id": data["investigation_id"],
        "investigation_reference": data["investigation_reference"], "priority": data["priority"],
        "allocated_to_id": allocated["id"], "allocated_at": data["allocated_at"], "due_at": data.get("due_at")},
        fact_key=f"allocated:{row.entity_id}:{allocated['id']}:{data['allocated_at']}")


def _report(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    if not data.get("disseminated_at"):
        return
    yield Draft("intelligence.report_disseminated", row.entity_id, {
        "report_id": row.entity_id, "reference": data["reference"], "handling_code": data["handling_code"],
        "grading": data["grading"], "disseminated_at": data["disseminated_at"]},
        fact_key=f"disseminated:{row.entity_id}")


def _merged(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    yield Draft("people.person_merged", row.entity_id, {
        "person_id": data["merged_id"], "merged_into": data["survivor_id"], "merged_at": data["merged_at"]},
        fact_key=f"merged:{data['id']}")


def _suite_transfer(session: Session, row: events.Event, data: Data) -> Iterable[Draft]:
    """A transfer between suites of the force (issue 15, being built beside this): the record stays open and
    moves. Read defensively, since its change-feed data is not settled yet: the record from the event's
    record_id, the destination from the first of the usual names."""
    record_id = row.record_id or data.get("record_id")
    if not record_id:
        return
    record = _record(session, record_id)
    destination = next((str(data[k]) for k in ("to_suite_name", "to_suite", "destination", "transfer_to")
                        if data.get(k)), "")
    at = next((str(data[k]) for k in ("transferred_at", "departed_at", "at") if data.get(k)), row.at.isoformat())
    yield Draft("custody.transferred", record.id, {
        "record_id": record.id, "custody_number": record.custody_number, "person_id": record.person_id,
        "transferred_at": at, "transfer_to": destination}, fact_key=f"transferred:{row.entity_id}")
    yield Draft("handoff.escort.person_escort_record", record.id,
                _escort_record(session, record, "transferred", destination, at),
                fact_key=f"escort:{row.entity_id}")


# Change-feed types of work in progress elsewhere, mapped here by name so they are picked up when they land
# (the lead confirms the names at merge): suite transfers (issue 15).
SUITE_TRANSFER_TYPES = ("custody.transfer.created", "custody.transfer.completed", "custody.record.transferred")

register("custody.record.created", _booked_in)
register("custody.record.updated", _record_changed)
register("custody.risk_assessment.created", _risk)
register("custody.check.created", _check)
register("custody.interview.created", _interview)
register("custody.interview.updated", _interview)
register("prosecution.charge_case.created", _charge_case)
register("investigations.action.created", _action)
register("investigations.action.updated", _action)
register("intelligence.report.created", _report)
register("intelligence.report.updated", _report)
register("people.person.merged", _merged)
for _type in SUITE_TRANSFER_TYPES:
    register(_type, _suite_transfer)
