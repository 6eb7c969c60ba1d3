from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from domain.events import EventType
from server import events
from server.custody.models import LogEntry
from server.db import make_engine, make_sessionmaker
from tests.server.conftest import _pg_reset, with_data

API = "/api/v1"


def _entry(text="Drink of water given") -> dict:
    return {"id": str(uuid.uuid4()), "kind": "drink", "text": text, "observed_at": datetime.now(UTC).isoformat()}


def test_replay_returns_the_first_response_and_stores_once(client, app, sergeant, open_records):
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    body = _entry()
    headers = {**sergeant, "Idempotency-Key": body["id"]}
    first = client.post(url, json=body, headers=headers)
    # Same body, keys in another order and other spacing: still the same request.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    replay = client.post(url, content=reordered, headers={**headers, "Content-Type": "application/json"})
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers.get("idempotent-replayed") == "true"
    with make_sessionmaker(app.state.engine)() as session:
        assert session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.id == body["id"])) == 1


def test_same_key_with_a_different_body_is_422(client, sergeant, open_records):
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    body = _entry()
    headers = {**sergeant, "Idempotency-Key": body["id"]}
    assert client.post(url, json=body, headers=headers).status_code == 201
    other = client.post(url, json={**body, "text": "Something else"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json()["detail"]


def test_event_carries_the_new_entry(client, sergeant, open_records):
    before = client.get(f"{API}/events", params={"after": 0}, headers=sergeant).json()["last_seq"]
    record_id = open_records[3]["id"]
    created = client.post(f"{API}/custody/records/{record_id}/log", json=_entry(), headers=sergeant).json()
    feed = client.get(f"{API}/events", params={"after": before}, headers=sergeant).json()
    assert [e["type"] for e in feed["events"]] == ["custody.log_entry.created"]
    event = with_data(client.post, sergeant, feed["events"])[0]
    assert event["entity"] == "log_entry" and event["entity_id"] == created["id"]
    assert event["record_id"] == record_id and event["data"] == created
    assert feed["last_seq"] == event["seq"] > before


def test_long_poll_wakes_for_a_new_event_without_blocking_others(client, sergeant, open_records):
    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    result: dict = {}

    def poll():
        started = time.monotonic()
        result["response"] = client.get(f"{API}/events", params={"after": last, "wait": 10}, headers=sergeant)
        result["elapsed"] = time.monotonic() - started

    waiter = threading.Thread(target=poll)
    waiter.start()
    deadline = time.monotonic() + 10
    # Wait until the server says the poll is waiting (not a fixed time), then check it has not answered.
    while client.get(f"{API}/health/process").json()["feed"]["waiting"] < 1:
        assert time.monotonic() < deadline, "the long poll never started waiting"
        time.sleep(0.02)
    assert waiter.is_alive(), "the long poll returned before any event existed"
    started = time.monotonic()
    assert client.get(f"{API}/health").status_code == 200
    assert time.monotonic() - started < 1.0, "the long poll blocked another request"
    body = _entry("Woken by the feed")
    assert client.post(f"{API}/custody/records/{open_records[0]['id']}/log", json=body,
                       headers=sergeant).status_code == 201
    waiter.join(15)
    events = result["response"].json()["events"]
    assert [e["entity_id"] for e in events] == [body["id"]]
    assert result["elapsed"] < 5


def test_long_poll_times_out_empty(client, sergeant):
    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    started = time.monotonic()
    response = client.get(f"{API}/events", params={"after": last, "wait": 0.6}, headers=sergeant)
    assert response.json() == {"events": [], "last_seq": last}
    assert 0.5 < time.monotonic() - started < 3


def test_wait_over_thirty_seconds_is_a_field_error(client, sergeant):
    response = client.get(f"{API}/events", params={"wait": 31}, headers=sergeant)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "wait"


@pytest.mark.postgres
def test_an_unfinished_write_does_not_hold_up_other_writers(postgres_url):
    """Issue 9: the lock that keeps event seqs in commit order is taken when a transaction commits, not when it
    emits, so a write still doing its other work does not make every other write in the force wait for it.
    The order still holds: the write that committed first has the smaller seq."""
    _pg_reset(postgres_url, None)
    engine = make_engine(postgres_url)
    factory = make_sessionmaker(engine)
    first_id, second_id = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        with factory() as slow, factory() as quick:
            events.emit(slow, EventType.CUSTODY_LOG_ENTRY_CREATED, "log_entry", first_id, {"n": 1})
            slow.execute(select(func.count()).select_from(LogEntry))  # ...and goes on working, uncommitted
            quick.execute(text("SET LOCAL lock_timeout = '3s'"))  # fails, rather than hangs, if it must wait
            events.emit(quick, EventType.CUSTODY_LOG_ENTRY_CREATED, "log_entry", second_id, {"n": 2})
            quick.commit()
            slow.commit()
        with factory() as session:
            seqs = dict(session.execute(select(events.Event.entity_id, events.Event.seq)
                                        .where(events.Event.entity_id.in_([first_id, second_id]))).all())
        assert seqs[second_id] < seqs[first_id]
    finally:
        engine.dispose()
