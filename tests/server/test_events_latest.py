"""GET /events/latest: where the feed stands, in one call (issue 17: the board used to replay the whole history)."""

from __future__ import annotations

from tests.server.test_custody_log import API, entry


def replayed_last_seq(client, headers) -> int:
    after = 0
    while True:
        page = client.get(f"{API}/events", params={"after": after, "wait": 0}, headers=headers).json()
        after = max(after, page["last_seq"])
        if not page["events"]:
            return after


def test_latest_is_where_a_replay_of_the_history_ends_and_follows_a_write(client, sergeant, open_records):
    latest = client.get(f"{API}/events/latest", headers=sergeant)
    assert latest.status_code == 200
    assert latest.json()["last_seq"] == replayed_last_seq(client, sergeant) > 0
    record_id = open_records[0]["id"]
    assert client.post(f"{API}/custody/records/{record_id}/log", json=entry(), headers=sergeant).status_code == 201
    after = client.get(f"{API}/events/latest", headers=sergeant).json()["last_seq"]
    assert after > latest.json()["last_seq"]
    assert client.get(f"{API}/events", params={"after": after, "wait": 0}, headers=sergeant).json()["events"] == []


def test_latest_needs_a_sign_in(client, seeded):
    assert client.get(f"{API}/events/latest").status_code == 401
