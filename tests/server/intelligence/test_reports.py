"""Intelligence reports over HTTP: 3x5x2 grading, need to know by role, reason logged, QA, re-grading."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.people.helpers import API, field_errors, headers, new_id
from tests.server.conftest import with_data

CONDITIONS = "Force only; not to be actioned without the intelligence manager's authority."


def _body(**extra) -> dict:
    return {"id": new_id(), "title": "Cigarettes sold from a flat", "source_reference": "SRC-0107",
            "original_text": "The source (who lives upstairs) bought two cartons.",
            "sanitised_text": "Cigarettes are being sold from the flat.", "source_evaluation": "1",
            "items": [{"text": "Selling cigarettes", "assessment": "A"}, {"text": "Since Saturday", "assessment": "c"}],
            "handling_code": "P", **extra}


def _create(client, auth, **extra) -> dict:
    response = client.post(f"{API}/intelligence/reports", headers=auth, json=_body(**extra))
    assert response.status_code == 201, response.text
    return response.json()


def _open(client, auth, report_id, reason="Checking before the briefing"):
    return client.get(f"{API}/intelligence/reports/{report_id}",
                      headers={**auth, **({"X-Access-Reason": quote(reason)} if reason else {})})


def _advance(client, auth, report, path, **body):
    response = client.post(f"{API}/intelligence/reports/{report['id']}/{path}",
                           headers={**auth, "If-Match": str(report["version"])}, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_grading_is_validated_field_by_field(client, seeded):
    auth = headers(client, "investigator")
    no_conditions = client.post(f"{API}/intelligence/reports", headers=auth, json=_body(handling_code="C"))
    assert no_conditions.status_code == 422
    assert "conditions" in field_errors(no_conditions)["handling_conditions"]
    bad = client.post(f"{API}/intelligence/reports", headers=auth, json=_body(
        source_evaluation="4", items=[{"text": "x", "assessment": "F"}], handling_code="X"))
    assert set(field_errors(bad)) == {"source_evaluation", "items.0.assessment", "handling_code"}
    none = client.post(f"{API}/intelligence/reports", headers=auth, json=_body(items=[]))
    assert "items" in field_errors(none)
    report = _create(client, auth)
    assert report["grading"] == "1/A,C/P" and report["items"][1]["assessment"] == "C"
    assert report["status"] == "submitted" and "source" not in report["sanitised_text"]


def test_need_to_know_for_handling_code_c_and_originals(client, seeded, app):
    investigator, intel, supervisor = headers(client, "investigator"), headers(client, "intel"), headers(
        client, "supervisor")
    c_report = _create(client, investigator, handling_code="C", handling_conditions=CONDITIONS)
    p_report = _create(client, investigator)

    # Others: C reports filtered from lists and 403 on direct access; P only once disseminated.
    listed = {r["id"] for r in client.get(f"{API}/intelligence/reports", headers=investigator).json()}
    assert c_report["id"] not in listed and p_report["id"] not in listed
    refused = _open(client, investigator, c_report["id"])
    assert refused.status_code == 403 and "handling code C" in refused.json()["detail"]
    assert _open(client, investigator, p_report["id"]).status_code == 403

    # Intelligence roles see both, with the original; a reason is required and logged.
    intel_list = {r["id"] for r in client.get(f"{API}/intelligence/reports", headers=intel).json()}
    assert {c_report["id"], p_report["id"]} <= intel_list
    missing = _open(client, intel, c_report["id"], reason=None)
    assert missing.status_code == 422 and "reason" in field_errors(missing)
    opened = client.get(f"{API}/intelligence/reports/{c_report['id']}", headers={
        **intel, "X-Access-Reason": "Operation Lantern briefing"})
    assert opened.status_code == 200 and opened.json()["original_text"].startswith("The source")
    assert opened.json()["handling_conditions"] == CONDITIONS
    with make_sessionmaker(app.state.engine)() as session:
        looks = session.scalars(select(AuditEntry).where(AuditEntry.action == "consultation")
                                .order_by(AuditEntry.id)).all()
        logged = [e for e in looks if c_report["id"] in e.names]  # alone, or among a list read's subjects
        refusals = session.scalars(select(AuditEntry.justification).where(
            AuditEntry.entity_id == c_report["id"], AuditEntry.action == "refusal")).all()
    # The intelligence officer's list read, then the opening with its reason; the investigator's refused
    # attempt is recorded too (issue 12).
    assert [e.justification for e in logged] == ["intelligence reports list", "Operation Lantern briefing"]
    assert refusals == ["refused (handling code C, submitted): Checking before the briefing"]

    # QA by the supervisor, then dissemination: the P report becomes visible to others, sanitised only.
    assert client.post(f"{API}/intelligence/reports/{p_report['id']}/qa", headers={
        **intel, "If-Match": str(p_report["version"])}, json={"outcome": "approve"}).status_code == 403
    early = client.post(f"{API}/intelligence/reports/{p_report['id']}/disseminate", headers={
        **intel, "If-Match": str(p_report["version"])}, json={})
    assert early.status_code == 422 and "approve" in early.json()["detail"]
    approved = _advance(client, supervisor, p_report, "qa", outcome="approve", notes="Sanitised")
    assert approved["status"] == "approved" and approved["qa_by"]["display_name"] == "DS Caradoc Whitlow"
    disseminated = _advance(client, intel, approved, "disseminate")
    assert disseminated["status"] == "disseminated"
    seen = _open(client, investigator, p_report["id"])
    assert seen.status_code == 200 and seen.json()["original_text"] is None
    assert seen.json()["sanitised_text"] == "Cigarettes are being sold from the flat."
    assert p_report["id"] in {r["id"] for r in client.get(f"{API}/intelligence/reports", headers=investigator).json()}

    # The change feed never carries the text; a reader who may not see the C report gets no data for it at all.
    def fed(auth):
        return [e for e in with_data(client.post, auth, client.get(f"{API}/events", headers=auth).json()["events"])
                if e["entity_id"] == c_report["id"]]

    assert fed(investigator) and all(e["data"] is None for e in fed(investigator))
    events = fed(intel)
    assert events and all(e["data"]["id"] == c_report["id"] and "original_text" not in e["data"]
                          and "sanitised_text" not in e["data"] for e in events)


def test_regrading_keeps_the_history(client, seeded):
    intel = headers(client, "intel")
    report = _create(client, intel)
    no_reason = client.post(f"{API}/intelligence/reports/{report['id']}/grading",
                            headers={**intel, "If-Match": "1"},
                            json={"source_evaluation": "2", "items": [{"assessment": "B"}], "handling_code": "C",
                                  "handling_conditions": CONDITIONS, "reason": ""})
    assert "reason" in field_errors(no_reason)
    regraded = _advance(client, intel, report, "grading", source_evaluation="2", items=[{"assessment": "B"}],
                        handling_code="C", handling_conditions=CONDITIONS, reason="Second source contradicts")
    assert regraded["grading"] == "2/B/C" and regraded["version"] == 2
    history = regraded["grading_history"]
    assert len(history) == 1 and history[0]["source_evaluation"] == "1" and history[0]["handling_code"] == "P"
    assert history[0]["reason"] == "Second source contradicts"
    assert history[0]["by"]["display_name"] == "Isolde Marchbank"
    stale = client.post(f"{API}/intelligence/reports/{report['id']}/grading", headers={**intel, "If-Match": "1"},
                        json={"source_evaluation": "1", "items": [{"assessment": "A"}], "handling_code": "P",
                              "reason": "back"})
    assert stale.status_code == 412
    assert client.post(f"{API}/intelligence/reports/{report['id']}/grading",
                       headers={**headers(client, "investigator"), "If-Match": "2"},
                       json={"source_evaluation": "1", "items": [{"assessment": "A"}], "handling_code": "P",
                             "reason": "x"}).status_code == 403


def test_demo_has_p_and_c_reports(client, seeded):
    intel = headers(client, "intel")
    reports = client.get(f"{API}/intelligence/reports", headers=intel).json()
    assert {r["handling_code"] for r in reports} == {"P", "C"}
    others = client.get(f"{API}/intelligence/reports", headers=headers(client, "sergeant")).json()
    assert others and all(r["handling_code"] == "P" and r["status"] == "disseminated" for r in others)


def test_places_and_events_added_later_and_searched(client, seeded):
    intel, investigator = headers(client, "intel"), headers(client, "investigator")
    report = _create(client, intel, locations=[{"description": "Flat 3, Gull Row", "postcode": "tr18 4aa"}])
    other = _create(client, intel, title="Nothing to do with it")
    place = {"id": new_id(), "description": "Lock-up garage behind the Kittiwake Stores", "postcode": "TR18 9ZZ"}
    added, replay = (client.post(f"{API}/intelligence/reports/{report['id']}/locations",
                                 headers={**intel, "Idempotency-Key": place["id"]}, json=place) for _ in range(2))
    assert added.status_code == 201, added.text
    assert [p["description"] for p in added.json()["locations"]][-1] == place["description"]
    assert replay.status_code == 201 and replay.json() == added.json()  # a retry is the same request
    event = {"id": new_id(), "kind": "incident", "ref": "CAD-1187-30Nov"}
    assert client.post(f"{API}/intelligence/reports/{report['id']}/events", headers=intel,
                       json=event).status_code == 201
    bad = client.post(f"{API}/intelligence/reports/{report['id']}/events", headers=intel,
                      json={"id": new_id(), "kind": "rumour", "ref": ""})
    assert {"kind", "ref"} <= set(field_errors(bad))
    refused = client.post(f"{API}/intelligence/reports/{report['id']}/events", headers=investigator,
                          json={"id": new_id(), "kind": "custody", "ref": "C-1"})
    assert refused.status_code == 403

    def found(**params) -> set[str]:
        response = client.get(f"{API}/intelligence/reports", headers=intel, params=params)
        assert response.status_code == 200, response.text
        return {r["id"] for r in response.json()}

    assert report["id"] in found(place="kittiwake") and other["id"] not in found(place="kittiwake")
    assert report["id"] in found(place="TR184") and report["id"] not in found(place="100%")
    assert report["id"] in found(event_kind="incident") and report["id"] in found(event_ref="cad-1187")
    assert report["id"] not in found(event_kind="custody", event_ref="cad-1187")
    assert client.get(f"{API}/intelligence/reports", headers=intel,
                      params={"event_kind": "rumour"}).status_code == 422
