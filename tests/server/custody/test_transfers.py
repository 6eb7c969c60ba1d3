"""Transfers between suites (issue 15): one custody record, the sending suite hands over (risk, property, what is
outstanding) only after a risk re-assessment for the transfer, the receiving suite accepts into a free cell, the
log says both, and the PACE clock carries on from the same relevant time. A suite of the force is no longer a
free-text 'transferred' disposal."""

from __future__ import annotations

from tests.server.custody.conftest import API, ago, book, fields, iso, new_id
from tests.server.custody.test_checks_and_risk import risk
from tests.server.custody.test_suites import admin, make_suite  # noqa: F401 (the admin fixture)


def test_a_transfer_keeps_one_record_and_its_clock(client, h, admin):  # noqa: F811
    north = make_suite(client, admin, "nth", [("C1", "adult", 1)])
    south = make_suite(client, admin, "sth", [("C1", "adult", 1), ("C2", "adult", 1)])
    record = book(client, h["sergeant"], arrived=ago(hours=3), suite_id=north["id"], cell_id=north["cells"][0]["id"],
                  cell=None)
    url = f"{API}/records/{record['id']}"
    client.post(f"{url}/log", headers=h["sergeant"], json={"id": new_id(), "kind": "property", "text":
                                                           "Wallet, phone, keys: bag 4471.",
                                                           "observed_at": iso(ago(hours=2))})
    before = client.get(url, headers=h["sergeant"]).json()
    send = {"id": new_id(), "to_suite_id": south["id"], "sent_at": iso(ago(minutes=30)), "note": "Cells full."}

    # Without a risk re-assessment for the transfer the send is refused beside that field, and so said.
    summary = client.get(f"{url}/transfer-summary", headers=h["sergeant"]).json()
    assert summary["risk_reassessment_needed"] and summary["property"][0]["text"].startswith("Wallet")
    refused = client.post(f"{url}/transfers", headers=h["sergeant"], json=send)
    assert refused.status_code == 422 and "risk_assessment" in fields(refused)
    assert client.post(f"{url}/risk-assessments", headers=h["sergeant"],
                       json=risk("transfer", "medium", ago(minutes=40))).status_code == 201
    assert client.post(f"{url}/transfers", headers=h["detention"], json=send).status_code == 403
    same = client.post(f"{url}/transfers", headers=h["sergeant"], json={**send, "to_suite_id": north["id"]})
    assert same.status_code == 422 and "to_suite_id" in fields(same)

    sent = client.post(f"{url}/transfers", headers=h["sergeant"], json=send)
    assert sent.status_code == 201, sent.text
    out = sent.json()
    assert (out["status"], out["from_suite_name"], out["to_suite_name"], out["from_cell"]) == (
        "sent", "Nth custody suite", "Sth custody suite", "C1")
    assert out["handover"]["risk"]["level"] == "medium" and out["handover"]["risk"]["for_transfer"]
    assert any("Detention limit" in line for line in out["handover"]["outstanding"])
    moving = client.get(url, headers=h["sergeant"]).json()
    assert moving["transfer"]["to_suite_id"] == south["id"] and moving["cell"] is None
    # Shown at the receiving suite as awaited, and the cell it left is free again.
    incoming = client.get(f"{API}/transfers", params={"to_suite": south["id"]}, headers=h["sergeant"]).json()
    assert [t["id"] for t in incoming] == [out["id"]]
    south_board = client.get(f"{API}/records", params={"open": "true", "suite": south["id"]},
                             headers=h["sergeant"]).json()
    assert [r["id"] for r in south_board] == [record["id"]]
    assert client.get(f"{API}/suites/{north['id']}", headers=h["sergeant"]).json()["cells"][0]["free_places"] == 1
    again = client.post(f"{url}/transfers", headers=h["sergeant"], json={**send, "id": new_id()})
    assert again.status_code == 409

    # The receiving sergeant accepts into a free cell of their suite (not one of the sender's).
    accept = f"{API}/transfers/{out['id']}/accept"
    wrong = client.post(accept, headers=h["sergeant"],
                        json={"cell_id": north["cells"][0]["id"], "accepted_at": iso(ago(minutes=5))})
    assert wrong.status_code == 422 and "cell_id" in fields(wrong)
    done = client.post(accept, headers=h["sergeant"],
                       json={"cell_id": south["cells"][1]["id"], "accepted_at": iso(ago(minutes=5))})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "accepted" and done.json()["to_cell"] == "C2"
    twice = client.post(accept, headers=h["sergeant"],
                        json={"cell_id": south["cells"][0]["id"], "accepted_at": iso(ago(minutes=4))})
    assert twice.status_code == 409

    after = client.get(url, headers=h["sergeant"]).json()
    assert (after["id"], after["custody_number"], after["suite_name"], after["cell"]) == (
        record["id"], record["custody_number"], "Sth custody suite", "C2")
    assert after["transfer"] is None
    for key in ("relevant_time", "detention_limit_at", "next_review_due", "basic_limit_at"):
        assert after[key] == before[key], key
    log = [e["text"] for e in client.get(f"{url}/log", headers=h["sergeant"]).json() if e["kind"] == "transfer"]
    assert log[0].startswith("Transfer to Sth custody suite sent from Nth custody suite (cell C1)")
    assert "Property: Wallet, phone, keys" in log[0]
    assert log[1].startswith("Transfer from Nth custody suite accepted at Sth custody suite into cell C2")
    assert "relevant time" in log[1] and "unchanged" in log[1]
    # Each move needs its own assessment: the one made for the first transfer does not send the detainee on.
    back = client.post(f"{url}/transfers", headers=h["sergeant"],
                       json={"id": new_id(), "to_suite_id": north["id"], "sent_at": iso(ago(minutes=2))})
    assert back.status_code == 422 and "Re-assess risk for the transfer" in fields(back)["risk_assessment"]

    # A suite of the force is not a free-text 'transferred' disposal any more.
    disposal = client.post(f"{url}/disposal", headers=h["sergeant"],
                           json={"outcome": "transferred", "released_at": iso(ago(minutes=1)),
                                 "transfer_to": "Nth custody suite"})
    assert disposal.status_code == 422 and "Transfer to another suite" in fields(disposal)["transfer_to"]
