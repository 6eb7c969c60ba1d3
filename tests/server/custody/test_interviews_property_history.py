"""Issue 14 part 2 through the API, on SQLite and PostgreSQL: interviews in full and the appropriate-adult rule
(Code C 11.15/11.18), property under PACE s.54 and its return, and custody history with prompts for booking-in."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.server.custody.conftest import API, JUVENILE_DOB, ago, book, fields, iso, new_id, reassess

PERSON = {"surname": "Penwarden", "forenames": "Elowen Jory", "date_of_birth": JUVENILE_DOB, "gender": "female"}


def test_interview_in_full_with_breaks_warnings_outcome_and_board_text(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    url = f"{API}/records/{record['id']}/interviews"
    started = ago(hours=2)
    body = {"id": new_id(), "started_at": iso(started), "location": "Interview room 1",
            "interviewing_officers": ["DC 4093 Rafe Illingsworth"], "solicitor": "Perrin Oakes",
            "interpreter": "Ilse Varga", "special_warnings": ["s36"]}
    made = client.post(url, json=body, headers=h["detention"])
    assert made.status_code == 201, made.text
    assert made.json()["solicitor"] == "Perrin Oakes" and made.json()["ended_at"] is None
    board = client.get(f"{API}/records", params={"open": "true"}, headers=h["sergeant"]).json()
    assert next(r for r in board if r["id"] == record["id"])["in_interview"] is True
    second = client.post(url, json={**body, "id": new_id()}, headers=h["detention"])
    assert second.status_code == 409 and "has not ended" in second.json()["detail"]

    end_url = f"{url}/{body['id']}/end"
    bad = client.post(end_url, headers=h["detention"], json={
        "ended_at": iso(started + timedelta(minutes=50)),
        "breaks": [{"started_at": iso(started + timedelta(minutes=40)),
                    "ended_at": iso(started + timedelta(minutes=60))}]})
    assert bad.status_code == 422 and "breaks.0.ended_at" in fields(bad)
    ended = client.post(end_url, headers=h["detention"], json={
        "ended_at": iso(started + timedelta(minutes=70)), "recording_reference": "BW-DIR-000417",
        "breaks": [{"started_at": iso(started + timedelta(minutes=30)),
                    "ended_at": iso(started + timedelta(minutes=40)), "reason": "Solicitor consultation"}],
        "special_warnings": ["s37"], "outcome": "no_comment"})
    assert ended.status_code == 200, ended.text
    out = ended.json()
    assert out["special_warnings"] == ["s36", "s37"] and out["outcome"] == "no_comment"
    assert out["breaks"][0]["reason"] == "Solicitor consultation"
    after = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert after["in_interview"] is False
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    end_text = next(e["text"] for e in log if e["kind"] == "interview_end")
    for words in ("Break", "Solicitor consultation", "s.37 CJPOA", "BW-DIR-000417", "No comment", "Ilse Varga"):
        assert words in end_text
    listed = client.get(url, headers=h["investigator"]).json()
    assert [i["recording_reference"] for i in listed] == ["BW-DIR-000417"]


def test_juvenile_not_interviewed_while_the_appropriate_adult_is_awaited(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3), person={"id": new_id(), **PERSON})
    assert record["appropriate_adult_awaited"] is True
    url = f"{API}/records/{record['id']}/interviews"
    body = {"id": new_id(), "started_at": iso(ago(hours=1)), "interviewing_officers": ["DC 4093 Rafe Illingsworth"]}
    refused = client.post(url, json=body, headers=h["sergeant"])
    assert refused.status_code == 409 and "urgent_authority" in fields(refused)
    assert "appropriate adult" in refused.json()["detail"]
    urgent = {**body, "urgent_authority": {"grounds": "Risk of harm to a missing child; delay would lead to it."}}
    # The rank the force configures (superintendent by default): a sergeant or inspector is refused with a reason.
    for who in ("sergeant", "inspector"):
        low = client.post(url, json=urgent, headers=h[who])
        assert low.status_code == 403 and "superintendent" in low.json()["detail"].lower()
    blank = client.post(url, json={**body, "urgent_authority": {"grounds": "  "}}, headers=h["superintendent"])
    assert blank.status_code == 422 and "urgent_authority.grounds" in fields(blank)
    allowed = client.post(url, json=urgent, headers=h["superintendent"])
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["urgent_authority"]["authorised_by"]["rank"]
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any("URGENT INTERVIEW" in e["text"] for e in log)
    # Once the appropriate adult has arrived, an interview needs no authority (and refuses one).
    client.post(f"{url}/{body['id']}/end", json={"ended_at": iso(ago(minutes=50))}, headers=h["sergeant"])
    arrived = client.post(f"{API}/records/{record['id']}/appropriate-adult", headers=h["sergeant"],
                          json={"event": "arrived", "at": iso(ago(minutes=45)), "name": "Demelza Rowse"})
    assert arrived.status_code == 200, arrived.text
    later = {"id": new_id(), "started_at": iso(ago(minutes=30)), "interviewing_officers": ["DC 4093 Rafe Illingsworth"],
             "appropriate_adult": "Demelza Rowse"}
    assert client.post(url, json={**later, "urgent_authority": urgent["urgent_authority"]},
                       headers=h["superintendent"]).status_code == 422
    assert client.post(url, json=later, headers=h["detention"]).status_code == 201


def test_property_recorded_signed_returned_once_and_listed(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    url = f"{API}/records/{record['id']}/property"
    wallet, phone, knife = new_id(), new_id(), new_id()
    items = [{"id": wallet, "description": "Brown leather wallet, £23.40 cash", "disposition": "retained",
              "bag_number": "PB-00912"},
             {"id": phone, "description": "Mobile phone, black", "disposition": "evidence", "bag_number": "EV-5521"},
             {"id": knife, "description": "Spectacles", "disposition": "kept", "quantity": 1}]
    searched = iso(ago(hours=2, minutes=50))
    missing = client.post(url, json={"searched_at": searched, "items": items, "signature": "refused"},
                          headers=h["detention"])
    assert missing.status_code == 422
    assert {"items.1.seal_number", "signature_note"} <= set(fields(missing))
    items[1]["seal_number"] = "SEAL-77310"
    made = client.post(url, headers=h["detention"], json={"searched_at": searched, "items": items,
                                                          "signature": "refused",
                                                          "signature_note": "Said he would not sign anything."})
    assert made.status_code == 201, made.text
    assert [i["disposition"] for i in made.json()] == ["retained", "evidence", "kept"]

    ret = f"{url}/return"
    evidence = client.post(ret, json={"item_ids": [phone], "returned_at": iso(ago(minutes=5)), "signature": "signed"},
                           headers=h["detention"])
    assert evidence.status_code == 422 and "item_ids.0" in fields(evidence)

    def give_back(i: int) -> int:  # two officers return the wallet at the same moment: exactly one succeeds
        return client.post(ret, headers={**h["detention" if i else "sergeant"], "Idempotency-Key": new_id()},
                           json={"item_ids": [wallet], "returned_at": iso(ago(minutes=5)),
                                 "signature": "signed"}).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(give_back, range(2)))
    assert statuses == [200, 409]
    listed = client.get(url, headers=h["investigator"]).json()
    returned = {i["id"]: i for i in listed}[wallet]
    assert returned["return_signature"] == "signed" and returned["returned_by"] is not None
    assert returned["version"] == 2
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    texts = [e["text"] for e in log if e["kind"] == "property"]
    assert any("REFUSED to sign" in t and "SEAL-77310" in t for t in texts)
    assert any(t.startswith("Property returned") for t in texts)


def test_history_search_and_prompts_for_booking_a_known_person(client, h):
    person_id = new_id()
    adult = {"id": person_id, **PERSON, "date_of_birth": "1990-02-11"}
    first = book(client, h["sergeant"], arrived=ago(days=3), person=adult)
    risk = client.post(f"{API}/records/{first['id']}/risk-assessments", headers=h["sergeant"], json={
        "id": new_id(), "trigger": "booking_in", "assessed_at": iso(ago(days=3) + timedelta(minutes=20)),
        "responses": [{"area": "self_harm_history", "answer": "yes", "source": "detainee",
                       "note": "Cut wrists in 2024."}],
        "warning_markers": "Self harm (PNC).", "risk_level": "high"})
    assert risk.status_code == 201, risk.text
    reassess(client, h["sergeant"], first["id"], "release", ago(days=2) - timedelta(minutes=5))
    released = client.post(f"{API}/records/{first['id']}/disposal", headers=h["sergeant"],
                           json={"outcome": "no_further_action", "released_at": iso(ago(days=2))})
    assert released.status_code == 200, released.text
    book(client, h["sergeant"], arrived=ago(hours=2))  # someone else, still in custody: never in history

    found = client.get(f"{API}/history", params={"person_id": person_id}, headers=h["inspector"])
    assert found.status_code == 200, found.text
    assert [r["custody_number"] for r in found.json()] == [first["custody_number"]]
    by_number = client.get(f"{API}/history", params={"custody_number": first["custody_number"][-6:],
                                                     "from": (ago(days=4)).date().isoformat(),
                                                     "to": ago(days=0).date().isoformat()}, headers=h["sergeant"])
    assert [r["id"] for r in by_number.json()] == [first["id"]]
    assert client.get(f"{API}/history", params={"from": "2026-02-01", "to": "2026-01-01"},
                      headers=h["sergeant"]).status_code == 422
    assert client.get(f"{API}/history", params={"suite": "Northtown"}, headers=h["sergeant"]).status_code == 422
    # A closed record opens read-only with everything: the log, and writes refused.
    assert client.get(f"{API}/records/{first['id']}/log", headers=h["sergeant"]).status_code == 200
    assert client.get(f"{API}/records/{first['id']}/property", headers=h["sergeant"]).json() == []

    prompts = client.get(f"{API}/people/{person_id}/history", headers=h["sergeant"])
    assert prompts.status_code == 200, prompts.text
    body = prompts.json()
    assert [e["custody_number"] for e in body["episodes"]] == [first["custody_number"]]
    assert body["episodes"][0]["outcome"] == "no_further_action"
    texts = [p["text"] for p in body["prompts"]]
    assert any("Self harm (PNC)" in t for t in texts)
    assert client.get(f"{API}/people/{new_id()}/history", headers=h["sergeant"]).status_code == 404
