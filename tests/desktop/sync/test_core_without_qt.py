"""The sync core is plain Python: the change feed and the outbox sender run with callbacks on their own threads,
against a real server process, with no QApplication and (in a fresh interpreter) without PySide6 loaded at all.
The Qt adapters (desktop/sync/qt_feed.py, qt_outbox.py) only re-emit these callbacks as signals."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.sync.client import ApiClient, ApiError
from desktop.sync.feed import ChangeFeed
from desktop.sync.local_store import LocalStore
from desktop.sync.outbox_sender import OutboxSender
from tests.desktop.harness import DEMO_PASSWORD
from tests.support.live_server import live_server

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("core"), demo=True, name="core-server") as running:
        yield running


def _client(url: str, username: str = "sergeant") -> ApiClient:
    client = ApiClient(url)
    client.token = client.login(username, DEMO_PASSWORD)["token"]
    return client


def _entry(text: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}


def test_the_feed_hands_each_batch_to_its_callback_in_seq_order(server):
    client, writer = _client(server.url), _client(server.url, "detention")
    record_id = client.open_records()[0]["id"]
    received: list[dict] = []
    arrived = threading.Condition()

    def on_events(batch: list[dict]) -> None:
        with arrived:
            received.extend(batch)
            arrived.notify_all()

    feed = ChangeFeed(client, after=int(client.events(0, 0)["last_seq"]), wait=5, on_events=on_events)
    feed.start()
    try:
        written = [writer.request("POST", f"/custody/records/{record_id}/log", json=_entry(f"Feed core {n}"))
                   for n in range(3)]
        ids = {w["id"] for w in written}
        with arrived:
            assert arrived.wait_for(lambda: ids <= {e["data"].get("id") for e in received}, timeout=15)
    finally:
        feed.stop()
        writer.close()
        client.close()
    ours = [e for e in received if e["data"].get("id") in ids]
    assert [e["data"]["id"] for e in ours] == [w["id"] for w in written]
    assert [e["seq"] for e in received] == sorted({e["seq"] for e in received})
    assert feed.last_seq >= max(e["seq"] for e in ours)


def test_the_sender_sends_in_order_rejects_what_the_server_refuses_and_moves_on(server, tmp_path):
    client = _client(server.url)
    store = LocalStore(tmp_path / "client")
    record_id, other_id = (r["id"] for r in client.open_records()[:2])
    sent: list[tuple[str, dict]] = []
    rejected: list[tuple[str, ApiError]] = []
    pending: list[int] = []
    settled = threading.Event()

    def on_pending(count: int) -> None:
        pending.append(count)
        if count == 0:
            settled.set()

    good, bad, last = _entry("Outbox core first"), {**_entry(""), "text": ""}, _entry("Outbox core last")
    # The empty text is a 422: set aside, never retried, and the next still goes. (The next is on another
    # record: a later row of the same record waits behind the refused one, tests/desktop/sync/
    # test_outbox_set_aside.py.)
    for body, rid in ((good, record_id), (bad, record_id), (last, other_id)):
        store.add_outbox("POST", f"/custody/records/{rid}/log", body, row_id=body["id"])
    sender = OutboxSender(store, client, backoff=(0.05,), on_sent=lambda row, response: sent.append((row.id, response)),
                          on_rejected=lambda row, error: rejected.append((row.id, error)), on_pending=on_pending)
    sender.start()
    try:
        assert settled.wait(15), f"the outbox did not empty: {pending}"
    finally:
        sender.stop()
    try:
        assert [row_id for row_id, _ in sent] == [good["id"], last["id"]]
        assert [response["id"] for _, response in sent] == [good["id"], last["id"]]
        assert [(row_id, error.status) for row_id, error in rejected] == [(bad["id"], 422)]
        assert store.pending_count() == 0
        log = [e["text"] for e in client.record_log(record_id) + client.record_log(other_id)]
        assert log.count(good["text"]) == 1 and log.count(last["text"]) == 1
    finally:
        store.close()
        client.close()


def test_feed_and_sender_run_in_a_process_that_never_loads_qt(server, tmp_path):
    """No display, no QApplication, no PySide6: the core is usable by a script or a headless service."""
    script = textwrap.dedent(f"""
        import sys, threading, uuid
        from datetime import UTC, datetime
        from desktop.sync.client import ApiClient
        from desktop.sync.feed import ChangeFeed
        from desktop.sync.local_store import LocalStore
        from desktop.sync.outbox_sender import OutboxSender

        client = ApiClient({server.url!r})
        client.token = client.login("sergeant", {DEMO_PASSWORD!r})["token"]
        record_id = client.open_records()[0]["id"]
        store = LocalStore({str(tmp_path / "headless")!r})
        body = {{"id": str(uuid.uuid4()), "kind": "note", "text": "Headless core",
                 "observed_at": datetime.now(UTC).isoformat()}}
        store.add_outbox("POST", f"/custody/records/{{record_id}}/log", body, row_id=body["id"])
        heard = threading.Event()
        feed = ChangeFeed(client, after=int(client.events(0, 0)["last_seq"]), wait=5,
                          on_events=lambda batch: any(e["data"].get("id") == body["id"] for e in batch) and heard.set())
        sender = OutboxSender(store, client)
        feed.start()
        sender.start()
        ok = heard.wait(20)
        sender.stop()
        feed.stop()
        store.close()
        assert ok, "the feed never brought the sent entry"
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
        assert not loaded, loaded
        print("headless ok")
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "headless ok" in result.stdout, result.stdout + result.stderr


def test_a_batch_of_ids_is_read_with_one_data_request(server):
    """The feed carries ids only (issue 12): what changed is read with ONE POST /events/data per batch."""
    import httpx

    paths: list[str] = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            paths.append(request.url.path)
            return super().handle_request(request)

    writer = _client(server.url, "detention")
    record_id = writer.open_records()[0]["id"]
    start = int(writer.events(0, 0)["last_seq"])
    written = [writer.request("POST", f"/custody/records/{record_id}/log", json=_entry(f"Batch {n}"))
               for n in range(5)]
    reader = ApiClient(server.url, transport=Counting())
    reader.token = reader.login("sergeant", DEMO_PASSWORD)["token"]
    batches: list[list[dict]] = []
    got = threading.Event()
    feed = ChangeFeed(reader, after=start, wait=5, on_events=lambda batch: (batches.append(batch), got.set()))
    paths.clear()
    feed.start()
    try:
        assert got.wait(15)
    finally:
        feed.stop()
        writer.close()
        reader.close()
    first = batches[0]
    assert [e["data"]["id"] for e in first] == [w["id"] for w in written]  # the five, with their data
    assert "text" in first[0]["data"] and set(first[0]) >= {"seq", "type", "entity_id", "data"}
    assert paths[:2] == ["/api/v1/events", "/api/v1/events/data"]  # one data read for the five events
