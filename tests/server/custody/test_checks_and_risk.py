"""Observation levels (custody sergeant only), checks on schedule with who/type/result/times, failed rousing as
a medical emergency, and risk assessments kept as append-only versions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from server.audit import AuditEntry
from server.custody.models import CellCheck, RiskAssessment
from server.db import make_sessionmaker
from tests.server.custody.conftest import API, ago, book, count, fields, iso, new_id
from tests.server.conftest import with_data


def set_level(client, headers, record_id, level, at):
    return client.post(f"{API}/records/{record_id}/observation-level",
                       json={"level": level, "reason": "Drank heavily before arrest.", "set_at": iso(at)},
                       headers=headers)


def check(client, headers, record_id, at, check_type="look", result="awake – settled"):
    return client.post(f"{API}/records/{record_id}/checks", headers=headers,
                       json={"id": new_id(), "check_type": check_type, "result": result, "observed_at": iso(at)})


def test_only_a_custody_sergeant_sets_the_observation_level(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    set_at = ago(minutes=50)
    for who in ("detention", "inspector", "superintendent"):
        refused = set_level(client, h[who], record["id"], 2, set_at)
        assert refused.status_code == 403 and "custody sergeant" in refused.json()["detail"]
    ok = set_level(client, h["sergeant"], record["id"], 2, set_at)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["observation_level"] == 2 and body["observation_interval_minutes"] == 30
    assert body["observation_reason"] == "Drank heavily before arrest."
    assert datetime.fromisoformat(body["next_check_due"]) == set_at + timedelta(minutes=30)
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any(e["kind"] == "observation_level" and "Level 2" in e["text"] for e in log)


def test_checks_follow_the_schedule_and_are_attributed(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    set_level(client, h["sergeant"], record["id"], 1, ago(minutes=90))
    checked_at = ago(minutes=35)
    response = check(client, h["detention"], record["id"], checked_at)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["checked_by"]["name"] == "Morwenna Trask" and body["check_type"] == "look" and body["level"] == 1
    assert body["medical_emergency"] is False
    assert abs(datetime.fromisoformat(body["recorded_at"]) - ago(seconds=0)) < timedelta(seconds=30)
    assert datetime.fromisoformat(body["next_check_due"]) == checked_at + timedelta(hours=1)
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert datetime.fromisoformat(current["last_check_at"]) == checked_at
    assert current["next_check_due"] == body["next_check_due"]
    listed = client.get(f"{API}/records/{record['id']}/checks", headers=h["sergeant"]).json()
    assert [c["id"] for c in listed] == [body["id"]]


def test_checks_before_booking_in_or_in_the_future_are_refused(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    version = set_level(client, h["sergeant"], record["id"], 1, ago(minutes=90)).json()["version"]
    log_before = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    early = check(client, h["detention"], record["id"], ago(hours=3))
    assert early.status_code == 422 and "booked in" in fields(early)["observed_at"]
    future = check(client, h["detention"], record["id"], ago(minutes=-20))
    assert future.status_code == 422 and "future" in fields(future)["observed_at"]
    assert count(app, CellCheck) == 0
    # nothing already stored is lost or changed by the refusals
    assert client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()["version"] == version
    assert client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json() == log_before


def test_a_level_two_check_must_rouse(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    set_level(client, h["sergeant"], record["id"], 2, ago(minutes=90))
    look = check(client, h["detention"], record["id"], ago(minutes=10))
    assert look.status_code == 422 and "check_type" in fields(look)
    rouse = check(client, h["detention"], record["id"], ago(minutes=10), "rouse", "responded")
    assert rouse.status_code == 201


def test_a_failed_rousing_is_a_medical_emergency(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    set_level(client, h["sergeant"], record["id"], 2, ago(minutes=90))
    response = check(client, h["detention"], record["id"], ago(minutes=1), "rouse", "failed to rouse")
    assert response.status_code == 201, response.text
    assert response.json()["medical_emergency"] is True and response.json()["needs_healthcare"] is True
    events = with_data(client.post, h["sergeant"], client.get("/api/v1/events", headers=h["sergeant"]).json()["events"])
    emergency = [e for e in events if e["type"] == "custody.medical_emergency"]
    assert len(emergency) == 1 and emergency[0]["record_id"] == record["id"]
    assert emergency[0]["data"]["id"] == response.json()["id"]
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any(e["kind"] == "cell_check" and "MEDICAL EMERGENCY" in e["text"] for e in log)


def test_checks_need_an_observation_level(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    response = check(client, h["detention"], record["id"], ago(minutes=5))
    assert response.status_code == 422 and "observation_level" in fields(response)


def risk(trigger: str, level: str, at: datetime, answer: str = "no") -> dict:
    return {"id": new_id(), "trigger": trigger, "assessed_at": iso(at), "risk_level": level,
            "responses": [{"area": "self_harm_current", "answer": answer, "source": "detainee"},
                          {"area": "warning_markers", "answer": "yes", "source": "warning_markers",
                           "note": "Violence marker (PNC)."}],
            "officer_observations": "Agitated at the desk.", "warning_markers": "PNC: violence."}


def test_risk_assessments_are_versions_and_only_the_sergeant_assesses(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}/risk-assessments"
    refused = client.post(url, json=risk("booking_in", "low", ago(minutes=80)), headers=h["detention"])
    assert refused.status_code == 403
    first = client.post(url, json=risk("booking_in", "medium", ago(minutes=80)), headers=h["sergeant"])
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1 and first.json()["suggested_level"] == 1
    assert first.json()["concerns"] == ["warning_markers"]
    assert first.json()["officer_observations"] == "Agitated at the desk."
    second = client.post(url, json=risk("other", "high", ago(minutes=10), answer="yes"), headers=h["sergeant"])
    assert second.json()["version"] == 2 and second.json()["suggested_level"] == 3
    history = client.get(url, headers=h["detention"]).json()
    assert [a["version"] for a in history] == [1, 2] and [a["risk_level"] for a in history] == ["medium", "high"]
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert current["risk_level"] == "high" and current["risk_assessment_version"] == 2
    unknown = client.post(url, json={**risk("booking_in", "low", ago(minutes=5)),
                                     "responses": [{"area": "horoscope", "answer": "no", "source": "detainee"}]},
                          headers=h["sergeant"])
    assert unknown.status_code == 422 and "responses.0.area" in fields(unknown)
    assert count(app, RiskAssessment) == 2


def test_charge_asks_for_a_fresh_risk_assessment(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}"
    client.post(f"{url}/risk-assessments", json=risk("booking_in", "low", ago(minutes=80)), headers=h["sergeant"])
    charged = client.post(f"{url}/charge", json={"charged_at": iso(ago(minutes=20)), "summary": "Theft from a shop."},
                          headers=h["sergeant"])
    assert charged.status_code == 200 and charged.json()["status"] == "charged"
    assert "charged" in charged.json()["risk_reassessment_reason"]
    again = client.post(f"{url}/risk-assessments", json=risk("charge", "low", ago(minutes=10)), headers=h["sergeant"])
    assert again.status_code == 201
    assert client.get(url, headers=h["sergeant"]).json()["risk_reassessment_reason"] is None


def test_the_log_and_risk_read_answers_both_in_one_request_audited_as_both_reads(client, h, app, users):
    """Switching detainee (issue 17): the log and every risk assessment version in one request, the same as the
    two reads give; any signed-in user, none without signing in; one consultation row for each, naming the record;
    404 (problem) for an unknown record."""
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}"
    client.post(f"{url}/risk-assessments", json=risk("booking_in", "medium", ago(minutes=80)), headers=h["sergeant"])
    assert client.get(f"{url}/log-and-risk").status_code == 401

    def audit_rows() -> list[tuple[str, str | None, str | None]]:
        with make_sessionmaker(app.state.engine)() as session:
            return [(r.entity, r.entity_id, r.user_id) for r in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "consultation").order_by(AuditEntry.id))]

    before = len(audit_rows())
    both = client.get(f"{url}/log-and-risk", headers=h["detention"])
    assert both.status_code == 200, both.text
    new_rows = audit_rows()[before:]
    assert sorted(new_rows) == [("custody_log", record["id"], users["detention"]),
                                ("custody_risk_assessment", record["id"], users["detention"])]
    assert both.json()["log"] == client.get(f"{url}/log", headers=h["detention"]).json()
    assert both.json()["risk_assessments"] == client.get(f"{url}/risk-assessments", headers=h["detention"]).json()
    assert [v["risk_level"] for v in both.json()["risk_assessments"]] == ["medium"]
    assert any(e["kind"] == "risk_assessment" for e in both.json()["log"])
    unknown = client.get(f"{API}/records/{new_id()}/log-and-risk", headers=h["sergeant"])
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
