"""Waiting costs nothing: open long polls hold no database connection and are woken by the process's listener;
overload answers 503 with Retry-After. In-process app over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from domain.events import EventType
from server.app import create_app
from server.db import make_sessionmaker
from server.demo import load_demo
from server.settings import Settings
from tests.server.asgi_client import AsgiClient
from tests.server.conftest import login, with_data

API = "/api/v1"


def _entry(text: str = "Cell visited, awake and talking") -> dict:
    return {"id": str(uuid.uuid4()), "kind": "cell_check", "text": text,
            "observed_at": datetime.now(UTC).isoformat()}


def _until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class _Waits:
    """Long polls in threads, each recording its response and how long after `mark()` it arrived."""

    def __init__(self, client: AsgiClient, headers: dict[str, str], after: int, count: int, wait: float = 15):
        self.results: list[tuple[float, object]] = []
        self.marked = 0.0
        self._threads = [threading.Thread(target=self._poll, args=(client, headers, after, wait))
                         for _ in range(count)]
        for thread in self._threads:
            thread.start()

    def _poll(self, client: AsgiClient, headers: dict[str, str], after: int, wait: float) -> None:
        response = client.get(f"{API}/events", params={"after": after, "wait": wait}, headers=headers)
        self.results.append((time.monotonic(), response))

    def mark(self) -> None:
        self.marked = time.monotonic()

    def join(self) -> list:
        for thread in self._threads:
            thread.join(20)
        return [response for _, response in self.results]

    def latest_delay(self) -> float:
        return max(at for at, _ in self.results) - self.marked


def test_open_waits_hold_no_connection_and_a_write_wakes_them_all(app, client, sergeant, open_records):
    feed = app.state.feed
    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    waits = _Waits(client, sergeant, last, 8)
    _until(lambda: feed.waiting == 8, what="8 open waits")
    # The whole wait is spent without a pooled connection (the sign-in check gave its back too).
    time.sleep(0.3)  # a window for a (wrong) polling loop to show up in the pool
    assert app.state.engine.pool.checkedout() == 0
    assert waits.results == []
    body = _entry("Woken without polling")
    assert client.post(f"{API}/custody/records/{open_records[0]['id']}/log", json=body,
                       headers=sergeant).status_code == 201
    waits.mark()  # committed: the waits should answer now
    responses = waits.join()
    assert len(responses) == 8
    assert all([e["entity_id"] for e in r.json()["events"]] == [body["id"]] for r in responses)
    assert waits.latest_delay() < 1.0
    assert feed.waiting == 0


def test_a_change_committed_outside_a_request_wakes_waits_too(app, client, sergeant, open_records):
    # Services, the demo loader and scripts write through their own sessions; the listener still sees them.
    from server.events import emit

    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    waits = _Waits(client, sergeant, last, 1)
    _until(lambda: app.state.feed.waiting == 1, what="the wait")
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        emit(session, EventType.CUSTODY_RECORD_UPDATED, "record", open_records[0]["id"], {"note": "from a script"})
    waits.mark()
    [response] = waits.join()
    assert [(e["type"], e["data"]) for e in with_data(client.post, sergeant, response.json()["events"])] == [
        ("custody.record.updated", {"note": "from a script"})]
    assert waits.latest_delay() < 1.0


def test_a_rolled_back_change_wakes_nobody(app, client, sergeant, open_records):
    from server.events import emit

    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    started = time.monotonic()
    waits = _Waits(client, sergeant, last, 1, wait=1.0)
    _until(lambda: app.state.feed.waiting == 1, what="the wait")
    with make_sessionmaker(app.state.engine)() as session:
        emit(session, EventType.CUSTODY_RECORD_UPDATED, "record", open_records[0]["id"], {})
        session.rollback()
    [response] = waits.join()
    assert response.json() == {"events": [], "last_seq": last}
    assert time.monotonic() - started >= 0.9


def test_shutdown_answers_open_waits_at_once(app, client, sergeant):
    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    waits = _Waits(client, sergeant, last, 3, wait=25)
    _until(lambda: app.state.feed.waiting == 3, what="3 open waits")
    waits.mark()
    app.state.feed.stop()
    responses = waits.join()
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert waits.latest_delay() < 1.0


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_listener_that_loses_its_connection_reconnects_and_misses_nothing(app, client, sergeant, open_records,
                                                                         database_url):
    feed = app.state.feed
    last = client.get(f"{API}/events", headers=sergeant).json()["last_seq"]
    waits = _Waits(client, sergeant, last, 2)
    _until(lambda: feed.waiting == 2 and feed.listener_backend_pid is not None, what="waits and listener")
    lost = feed.listener_backend_pid
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (lost,))
    _until(lambda: feed.status()["listener"] == "reconnecting", what="the listener noticing the loss")
    # Committed while nobody in this process listens: its NOTIFY is lost, the reconnect must make up for it.
    body = _entry("Written while the listener was away")
    assert client.post(f"{API}/custody/records/{open_records[0]['id']}/log", json=body,
                       headers=sergeant).status_code == 201
    waits.mark()
    responses = waits.join()
    assert all([e["entity_id"] for e in r.json()["events"]] == [body["id"]] for r in responses)
    assert waits.latest_delay() < 5.0
    _until(lambda: feed.status()["listener_reconnects"] >= 1, what="a counted reconnect")
    assert feed.status()["listener"] == "listening"


def test_pool_exhaustion_answers_503_with_retry_after_and_does_not_hang(database_url):
    settings = Settings(database_url=database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.3)
    app = create_app(settings)
    try:
        with make_sessionmaker(app.state.engine)() as session, session.begin():
            load_demo(session)
        with AsgiClient(app) as client:
            headers = login(client, "sergeant")
            held = app.state.engine.connect()  # the only connection, busy elsewhere
            try:
                started = time.monotonic()
                busy = client.get(f"{API}/custody/records", headers=headers)
                elapsed = time.monotonic() - started
            finally:
                held.close()
            assert busy.status_code == 503, busy.text
            assert busy.headers["content-type"] == "application/problem+json"
            assert int(busy.headers["retry-after"]) >= 1
            assert "busy" in busy.json()["detail"]
            assert elapsed < 3
            assert client.get(f"{API}/health").status_code == 200
            assert client.get(f"{API}/custody/records", headers=headers).status_code == 200
    finally:
        app.state.engine.dispose()


def test_a_reader_following_the_feed_during_concurrent_writes_misses_nothing(app, client, seeded, open_records):
    # seq order must equal commit order (emit's lock on PostgreSQL), or a reader that has seen seq N could later
    # miss a smaller seq committed after it.
    users = [login(client, name) for name in ("sergeant", "detention", "inspector", "superintendent")]
    start = client.get(f"{API}/events", headers=users[0]).json()["last_seq"]
    per_writer = 12
    writes = len(users) * per_writer
    seen: list[int] = []

    def follow() -> None:
        after = start
        deadline = time.monotonic() + 60
        while len(seen) < writes and time.monotonic() < deadline:
            page = client.get(f"{API}/events", params={"after": after, "wait": 5}, headers=users[0]).json()
            seen.extend(e["seq"] for e in page["events"])
            after = page["last_seq"]

    def write(headers: dict[str, str], index: int) -> None:
        for n in range(per_writer):
            record = open_records[(index + n) % len(open_records)]["id"]
            response = client.post(f"{API}/custody/records/{record}/log", json=_entry(f"Round {n}"), headers=headers)
            assert response.status_code == 201, response.text

    reader = threading.Thread(target=follow)
    reader.start()
    writers = [threading.Thread(target=write, args=(headers, i)) for i, headers in enumerate(users)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    reader.join(70)
    everything = [e["seq"] for e in client.get(f"{API}/events", params={"after": start}, headers=users[0])
                  .json()["events"]]
    assert len(everything) == writes
    assert seen == everything
