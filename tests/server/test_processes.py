"""The server as people run it: a real uvicorn process, the embedded server, and the CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from server.embedded import start_embedded
from tests.support.live_server import live_server
from tests.server.conftest import with_data

pytestmark = pytest.mark.slow
API = "/api/v1"


def _login(url: str, username: str = "sergeant") -> dict[str, str]:
    response = httpx.post(f"{url}{API}/auth/login", json={"username": username, "password": "bridewell-demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_real_uvicorn_serves_log_and_feed(tmp_path):
    with live_server(tmp_path, demo=True) as server:
        headers = _login(server.url)
        records = httpx.get(f"{server.url}{API}/custody/records", params={"open": "true"}, headers=headers).json()
        assert len(records) >= 14
        last = httpx.get(f"{server.url}{API}/events", headers=headers).json()["last_seq"]
        result: dict = {}
        waiter = threading.Thread(target=lambda: result.setdefault("feed", httpx.get(
            f"{server.url}{API}/events", params={"after": last, "wait": 10}, headers=headers, timeout=20)))
        waiter.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert httpx.get(f"{server.url}{API}/health").status_code == 200
        assert time.monotonic() - started < 1.0
        body = {"id": str(uuid.uuid4()), "kind": "cell_check", "text": "Awake, talking, no concerns.",
                "observed_at": datetime.now(UTC).isoformat()}
        created = httpx.post(f"{server.url}{API}/custody/records/{records[0]['id']}/log", json=body,
                             headers={**headers, "Idempotency-Key": body["id"]})
        assert created.status_code == 201
        waiter.join(15)
        fed = with_data(httpx.post, headers, result["feed"].json()["events"], server.url)
        assert [e["data"] for e in fed] == [created.json()]
    assert server.process.returncode is not None
    # No line per request unless asked (--access-log; test_transport.py checks it then names nothing personal).
    assert "/custody/records" not in server.log_path.read_text(encoding="utf-8", errors="replace")


def test_terminate_does_not_wait_for_a_pending_long_poll(tmp_path):
    with live_server(tmp_path, demo=True) as server:
        headers = _login(server.url)
        outcome: dict = {}

        def poll():
            try:
                outcome["status"] = httpx.get(f"{server.url}{API}/events", params={"after": 10**9, "wait": 30},
                                              headers=headers, timeout=40).status_code
            except httpx.TransportError as exc:  # cut off by the shutdown: the feed client just retries
                outcome["error"] = exc

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        time.sleep(0.5)
        started = time.monotonic()
        server.process.terminate()
        server.process.wait(15)
        assert time.monotonic() - started < 3
        log = server.log_path.read_text()
    poller.join(10)
    # The open poll is answered (empty) at once, not cancelled with a traceback after a grace period.
    assert outcome.get("status") == 200, outcome
    assert "Traceback" not in log and "CancelledError" not in log, log


def test_embedded_stop_answers_a_pending_long_poll(tmp_path):
    server = start_embedded(f"sqlite:///{tmp_path / 'embedded.sqlite3'}", demo=True)
    headers = _login(server.url, "detention")
    outcome: dict = {}

    def poll():
        outcome["status"] = httpx.get(f"{server.url}{API}/events", params={"after": 10**9, "wait": 30},
                                      headers=headers, timeout=40).status_code

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(0.5)
    started = time.monotonic()
    server.stop()
    poller.join(10)
    assert outcome.get("status") == 200
    assert time.monotonic() - started < 2


def test_restart_with_demo_data_does_not_duplicate(tmp_path):
    for _ in range(2):
        with live_server(tmp_path, demo=True) as server:
            headers = _login(server.url, "detention")
            count = len(httpx.get(f"{server.url}{API}/custody/records", headers=headers).json())
    assert count == 14


def test_embedded_server_on_an_ephemeral_port(tmp_path):
    server = start_embedded(f"sqlite:///{tmp_path / 'embedded.sqlite3'}", demo=True)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.url}{API}/health").json()["database"] == "sqlite"
        _login(server.url, "admin")
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}{API}/health", timeout=2)


def test_keep_alive_requests_are_not_delayed_by_nagle(tmp_path):
    # A listening socket without proto=IPPROTO_TCP left Nagle on: every response took ~44 ms.
    server = start_embedded(f"sqlite:///{tmp_path / 'nagle.sqlite3'}")
    try:
        with httpx.Client(base_url=server.url) as client:
            client.get(f"{API}/health")
            timings = []
            for _ in range(15):
                started = time.monotonic()
                client.get(f"{API}/health")
                timings.append(time.monotonic() - started)
        timings.sort()
        assert timings[len(timings) // 2] < 0.030, timings
    finally:
        server.stop()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("url, expected", [
    ("notaurl", "is not valid"),
    ("mysqlx://user@host/db", "is not valid"),
    ("postgresql://clerk:s3cret-pass@db.example.invalid:notaport/x", "is not valid"),
    ("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", "Cannot use the database"),
])
def test_cli_bad_or_unreachable_database_exits_2_without_traceback(url, expected):
    result = _cli("--database-url", url, "migrate")
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret-pass" not in result.stderr


def test_cli_migrate_and_create_user_then_sign_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert _cli("--database-url", url, "migrate").returncode == 0
    created = _cli("--database-url", url, "create-user", "--username", "pbarnsley", "--display-name",
                   "PS Petra Barnsley", "--rank", "Police sergeant", "--collar", "PS9090", "--role",
                   "custody_sergeant", "--password-stdin", stdin="a long fictional passphrase\n")
    assert created.returncode == 0, created.stderr
    taken = _cli("--database-url", url, "create-user", "--username", "pbarnsley", "--display-name", "X",
                 "--rank", "X", "--collar", "X", "--role", "inspector", "--password-stdin", stdin="another one!\n")
    assert taken.returncode == 2 and "already taken" in taken.stderr
    server = start_embedded(url)
    try:
        response = httpx.post(f"{server.url}{API}/auth/login",
                              json={"username": "pbarnsley", "password": "a long fictional passphrase"})
        assert response.status_code == 200
        assert response.json()["user"]["role"] == "custody_sergeant"
    finally:
        server.stop()
