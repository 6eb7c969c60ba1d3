"""Booking-in: the relevant time (s.41), offences from the catalogue, bad input refused with field errors and
nothing stored, one open record per person, the custody number, and the events and log it writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.custody.models import CustodyRecord, LogEntry
from server.people.models import Person
from tests.server.custody.conftest import API, JUVENILE_DOB, ago, book, booking, count, fields, iso, new_id
from tests.server.conftest import with_data


def test_book_in_a_new_person_with_authorised_detention(client, h, app):
    arrived = ago(hours=2)
    record = book(client, h["sergeant"], arrived=arrived)
    assert record["custody_number"].startswith("BW-") and record["status"] == "in_custody"
    assert record["name"] == "QUILLIAM, Tobias Ander" and record["cell"] == "C7"
    assert datetime.fromisoformat(record["relevant_time"]) == arrived
    assert record["relevant_time_basis"].startswith("Arrival at station")
    assert record["offences"] == [{"code": "TH68010", "title": "Theft from a shop", "indictable": True}]
    assert record["offence_indictable"] is True and record["voluntary_attender"] is False
    decision = record["detention_decision"]
    assert decision["decision"] == "authorised" and decision["by"]["name"] == "Sgt Alys Penhallow"
    assert decision["by"]["rank"] == "Sergeant"
    assert datetime.fromisoformat(record["detention_authorised_at"]) == arrived + timedelta(minutes=10)
    # First review 6 h after detention was authorised; 24 h and 96 h from the relevant time.
    assert datetime.fromisoformat(record["next_review_due"]) == arrived + timedelta(hours=6, minutes=10)
    assert record["review_number_due"] == 1
    assert datetime.fromisoformat(record["detention_limit_at"]) == arrived + timedelta(hours=24)
    assert datetime.fromisoformat(record["absolute_limit_at"]) == arrived + timedelta(hours=96)
    assert record["juvenile"] is False and record["appropriate_adult_awaited"] is False
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert sorted(e["kind"] for e in log) == ["detention_decision", "note"]
    assert all(e["author"]["display_name"] == "Sgt Alys Penhallow" for e in log)
    assert count(app, Person) == 1
    events = with_data(client.post, h["sergeant"], client.get("/api/v1/events", headers=h["sergeant"]).json()["events"])
    created = [e for e in events if e["type"] == "custody.record.created"]
    assert len(created) == 1 and created[0]["data"]["id"] == record["id"]
    assert created[0]["data"]["relevant_time"] == record["relevant_time"]


def test_relevant_time_variants(client, h):
    arrived = ago(hours=3)
    voluntary = book(client, h["sergeant"], arrived=arrived, arrival_route="voluntary_attender",
                     arrested_at=iso(arrived + timedelta(minutes=30)),
                     detention={"decision": "authorised", "grounds": "Questioning.",
                                "decided_at": iso(arrived + timedelta(minutes=40))})
    assert datetime.fromisoformat(voluntary["relevant_time"]) == arrived + timedelta(minutes=30)
    assert voluntary["voluntary_attender"] is True and "voluntary" in voluntary["relevant_time_basis"]

    late = ago(hours=1)
    capped = book(client, h["sergeant"], arrived=late, arrested_at=iso(late - timedelta(hours=30)),
                  person={"id": new_id(), "surname": "Penwarden", "forenames": "Elowen", "date_of_birth": "1990-02-03"})
    assert datetime.fromisoformat(capped["relevant_time"]) == late - timedelta(hours=6)
    assert capped["relevant_time_basis"] == "24 hours after arrest"

    other = book(client, h["sergeant"], arrived=late, arrival_route="from_another_area",
                 arrested_at=iso(late - timedelta(hours=28)), left_first_area_at=iso(late - timedelta(hours=26)),
                 person={"id": new_id(), "surname": "Trevose", "forenames": "Kit", "date_of_birth": "1985-07-01"})
    assert datetime.fromisoformat(other["relevant_time"]) == late - timedelta(hours=2)
    assert "first police area" in other["relevant_time_basis"]


def test_bad_booking_input_is_422_with_field_errors_and_nothing_stored(client, h, app):
    cases = [
        (dict(arrived=ago(minutes=-30)), "arrived_at"),  # in the future
        (dict(arrested_at=iso(ago(minutes=10))), "arrived_at"),  # arrival (1 h ago) before arrest
        (dict(offences=["ZZ99999"]), "offences.0"),  # well-formed but not in the catalogue
        (dict(offences=["TH68010", "not-a-code"]), "offences.1"),
        (dict(arrival_route="from_another_area"), "left_first_area_at"),
        (dict(arrest_reason="   "), "arrest_reason"),
        (dict(person_id=new_id(), person=None), "person_id"),
    ]
    for overrides, field in cases:
        body = booking(**{k: v for k, v in overrides.items() if k in ("arrived",)})
        body.update({k: v for k, v in overrides.items() if k != "arrived"})
        if body.get("person") is None:
            body.pop("person", None)
        response = client.post(f"{API}/records", json=body, headers=h["sergeant"])
        assert response.status_code == 422, (overrides, response.text)
        assert field in fields(response), (overrides, response.json())
    both = booking(person_id=new_id())
    both["person"] = {"id": new_id(), "surname": "Ashby", "forenames": "Noor"}
    response = client.post(f"{API}/records", json=both, headers=h["sergeant"])
    assert response.status_code == 422 and "person_id" in fields(response)
    bad_person = booking(person={"id": new_id(), "surname": "", "forenames": "Noor"})
    response = client.post(f"{API}/records", json=bad_person, headers=h["sergeant"])
    assert response.status_code == 422 and "person.surname" in fields(response)
    assert count(app, CustodyRecord) == 0 and count(app, Person) == 0 and count(app, LogEntry) == 0


def test_decision_before_booking_in_order_is_refused(client, h):
    arrived = ago(hours=1)
    body = booking(arrived=arrived, detention={"decision": "authorised", "grounds": "Questioning.",
                                               "decided_at": iso(arrived - timedelta(minutes=5))})
    response = client.post(f"{API}/records", json=body, headers=h["sergeant"])
    assert response.status_code == 422 and "detention.decided_at" in fields(response)


def test_second_open_record_for_the_same_person_is_409_and_the_first_is_kept(client, h, app):
    first = book(client, h["sergeant"])
    again = booking(person_id=first["person"]["id"])
    response = client.post(f"{API}/records", json=again, headers=h["sergeant"])
    assert response.status_code == 409
    body = response.json()
    assert first["custody_number"] in body["detail"] and body["current"]["id"] == first["id"]
    assert count(app, CustodyRecord) == 1
    assert client.get(f"{API}/records/{first['id']}", headers=h["sergeant"]).json()["version"] == first["version"]


def test_custody_numbers_are_made_by_the_server_in_sequence(client, h):
    one = book(client, h["sergeant"])
    two = book(client, h["sergeant"], person={"id": new_id(), "surname": "Hallett", "forenames": "Ros"})
    n1, n2 = (int(r["custody_number"].rsplit("-", 1)[1]) for r in (one, two))
    assert n2 == n1 + 1


def test_booking_replay_with_the_same_key_returns_the_first_response(client, h, app):
    body = booking()
    headers = {**h["sergeant"], "Idempotency-Key": body["id"]}
    first = client.post(f"{API}/records", json=body, headers=headers)
    second = client.post(f"{API}/records", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers.get("idempotent-replayed") == "true"
    assert count(app, CustodyRecord) == 1


def test_juvenile_needs_an_appropriate_adult_until_one_arrives(client, h):
    record = book(client, h["sergeant"], person={"id": new_id(), "surname": "Carne", "forenames": "Jory",
                                                 "date_of_birth": JUVENILE_DOB})
    assert record["juvenile"] is True and record["appropriate_adult_required"] is True
    assert record["appropriate_adult_awaited"] is True and "juvenile" in record["appropriate_adult_reason"]
    url = f"{API}/records/{record['id']}/appropriate-adult"
    asked = client.post(url, json={"event": "requested", "at": iso(ago(minutes=30)), "name": "Demelza Carne"},
                        headers=h["detention"])
    assert asked.status_code == 200 and asked.json()["appropriate_adult_awaited"] is True
    early = client.post(url, json={"event": "arrived", "at": iso(ago(minutes=40))}, headers=h["detention"])
    assert early.status_code == 422 and "at" in fields(early)
    arrived = client.post(url, json={"event": "arrived", "at": iso(ago(minutes=5))}, headers=h["detention"])
    assert arrived.status_code == 200
    body = arrived.json()
    assert body["appropriate_adult_awaited"] is False and body["appropriate_adult_name"] == "Demelza Carne"
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["detention"]).json()
    assert "appropriate_adult_arrival" in {e["kind"] for e in log}


def test_vulnerable_adult_needs_an_appropriate_adult(client, h):
    record = book(client, h["sergeant"], vulnerable=True)
    assert record["juvenile"] is False and record["appropriate_adult_awaited"] is True


def test_patch_needs_if_match_and_refuses_a_stale_version(client, h):
    record = book(client, h["sergeant"])
    url = f"{API}/records/{record['id']}"
    missing = client.request("PATCH", url, json={"cell": "C9"}, headers=h["detention"])
    assert missing.status_code == 428
    stale = client.request("PATCH", url, json={"cell": "C9"},
                           headers={**h["detention"], "If-Match": str(record["version"] - 1)})
    assert stale.status_code == 412 and stale.json()["current"]["cell"] == "C7"
    ok = client.request("PATCH", url, json={"cell": "C9"},
                        headers={**h["detention"], "If-Match": str(record["version"])})
    assert ok.status_code == 200, ok.text
    assert ok.json()["cell"] == "C9" and ok.json()["version"] > record["version"]
    # a stale If-Match on an action is refused too, and nothing is stored
    check = client.post(f"{API}/records/{record['id']}/observation-level",
                        json={"level": 2, "reason": "Intoxicated.", "set_at": iso(ago(minutes=1))},
                        headers={**h["sergeant"], "If-Match": str(record["version"])})
    assert check.status_code == 412
    assert client.get(url, headers=h["sergeant"]).json()["observation_level"] is None


def test_rights_notice_and_requests_are_recorded_with_times(client, h):
    record = book(client, h["sergeant"])
    rid = record["id"]
    notice = client.post(f"{API}/records/{rid}/rights-notice",
                         json={"language": "pl", "given_at": iso(ago(minutes=30))},
                         headers=h["detention"])
    assert notice.status_code == 200 and notice.json()["rights_notice"]["language"] == "pl"
    unknown = client.post(f"{API}/records/{rid}/rights-notice",
                          json={"language": "xx", "given_at": iso(ago(minutes=3))},
                          headers=h["detention"])
    assert unknown.status_code == 422 and "language" in fields(unknown)
    for right in ("legal_advice", "someone_informed", "consult_codes", "interpreter", "consular_contact"):
        response = client.post(f"{API}/records/{rid}/rights", headers=h["detention"],
                               json={"id": new_id(), "right": right, "requested": right != "consular_contact",
                                     "at": iso(ago(minutes=25))})
        assert response.status_code == 201, response.text
    rights = client.get(f"{API}/records/{rid}", headers=h["sergeant"]).json()["rights"]
    assert len(rights) == 5 and {r["right"] for r in rights} >= {"legal_advice", "interpreter"}
    assert all(r["recorded_by"]["name"] == "Morwenna Trask" for r in rights)
