"""People (POLE) over HTTP on SQLite and PostgreSQL: identifiers, dates, markers, versions, duplicates."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.people.helpers import API, create_person, field_errors, headers, new_id
from tests.server.conftest import with_data


def test_pnc_and_cro_are_validated_and_stored_canonical(client, seeded):
    auth = headers(client, "sergeant")
    person = create_person(client, auth, pnc_id="12/394773H", cro_number="029906/12J", date_of_birth="1990-01-02")
    assert person["pnc_id"] == "2012/0394773H" and person["pnc_id_short"] == "12/394773H"
    assert person["cro_number"] == "29906/12J"

    bad = client.post(f"{API}/people", headers=auth, json={
        "id": new_id(), "surname": "Quennock", "forenames": "Bert", "pnc_id": "12/394773J", "cro_number": "29906/12K"})
    assert bad.status_code == 422
    errors = field_errors(bad)
    assert "should be H" in errors["pnc_id"] and "should be J" in errors["cro_number"]


def test_impossible_dates_and_names_are_field_errors(client, seeded):
    auth = headers(client, "sergeant")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"{API}/people", headers=auth, json={
        "id": new_id(), "surname": "Smith2", "forenames": "Dr. X", "date_of_birth": tomorrow})
    assert response.status_code == 422
    errors = field_errors(response)
    assert "future" in errors["date_of_birth"]
    assert "letters" in errors["surname"]
    alias = client.post(f"{API}/people", headers=auth, json={
        "id": new_id(), "surname": "Quennock", "forenames": "Ann", "aliases": [{"surname": ""}],
        "warning_markers": [{"code": "grumpy"}]})
    assert set(field_errors(alias)) == {"aliases.0.surname", "warning_markers.0.code"}


def test_markers_are_readable_with_who_and_when_and_removal_is_kept(client, seeded, app):
    auth = headers(client, "sergeant")
    person = create_person(client, auth, warning_markers=[{"code": "violence", "details": "Spat at staff"}])
    marker = person["warning_markers"][0]
    assert marker["code"] == "violence" and marker["title"] == "Violent"
    assert marker["set_by"]["display_name"] == "Sgt Alys Penhallow" and marker["set_at"].endswith("+00:00")

    added = client.post(f"{API}/people/{person['id']}/warning-markers", headers=auth,
                        json={"id": new_id(), "code": "self_harm", "details": "Ligature 2024"})
    assert added.status_code == 201 and added.json()["version"] == 2
    empty = client.post(f"{API}/people/{person['id']}/warning-markers/{marker['id']}/remove", headers=auth,
                        json={"reason": "  "})
    assert "reason" in field_errors(empty)
    removed = client.post(f"{API}/people/{person['id']}/warning-markers/{marker['id']}/remove", headers=auth,
                          json={"reason": "Entered on the wrong person"})
    assert removed.status_code == 200
    markers = client.get(f"{API}/people/{person['id']}", headers=auth).json()["warning_markers"]
    assert [(m["code"], m["removed_at"] is None) for m in markers] == [("self_harm", True), ("violence", False)]
    assert markers[1]["removal_reason"] == "Entered on the wrong person"
    with make_sessionmaker(app.state.engine)() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == person["id"])).all()
    assert "collection" in actions and "consultation" in actions and "alteration" in actions


def test_update_needs_the_current_version(client, seeded):
    auth = headers(client, "sergeant")
    person = create_person(client, auth)
    url = f"{API}/people/{person['id']}"
    assert client.request("PATCH", url, headers=auth, json={"forenames": "Albie"}).status_code == 428
    ok = client.request("PATCH", url, headers={**auth, "If-Match": "1"},
                        json={"forenames": "Albie", "pnc_id": "2009/0000231M", "aliases": [{"surname": "Quenock"}]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.json()["aliases"][0]["surname"] == "Quenock"
    stale = client.request("PATCH", url, headers={**auth, "If-Match": "1"}, json={"forenames": "Bert"})
    assert stale.status_code == 412 and stale.json()["current"]["forenames"] == "Albie"
    future = client.request("PATCH", url, headers={**auth, "If-Match": "2"}, json={"date_of_birth": "2999-01-01"})
    assert "date_of_birth" in field_errors(future)

    # Sending back the aliases and addresses as read (with their ids), plus one more, edits in place.
    read = client.get(url, headers=auth).json()
    aliases = read["aliases"] + [{"surname": "Quennick", "forenames": "Al"}]
    addresses = [{"line1": "7 Gannet Row", "town": "Northmoor", "postcode": "nm1 7gr"}]
    once = client.request("PATCH", url, headers={**auth, "If-Match": "2"}, json={"aliases": aliases,
                                                                                  "addresses": addresses})
    assert once.status_code == 200, once.text
    again = client.request("PATCH", url, headers={**auth, "If-Match": "3"}, json={
        "aliases": once.json()["aliases"], "addresses": once.json()["addresses"]})
    assert again.status_code == 200, again.text
    assert sorted(a["surname"] for a in again.json()["aliases"]) == ["Quennick", "Quenock"]
    assert [a["postcode"] for a in again.json()["addresses"]] == ["NM1 7GR"]
    assert again.json()["aliases"][0]["id"] in {a["id"] for a in once.json()["aliases"]}


def test_a_second_record_with_the_same_pnc_id_is_refused(client, seeded):
    auth = headers(client, "sergeant")
    first = create_person(client, auth, pnc_id="2009/0000231M")
    again = client.post(f"{API}/people", headers=auth, json={
        "id": new_id(), "surname": "Other", "forenames": "Name", "pnc_id": "09/231M"})
    assert again.status_code == 409 and again.json()["current"]["id"] == first["id"]
    # The long form typed without its zero padding (domain.md §6.3) is the same PNC ID, stored padded.
    unpadded = client.post(f"{API}/people", headers=auth, json={
        "id": new_id(), "surname": "Other", "forenames": "Name", "pnc_id": "2009/231M"})
    assert unpadded.status_code == 409 and unpadded.json()["current"]["pnc_id"] == "2009/0000231M"


def test_create_is_idempotent_and_emits_an_event(client, seeded):
    auth = headers(client, "sergeant")
    body = {"id": new_id(), "surname": "Varga", "forenames": "Ilona"}
    one = client.post(f"{API}/people", json=body, headers={**auth, "Idempotency-Key": body["id"]})
    two = client.post(f"{API}/people", json=body, headers={**auth, "Idempotency-Key": body["id"]})
    assert one.status_code == two.status_code == 201 and two.headers.get("idempotent-replayed") == "true"
    feed = with_data(client.post, auth, client.get(f"{API}/events", headers=auth).json()["events"])
    created = [e for e in feed if e["type"] == "people.person.created" and e["entity_id"] == body["id"]]
    assert len(created) == 1 and created[0]["data"]["surname"] == "Varga"


def test_demo_detainees_are_people_with_markers(client, seeded, open_records):
    auth = headers(client, "sergeant")
    gorringe = next(r for r in open_records if r["person"]["surname"] == "Gorringe")
    person = client.get(f"{API}/people/{gorringe['person']['id']}", headers=auth).json()
    assert person["pnc_id"] and [m["code"] for m in person["warning_markers"]] == ["violence"]
    codes = client.get(f"{API}/people/warning-marker-codes", headers=auth).json()
    assert {"code": "self_harm", "title": "Self-harm"} in codes
