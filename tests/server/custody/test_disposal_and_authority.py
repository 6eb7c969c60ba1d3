"""Rules of authority across the suite, rights delays by rank, interviews, and disposal making the record
read-only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.audit import AuditEntry
from server.custody.models import CustodyRecord
from server.db import make_sessionmaker
from tests.server.custody.conftest import API, ago, book, booking, fields, iso, new_id, reassess
from sqlalchemy import select
from tests.server.conftest import with_data


def test_detention_officers_book_in_but_only_the_sergeant_decides(client, h):
    refused = client.post(f"{API}/records", json=booking(), headers=h["detention"])
    assert refused.status_code == 403 and "custody sergeant" in refused.json()["detail"]
    record = book(client, h["detention"], detention=False, booked_in_at=iso(ago(minutes=50)))
    assert record["detention_decision"] is None and record["next_review_due"] is None
    url = f"{API}/records/{record['id']}/detention-decision"
    body = {"decision": "authorised", "grounds": "To obtain evidence by questioning.",
            "decided_at": iso(ago(minutes=5))}
    # The record's own order: a decision before booking-in is refused here as it is in the booking request.
    early = client.post(url, json={**body, "decided_at": iso(ago(minutes=55))}, headers=h["sergeant"])
    assert early.status_code == 422 and "before the time of booking-in" in fields(early)["decided_at"]
    for who in ("detention", "inspector"):
        assert client.post(url, json=body, headers=h[who]).status_code == 403
    ok = client.post(url, json=body, headers=h["sergeant"])
    assert ok.status_code == 200 and ok.json()["detention_decision"]["by"]["name"] == "Sgt Alys Penhallow"
    assert ok.json()["next_review_due"] is not None
    again = client.post(url, json=body, headers=h["sergeant"])
    assert again.status_code == 409


def test_investigators_cannot_write_to_custody(client, h):
    assert client.post(f"{API}/records", json=booking(), headers=h["investigator"]).status_code == 403


def test_detention_officers_record_checks_meals_and_log_entries(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    client.post(f"{API}/records/{record['id']}/observation-level", headers=h["sergeant"],
                json={"level": 1, "reason": "Low risk.", "set_at": iso(ago(minutes=90))})
    check = client.post(f"{API}/records/{record['id']}/checks", headers=h["detention"],
                        json={"id": new_id(), "check_type": "speak", "result": "responded",
                              "observed_at": iso(ago(minutes=2))})
    assert check.status_code == 201
    meal = client.post(f"{API}/records/{record['id']}/log", headers=h["detention"],
                       json={"id": new_id(), "kind": "meal", "text": "Vegetarian meal eaten.",
                             "observed_at": iso(ago(minutes=1))})
    assert meal.status_code == 201


@pytest.mark.parametrize("right, allowed, refused", [("someone_informed", "inspector", "sergeant"),
                                                     ("legal_advice", "superintendent", "inspector")])
def test_a_delay_of_rights_needs_the_rank_the_law_requires(client, h, right, allowed, refused):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}/rights"

    def body():
        return {"id": new_id(), "right": right, "requested": True, "at": iso(ago(minutes=60)),
                "delay": {"until": iso(ago(minutes=-300)),
                          "grounds": "Alerting other people suspected of the offence who are not yet arrested"}}

    low = client.post(url, json=body(), headers=h[refused])
    assert low.status_code == 403 and ("inspector" in low.json()["detail"] or "superintendent" in low.json()["detail"])
    ok = client.post(url, json=body(), headers=h[allowed])
    assert ok.status_code == 201, ok.text
    assert ok.json()["delay"]["grounds"].startswith("Alerting") and ok.json()["recorded_by"]["rank"] != "Sergeant"
    no_grounds = {**body(), "delay": {"until": iso(ago(minutes=-300)), "grounds": "   "}}
    assert client.post(url, json=no_grounds, headers=h["superintendent"]).status_code == 422


def test_no_delay_for_a_summary_offence_or_an_undelayable_right(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2), offences=["CJ88001"])
    url = f"{API}/records/{record['id']}/rights"
    delay = {"until": iso(ago(minutes=-60)), "grounds": "Interference with evidence."}
    summary = client.post(url, headers=h["superintendent"], json={"id": new_id(), "right": "legal_advice",
                                                                  "requested": True, "at": iso(ago(minutes=30)),
                                                                  "delay": delay})
    assert summary.status_code == 422 and "indictable" in summary.json()["detail"]
    codes = client.post(url, headers=h["superintendent"], json={"id": new_id(), "right": "consult_codes",
                                                                "requested": True, "at": iso(ago(minutes=30)),
                                                                "delay": delay})
    assert codes.status_code == 422 and "cannot be delayed" in codes.json()["detail"]


def test_interviews_record_start_end_and_who(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    url = f"{API}/records/{record['id']}/interviews"
    started = client.post(url, headers=h["detention"], json={
        "id": new_id(), "started_at": iso(ago(minutes=90)), "location": "Interview room 1",
        "interviewing_officers": ["DC 4093 Rafe Illingsworth"], "others_present": ["Solicitor: Perrin Oakes"]})
    assert started.status_code == 201 and started.json()["ended_at"] is None
    iid = started.json()["id"]
    backwards = client.post(f"{url}/{iid}/end", json={"ended_at": iso(ago(minutes=100))}, headers=h["detention"])
    assert backwards.status_code == 422 and "ended_at" in fields(backwards)
    ended = client.post(f"{url}/{iid}/end", json={"ended_at": iso(ago(minutes=40))}, headers=h["detention"])
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    again = client.post(f"{url}/{iid}/end", json={"ended_at": iso(ago(minutes=30))}, headers=h["detention"])
    assert again.status_code == 409
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    kinds = [e["kind"] for e in log]
    assert "interview_start" in kinds and "interview_end" in kinds
    assert any("Perrin Oakes" in e["text"] for e in log if e["kind"] == "interview_start")
    assert [i["id"] for i in client.get(url, headers=h["sergeant"]).json()] == [iid]


def test_only_the_sergeant_charges_and_disposes(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}"
    body = {"outcome": "no_further_action", "released_at": iso(ago(minutes=1))}
    for who in ("detention", "inspector", "superintendent"):
        assert client.post(f"{url}/disposal", json=body, headers=h[who]).status_code == 403
        assert client.post(f"{url}/charge", json={"charged_at": iso(ago(minutes=2)), "summary": "x"},
                           headers=h[who]).status_code == 403
    assert client.get(url, headers=h["sergeant"]).json()["status"] == "in_custody"


def test_disposal_details_are_checked(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    url = f"{API}/records/{record['id']}/disposal"
    bail = client.post(url, json={"outcome": "pre_charge_bail", "released_at": iso(ago(minutes=1))},
                       headers=h["sergeant"])
    assert bail.status_code == 422 and "bail_return_date" in fields(bail)
    transfer = client.post(url, json={"outcome": "transferred", "released_at": iso(ago(minutes=1))},
                           headers=h["sergeant"])
    assert transfer.status_code == 422 and "transfer_to" in fields(transfer)
    early = client.post(url, json={"outcome": "no_further_action", "released_at": iso(ago(hours=5))},
                        headers=h["sergeant"])
    assert early.status_code == 422 and "released_at" in fields(early)
    assert client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()["status"] == "in_custody"


def test_disposal_makes_the_record_read_only(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    rid = record["id"]
    reassess(client, h["sergeant"], rid, "release_on_bail")
    url = f"{API}/records/{rid}"
    returns = (date.today() + timedelta(days=28)).isoformat()
    done = client.post(f"{url}/disposal", headers=h["sergeant"], json={
        "outcome": "pre_charge_bail", "released_at": iso(ago(minutes=1)), "bail_return_date": returns,
        "bail_conditions": "Not to enter Quayside Retail Park."})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "released" and body["released_at"] is not None
    assert body["disposal"]["outcome"] == "pre_charge_bail" and body["disposal"]["bail_return_date"] == returns
    assert body["disposal"]["decided_by"]["name"] == "Sgt Alys Penhallow"
    assert body["next_review_due"] is None and body["next_check_due"] is None
    writes = [
        ("POST", f"{url}/log",
         {"id": new_id(), "kind": "note", "text": "Late note.", "observed_at": iso(ago(minutes=0))}),
        ("POST", f"{url}/checks", {"id": new_id(), "check_type": "look", "result": "awake – settled",
                                   "observed_at": iso(ago(minutes=0))}),
        ("POST", f"{url}/observation-level", {"level": 2, "reason": "x", "set_at": iso(ago(minutes=0))}),
        ("POST", f"{url}/disposal", {"outcome": "no_further_action", "released_at": iso(ago(minutes=0))}),
        ("POST", f"{url}/charge", {"charged_at": iso(ago(minutes=0)), "summary": "x"}),
        ("PATCH", url, {"cell": "C1"}),
    ]
    for method, path, payload in writes:
        response = client.request(method, path, json=payload,
                                  headers={**h["sergeant"], "If-Match": str(body["version"])})
        assert response.status_code == 409, (path, response.text)
        assert "read-only" in response.json()["detail"] and response.json()["current"]["status"] == "released"
    # A released person can be booked in again on a new record.
    again = book(client, h["sergeant"], person_id=record["person"]["id"], arrived=ago(minutes=30))
    assert again["id"] != rid
    assert client.get(f"{API}/records", params={"open": "true"}, headers=h["sergeant"]).json()[0]["id"] == again["id"]


def test_every_change_emits_the_full_record_and_is_audited(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    client.post(f"{API}/records/{record['id']}/observation-level", headers=h["sergeant"],
                json={"level": 3, "reason": "Self-harm risk.", "set_at": iso(ago(minutes=5))})
    events = with_data(client.post, h["sergeant"], client.get("/api/v1/events", headers=h["sergeant"]).json()["events"])
    updates = [e for e in events if e["type"] == "custody.record.updated" and e["record_id"] == record["id"]]
    assert updates and updates[-1]["data"]["observation_level"] == 3
    assert updates[-1]["data"]["version"] > record["version"]
    client.get(f"{API}/records/{record['id']}", headers=h["detention"])
    with make_sessionmaker(app.state.engine)() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "custody_record",
                                                                  AuditEntry.entity_id == record["id"])).all()
        assert session.get(CustodyRecord, record["id"]) is not None
    assert {"collection", "alteration", "consultation"} <= set(actions)
