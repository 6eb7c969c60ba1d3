"""Several officers writing to one custody record at the same moment: every write is stored, none fails on
the record's version."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.server.custody.conftest import API, ago, book, booking, iso, new_id


def test_simultaneous_checks_on_one_record_all_succeed(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    client.post(f"{API}/records/{record['id']}/observation-level", headers=h["sergeant"],
                json={"level": 1, "reason": "Low risk.", "set_at": iso(ago(minutes=90))})
    writers = [h["sergeant"], h["detention"], h["inspector"], h["superintendent"]]

    def write(i: int) -> int:
        body = {"id": new_id(), "check_type": "look", "result": "awake – settled",
                "observed_at": iso(ago(minutes=60 - i))}
        return client.post(f"{API}/records/{record['id']}/checks", json=body,
                           headers={**writers[i % 4], "Idempotency-Key": body["id"]}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(write, range(24)))
    assert statuses == [201] * 24
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    checks = client.get(f"{API}/records/{record['id']}/checks", headers=h["sergeant"]).json()
    assert len(checks) == 24 and current["last_check_at"] == checks[-1]["observed_at"]
    assert current["version"] >= record["version"] + 25  # the level, then one bump per check


def test_simultaneous_bookings_get_distinct_custody_numbers(client, h):
    def write(i: int) -> int:
        body = booking(person={"id": new_id(), "surname": f"Tregenza{chr(65 + i)}", "forenames": "Morvah"})
        response = client.post(f"{API}/records", json=body, headers={**h["sergeant"], "Idempotency-Key": body["id"]})
        return response.status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(write, range(12)))
    assert statuses == [201] * 12
    numbers = [r["custody_number"] for r in client.get(f"{API}/records", headers=h["sergeant"]).json()]
    assert len(set(numbers)) == 12
