"""Map the server's JSON (docs/api-custody.md, docs/api-prosecution.md) onto the printed documents.

One field each, no rules: what the server does not serve yet maps to empty, which prints as "not recorded",
so a gap in the record stays visible. Times stay UTC-aware; printing shows Europe/London.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from domain.config import load_defaults
from domain.risk import AREAS_BY_KEY, Source

from desktop.timefmt import format_local
from desktop.printing.documents import (
    CHARGE_CAUTION, Arrest, BailDecision, CautionOnCharge, Charge, ChargeSheetDoc, Check, CustodyRecordDoc,
    DetentionDecision, Disposal, FirstHearing, InterviewRecord, LogEntry, ObservationLevelSet, Officer, Person,
    PropertyRecord, Release, Review, Rights, RightsRequest, RiskAnswer, RiskAssessment,
)

# What the custody suite is called comes from the server's force configuration (GET /custody/suite); without it,
# say so rather than print a generic name that looks like a real one.
DEFAULT_STATION = "Station not named in the force configuration"
NOT_RECORDED = Officer("Not recorded")

Json = dict[str, Any]  # one object of the server's JSON


class Requests(Protocol):
    """What is needed of desktop.sync.client.ApiClient (not imported here: printing stays below sync)."""

    def request(self, method: str, path: str) -> Any: ...


RIGHT_TITLES = {  # keys: domain.rights.Right
    "legal_advice": "Free legal advice",
    "someone_informed": "Someone informed of arrest",
    "consult_codes": "Consult the Codes of Practice",
    "interpreter": "Interpreter",
    "consular_contact": "Consular access",
    "told_offence_and_reasons": "Told the offence and reasons",
}
ANSWERS = {"yes": "Yes", "no": "No", "not_known": "Not known", "declined": "Declined to answer"}
SOURCES = {Source.DETAINEE: "Detainee", Source.OFFICER: "Officer's observation",
           Source.ARRESTING_OFFICER: "Arresting officer", Source.MARKERS: "Warning markers",
           Source.PER: "Person escort record"}


def notice_languages(suite: Json | None = None) -> dict[str, str]:
    """Language code -> name: the server's force configuration, else the packaged defaults."""
    if suite and suite.get("notice_languages"):
        return {str(k): str(v) for k, v in suite["notice_languages"].items()}
    return {e["code"]: e.get("name") or e["code"] for e in load_defaults()["notice_of_rights_languages"]}
REVIEW_KINDS = {"review": "Review", "extension": "Extension", "warrant": "Warrant of further detention"}
OUTCOMES = {
    "charged": "Charged",
    "pre_charge_bail": "Released on pre-charge bail",
    "released_under_investigation": "Released under investigation",
    "no_further_action": "Released: no further action",
    "remanded_for_court": "Remanded in custody for court",
    "transferred": "Transferred",
}


def _words(key: str | None) -> str:
    return (key or "").replace("_", " ").capitalize()


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"The server sent a time without a zone: {value!r}")
    return at


def _parse_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def officer(value: Any) -> Officer | None:
    """OfficerOut {id, name, rank}, a log author {display_name, rank, collar_number}, or free text."""
    if not value:
        return None
    if isinstance(value, str):
        return Officer(value)
    name = value.get("name") or value.get("display_name") or ""
    return Officer(name=name, rank=value.get("rank") or "", collar_number=value.get("collar_number") or "")


def _address(value: Json) -> str:
    """The person's current address (PersonOut.addresses: the one without an end date, home first)."""
    if value.get("address"):
        return str(value["address"])
    current = [a for a in value.get("addresses") or [] if not a.get("to_date")]
    current.sort(key=lambda a: a.get("kind") != "home")
    if not current:
        return ""
    a = current[0]
    return ", ".join(part for part in (a.get("line1"), a.get("line2"), a.get("town"), a.get("postcode")) if part)


def person(value: Json) -> Person:
    """PersonBrief of a custody record, or the whole PersonOut (GET /people/{id}) when the printing path has it."""
    aliases = tuple(f"{(a.get('surname') or '').upper()}, {a.get('forenames') or ''}".strip(", ")
                    for a in value.get("aliases") or [])
    return Person(surname=value.get("surname") or "", forenames=value.get("forenames") or "",
                  date_of_birth=_parse_date(value.get("date_of_birth")), address=_address(value),
                  pnc_id=value.get("pnc_id") or "", cro_number=value.get("cro_number") or "",
                  gender=_words(value.get("gender")), aliases=aliases)


def _arrest(record: Json) -> Arrest | None:
    offences = tuple(f"{o.get('code', '')} {o.get('title', '')}".strip() for o in record.get("offences") or [])
    if not (record.get("arrested_at") or record.get("arrest_place") or offences):
        return None
    return Arrest(arrested_at=parse_time(record.get("arrested_at")), place=record.get("arrest_place") or "",
                  officer=officer(record.get("arresting_officer")), offences=offences,
                  necessity=record.get("arrest_necessity") or "")


def _detention(record: Json) -> DetentionDecision | None:
    d = record.get("detention_decision")
    if not d:
        return None
    return DetentionDecision(authorised=d.get("decision") == "authorised", by=officer(d.get("by")) or NOT_RECORDED,
                             at=parse_time(d.get("decided_at")), grounds=d.get("grounds") or "")


def _by_log(log: list[Json], kind: str, at: Any, words: str = "") -> Officer | None:
    """Who recorded the log entry of ``kind`` at ``at``: every custody fact is also a log entry by the officer
    who recorded it, so the log says who gave the rights notice or set the observation level."""
    when = parse_time(at)
    for e in log:
        if e.get("kind") == kind and parse_time(e.get("observed_at")) == when and words in (e.get("text") or ""):
            return officer(e.get("author"))
    return None


def _rights(record: Json, log: list[Json], languages: dict[str, str]) -> Rights | None:
    notice = record.get("rights_notice") or {}
    rows = record.get("rights") or []
    if not notice and not rows:
        return None
    requests = []
    for r in rows:
        delay = r.get("delay") or {}
        requests.append(RightsRequest(
            right=RIGHT_TITLES.get(r.get("right"), _words(r.get("right"))), requested=bool(r.get("requested")),
            at=parse_time(r.get("at")), detail=r.get("note") or "",
            delay_authorised_by=officer(r.get("recorded_by")) if delay else None,
            delay_reason=(f"{delay.get('grounds', '')} (until {delay.get('until')})" if delay else "")))
    code = notice.get("language") or ""
    given_by = _by_log(log, "rights", notice.get("given_at"), "notice") if notice else None
    return Rights(given_at=parse_time(notice.get("given_at")), given_by=given_by,
                  notice_language=languages.get(code, code), requests=tuple(requests))


def _risk(assessments: list[Json]) -> tuple[RiskAssessment, ...]:
    out = []
    for a in assessments:
        result = f"{_words(a.get('risk_level'))} risk; suggested observation level {a.get('suggested_level', '')}"
        answers = tuple(RiskAnswer(
            question=AREAS_BY_KEY[r["area"]].question if r.get("area") in AREAS_BY_KEY else _words(r.get("area")),
            answer=ANSWERS.get(r.get("answer") or "", _words(r.get("answer"))),
            source=SOURCES.get(r.get("source"), _words(r.get("source"))), note=r.get("note") or "")
            for r in a.get("responses") or [])
        concerns = [AREAS_BY_KEY[c].question if c in AREAS_BY_KEY else _words(c) for c in a.get("concerns") or []]
        out.append(RiskAssessment(
            version=int(a.get("version") or 0), at=parse_time(a.get("assessed_at")),
            by=officer(a.get("assessed_by")) or NOT_RECORDED, result=result.strip(),
            answers_summary=" ".join(concerns) if concerns else ("None" if answers else ""),
            warning_markers=tuple(m for m in [a.get("warning_markers")] if m), answers=answers))
    return tuple(out)


def _observation(record: Json, log: list[Json]) -> tuple[ObservationLevelSet, ...]:
    """Every level set, from the log (the officer who set it, their reason); the current one from the record."""
    set_at = parse_time(record.get("observation_level_set_at"))
    out = []
    for e in log:
        at = parse_time(e.get("observed_at"))
        if e.get("kind") != "observation_level" or at is None or at == set_at:
            continue
        text = e.get("text") or ""
        level, _, rest = text.partition(" set by ")
        out.append(ObservationLevelSet(level=level if rest else text, by=officer(e.get("author")) or NOT_RECORDED,
                                       at=at, reason=rest.partition("Reason: ")[2] if rest else ""))
    if record.get("observation_level") is not None and set_at is not None:
        interval = record.get("observation_interval_minutes")
        level = f"Level {record['observation_level']}" + (f" (every {float(interval):g} minutes)" if interval else "")
        by = _by_log(log, "observation_level", record.get("observation_level_set_at")) or NOT_RECORDED
        out.append(ObservationLevelSet(level=level, by=by, at=set_at, reason=record.get("observation_reason") or ""))
    return tuple(out)


def _checks(checks: list[Json]) -> tuple[Check, ...]:
    return tuple(Check(observed_at=parse_time(c.get("observed_at")), recorded_at=parse_time(c.get("recorded_at")),
                       by=officer(c.get("checked_by")) or NOT_RECORDED, type=_words(c.get("check_type")),
                       result=_words(c.get("result")) + (f": {c['note']}" if c.get("note") else ""))
                 for c in checks)


def _reviews(record: Json) -> tuple[Review, ...]:
    return tuple(Review(kind=REVIEW_KINDS.get(r.get("kind"), _words(r.get("kind"))), due_at=parse_time(r.get("due_at")),
                        done_at=parse_time(r.get("at")), by=officer(r.get("reviewer")),
                        decision=_words(r.get("outcome")), grounds=r.get("grounds") or "")
                 for r in record.get("reviews") or [])


def _log(entries: list[Json]) -> tuple[LogEntry, ...]:
    out = []
    for e in entries:
        recorded_at = parse_time(e.get("recorded_at"))
        if recorded_at is None:  # an entry still waiting to send is not yet record
            continue
        out.append(LogEntry(id=e["id"], kind=e.get("kind") or "note", text=e.get("text") or "",
                            observed_at=parse_time(e.get("observed_at")), recorded_at=recorded_at,
                            author=officer(e.get("author")) or NOT_RECORDED, corrects_id=e.get("corrects_id")))
    return tuple(out)


def _disposal(record: Json, case: Json | None = None) -> Disposal | None:
    d = record.get("disposal")
    if d:
        details = "; ".join(f"{label}: {d[key]}" for key, label in (
            ("summary", "Summary"), ("bail_return_date", "Answer bail on"), ("bail_conditions", "Conditions"),
            ("transfer_to", "To"), ("court", "Court")) if d.get(key))
        return Disposal(outcome=OUTCOMES.get(d.get("outcome"), _words(d.get("outcome"))),
                        decided_at=parse_time(d.get("released_at")), decided_by=officer(d.get("decided_by")),
                        details=details)
    if record.get("charged_at"):
        # charged and still here: the charge case says who charged
        return Disposal(outcome="Charged", decided_at=parse_time(record["charged_at"]),
                        decided_by=officer((case or {}).get("charged_by")), details=record.get("charge_summary") or "")
    return None


def station_of(record: Json, station: str = DEFAULT_STATION) -> str:
    """Where the detainee is held: the record's own custody suite (issue 15), else the force configuration's
    station name."""
    name = str(record.get("suite_name") or "").strip()
    if not name:
        return station
    return name if "suite" in name.lower() else f"{name} custody suite"


def custody_record_doc(record: Json, log: list[Json], *, checks: Sequence[Json] = (), risk: Sequence[Json] = (),
                       station: str = DEFAULT_STATION, printed_by: Json | None = None,
                       printed_at: datetime | None = None, case: Json | None = None,
                       languages: dict[str, str] | None = None, interviews: Sequence[Json] = (),
                       property_items: Sequence[Json] = ()) -> CustodyRecordDoc:
    released = parse_time(record.get("released_at"))
    disposal: Json = record.get("disposal") or {}
    release = None
    if released:
        kinds = {"transferred": "Transferred", "remanded_for_court": "To court"}
        kind = kinds.get(disposal.get("outcome", ""), "Released")
        release = Release(kind=kind, at=released, by=officer(disposal.get("decided_by")),
                          destination=disposal.get("transfer_to") or disposal.get("court") or "")
    return CustodyRecordDoc(
        custody_number=record.get("custody_number") or "", station=station_of(record, station),
        detainee=person(record.get("person") or {}),
        arrived_at=parse_time(record.get("arrived_at")), relevant_time=parse_time(record.get("relevant_time")),
        relevant_time_basis=record.get("relevant_time_basis") or "", arrest=_arrest(record),
        detention=_detention(record), juvenile=bool(record.get("juvenile")), vulnerable=bool(record.get("vulnerable")),
        appropriate_adult=record.get("appropriate_adult_name") or "",
        interpreter=_interpreter(record), rights=_rights(record, log, languages or notice_languages()),
        risk_assessments=_risk(list(risk)), observation_levels=_observation(record, log),
        checks=_checks(list(checks)), reviews=_reviews(record), log_entries=_log(log),
        disposal=_disposal(record, case), release=release,
        interviews=tuple(_interview(i) for i in interviews), property_items=tuple(_property(p) for p in property_items),
        printed_at=printed_at, printed_by=officer(printed_by))


SPECIAL_WARNINGS = {"s36": "s.36 CJPOA 1994 (objects, substances or marks)", "s37": "s.37 CJPOA 1994 (presence)"}
INTERVIEW_OUTCOMES = {"answered_questions": "Answered questions", "no_comment": "No comment",
                      "prepared_statement": "Prepared statement, then no comment", "admission": "Admitted the offence",
                      "denial": "Denied the offence", "terminated": "Interview terminated"}
DISPOSITIONS = {"kept": "Kept by the detainee", "retained": "Retained", "evidence": "Seized as evidence"}


def _local(value: Any) -> str:
    return format_local(parse_time(value), seconds=False) if value else "not recorded"


def _label(value: Any) -> str:
    found = officer(value)
    return found.label() if found is not None else "not recorded"


def _interview(i: Json) -> InterviewRecord:
    present = ["Interviewing: " + ", ".join(i.get("interviewing_officers") or [])]
    present += [f"{label}: {i[key]}" for key, label in (("solicitor", "Solicitor"), ("appropriate_adult",
                "Appropriate adult"), ("interpreter", "Interpreter")) if i.get(key)]
    if i.get("others_present"):
        present.append("Also: " + ", ".join(i["others_present"]))
    breaks = "; ".join(f"{_local(b.get('started_at'))} to {_local(b.get('ended_at'))}"
                       + (f" ({b['reason']})" if b.get("reason") else "") for b in i.get("breaks") or [])
    outcome = INTERVIEW_OUTCOMES.get(i.get("outcome") or "", "")
    if i.get("outcome_note"):
        outcome = f"{outcome}. {i['outcome_note']}" if outcome else i["outcome_note"]
    urgent = i.get("urgent_authority") or {}
    return InterviewRecord(
        started_at=parse_time(i.get("started_at")), ended_at=parse_time(i.get("ended_at")),
        location=i.get("location") or "", present="\n".join(present), breaks=breaks,
        special_warnings="; ".join(SPECIAL_WARNINGS.get(w, w) for w in i.get("special_warnings") or []),
        recording_reference=i.get("recording_reference") or "", outcome=outcome,
        urgent_authority=(f"{_label(urgent.get('authorised_by'))}: {urgent.get('grounds', '')}" if urgent else ""))


def _property(p: Json) -> PropertyRecord:
    bag = ", ".join(f"{label} {p[key]}" for key, label in (("bag_number", "bag"), ("seal_number", "seal"))
                    if p.get(key))
    signed = "Signed" if p.get("signature") == "signed" else f"Refused to sign: {p.get('signature_note') or ''}"
    returned = ""
    if p.get("returned_at"):
        returned = (f"{_local(p['returned_at'])} by {_label(p.get('returned_by'))}; "
                    + ("signed" if p.get("return_signature") == "signed"
                       else f"refused to sign: {p.get('return_note') or ''}"))
    return PropertyRecord(description=p.get("description") or "", quantity=int(p.get("quantity") or 1),
                          disposition=DISPOSITIONS.get(p.get("disposition") or "", p.get("disposition") or ""),
                          bag_seal=bag, searched_at=parse_time(p.get("searched_at")), signature=signed,
                          returned=returned)


def _interpreter(record: Json) -> str:
    asked = [r for r in record.get("rights") or [] if r.get("right") == "interpreter" and r.get("requested")]
    return "; ".join(f"Requested{': ' + r['note'] if r.get('note') else ''}" for r in asked)


def _range(charge: Json) -> str:
    return charge.get("particulars") or ""


def charge_sheet_doc(record: Json, case: Json, *, station: str = DEFAULT_STATION, printed_by: Json | None = None,
                     printed_at: datetime | None = None) -> ChargeSheetDoc:
    """A charge case (POST/GET /custody/records/{id}/charges) as the charge sheet."""
    by = officer(case.get("charged_by")) or NOT_RECORDED
    charged_at = parse_time(case.get("charged_at"))
    bail = case.get("bail") or {}
    hearing = case.get("hearing")
    return ChargeSheetDoc(
        custody_number=case.get("custody_number") or record.get("custody_number") or "",
        station=station_of(record, station),
        defendant=person(record.get("person") or {}),
        charges=tuple(Charge(number=int(c["number"]), cjs_code=c.get("offence_code") or "", title=c.get("title") or "",
                             statement=c.get("statement") or "", particulars=_range(c))
                      for c in case.get("charges") or []),
        charged_at=charged_at, charged_by=by, custody_officer=by,
        caution=CautionOnCharge(given=bool(case.get("caution_given")), by=by, at=charged_at),
        reply_after_charge=case.get("reply"),
        bail=BailDecision(outcome=bail.get("title") or _words(bail.get("decision")), decided_by=by,
                          decided_at=charged_at, conditions=tuple(bail.get("conditions") or ()),
                          reasons=bail.get("reasons") or ""),
        first_hearing=(FirstHearing(court=hearing.get("court") or "", at=parse_time(hearing.get("at")),
                                    court_code=hearing.get("court_code") or "") if hearing else None),
        caution_wording=case.get("caution_wording") or CHARGE_CAUTION,
        printed_at=printed_at, printed_by=officer(printed_by))


def fetch_documents(client: Requests, record_id: str, *, station: str | None = None
                    ) -> tuple[CustodyRecordDoc, ChargeSheetDoc | None]:
    """Everything the two documents need, from the API (call on a worker: it does HTTP)."""
    record = client.request("GET", f"/custody/records/{record_id}")
    log = client.request("GET", f"/custody/records/{record_id}/log")
    checks = _optional(client, f"/custody/records/{record_id}/checks")
    risk = _optional(client, f"/custody/records/{record_id}/risk-assessments")
    cases = _optional(client, f"/custody/records/{record_id}/charges")
    interviews = _optional(client, f"/custody/records/{record_id}/interviews")
    property_items = _optional(client, f"/custody/records/{record_id}/property")
    suite = fetch_suite(client)
    # The whole person (gender, address, PNC ID, aliases): the record carries only a brief; the read is audited.
    whole = _optional_object(client, f"/people/{record['person']['id']}") if (record.get("person") or {}).get("id") \
        else None
    if whole:
        record = {**record, "person": {**record["person"], **whole}}
    station = station or (suite or {}).get("station") or DEFAULT_STATION
    me = None
    try:
        me = client.request("GET", "/auth/me")
    except Exception:  # noqa: BLE001 - the printer's name is furniture; the document prints without it
        me = None
    doc = custody_record_doc(record, log, checks=checks, risk=risk, station=station, printed_by=me,
                             case=cases[0] if cases else None, languages=notice_languages(suite),
                             interviews=interviews, property_items=property_items)
    sheet = charge_sheet_doc(record, cases[0], station=station, printed_by=me) if cases else None
    return doc, sheet


def fetch_suite(client: Requests) -> Json | None:
    """The station's name and the notice languages (GET /custody/suite); None from an older server."""
    return _optional_object(client, "/custody/suite")


def _optional_object(client: Requests, path: str) -> Json | None:
    """One object the server may not serve (an older server, a person merged away): 404 means none; a role
    that may not read it (403) prints what the record itself holds."""
    from desktop.sync.client import ApiError

    try:
        found: Json | None = client.request("GET", path)
        return found
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise


def _optional(client: Requests, path: str) -> list[Json]:
    """A list the server may not serve yet (an older server): 404 means none."""
    from desktop.sync.client import ApiError

    try:
        return client.request("GET", path) or []
    except ApiError as exc:
        if exc.status == 404:
            return []
        raise
