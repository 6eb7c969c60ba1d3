"""Issue 14's custody rules through the API: every recorded time in the record's own order, and a risk
re-assessment before each way out of custody (APP, domain.md §2.1) — refused without, accepted with."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.server.custody.conftest import API, ago, book, fields, iso, new_id, reassess


def dispose(client, headers, record_id, outcome, at, **extra):
    return client.post(f"{API}/records/{record_id}/disposal", headers=headers,
                       json={"outcome": outcome, "released_at": iso(at), **extra})


def test_each_way_out_needs_its_own_re_assessment(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    rid = record["id"]
    reassess(client, h["sergeant"], rid, "booking_in", ago(hours=2))
    returns = (date.today() + timedelta(days=28)).isoformat()
    for outcome, extra, wanted in (("no_further_action", {}, "Release"),
                                   ("pre_charge_bail", {"bail_return_date": returns}, "Release on bail"),
                                   ("remanded_for_court", {"court": "Portharrow Magistrates' Court"}, "Bail refused"),
                                   ("transferred", {"transfer_to": "Carrick Road custody suite"}, "Transfer")):
        refused = dispose(client, h["sergeant"], rid, outcome, ago(minutes=1), **extra)
        assert refused.status_code == 422, (outcome, refused.text)
        assert "Re-assess risk" in fields(refused)["outcome"] and f"'{wanted}'" in fields(refused)["outcome"]
    # An assessment for another point does not count: one for a transfer does not clear a release.
    reassess(client, h["sergeant"], rid, "transfer", ago(minutes=5))
    assert dispose(client, h["sergeant"], rid, "no_further_action", ago(minutes=1)).status_code == 422
    reassess(client, h["sergeant"], rid, "release", ago(minutes=4))
    done = dispose(client, h["sergeant"], rid, "no_further_action", ago(minutes=1))
    assert done.status_code == 200, done.text and done.json()["status"] == "released"


def test_after_a_charge_the_re_assessment_must_come_after_it(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    rid = record["id"]
    reassess(client, h["sergeant"], rid, "release", ago(minutes=30))
    charged = client.post(f"{API}/records/{rid}/charge", headers=h["sergeant"],
                          json={"charged_at": iso(ago(minutes=20)), "summary": "Theft from a shop."})
    assert charged.status_code == 200, charged.text
    stale = dispose(client, h["sergeant"], rid, "charged", ago(minutes=1))
    assert stale.status_code == 422 and "after the charge" in fields(stale)["outcome"]
    reassess(client, h["sergeant"], rid, "release_on_bail", ago(minutes=10))
    assert dispose(client, h["sergeant"], rid, "charged", ago(minutes=1)).status_code == 200


def test_times_follow_the_records_own_order(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=8), booked_in_at=iso(ago(hours=8) + timedelta(minutes=5)))
    rid = record["id"]
    arrived = datetime.fromisoformat(record["arrived_at"])
    authorised = datetime.fromisoformat(record["detention_authorised_at"])
    # A log entry cannot have happened before the detainee reached the station.
    early_note = client.post(f"{API}/records/{rid}/log", headers=h["detention"], json={
        "id": new_id(), "kind": "note", "text": "Asked for water.", "observed_at": iso(arrived - timedelta(hours=1))})
    assert early_note.status_code == 422 and "arrived at the station" in fields(early_note)["observed_at"]
    # A review comes after the detention it reviews was authorised.
    review = client.post(f"{API}/records/{rid}/reviews", headers=h["inspector"], json={
        "id": new_id(), "kind": "review", "at": iso(authorised - timedelta(minutes=1)), "outcome": "continue",
        "grounds": "Interview still to be held."})
    assert review.status_code == 422 and "detention was authorised" in fields(review)["at"]
    # A release cannot be before something already written in the log.
    note = client.post(f"{API}/records/{rid}/log", headers=h["detention"], json={
        "id": new_id(), "kind": "note", "text": "Meal taken.", "observed_at": iso(ago(minutes=20))})
    assert note.status_code == 201, note.text
    reassess(client, h["sergeant"], rid, "release", ago(minutes=40))
    before_log = dispose(client, h["sergeant"], rid, "no_further_action", ago(minutes=30))
    assert before_log.status_code == 422 and "last entry in the log" in fields(before_log)["released_at"]
    assert client.get(f"{API}/records/{rid}", headers=h["sergeant"]).json()["status"] == "in_custody"
