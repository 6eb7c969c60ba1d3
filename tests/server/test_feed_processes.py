"""Several processes, one force: real `bridewell-server` processes on one PostgreSQL database.

A write through one process wakes waits on another; a waiting client survives its server being killed and
resumes from its last seq; one process holds many open waits and still answers; --workers N serves N processes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from desktop.sync.client import ApiClient
from desktop.sync.feed import ChangeFeed
from tests.support.live_server import free_port, live_server
from tests.server.conftest import with_data

pytestmark = pytest.mark.slow
# The database_url fixture, PostgreSQL only (a fresh private schema, tables emptied).
on_postgres = pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                                      indirect=True)
API = "/api/v1"


def _login(url: str, username: str = "sergeant") -> dict[str, str]:
    response = httpx.post(f"{url}{API}/auth/login", json={"username": username, "password": "bridewell-demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _until(condition, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _waiting(url: str) -> int:
    return int(httpx.get(f"{url}{API}/health/process", timeout=5).json()["feed"]["waiting"])


def _write(url: str, headers: dict[str, str], record_id: str, text: str) -> dict:
    body = {"id": str(uuid.uuid4()), "kind": "cell_check", "text": text,
            "observed_at": datetime.now(UTC).isoformat()}
    response = httpx.post(f"{url}{API}/custody/records/{record_id}/log", json=body,
                          headers={**headers, "Idempotency-Key": body["id"]}, timeout=15)
    assert response.status_code == 201, response.text
    return dict(response.json())


@on_postgres
def test_a_write_through_one_process_wakes_a_wait_on_another_within_a_second(tmp_path, database_url):
    with live_server(tmp_path, demo=True, database_url=database_url, name="a") as a, \
            live_server(tmp_path, demo=False, database_url=database_url, name="b") as b:
        headers = _login(a.url)  # a token is a database row: good on every process
        record_id = httpx.get(f"{a.url}{API}/custody/records", params={"open": "true"},
                              headers=headers).json()[0]["id"]
        last = httpx.get(f"{b.url}{API}/events", headers=headers).json()["last_seq"]
        result: dict = {}

        def wait_on_b() -> None:
            response = httpx.get(f"{b.url}{API}/events", params={"after": last, "wait": 20}, headers=headers,
                                 timeout=30)
            result["at"], result["response"] = time.monotonic(), response

        waiter = threading.Thread(target=wait_on_b)
        waiter.start()
        _until(lambda: _waiting(b.url) == 1, what="the wait to be open on b")
        created = _write(a.url, headers, record_id, "Written through process a")
        written = time.monotonic()
        waiter.join(25)
        fed = with_data(httpx.post, headers, result["response"].json()["events"], b.url)
        assert [e["data"] for e in fed] == [created]
        assert result["at"] - written < 1.0

        # b reuses its board entries while they are unchanged: a change committed through a shows on b's next read.
        def board(url: str) -> dict[str, dict]:
            response = httpx.get(f"{url}{API}/custody/records", params={"open": "true"}, headers=headers)
            assert response.status_code == 200, response.text
            return {r["id"]: r for r in response.json()}

        seen = board(b.url)[record_id]
        level = 3 if seen["observation_level"] != 3 else 2
        changed = httpx.post(f"{a.url}{API}/custody/records/{record_id}/observation-level", headers=headers, json={
            "level": level, "reason": "Changed through process a.", "set_at": datetime.now(UTC).isoformat()})
        assert changed.status_code == 200, changed.text
        shown = board(b.url)[record_id]
        assert (shown["observation_level"], shown["version"]) == (level, seen["version"] + 1)
        assert board(b.url) == board(a.url)


@on_postgres
def test_a_waiting_client_survives_its_server_being_killed_and_resumes_from_its_last_seq(tmp_path, database_url):
    port = free_port()
    received: list[dict] = []
    with live_server(tmp_path, demo=True, database_url=database_url, name="writer") as writer:
        headers = _login(writer.url)
        record_id = httpx.get(f"{writer.url}{API}/custody/records", params={"open": "true"},
                              headers=headers).json()[0]["id"]
        token = headers["Authorization"].removeprefix("Bearer ")
        with live_server(tmp_path, demo=False, database_url=database_url, port=port, name="served") as served:
            start = httpx.get(f"{served.url}{API}/events", headers=headers).json()["last_seq"]
            # The desktop's own feed client, pointed at the process that is about to die.
            feed = ChangeFeed(ApiClient(served.url, token), after=start, wait=20, retry_s=0.2,
                              on_events=received.extend)
            feed.start()
            try:
                first = _write(writer.url, headers, record_id, "Before the crash")
                _until(lambda: len(received) == 1, what="the first event")
                _until(lambda: _waiting(served.url) == 1, what="the feed to wait again")
                served.process.send_signal(signal.SIGKILL)
                served.process.wait(10)
                # Committed while the client's server is dead: the client must still get them, in order.
                during = [_write(writer.url, headers, record_id, f"While it was down {n}") for n in range(3)]
                with live_server(tmp_path, demo=False, database_url=database_url, port=port, name="served"):
                    _until(lambda: len(received) == 4, what="the events written while it was down")
                    after = _write(writer.url, headers, record_id, "After the restart")
                    _until(lambda: len(received) == 5, what="the event after the restart")
            finally:
                feed.stop()
    assert [e["data"]["id"] for e in received] == [e["id"] for e in [first, *during, after]]
    seqs = [e["seq"] for e in received]
    assert seqs == sorted(set(seqs))


@on_postgres
def test_one_process_holds_many_open_waits_and_still_answers(tmp_path, database_url):
    waits = 500
    with live_server(tmp_path, demo=True, database_url=database_url) as server:
        headers = _login(server.url)
        record_id = httpx.get(f"{server.url}{API}/custody/records", params={"open": "true"},
                              headers=headers).json()[0]["id"]
        last = httpx.get(f"{server.url}{API}/events", headers=headers).json()["last_seq"]

        async def scenario() -> tuple[list[httpx.Response], list[float], dict]:
            limits = httpx.Limits(max_connections=waits + 10, max_keepalive_connections=waits + 10)
            async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client, \
                    httpx.AsyncClient(base_url=server.url, timeout=10) as probe:
                polls = [asyncio.create_task(client.get(f"{API}/events", params={"after": last, "wait": 25},
                                                        headers=headers)) for _ in range(waits)]
                deadline = time.monotonic() + 40
                while (await probe.get(f"{API}/health/process")).json()["feed"]["waiting"] < waits:
                    assert time.monotonic() < deadline, "the waits did not all open"
                    assert not any(p.done() for p in polls), [p.result().status_code for p in polls if p.done()]
                    await asyncio.sleep(0.1)
                timings = []
                for _ in range(40):
                    started = time.monotonic()
                    assert (await probe.get(f"{API}/health")).status_code == 200
                    timings.append(time.monotonic() - started)
                process = (await probe.get(f"{API}/health/process")).json()
                await asyncio.to_thread(_write, server.url, headers, record_id, "Seen by every waiting desk")
                return await asyncio.gather(*polls), timings, process

        responses, timings, process = asyncio.run(scenario())
    # Open waits hold no pooled connection; /health stays quick (generous bound: 2 shared cores).
    assert process["pool"]["checked_out"] == 0
    assert statistics.quantiles(timings, n=20)[18] < 0.5, timings
    assert [r.status_code for r in responses] == [200] * waits
    assert all(len(r.json()["events"]) == 1 for r in responses)


@on_postgres
def test_workers_serve_from_several_processes_and_stop_together(tmp_path, database_url):
    with live_server(tmp_path, demo=True, database_url=database_url, extra_args=("--workers", "2")) as server:
        pids: set[int] = set()
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:
            # A new connection each time: the kernel hands them to whichever worker accepts first.
            pids.add(httpx.get(f"{server.url}{API}/health/process", timeout=5).json()["pid"])
        assert len(pids) == 2
        server.process.terminate()
        server.process.wait(15)
        log = server.log_path.read_text()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert "Traceback" not in log, log


def test_workers_are_refused_on_sqlite(tmp_path):
    result = subprocess.run([sys.executable, "-m", "server", "--database-url", f"sqlite:///{tmp_path / 'w.db'}",
                             "--workers", "2"], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--workers 2 needs PostgreSQL" in result.stderr and "Traceback" not in result.stderr


@on_postgres
def test_more_requests_than_connections_queue_for_the_pool_and_all_answer(tmp_path, database_url):
    """A busy suite: 120 board reads and log writes at once through a pool of 2 connections. Requests wait for
    a connection on the event loop (server/gate.py), so none is refused or stuck: without the gate the worker
    threads fill with requests waiting for a connection while the requests holding the connections wait for a
    thread, and only the pool timeout (here 30 s) breaks it, with 503s."""
    env = {"BRIDEWELL_DB_POOL_SIZE": "2", "BRIDEWELL_DB_MAX_OVERFLOW": "0", "BRIDEWELL_DB_POOL_TIMEOUT_S": "30"}
    with live_server(tmp_path, demo=True, database_url=database_url, env=env) as server:
        headers = _login(server.url)
        record_id = httpx.get(f"{server.url}{API}/custody/records", params={"open": "true"},
                              headers=headers).json()[0]["id"]

        async def burst() -> tuple[list[int], float, dict]:
            limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
            async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
                def entry() -> dict:
                    body = {"id": str(uuid.uuid4()), "kind": "note", "text": "Busy suite",
                            "observed_at": datetime.now(UTC).isoformat()}
                    return {"json": body, "headers": {**headers, "Idempotency-Key": body["id"]}}

                started = time.monotonic()
                calls = [client.get(f"{API}/custody/records", params={"open": "true"}, headers=headers)
                         for _ in range(60)]
                calls += [client.post(f"{API}/custody/records/{record_id}/log", **entry()) for _ in range(60)]
                answers = await asyncio.gather(*calls)
                elapsed = time.monotonic() - started
                process = (await client.get(f"{API}/health/process")).json()
                return [a.status_code for a in answers], elapsed, process

        statuses, elapsed, process = asyncio.run(burst())
    assert sorted(set(statuses)) == [200, 201], statuses
    assert elapsed < 30, f"took {elapsed:.1f} s: requests waited out the pool timeout"
    assert process["gate"] == {"slots": 2, "inside": 0, "waiting": 0}  # /health/process itself passes outside
