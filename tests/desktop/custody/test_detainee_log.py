"""Detainee log: typed, queued in the outbox, sent to a real server, seen after restart and by a second client."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication

from desktop import main_window
from desktop.views.custody.log_controller import log_path
from desktop.models.custody.board_model import RECORD_ROLE
from desktop.models.custody.log_model import SAVED, WAITING
from desktop.sync.local_store import LocalStore
from tests.desktop.harness import custody_board, signed_in_client, start_server


def first_record_id(window) -> str:
    return custody_board(window).proxy.index(0, 0).data(RECORD_ROLE)["id"]


def wait_log(qtbot, window, record_id: str) -> None:
    qtbot.waitUntil(lambda: window.areas["custody"].log_panel.model.record_id == record_id, timeout=5000)


def select(qtbot, window, record_id: str) -> None:
    if window.areas["custody"].log.loaded_log_id == record_id:
        return
    with qtbot.waitSignal(window.areas["custody"].log_loaded, timeout=10_000,
                          check_params_cb=lambda rid: rid == record_id):
        custody_board(window).select_record_id(record_id)


def type_and_save(qtbot, window, text: str, kind: str = "cell_check") -> None:
    panel = window.areas["custody"].log_panel
    window.activateWindow()  # shortcuts go to the active window; tests may have two open
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(kind))
    panel.text_edit.setFocus()
    panel.text_edit.setPlainText(text)
    qtbot.keyClick(panel.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def find(window, text: str) -> dict | None:
    model = window.areas["custody"].log_panel.model
    return next((model.entry(r) for r in range(model.rowCount()) if model.entry(r)["text"] == text), None)


def server_log(url: str, record_id: str) -> list[dict]:
    client = signed_in_client(url)
    try:
        return client.record_log(record_id)
    finally:
        client.close()


def test_entry_is_saved_through_the_server_and_seen_after_restart(qtbot, make_window, demo_server, tmp_path):
    data = tmp_path / "restart-client"
    window = make_window(demo_server.url, data)
    record_id = first_record_id(window)
    select(qtbot, window, record_id)
    text = "Visited cell, detainee awake and talking, asked for water."
    type_and_save(qtbot, window, text)

    entry = find(window, text)
    assert entry is not None and entry["_state"] == WAITING  # shown at once, before the server answers
    assert window.areas["custody"].log_panel.text_edit.toPlainText() == ""
    qtbot.waitUntil(lambda: (find(window, text) or {}).get("_state") == SAVED, timeout=10_000)
    saved = find(window, text)
    assert saved["recorded_at"] and saved["author"]["display_name"]
    qtbot.waitUntil(lambda: window.sync_label.text() == "All changes sent", timeout=5000)

    on_server = [e for e in server_log(demo_server.url, record_id) if e["id"] == entry["id"]]
    assert len(on_server) == 1 and on_server[0]["kind"] == "cell_check" and on_server[0]["text"] == text

    window.close()
    again = make_window(demo_server.url, data)
    select(qtbot, again, record_id)
    assert (find(again, text) or {}).get("_state") == SAVED


def test_second_client_sees_the_entry_without_refreshing(qtbot, make_window, demo_server, tmp_path):
    writer = make_window(demo_server.url, tmp_path / "writer")
    reader = make_window(demo_server.url, tmp_path / "reader", username="detention")
    record_id = first_record_id(writer)
    select(qtbot, writer, record_id)
    select(qtbot, reader, record_id)
    text = "Meal offered: vegetarian option, accepted."
    type_and_save(qtbot, writer, text, kind="meal")
    qtbot.waitUntil(lambda: find(reader, text) is not None, timeout=15_000)
    assert find(reader, text)["_state"] == SAVED
    assert find(reader, text)["kind"] == "meal"


@pytest.mark.parametrize("text, expected", [
    ("   \n  ", "the entry is empty"),
    # 10 MB pasted: lines of words (one 10 MB paragraph takes QPlainTextEdit's layout ~12 s; see report).
    (("Detainee checked through the hatch, asleep on the bench. " + "\n") * (10 * 1024 * 1024 // 58),
     "at most 10,000 characters"),
])
def test_empty_and_huge_entries_are_refused_beside_the_field(qtbot, make_window, demo_server, text, expected):
    window = make_window(demo_server.url)
    select(qtbot, window, first_record_id(window))
    rows_before = window.areas["custody"].log_panel.model.rowCount()
    type_and_save(qtbot, window, text)
    panel = window.areas["custody"].log_panel
    assert expected in panel.error_text("text")
    assert panel.text_error.isVisible()
    assert expected in panel.text_edit.accessibleDescription()
    assert panel.text_edit.hasFocus()
    assert panel.text_edit.toPlainText() == text  # nothing typed is lost
    assert panel.model.rowCount() == rows_before
    assert window.store.pending_count() == 0 and not window.store.outbox_items()


def test_server_refusal_is_shown_beside_the_field_and_the_text_kept(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    record_id = first_record_id(window)
    select(qtbot, window, record_id)
    panel = window.areas["custody"].log_panel
    # Observed a day in the future: the client does not check this, the server does (422 on observed_at).
    panel.observed_edit.setDateTime(QDateTime.currentDateTime().addDays(1))
    text = "Entry with an impossible observed time."
    type_and_save(qtbot, window, text)
    qtbot.waitUntil(lambda: panel.observed_error.isVisible(), timeout=10_000)
    assert panel.error_text("observed_at").startswith("Problem: Not saved: ")
    assert panel.text_edit.toPlainText() == text
    assert find(window, text) is None
    assert panel.observed_edit.hasFocus()
    assert window.store.outbox_items("rejected")[0].body["text"] == text
    assert not [e for e in server_log(demo_server.url, record_id) if e["text"] == text]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_outbox_keeps_an_entry_while_the_server_is_down_and_sends_it_when_it_returns(
        qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setattr(main_window, "HEALTH_INTERVAL_MS", 300)
    db = f"sqlite:///{tmp_path / 'flaky.sqlite3'}"
    port = _free_port()
    server = start_server(db, demo=True, port=port)
    window = make_window(server.url, tmp_path / "offline-client")
    record_id = first_record_id(window)
    select(qtbot, window, record_id)
    server.stop()
    qtbot.waitUntil(lambda: window.reachable is False, timeout=5000)
    # Issue merge: the label says both that the server cannot be reached and since when.
    assert "not reachable, offline since " in window.server_label.text()

    text = "Cell check during network outage: detainee asleep, breathing normally."
    type_and_save(qtbot, window, text)
    qtbot.waitUntil(lambda: window.sync_label.text() == "1 change waiting to send", timeout=5000)
    qtbot.waitUntil(lambda: window.store.outbox_items()[0].attempts >= 2, timeout=10_000)
    assert find(window, text)["_state"] == WAITING
    assert window.store.pending_count() == 1

    server = start_server(db, demo=False, port=port)
    try:
        qtbot.waitUntil(lambda: (find(window, text) or {}).get("_state") == SAVED, timeout=20_000)
        qtbot.waitUntil(lambda: window.sync_label.text() == "All changes sent", timeout=5000)
        assert window.reachable is True
        on_server = [e for e in server_log(server.url, record_id) if e["text"] == text]
        assert len(on_server) == 1  # sent once, even after several attempts
    finally:
        window.close()
        server.stop()


def test_pending_rows_are_sent_at_next_start(qtbot, make_window, tmp_path, demo_server):
    """An entry queued by a client that was closed before it could send goes out when the client starts again."""
    data = tmp_path / "resend-client"
    client = signed_in_client(demo_server.url)
    record_id = client.open_records()[1]["id"]
    client.close()
    store = LocalStore(data)
    # Observed a few minutes ago: a fixed date falls before the demo detainee's arrival (relative to now) and is
    # rightly refused, which is not what this test is about.
    body = {"id": "5a0d9c1e-3b7f-4c2a-9e61-0d5f8a7b2c44", "kind": "note", "text": "Queued before a crash.",
            "observed_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()}
    store.add_outbox("POST", log_path(record_id), body, row_id=body["id"])
    store.close()

    window = make_window(demo_server.url, data)
    qtbot.waitUntil(lambda: window.store.pending_count() == 0, timeout=10_000)
    on_server = [e for e in server_log(demo_server.url, record_id) if e["id"] == body["id"]]
    assert len(on_server) == 1 and on_server[0]["text"] == "Queued before a crash."


def test_an_answer_for_a_detainee_no_longer_selected_does_not_overwrite_the_newer_one(qtbot, make_window,
                                                                                       demo_server, monkeypatch):
    """Fast arrow keys (issue 17): the log and risk assessment of the first detainee arrive after the second was
    chosen and shown; both docks keep showing the second."""
    import threading

    window = make_window(demo_server.url)
    area = window.areas["custody"]
    proxy = custody_board(window).proxy
    first, second = (proxy.index(r, 0).data(RECORD_ROLE)["id"] for r in (1, 2))
    client = window.session.client
    gate, read = threading.Event(), client.log_and_risk

    late: list[object] = []

    def slow_for_first(record_id: str):
        if record_id != first:
            return read(record_id)
        assert gate.wait(10)  # the network is slow for this one
        log, versions = read(record_id)
        late.append(log)
        return log, versions

    monkeypatch.setattr(client, "log_and_risk", slow_for_first)
    answered: list[str] = []
    run = area.context.ops.run

    def run_noting_answers(fn, *, on_done=None, on_error=None, owner=None):
        def done(value):
            if on_done is not None:
                on_done(value)
            if isinstance(value, tuple) and late and value[0] is late[0]:
                answered.append(first)  # the late answer has been handed over
        return run(fn, on_done=done, on_error=on_error, owner=owner)

    monkeypatch.setattr(area.context.ops, "run", run_noting_answers)
    custody_board(window).select_record_id(first)
    select(qtbot, window, second)
    gate.set()
    qtbot.waitUntil(lambda: first in answered, timeout=10_000)
    assert area.log_panel.model.record_id == second and area.log.loaded_log_id == second
    model = area.log_panel.model
    assert model.rowCount() and {model.entry(r)["record_id"] for r in range(model.rowCount())} == {second}
    assert area.risk_panel.record["id"] == second
    assert area.risk_panel.versions == client.risk_assessments(second)
