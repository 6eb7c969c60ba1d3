"""Several workstations writing at once: every write is stored, none fails with a busy database."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from tests.server.conftest import login

API = "/api/v1"


def test_concurrent_log_writes_all_succeed(client, seeded, open_records):
    users = [login(client, name) for name in ("sergeant", "detention", "inspector", "superintendent")]
    before = client.get(f"{API}/events", headers=users[0]).json()["last_seq"]

    def write(i: int) -> int:
        record = open_records[i % 4]["id"]
        body = {"id": str(uuid.uuid4()), "kind": "cell_check", "text": f"Check {i}",
                "observed_at": datetime.now(UTC).isoformat()}
        headers = {**users[i % len(users)], "Idempotency-Key": body["id"]}
        return client.post(f"{API}/custody/records/{record}/log", json=body, headers=headers).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(write, range(64)))
    assert statuses == [201] * 64
    feed = client.get(f"{API}/events", params={"after": before}, headers=users[0]).json()
    seqs = [e["seq"] for e in feed["events"]]
    assert len(seqs) == 64 and seqs == sorted(seqs)
