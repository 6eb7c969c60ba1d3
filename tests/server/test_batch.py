"""POST /batch: many idempotent writes in one request, each answered as if sent alone, in order, replay-safe;
a refused request holds back the later ones of its group; a 401 stops the batch. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

API = "/api/v1"


def _entry(text: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}


def _req(path: str, body: dict, group: str | None = None, **extra) -> dict:
    return {"key": body.get("id") or str(uuid.uuid4()), "method": "POST", "path": path, "body": body,
            "group": group, **extra}


def _batch(client, headers, requests):
    return client.request("POST", f"{API}/batch", content=json.dumps({"requests": requests}).encode(),
                          headers={**headers, "Content-Type": "application/json"})


def _texts(client, headers, record_id) -> list[str]:
    return [e["text"] for e in client.get(f"{API}/custody/records/{record_id}/log", headers=headers).json()]


def test_a_batch_runs_each_request_in_order_with_its_own_answer_and_replays_safely(client, sergeant, open_records):
    first, second = open_records[0]["id"], open_records[1]["id"]
    log1, log2 = f"/custody/records/{first}/log", f"/custody/records/{second}/log"
    requests = [
        _req(log1, _entry("Batch one, fictional"), f"/custody/records/{first}"),
        _req(log2, _entry("Batch two, fictional"), f"/custody/records/{second}"),
        _req(log1, _entry("bad \x01 text"), f"/custody/records/{first}"),  # refused: its group stops
        _req(log1, _entry("Batch after the refusal"), f"/custody/records/{first}"),  # not tried: 424
        _req(log2, _entry("Batch three, other record"), f"/custody/records/{second}"),  # goes on
        _req(log2, _entry("lone \ud800 surrogate"), None),  # refused alone, no group
        _req(f"/custody/records/{uuid.uuid4()}/log", _entry("No such record"), None),  # 404
        {"key": str(uuid.uuid4()), "method": "POST", "path": "/batch", "body": {"requests": []}},  # no nesting
    ]
    before = client.get(f"{API}/events", params={"after": 0, "wait": 0}, headers=sergeant).json()["last_seq"]
    response = _batch(client, sergeant, requests)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    # The change feed has exactly the stored entries' events, in order (committed with them, not before).
    feed = client.get(f"{API}/events", params={"after": before, "wait": 0}, headers=sergeant).json()["events"]
    assert [e["entity_id"] for e in feed if e["type"] == "custody.log_entry.created"] == [
        requests[n]["key"] for n in (0, 1, 4)]
    assert [r["key"] for r in results] == [r["key"] for r in requests]
    assert [r["status"] for r in results] == [201, 201, 422, 424, 201, 422, 404, 422]
    assert results[0]["body"]["text"] == "Batch one, fictional"
    assert results[2]["body"]["errors"][0]["field"] == "text"
    assert results[5]["body"]["errors"][0]["field"] == "text"
    # Replayed whole (a client that never heard the answer): the same answers, nothing stored twice.
    again = _batch(client, sergeant, requests).json()["results"]
    assert [r["status"] for r in again] == [201, 201, 422, 424, 201, 422, 404, 422]
    assert again[0]["body"] == results[0]["body"] and again[0]["headers"].get("idempotent-replayed") == "true"
    assert _texts(client, sergeant, first).count("Batch one, fictional") == 1
    assert "Batch after the refusal" not in _texts(client, sergeant, first)
    texts2 = _texts(client, sergeant, second)
    assert texts2.count("Batch two, fictional") == 1 and texts2.count("Batch three, other record") == 1
    # Each request is the same as sent alone: its key, sent alone now, replays the batch's answer.
    alone = client.post(f"{API}{log1}", json=requests[0]["body"],
                        headers={**sergeant, "Idempotency-Key": requests[0]["key"]})
    assert alone.status_code == 201 and alone.json() == results[0]["body"]
    assert alone.headers.get("idempotent-replayed") == "true"


def test_a_versioned_step_in_a_batch_gets_its_412_with_the_current_copy(client, sergeant, open_records):
    record = next(r for r in open_records if r["suite_id"])
    path = f"/custody/records/{record['id']}"
    stale = str(record["version"])
    # Two moves to free cells of the record's suite (issue 15: any other cell is refused for itself).
    suite = client.get(f"{API}/custody/suites/{record['suite_id']}", headers=sergeant).json()
    first, second = [c["number"] for c in suite["cells"] if c["free_places"]][:2]
    requests = [_req(path, {"cell": first}, path, headers={"If-Match": stale}, method="PATCH"),
                _req(path, {"cell": second}, path, headers={"If-Match": stale}, method="PATCH")]
    results = _batch(client, sergeant, requests).json()["results"]
    assert [r["status"] for r in results] == [200, 412]
    assert results[1]["body"]["current"]["cell"] == first


def test_without_a_valid_sign_in_the_batch_stops_at_the_first_request(client, sergeant, open_records):
    log1 = f"/custody/records/{open_records[0]['id']}/log"
    requests = [_req(log1, _entry("Never stored A")), _req(log1, _entry("Never stored B"))]
    assert _batch(client, {}, requests).status_code == 401
    # A revoked or made-up token: refused as a whole before anything runs (the client pauses and resends both).
    assert _batch(client, {"Authorization": "Bearer revoked-or-made-up"}, requests).status_code == 401
    assert "Never stored A" not in _texts(client, sergeant, open_records[0]["id"])


def test_a_malformed_batch_is_a_422(client, sergeant):
    assert _batch(client, sergeant, []).status_code == 422
    response = client.post(f"{API}/batch", json={"requests": "nope"}, headers=sergeant)
    assert response.status_code == 422 and response.json()["errors"][0]["field"].startswith("requests")
