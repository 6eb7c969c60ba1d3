"""Two (or more) workstations sending the same write at the same instant, over real HTTP.

Only httpx here, so the same trials can be pointed at any running server (also an older build, to measure it):

    python -c "from tests.support.races import lost_update_trials; print(lost_update_trials('http://127.0.0.1:8000'))"
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

API = "/api/v1"
PASSWORD = "bridewell-demo"


def login(url: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{url}{API}/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def at_once(url: str, calls: list[Callable[[httpx.Client], httpx.Response]],
            clients: list[httpx.Client] | None = None) -> list[httpx.Response]:
    """Run each call on its own thread and connection, released together by a barrier.

    Give `clients` (one per call) to reuse their connections across rounds: making an httpx.Client costs ~50 ms
    (it loads the CA bundle), more than the race itself."""
    barrier = threading.Barrier(len(calls))
    owned = clients is None
    clients = clients or [httpx.Client(base_url=url, timeout=60) for _ in calls]
    for client in clients:  # connect first, so the barrier releases requests, not TCP handshakes
        client.get(f"{API}/health")

    def run(i: int) -> httpx.Response:
        barrier.wait()
        return calls[i](clients[i])

    try:
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, range(len(calls))))
    finally:
        if owned:
            for client in clients:
                client.close()


def _letters(i: int) -> str:
    """Names take letters only: 0 -> "Ka", 1 -> "Kb", ..."""
    return "K" + "abcdefghijklmnopqrstuvwxyz"[i % 26] * (1 + i // 26)


def _winner(responses: list[httpx.Response]) -> dict[str, Any]:
    ok = [r for r in responses if r.status_code == 200]
    return ok[0].json() if ok else {}


def lost_update_trials(url: str, trials: int = 20) -> dict[str, list[list[int]]]:
    """For each versioned type, `trials` times: two users send a change with the same If-Match at once.

    Returns type -> the sorted status pair of each trial ([200, 412] is right; [200, 200] is a lost update),
    plus "action history" -> per trial, how many transitions left "raised" (must be 1)."""
    who = {name: login(url, name) for name in ("sergeant", "detention", "investigator", "supervisor", "intel")}
    out: dict[str, list[list[int]]] = {}
    # One client for the plain reads and writes, one per racer: connections kept, not made again per request.
    with httpx.Client(timeout=60) as http, httpx.Client(base_url=url, timeout=60) as first, \
            httpx.Client(base_url=url, timeout=60) as second:
        _trials(url, trials, who, out, http, [first, second])
    return out


def _trials(url: str, trials: int, who: dict[str, dict[str, str]], out: dict[str, list[list[int]]],
            http: httpx.Client, racers: list[httpx.Client]) -> None:
    def pair(kind: str, method: str, path: str, bodies: list[dict[str, Any]], users: list[str],
             version: int) -> dict[str, Any]:
        calls = [lambda c, b=body, u=user: c.request(method, f"{API}{path}", json=b,
                                                      headers={**who[u], "If-Match": str(version)})
                 for body, user in zip(bodies, users)]
        responses = at_once(url, calls, racers)
        out.setdefault(kind, []).append(sorted(r.status_code for r in responses))
        return _winner(responses)

    # Custody record: two officers move the detainee, each to a different free cell of the suite (issue 15: a cell
    # must be one of the suite's and free, so the change itself is valid and only the version decides).
    board = http.get(f"{url}{API}/custody/records", params={"open": "true"}, headers=who["sergeant"]).json()
    record = next(r for r in board if r["suite_id"])
    for _i in range(trials):
        suite = http.get(f"{url}{API}/custody/suites/{record['suite_id']}", headers=who["sergeant"]).json()
        free = [c["number"] for c in suite["cells"] if c["free_places"] and c["number"] != record["cell"]]
        won = pair("custody record", "PATCH", f"/custody/records/{record['id']}",
                   [{"cell": free[0]}, {"cell": free[1]}], ["sergeant", "detention"], record["version"])
        record = won or http.get(f"{url}{API}/custody/records/{record['id']}", headers=who["sergeant"]).json()

    # Person: two officers correct the forenames.
    body = {"id": str(uuid.uuid4()), "surname": "Quillfeather", "forenames": "Ambrose"}
    person = http.post(f"{url}{API}/people", json=body, headers=who["investigator"]).json()
    for i in range(trials):
        won = pair("person", "PATCH", f"/people/{person['id']}",
                   [{"forenames": f"Ambrose {_letters(i)}a"}, {"forenames": f"Ambrose {_letters(i)}b"}],
                   ["investigator", "supervisor"], person["version"])
        person = won or http.get(f"{url}{API}/people/{person['id']}", headers=who["investigator"]).json()

    # Investigation: two officers retitle it.
    body = {"id": str(uuid.uuid4()), "title": "Theft from Harbour Chandlery"}
    inv = http.post(f"{url}{API}/investigations", json=body, headers=who["investigator"]).json()
    for i in range(trials):
        won = pair("investigation", "PATCH", f"/investigations/{inv['id']}",
                   [{"title": f"Theft {i}a"}, {"title": f"Theft {i}b"}], ["investigator", "supervisor"],
                   inv["version"])
        inv = won or http.get(f"{url}{API}/investigations/{inv['id']}", headers=who["investigator"]).json()

    # Action: two supervisors allocate the same raised action to different officers.
    users = http.get(f"{url}{API}/auth/me", headers=who["investigator"]).json()
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    for i in range(trials):
        action = http.post(f"{url}{API}/investigations/{inv['id']}/actions", headers=who["investigator"],
                            json={"id": str(uuid.uuid4()), "title": f"Trace witness {i}", "origin": "M1"}).json()
        pair("action", "POST", f"/actions/{action['id']}/transitions",
             [{"event": "allocate", "allocated_to_id": users["id"], "due_at": due, "reason": "first"},
              {"event": "allocate", "allocated_to_id": users["id"], "due_at": due, "reason": "second"}],
             ["supervisor", "supervisor"], action["version"])
        history = http.get(f"{url}{API}/actions/{action['id']}", headers=who["supervisor"]).json()["history"]
        out.setdefault("action history", []).append([sum(1 for h in history if h["from_status"] == "raised")])

    # Intelligence report: two intelligence officers re-grade it.
    grading = {"source_evaluation": "2", "items": [{"text": "Seen at the quay nightly.", "assessment": "B"}],
               "handling_code": "P"}
    body = {"id": str(uuid.uuid4()), "title": "Quay sightings", "source_reference": "SRC-RACE",
            "original_text": "Seen at the quay nightly.", **grading}
    report = http.post(f"{url}{API}/intelligence/reports", json=body, headers=who["intel"]).json()
    for i in range(trials):
        won = pair("intelligence report", "POST", f"/intelligence/reports/{report['id']}/grading",
                   [{**grading, "reason": f"review {i}a"}, {**grading, "reason": f"review {i}b"}],
                   ["intel", "supervisor"], report["version"])
        report = won or http.get(f"{url}{API}/intelligence/reports/{report['id']}", params={"reason": "race test"},
                                  headers=who["intel"]).json()

    # User account: two administrator sessions change the same officer's home suite.
    admins = [login(url, "admin"), login(url, "admin")]
    account = next(u for u in http.get(f"{url}{API}/admin/users", headers=admins[0]).json()
                   if u["username"] == "detention")
    who.update(admin_a=admins[0], admin_b=admins[1])
    for i in range(trials):
        won = pair("user account", "PATCH", f"/admin/users/{account['id']}",
                   [{"home_suite": f"Suite {i}a"}, {"home_suite": f"Suite {i}b"}], ["admin_a", "admin_b"],
                   account["version"])
        account = won or http.get(f"{url}{API}/admin/users/{account['id']}", headers=admins[0]).json()


def same_key_at_once(url: str, headers: dict[str, str], n: int = 20) -> list[httpx.Response]:
    """`n` identical creates with one Idempotency-Key, released together (a retry racing its first attempt)."""
    body = {"id": str(uuid.uuid4()), "surname": "Pengelly", "forenames": "Wenna"}
    call: Callable[[httpx.Client], httpx.Response] = lambda c: c.post(  # noqa: E731
        f"{API}/people", json=body, headers={**headers, "Idempotency-Key": body["id"]})
    return at_once(url, [call] * n)
