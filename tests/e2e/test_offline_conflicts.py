"""Fault test 5 (issue 11): two workstations edit the same risk assessment against one real server. The second
sees the two versions side by side, keeps what it chooses, and the server keeps both; nothing is overwritten
silently. A change to something else meanwhile is no conflict, and append-only log entries never conflict."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.sync.client import ApiClient
from desktop.timefmt import to_wire, utc_now
from desktop.views.forms.conflict_dialog import ConflictDialog
from tests.desktop.custody.helpers import Announcements, open_by_shortcut, select
from tests.desktop.harness import DEMO_PASSWORD, custody_board

SHIFT_CTRL = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


@pytest.fixture
def heard():
    announcements = Announcements()
    yield announcements
    announcements.close()


def _workstations(qtbot, make_window, url, tmp_path, row: int):
    first = make_window(url, tmp_path / "workstation-1")
    second = make_window(url, tmp_path / "workstation-2")
    record = custody_board(first).model.record(row)
    for window in (first, second):
        panel = window.areas["custody"].risk_panel
        with qtbot.waitSignal(panel.loaded, timeout=10_000):
            select(qtbot, window, record["id"])
    return first, second, record


def _api(url: str) -> ApiClient:
    client = ApiClient(url)
    client.login("sergeant", DEMO_PASSWORD)
    return client


def test_two_workstations_reassess_at_once_the_second_compares_and_both_versions_are_kept(
        qtbot, make_window, demo_server, tmp_path, heard):
    first, second, record = _workstations(qtbot, make_window, demo_server.url, tmp_path, 2)
    before = len(second.areas["custody"].risk_panel.versions)
    mine = open_by_shortcut(qtbot, second, Qt.Key.Key_A, SHIFT_CTRL)  # opened first, saved second
    theirs = open_by_shortcut(qtbot, first, Qt.Key.Key_A, SHIFT_CTRL)
    choose(theirs.answer_combos["self_harm_current"], "yes")
    choose(theirs.level_combo, "high")
    theirs.observations_edit.setPlainText("Pacing the cell, talking of self-harm.")
    with qtbot.waitSignal(theirs.saved_signal, timeout=15_000):
        theirs.submit()

    choose(mine.answer_combos["self_harm_current"], "no")
    choose(mine.level_combo, "medium")
    mine.notes_edit.setPlainText("Calm after the meal; spoke with the nurse.")
    mine.submit()
    qtbot.waitUntil(lambda: mine.conflict_dialog is not None and mine.conflict_dialog.isVisible(), timeout=15_000)
    compare: ConflictDialog = mine.conflict_dialog
    # Field by field, the difference said in words; the officer's text is still in the form behind it.
    assert compare.findChild(type(compare.heading), "conflictMark_risk_level").text() == "Differs"
    assert compare.findChild(type(compare.heading), "conflictMine_risk_level").text() == "medium"
    assert compare.findChild(type(compare.heading), "conflictTheirs_risk_level").text() == "high"
    assert compare.findChild(type(compare.heading), "conflictMark_trigger").text() == "Same"
    level = compare.choices["risk_level"]
    assert level.accessibleName() == "Risk level: keep which version"
    assert "Yours: medium. Current: high." in level.accessibleDescription()
    assert heard.assertive("Someone else changed this risk assessment")
    assert mine.notes_edit.toPlainText() == "Calm after the meal; spoke with the nurse."
    assert mine.isVisible() and not mine.sending

    # Merge by keyboard: the other officer's level and self-harm answer, my notes; Enter sends.
    compare.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is compare, timeout=3000)
    assert QApplication.focusWidget() is next(iter(compare.choices.values()))
    choose(compare.choices["risk_level"], "theirs")
    choose(compare.choices["responses.self_harm_current"], "theirs")
    with qtbot.waitSignal(mine.saved_signal, timeout=15_000) as saved:
        qtbot.keyClick(compare.send_button, Qt.Key.Key_Return)
    merged = saved.args[0]
    assert merged["risk_level"] == "high" and merged["notes"] == "Calm after the meal; spoke with the nurse."
    assert {r["area"]: r["answer"] for r in merged["responses"]}["self_harm_current"] == "yes"

    client = _api(demo_server.url)
    try:
        versions = client.risk_assessments(record["id"])
        log = client.record_log(record["id"])
    finally:
        client.close()
    # Both kept: the first officer's version and the merged one after it, each in the detainee's log.
    assert len(versions) == before + 2
    assert [v["id"] for v in versions[-2:]] == [theirs.assessment_id, mine.assessment_id]
    assert versions[-2]["officer_observations"] == "Pacing the cell, talking of self-harm."
    texts = [e["text"] for e in log]
    assert any(f"Risk assessment v{versions[-2]['version']}" in t for t in texts)
    assert any(f"Risk assessment v{versions[-1]['version']}" in t for t in texts)
    assert second.store.pending_count() == 0


def test_keep_current_sends_nothing_and_closes_the_form(qtbot, make_window, demo_server, tmp_path, heard):
    first, second, record = _workstations(qtbot, make_window, demo_server.url, tmp_path, 3)
    mine = open_by_shortcut(qtbot, second, Qt.Key.Key_A, SHIFT_CTRL)
    theirs = open_by_shortcut(qtbot, first, Qt.Key.Key_A, SHIFT_CTRL)
    choose(theirs.level_combo, "high")
    with qtbot.waitSignal(theirs.saved_signal, timeout=15_000):
        theirs.submit()
    choose(mine.level_combo, "low")
    mine.submit()
    qtbot.waitUntil(lambda: mine.conflict_dialog is not None and mine.conflict_dialog.isVisible(), timeout=15_000)
    mine.conflict_dialog.keep_button.click()
    qtbot.waitUntil(lambda: not mine.isVisible(), timeout=5000)
    assert heard.items and "Kept the current version" in " ".join(t for t, _a in heard.items)
    client = _api(demo_server.url)
    try:
        ids = [v["id"] for v in client.risk_assessments(record["id"])]
    finally:
        client.close()
    assert theirs.assessment_id in ids and mine.assessment_id not in ids


def _free_cells(client, record: dict, n: int) -> list[str]:
    """`n` free cells of the record's suite (issue 15: a move to a cell that is full or not the suite's is refused
    for itself; these tests are about versions)."""
    suite = client.request("GET", f"/custody/suites/{record['suite_id']}")
    free = [c["number"] for c in suite["cells"] if c["free_places"] and c["number"] != record.get("cell")]
    assert len(free) >= n, free
    return free[:n]


def test_a_change_to_something_else_meanwhile_is_sent_without_asking(qtbot, make_window, demo_server, tmp_path):
    window = make_window(demo_server.url, tmp_path / "workstation")
    record = custody_board(window).model.record(4)
    panel = window.areas["custody"].risk_panel
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        select(qtbot, window, record["id"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_A, SHIFT_CTRL)
    choose(dialog.level_combo, "medium")
    client = _api(demo_server.url)
    try:  # another workstation moves the detainee: the record's version moves on, the assessment does not
        [cell] = _free_cells(client, record, 1)
        moved = client.request("PATCH", f"/custody/records/{record['id']}", json={"cell": cell},
                               headers={"If-Match": str(record["version"])})
        assert moved["version"] > record["version"]
        with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as saved:
            dialog.submit()
        assert dialog.conflict_dialog is None and dialog.sent_request[3]["If-Match"] == str(moved["version"])
        assert saved.args[0]["id"] == dialog.assessment_id
        assert client.risk_assessments(record["id"])[-1]["id"] == dialog.assessment_id
    finally:
        client.close()


def test_append_only_log_entries_never_conflict(demo_server):
    """Two workstations append to one detainee's log, each having seen an older version: both are kept; even a
    stale If-Match sent with an entry is no reason to refuse a fact."""
    first, second = _api(demo_server.url), _api(demo_server.url)
    try:
        record = first.open_records()[5]
        stale = str(int(record["version"]))
        for n, client in enumerate((first, second, first)):
            entry = client.request("POST", f"/custody/records/{record['id']}/log",
                                   json={"id": str(uuid.uuid4()), "kind": "note",
                                         "text": f"Fictional entry {n} from workstation {n % 2 + 1}.",
                                         "observed_at": to_wire(utc_now())},
                                   headers={"If-Match": stale, "Idempotency-Key": str(uuid.uuid4())})
            assert entry["text"].startswith(f"Fictional entry {n}")
        texts = [e["text"] for e in first.record_log(record["id"])]
        assert all(any(t.startswith(f"Fictional entry {n}") for t in texts) for n in range(3))
    finally:
        first.close()
        second.close()


def test_a_conflicted_outbox_row_with_no_form_is_compared_and_sent_with_the_current_version(
        qtbot, make_window, demo_server, tmp_path):
    """Queued earlier (the form long closed): the 412 opens the comparison over the window; Send resends the same
    row with the current version's If-Match, so nothing is lost and nothing overwritten unseen."""
    from desktop.views.shell.offline_work import install_offline_work

    window = make_window(demo_server.url, tmp_path / "workstation")
    install_offline_work(window)
    record = custody_board(window).model.record(6)
    client = _api(demo_server.url)
    try:
        theirs, mine = _free_cells(client, record, 2)
        moved = client.request("PATCH", f"/custody/records/{record['id']}", json={"cell": theirs},
                               headers={"If-Match": str(record["version"])})
        row_id = window.writes.queue("PATCH", f"/custody/records/{record['id']}", {"cell": mine},
                                     headers={"If-Match": str(record["version"])})  # the stale copy
        qtbot.waitUntil(lambda: window.findChild(ConflictDialog) is not None, timeout=15_000)
        compare = window.findChild(ConflictDialog)
        assert compare.findChild(type(compare.heading), "conflictMine_cell").text() == mine
        assert compare.findChild(type(compare.heading), "conflictTheirs_cell").text() == theirs
        compare.send_button.click()
        qtbot.waitUntil(lambda: row_id in {i.id for i in window.store.outbox_items("sent")}, timeout=15_000)
        now = client.custody_record(record["id"])
        assert now["cell"] == mine and now["version"] == moved["version"] + 1
        assert window.store.pending_count() == 0 and window.store.outbox_items("rejected") == []
    finally:
        client.close()
