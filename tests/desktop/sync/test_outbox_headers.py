"""Versioned steps (If-Match) go through the outbox like every other write: the local store keeps their headers
(an old store file is migrated in place), offline they wait and are sent when the server returns, and a step
made on a stale copy is refused with the conflict message and the current copy."""

from __future__ import annotations

import socket
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from desktop.announcer import announcer
from desktop.views.custody.log_controller import log_path
from desktop.sync.local_store import PENDING, SCHEMA_VERSION, STORE_FILE, LocalStore
from tests.desktop.harness import start_server
from tests.desktop.people.helpers import api, people_window

# The outbox as created before rows carried headers (user_version 0).
OLD_OUTBOX = """CREATE TABLE outbox (id VARCHAR(36) NOT NULL, seq INTEGER, method VARCHAR(8) NOT NULL,
    path VARCHAR(500) NOT NULL, body TEXT NOT NULL, created_at DATETIME NOT NULL, attempts INTEGER NOT NULL,
    last_error TEXT, state VARCHAR(16) NOT NULL, response TEXT, PRIMARY KEY (id), UNIQUE (seq))"""


def test_an_old_store_file_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / STORE_FILE
    with sqlite3.connect(path) as db:
        db.execute(OLD_OUTBOX)
        db.execute("CREATE INDEX ix_outbox_state ON outbox (state)")
        db.execute("INSERT INTO outbox VALUES ('11111111-1111-4111-8111-111111111111', 1, 'POST', "
                   "'/custody/records/r1/log', '{\"text\": \"Fictional entry\"}', '2026-11-01 10:00:00', 2, "
                   "'server unreachable', 'pending', NULL)")
    db.close()

    store = LocalStore(tmp_path)
    try:
        [old] = store.pending()
        assert old.id == "11111111-1111-4111-8111-111111111111" and old.body == {"text": "Fictional entry"}
        assert old.attempts == 2 and old.headers == {}
        new = store.add_outbox("POST", "/actions/a1/transitions", {"event": "cancel"}, headers={"If-Match": "4"})
        assert [r.id for r in store.pending()] == [old.id, new.id]  # order kept after the old row
        assert store.pending()[1].headers == {"If-Match": "4"}
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        columns = {row[1]: row[2] for row in db.execute("PRAGMA table_info(outbox)")}
    db.close()
    assert columns["headers"] == "JSON"
    assert {"record_key", "error", "set_aside_at", "settled_at", "discarded_by", "discard_reason"} <= set(columns)
    assert {"author_id", "author_name", "workstation"} <= set(columns)
    # Opening again is a no-op (already at version 4), and the rows are still there. A row queued before rows
    # carried an author goes with whoever signs in next.
    store = LocalStore(tmp_path)
    try:
        assert [r.headers for r in store.pending()] == [{}, {"If-Match": "4"}]
        assert [r.author_id for r in store.pending("some-user-id")] == [None, None]
    finally:
        store.close()


def test_a_new_store_file_has_the_headers_column_and_version(tmp_path):
    store = LocalStore(tmp_path)
    store.close()
    with sqlite3.connect(tmp_path / STORE_FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "headers" in {row[1] for row in db.execute("PRAGMA table_info(outbox)")}
    db.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_server(tmp_path):
    """A fresh demo server of this test's own, which the test may stop and restart on the same port."""
    db = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    port = _free_port()
    holder = {"server": start_server(db, demo=True, port=port), "db": db, "port": port}
    yield holder
    holder["server"].stop()


def _select_action(qtbot, window, reference: str, title: str) -> dict:
    panel = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: panel.scope_combo.count() > 1, timeout=10_000)
    index = next(i for i in range(panel.scope_combo.count()) if reference in panel.scope_combo.itemText(i))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_investigation(panel.scope_combo.itemData(index))
    action = next(panel.model.row(r) for r in range(panel.model.rowCount()) if panel.model.row(r)["title"] == title)
    assert panel.select_action(action["id"])
    return action


def test_a_versioned_step_made_offline_waits_in_the_outbox_and_is_applied_when_the_server_returns(
        qtbot, make_window, own_server, tmp_path):
    window = people_window(qtbot, make_window, own_server["server"].url, "supervisor")
    panel = window.areas["investigations"].actions_panel
    action = _select_action(qtbot, window, "9001", "Research the suspect's known associates")
    assert action["status"] == "raised"
    dialog = window.areas["investigations"].trigger("allocate")
    dialog.officer_combo.setCurrentIndex(dialog.officer_combo.findText("DC Rafe Illingsworth (DC4093)"))

    own_server["server"].stop()
    qtbot.waitUntil(lambda: window.reachable is False, timeout=5000)
    dialog.ok_button.click()
    error = dialog.errors["allocated_to_id"]
    qtbot.waitUntil(lambda: error.isVisible() and "Waiting to send" in error.text(), timeout=10_000)
    assert "Not sent" not in error.text() and not error.text().startswith("Problem:")
    assert dialog.isVisible() and not dialog.ok_button.isEnabled()  # no second copy while it waits
    [row] = [r for r in window.store.outbox_items(PENDING) if r.path.endswith(f"{action['id']}/transitions")]
    assert row.headers == {"If-Match": str(action["version"])} and row.id == dialog.key
    assert row.body["event"] == "allocate"
    assert panel.model.row(panel.model.row_of(action["id"]))["status"] == "raised"  # not changed yet

    own_server["server"] = start_server(own_server["db"], demo=False, port=own_server["port"])
    with qtbot.waitSignal(panel.transition_done, timeout=30_000) as done:
        window.sender_.wake()
    assert done.args[0]["status"] == "allocated" and done.args[0]["allocated_to"]["collar_number"] == "DC4093"
    assert not dialog.isVisible()
    assert panel.current()["status"] == "allocated"
    client = api(own_server["server"].url)
    try:
        assert client.action(action["id"])["status"] == "allocated"  # applied on the server, once
        assert client.action(action["id"])["version"] == action["version"] + 1
    finally:
        client.close()


def test_a_step_on_a_stale_copy_says_someone_else_changed_it_and_shows_the_current_copy(
        qtbot, make_window, own_server):
    window = people_window(qtbot, make_window, own_server["server"].url, "supervisor")
    panel = window.areas["investigations"].actions_panel
    action = _select_action(qtbot, window, "9001", "Seize the suspect's phone records")
    dialog = window.areas["investigations"].trigger("allocate")
    # Meanwhile someone else allocates it (the dialog still holds the version it was opened with).
    client = api(own_server["server"].url, "supervisor")
    try:
        officer = client.request("GET", "/auth/me")
        due = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
        client.request("POST", f"/actions/{action['id']}/transitions",
                       json={"event": "allocate", "allocated_to_id": officer["id"], "due_at": due},
                       headers={"If-Match": str(action["version"]), "Idempotency-Key": str(uuid.uuid4())})
    finally:
        client.close()
    heard: list[tuple[str, bool]] = []
    announcer().announced.connect(lambda text, assertive: heard.append((text, assertive)))
    dialog.ok_button.click()
    error = dialog.errors["allocated_to_id"]
    qtbot.waitUntil(error.isVisible, timeout=15_000)
    assert "Someone else changed this action meanwhile" in error.text()
    assert any("Someone else changed this action" in text and assertive for text, assertive in heard)
    assert dialog.isVisible() and dialog.ok_button.isEnabled()  # the user can check and try again
    current = panel.model.row(panel.model.row_of(action["id"]))
    assert current["status"] == "allocated" and current["version"] == action["version"] + 1
    assert dialog.action["version"] == action["version"] + 1  # a second try uses the current version
    assert window.store.pending_count() == 0


def test_a_log_entry_refused_after_a_restart_is_reported_as_a_log_entry(qtbot, make_window, tmp_path, demo_server):
    """Writes hands rows of an earlier run to the window's log handler, not to the generic announcement."""
    from tests.desktop.harness import signed_in_client

    client = signed_in_client(demo_server.url)
    record_id = client.open_records()[1]["id"]
    client.close()
    data = tmp_path / "refused-client"
    store = LocalStore(data)
    body = {"id": str(uuid.uuid4()), "kind": "not_a_kind", "text": "Queued before a restart, fictional.",
            "observed_at": "2026-11-21T09:00:00+00:00"}
    store.add_outbox("POST", log_path(record_id), body, row_id=body["id"])
    store.close()
    heard: list[tuple[str, bool]] = []
    announcer().announced.connect(lambda text, assertive: heard.append((text, assertive)))

    window = make_window(demo_server.url, data)
    qtbot.waitUntil(lambda: any(r.id == body["id"] for r in window.store.outbox_items("rejected")), timeout=10_000)
    panel = window.areas["custody"].log_panel
    qtbot.waitUntil(lambda: any("log entry was not saved" in t.lower() for t, _ in heard)
                    or panel.text_edit.toPlainText() == body["text"], timeout=5000)
    assert not any(t.startswith("A change made earlier was refused") for t, _ in heard)


def test_intelligence_qa_on_a_stale_copy_is_refused_and_the_viewer_shows_the_current_copy(
        qtbot, make_window, own_server):
    window = people_window(qtbot, make_window, own_server["server"].url, "supervisor")
    panel = window.areas["intelligence"].intel_panel
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row(r)["reference"].endswith("9003"))
    panel.fetch(panel.model.row(row)["id"], "QA of a submitted report")
    qtbot.waitUntil(lambda: panel.viewer is not None, timeout=10_000)
    report = panel.viewer.report
    qa = panel.qa(report)
    qa.sanitised_edit.setPlainText("A named associate is said to be supplying heroin in Portharrow.")
    client = api(own_server["server"].url, "supervisor")
    try:  # another supervisor returns it first
        client.request("POST", f"/intelligence/reports/{report['id']}/qa",
                       json={"outcome": "return", "notes": "Check the source reference."},
                       headers={"If-Match": str(report["version"]), "Idempotency-Key": str(uuid.uuid4())})
    finally:
        client.close()
    qa.ok_button.click()
    error = qa.errors["outcome"]
    qtbot.waitUntil(error.isVisible, timeout=15_000)
    assert "Someone else changed this report meanwhile" in error.text()
    assert qa.isVisible() and qa.ok_button.isEnabled()
    assert panel.viewer.report["version"] == report["version"] + 1
    assert panel.viewer.report["status"] != "approved"
