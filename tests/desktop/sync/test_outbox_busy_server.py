"""A busy server (503 + Retry-After) means "try later": the outbox keeps the write, waits at least as long as the
server asked, and sends it once the server has room. Real embedded server with a one-connection pool."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from desktop.sync.client import ApiClient
from desktop.sync.local_store import LocalStore
from desktop.sync.outbox_sender import OutboxSender
from server.embedded import start_embedded
from tests.desktop.harness import DEMO_PASSWORD


def _until(condition, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_503_keeps_the_write_waits_for_retry_after_then_sends_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIDEWELL_DB_POOL_SIZE", "1")
    monkeypatch.setenv("BRIDEWELL_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("BRIDEWELL_DB_POOL_TIMEOUT_S", "0.2")
    server = start_embedded(f"sqlite:///{tmp_path / 'busy.sqlite3'}", demo=True)
    store = LocalStore(tmp_path / "client")
    client = ApiClient(server.url)
    attempts: list[tuple[float, str]] = []
    sent: list[object] = []
    rejected: list[object] = []
    sender = OutboxSender(store, client, backoff=(0.05,),
                          on_retrying=lambda _row, reason: attempts.append((time.monotonic(), reason)),
                          on_sent=lambda row, _response: sent.append(row),
                          on_rejected=lambda row, _error: rejected.append(row))
    try:
        client.token = client.login("sergeant", DEMO_PASSWORD)["token"]
        record_id = client.open_records()[0]["id"]
        body = {"id": str(uuid.uuid4()), "kind": "cell_check", "text": "Checked while the server was busy",
                "observed_at": datetime.now(UTC).isoformat()}
        store.add_outbox("POST", f"/custody/records/{record_id}/log", body, row_id=body["id"])
        held = server._engine.connect()  # the server's only connection, busy elsewhere
        try:
            sender.start()
            _until(lambda: len(attempts) >= 3, what="three refused attempts")
        finally:
            held.close()
        _until(lambda: sent, what="the write to be sent")
        assert rejected == []
        assert [reason for _, reason in attempts[:3]] == ["server busy"] * 3
        # The backoff here is 0.05 s; the server's Retry-After (2 s) is what spaced the attempts. (The first
        # retry may come at once: start() wakes the sender.)
        assert attempts[2][0] - attempts[1][0] >= 1.9
        assert [e["text"] for e in client.record_log(record_id)].count(body["text"]) == 1
    finally:
        sender.stop()
        client.close()
        store.close()
        server.stop()
