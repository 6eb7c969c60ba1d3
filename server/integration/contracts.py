"""The bus's contracts: one versioned JSON Schema per message type, the files under contracts/ and the tables of
docs/integration.md generated from here (`python -m server.integration.contracts` rewrites both; a test fails
when they differ from this module).

Every message is an envelope {event_id, type, version, occurred_at, record_key, lane, data}; `type` is the
routing key (<area>.<type>) and names the contract; `data` is what the contract allows and nothing more. Domain
events carry identifiers and facts, never a name or a date of birth; the hand-offs carry the personal data their
one consumer needs (escort, prosecutor, national records) and go only to that consumer's queue.

A new version of a contract is a new entry (version 2) beside the old; a field is never removed from a version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
SCHEMA_BASE = "https://bridewell.invalid/contracts/"

Schema = dict[str, Any]


def _s(max_length: int = 200) -> Schema:
    return {"type": "string", "maxLength": max_length}


def _opt(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


UUID: Schema = {"type": "string", "format": "uuid"}
TIME: Schema = {"type": "string", "format": "date-time"}
DAY: Schema = {"type": "string", "format": "date"}
CUSTODY_NUMBER = _s(32)
CODES: Schema = {"type": "array", "items": _s(30)}


def _obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    props = {**required, **(optional or {})}
    return {"type": "object", "additionalProperties": False, "required": list(required), "properties": props}


OFFICER = _obj({"name": _s(), "rank": _s(64), "collar_number": _s(32)})
IDENTITY = _obj({"surname": _s(100), "forenames": _s(), "date_of_birth": _opt(DAY), "gender": _opt(_s(20)),
                 "pnc_id": _opt(_s(13))})
RECORD = {"record_id": UUID, "custody_number": CUSTODY_NUMBER}


@dataclass(frozen=True)
class Contract:
    type: str  # the routing key
    version: int
    title: str
    consumer: str  # who it is for
    data: Schema
    priority: bool = False  # the safety lane

    @property
    def file_name(self) -> str:
        return f"{self.type}.v{self.version}.json"

    def schema(self) -> Schema:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_BASE + self.file_name,
            "title": f"{self.title} ({self.type} v{self.version})",
            "type": "object",
            "additionalProperties": False,
            "required": ["event_id", "type", "version", "occurred_at", "record_key", "lane", "data"],
            "properties": {
                "event_id": UUID,
                "type": {"const": self.type},
                "version": {"const": self.version},
                "occurred_at": TIME,
                "record_key": _s(80),
                "lane": {"const": "priority" if self.priority else "routine"},
                "data": self.data,
            },
        }


_EVERYONE = "any subscriber (identifiers and facts only)"

CONTRACTS: tuple[Contract, ...] = (
    Contract("custody.booked_in", 1, "Booked into custody", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "arrived_at": TIME, "booked_in_at": _opt(TIME), "arrested_at": _opt(TIME),
         "offence_codes": CODES})),
    Contract("custody.detention_authorised", 1, "Detention authorised", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "authorised_at": TIME, "relevant_time": _opt(TIME)})),
    Contract("custody.risk_changed", 1, "Risk assessed", _EVERYONE, _obj(
        {**RECORD, "assessment_id": UUID, "assessment_version": {"type": "integer"}, "risk_level": _s(16),
         "assessed_at": TIME, "suggested_observation_level": {"type": "integer"}})),
    Contract("custody.check_overdue", 1, "Cell check overdue", _EVERYONE, _obj(
        {**RECORD, "cell": _opt(_s(16)), "observation_level": {"type": "integer"}, "due_at": TIME,
         "noticed_at": TIME}), priority=True),
    Contract("custody.rousing_failed", 1, "Failed to rouse", _EVERYONE, _obj(
        {**RECORD, "cell": _opt(_s(16)), "check_id": UUID, "observed_at": TIME, "observation_level":
         {"type": "integer"}, "result": _s(60), "medical_emergency": {"type": "boolean"}}), priority=True),
    Contract("custody.interviewed", 1, "Interviewed", _EVERYONE, _obj(
        {**RECORD, "interview_id": UUID, "started_at": TIME, "ended_at": TIME})),
    Contract("custody.charged", 1, "Charged", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "charged_at": TIME, "offence_codes": CODES})),
    Contract("custody.bailed", 1, "Released on bail", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "released_at": TIME, "bail_return_date": _opt(DAY)})),
    Contract("custody.released", 1, "Released", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "released_at": TIME, "outcome": _s(40)})),
    Contract("custody.remanded", 1, "Remanded in custody for court", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "released_at": TIME, "court": _s()})),
    Contract("custody.transferred", 1, "Transferred", _EVERYONE, _obj(
        {**RECORD, "person_id": UUID, "transferred_at": TIME, "transfer_to": _s()})),
    Contract("investigations.action_allocated", 1, "Action allocated", _EVERYONE, _obj(
        {"action_id": UUID, "action_number": _s(40), "investigation_id": UUID, "investigation_reference": _s(40),
         "priority": _s(20), "allocated_to_id": UUID, "allocated_at": TIME, "due_at": _opt(TIME)})),
    Contract("intelligence.report_disseminated", 1, "Intelligence disseminated", _EVERYONE, _obj(
        {"report_id": UUID, "reference": _s(40), "handling_code": _s(8), "grading": _s(16),
         "disseminated_at": TIME})),
    Contract("people.person_merged", 1, "People merged", _EVERYONE, _obj(
        {"person_id": UUID, "merged_into": UUID, "merged_at": TIME})),
    # The hand-offs: each to one consumer, with the personal data it needs.
    Contract("handoff.escort.person_escort_record", 1, "Person escort record", "the escort service", _obj(
        {**RECORD, "reason": {"enum": ["remanded", "transferred"]}, "destination": _s(),
         "leaves_at": TIME, "person": IDENTITY,
         "risk": _obj({"level": _opt(_s(16)), "observation_level": _opt({"type": "integer"}),
                       "assessed_at": _opt(TIME), "concerns": {"type": "array", "items": _s(400)}}),
         "warning_markers": {"type": "array", "items": _obj({"code": _s(30), "details": _s(2000)})},
         "medication": {"type": "array", "items": _s(2000)},
         "property": {"type": "array", "items": _s(10_000)}})),
    Contract("handoff.prosecution.case_file", 1, "Prosecution case file (MG-style)", "the prosecutor", _obj(
        {"case_id": UUID, **RECORD,
         "defendant": IDENTITY,
         "charges": {"type": "array", "minItems": 1, "items": _obj(
             {"sequence": {"type": "integer"}, "offence_code": _s(30), "title": _s(400),
              "statement": _s(2000), "mode_of_trial": _s(40), "offence_date": DAY,
              "offence_date_end": _opt(DAY), "particulars": _s(4000)})},
         "charged_at": TIME, "charged_by": OFFICER, "caution_given": {"type": "boolean"},
         "reply_after_charge": _s(10_000),
         "custody_summary": _obj({"arrested_at": _opt(TIME), "arrest_place": _opt(_s(300)), "arrived_at": TIME,
                                  "relevant_time": _opt(TIME), "detention_authorised_at": _opt(TIME),
                                  "interviews": {"type": "integer"}}),
         "bail": _obj({"decision": _s(40), "conditions": {"type": "array", "items": _s(2000)},
                       "reasons": _s(4000)}),
         "first_hearing": _obj({"court": _s(), "court_code": _s(20), "at": TIME})})),
    Contract("handoff.national_records.arrest", 1, "National records: arrest", "the national records gateway",
             _obj({**RECORD, "person": IDENTITY, "cro_number": _opt(_s(12)), "arrested_at": _opt(TIME),
                   "offence_codes": CODES})),
    Contract("handoff.national_records.charge", 1, "National records: charge", "the national records gateway",
             _obj({**RECORD, "person": IDENTITY, "charged_at": TIME, "charges": {"type": "array", "items": _obj(
                 {"offence_code": _s(30), "offence_date": DAY})}})),
    Contract("handoff.national_records.disposal", 1, "National records: disposal", "the national records gateway",
             _obj({**RECORD, "person": IDENTITY, "outcome": _s(40), "decided_at": TIME,
                   "court": _opt(_s()), "bail_return_date": _opt(DAY)})),
)

BY_TYPE: dict[str, Contract] = {c.type: c for c in CONTRACTS}


@cache
def validator(type_: str) -> Any:
    """A jsonschema validator for one contract (format checks on: a uuid or date-time must be one)."""
    import jsonschema  # only the consumers and tests validate; the relay sends what the outbox holds

    schema = BY_TYPE[type_].schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(message: dict[str, Any]) -> list[str]:
    """What is wrong with a message, against its contract (empty: it conforms)."""
    contract = BY_TYPE.get(str(message.get("type")))
    if contract is None:
        return [f"unknown message type {message.get('type')!r}"]
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(message)'}: {e.message}"
            for e in validator(contract.type).iter_errors(message)]


def render_file(contract: Contract) -> str:
    return json.dumps(contract.schema(), indent=2) + "\n"


def render_table() -> str:
    lines = ["| routing key (contract) | version | lane | for | schema |", "|---|---|---|---|---|"]
    for c in CONTRACTS:
        lines.append(f"| `{c.type}` | {c.version} | {'priority' if c.priority else 'routine'} | {c.consumer} | "
                     f"[{c.file_name}](../server/integration/contracts/{c.file_name}) |")
    return "\n".join(lines) + "\n"


def write_files() -> list[Path]:
    CONTRACTS_DIR.mkdir(exist_ok=True)
    written = []
    for contract in CONTRACTS:
        path = CONTRACTS_DIR / contract.file_name
        path.write_text(render_file(contract), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_files():
        print(written_path)
    print(render_table())
