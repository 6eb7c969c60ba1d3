"""The outbox never stalls: a row that can never be sent is set aside with its reason and the rows behind it go
on, in order per record; a 401 pauses (nothing refused) until resume(); a 412 is kept with the server's copy
for the officer to merge or discard; an unexpected failure restarts the sender. Real server over HTTP, no Qt."""

from __future__ import annotations

import os
import stat
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from desktop.sync.client import ApiClient, ApiError
from desktop.sync.local_store import (CONFLICT, DISCARDED, KEEP_HOURS_ENV, PENDING, REJECTED, SENT, STORE_FILE,
                                      LocalStore, OutboxRow, settled_keep_hours)
from desktop.sync.outbox_sender import OutboxSender
from tests.desktop.harness import DEMO_PASSWORD, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(f"sqlite:///{tmp_path_factory.mktemp('set-aside') / 'server.sqlite3'}")
    yield running
    running.stop()


def _until(condition, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _client(url: str, username: str = "sergeant", **kwargs) -> ApiClient:
    client = ApiClient(url, **kwargs)
    client.token = client.login(username, DEMO_PASSWORD)["token"]
    return client


def _entry(text: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}


class Heard:
    """What the sender told its listener (on its thread)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.rejected: list[tuple[str, ApiError]] = []
        self.conflicts: list[tuple[str, ApiError]] = []
        self.auth_needed = threading.Event()
        self.errors: list[BaseException] = []

    def sender(self, store: LocalStore, client: ApiClient, **kwargs) -> OutboxSender:
        return OutboxSender(store, client, backoff=(0.05, 0.1), on_sent=lambda r, _a: self.sent.append(r.id),
                            on_rejected=lambda r, e: self.rejected.append((r.id, e)),
                            on_conflict=lambda r, e: self.conflicts.append((r.id, e)),
                            on_auth_needed=self.auth_needed.set, on_error=self.errors.append, **kwargs)


def _log_texts(client: ApiClient, record_id: str) -> list[str]:
    return [e["text"] for e in client.record_log(record_id)]


@pytest.mark.parametrize("batch_size", [200, 1], ids=["batched", "one-by-one"])
def test_a_poison_row_is_set_aside_and_the_ten_behind_it_arrive(server, tmp_path, batch_size):
    client = _client(server.url)
    first, second, third = (r["id"] for r in client.open_records()[:3])
    store = LocalStore(tmp_path / "client")
    heard = Heard()
    tag = uuid.uuid4().hex[:6]
    poison = _entry(f"Pasted \ud800 text {tag}")  # cannot be encoded: never reaches the server
    refused = _entry(f"Bell \x07 text {tag}")  # encodable, refused by the server (422)
    store.add_outbox("POST", f"/custody/records/{first}/log", poison, row_id=poison["id"])
    store.add_outbox("POST", f"/custody/records/{third}/log", refused, row_id=refused["id"])
    behind = _entry(f"Same record as the poison row {tag}")  # queued before the refusal: waits behind it
    store.add_outbox("POST", f"/custody/records/{first}/log", behind, row_id=behind["id"])
    ordinary = [_entry(f"Ordinary {n} {tag}") for n in range(10)]
    for body in ordinary:
        store.add_outbox("POST", f"/custody/records/{second}/log", body, row_id=body["id"])
    sender = heard.sender(store, client, batch_size=batch_size)
    try:
        sender.start()
        _until(lambda: len(heard.sent) == 10, what="the ten ordinary rows")
        assert heard.sent == [b["id"] for b in ordinary]  # in order
        assert [t for t in _log_texts(client, second) if tag in t] == [b["text"] for b in ordinary]
        assert not [t for t in _log_texts(client, first) if tag in t]
        rejected = dict(heard.rejected)
        assert rejected[poison["id"]].status == 0 and "cannot be sent" in str(rejected[poison["id"]])
        assert rejected[refused["id"]].status == 422 and rejected[refused["id"]].field_errors.keys() == {"text"}
        unsent = {item.id: item for item in store.unsent()}
        assert unsent.keys() == {poison["id"], refused["id"], behind["id"]}
        assert unsent[poison["id"]].state == REJECTED and unsent[refused["id"]].state == REJECTED
        assert unsent[behind["id"]].state == PENDING and unsent[behind["id"]].waiting_behind == poison["id"]
        assert unsent[refused["id"]].error["field_errors"] == {"text": rejected[refused["id"]].field_errors["text"]}
        assert not heard.errors and sender.restarts == 0  # set aside, never crashed

        # Corrected and resent: it goes first, then the row that waited behind it, in order.
        fixed = {**poison, "text": f"Pasted text, corrected {tag}"}
        assert sender.resend(poison["id"], fixed)
        _until(lambda: len(heard.sent) == 12, what="the corrected row and the one behind it")
        assert heard.sent[10:] == [poison["id"], behind["id"]]
        assert [t for t in _log_texts(client, first) if tag in t] == [fixed["text"], behind["text"]]
        # Discarded with a reason: kept locally (who, why) until purged; no longer in Unsent changes.
        assert sender.discard(refused["id"], "Typed again in the log", "sergeant")
        item = store.outbox_item(refused["id"])
        assert item is not None and item.state == DISCARDED
        assert (item.discarded_by, item.discard_reason) == ("sergeant", "Typed again in the log")
        assert store.unsent() == []
    finally:
        sender.stop()
        client.close()
        store.close()


def test_a_401_pauses_the_queue_refuses_nothing_and_resume_sends_the_rest(server, tmp_path):
    client = _client(server.url)
    record_id = client.open_records()[2]["id"]
    store = LocalStore(tmp_path / "client")
    heard = Heard()
    tag = uuid.uuid4().hex[:6]
    bodies = [_entry(f"Across a sign-in {n} {tag}") for n in range(30)]
    for body in bodies[:10]:
        store.add_outbox("POST", f"/custody/records/{record_id}/log", body, row_id=body["id"])
    sender = heard.sender(store, client, batch_size=4)
    try:
        sender.start()
        _until(lambda: len(heard.sent) == 10, what="the first rows")
        httpx.post(f"{server.url}/api/v1/auth/logout",  # the token is revoked (as when it expires)
                   headers={"Authorization": f"Bearer {client.token}"}).raise_for_status()
        for body in bodies[10:]:
            store.add_outbox("POST", f"/custody/records/{record_id}/log", body, row_id=body["id"])
        sender.wake()
        assert heard.auth_needed.wait(10)
        assert sender.paused and heard.rejected == [] and store.pending_count() == 20
        assert all(item.state == PENDING for item in store.outbox_items() if item.id not in heard.sent)
        client.token = client.login("sergeant", DEMO_PASSWORD)["token"]  # signed in again (the lock screen)
        sender.resume()
        _until(lambda: len(heard.sent) == 30, what="every row after the new sign-in")
        assert heard.rejected == [] and not sender.paused
        assert [t for t in _log_texts(client, record_id) if tag in t] == [b["text"] for b in bodies]
    finally:
        sender.stop()
        client.close()
        store.close()


def test_a_412_is_kept_as_a_conflict_with_the_current_copy_then_resolved(server, tmp_path):
    client, other = _client(server.url), _client(server.url, "detention")
    record = client.open_records()[3]
    path = f"/custody/records/{record['id']}"
    # Two free cells of the record's suite (issue 15: a move elsewhere is refused for itself, not for the version).
    suite = client.request("GET", f"/custody/suites/{record['suite_id']}")
    theirs, mine = [c["number"] for c in suite["cells"] if c["free_places"]][:2]
    store = LocalStore(tmp_path / "client")
    heard = Heard()
    sender = heard.sender(store, client)
    try:
        client.request("PATCH", path, json={"cell": theirs}, headers={"If-Match": str(record["version"])})
        stale = store.add_outbox("PATCH", path, {"cell": mine}, headers={"If-Match": str(record["version"])})
        behind = _entry("Logged after the cell change, fictional")
        store.add_outbox("POST", f"{path}/log", behind, row_id=behind["id"])
        sender.start()
        _until(lambda: heard.conflicts, what="the conflict")
        [(row_id, error)] = heard.conflicts
        assert row_id == stale.id and error.status == 412 and error.current["cell"] == theirs
        item = store.outbox_item(stale.id)
        assert item.state == CONFLICT and item.current["cell"] == theirs and item.body == {"cell": mine}
        assert [i.id for i in store.unsent()] == [stale.id, behind["id"]]  # the log entry waits behind it
        merged_version = str(error.current["version"])
        assert sender.resolve_conflict(stale.id, {"cell": mine}, {"If-Match": merged_version})
        _until(lambda: behind["id"] in heard.sent, what="the merged change and the entry behind it")
        assert heard.sent == [stale.id, behind["id"]]
        assert other.custody_record(record["id"])["cell"] == mine
        assert store.outbox_item(stale.id).state == SENT
    finally:
        sender.stop()
        client.close()
        other.close()
        store.close()


class FailingOnce(httpx.HTTPTransport):
    """The real transport, failing with an unexpected error (not a network error) on its first request."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.failed and request.url.path.endswith(("/batch", "/log")):
            self.failed = True
            raise RuntimeError("a fault nobody foresaw")
        return super().handle_request(request)


def test_the_sender_restarts_after_an_unexpected_failure(server, tmp_path):
    client = _client(server.url, transport=FailingOnce())
    record_id = client.open_records()[4]["id"]
    store = LocalStore(tmp_path / "client")
    heard = Heard()
    bodies = [_entry(f"After a crash {n}, fictional") for n in range(3)]
    for body in bodies:
        store.add_outbox("POST", f"/custody/records/{record_id}/log", body, row_id=body["id"])
    sender = heard.sender(store, client)
    try:
        sender.start()
        _until(lambda: len(heard.sent) == 3, what="the rows, after the restart")
        assert sender.restarts == 1 and isinstance(heard.errors[0], RuntimeError)
        assert heard.sent == [b["id"] for b in bodies] and heard.rejected == []
    finally:
        sender.stop()
        client.close()
        store.close()


def test_sent_rows_are_purged_after_their_time_and_the_store_is_private(tmp_path):
    data = tmp_path / "client"
    store = LocalStore(data)
    try:
        old, recent, waiting = (store.add_outbox("POST", "/audit/disclosures", {"n": n}) for n in range(3))
        store.mark_sent(old.id, {"id": "a", "personal": "data"})
        store.mark_sent(recent.id, {"id": "b"})
        with store.engine.begin() as connection:  # settled two days ago
            connection.execute(update(OutboxRow).where(OutboxRow.id == old.id).values(
                settled_at=(datetime.now(UTC) - timedelta(hours=48)).replace(tzinfo=None)))
        assert store.purge_settled(24) == 1
        assert [i.id for i in store.outbox_items()] == [recent.id, waiting.id]
        assert store.purge_settled(0) == 1  # pending rows are never purged
        assert [i.id for i in store.outbox_items()] == [waiting.id]
        # The sender purges at start (and every ten minutes) by the setting, default 24 h.
        store.mark_sent(waiting.id, {"id": "c"})
        assert settled_keep_hours({}) == 24 and settled_keep_hours({KEEP_HOURS_ENV: "0.5"}) == 0.5
        assert settled_keep_hours({KEEP_HOURS_ENV: "soon"}) == 24
        sender = OutboxSender(store, ApiClient("http://127.0.0.1:9"), keep_settled_hours=0)
        sender.start()
        _until(lambda: store.outbox_items() == [], what="the purge at start")
        sender.stop()
    finally:
        store.close()
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        for name in os.listdir(data):
            if name.startswith(STORE_FILE):
                assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name


def test_a_batch_too_large_for_the_server_is_sent_row_by_row(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIDEWELL_MAX_BODY_BYTES", "20000")  # each row fits, ten together do not (413)
    small = start_server(f"sqlite:///{tmp_path / 'small.sqlite3'}")
    client = _client(small.url)
    store = LocalStore(tmp_path / "client")
    heard = Heard()
    sender = heard.sender(store, client)
    try:
        record_id = client.open_records()[0]["id"]
        bodies = [_entry(f"{n} " + "Long fictional account of the property. " * 80) for n in range(10)]
        for body in bodies:
            store.add_outbox("POST", f"/custody/records/{record_id}/log", body, row_id=body["id"])
        sender.start()
        _until(lambda: len(heard.sent) == 10, what="every row, one by one")
        assert heard.sent == [b["id"] for b in bodies] and heard.rejected == []
    finally:
        sender.stop()
        client.close()
        store.close()
        small.stop()
