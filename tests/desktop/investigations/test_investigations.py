"""Investigations in the client (issue 14), by keyboard against the real demo server: the dock and the full view,
my / my team's / all by role, opening one (refused beside the field until type is chosen), linking a person,
raising an action with priority and due date (nothing pre-selected), the timeline, an edit conflict, and the
printable summary as a real PDF."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from tests.desktop.harness import signed_in_client
from tests.desktop.people.helpers import make_person


def _panel(qtbot, make_window, url, username):
    window = make_window(url, username=username)
    area = window.areas["investigations"]
    # Loaded: a sentence, but not the "Investigations: not loaded yet." it shows until its first read is back
    # (the areas' first reads wait for the board's).
    qtbot.waitUntil(lambda: area.panel.heading.text().endswith(".")
                    and "not loaded yet" not in area.panel.heading.text(), timeout=10_000)
    return window, area, area.panel


def _choose(qtbot, combo, text):
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def test_open_link_raise_and_the_timeline_by_keyboard(qtbot, make_window, demo_server):
    window, area, panel = _panel(qtbot, make_window, demo_server.url, "investigator")
    assert [panel.scope_combo.itemText(i) for i in range(panel.scope_combo.count())] == [
        "My investigations", "My team's investigations", "All investigations"]
    assert panel.model.rowCount() >= 1  # the demo investigations are the investigator's

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=10_000)
    dialog = panel.dialog
    assert dialog.kind_combo.currentIndex() == -1  # the type is the officer's to choose
    qtbot.keyClicks(dialog.title_edit, "Theft of lead from St Ia's church roof")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    error = dialog.errors["kind"]
    assert error.isVisible() and "type" in error.text() and QApplication.focusWidget() is dialog.kind_combo
    _choose(qtbot, dialog.kind_combo, "Crime")
    qtbot.keyClicks(dialog.offence_picker.filter_edit, "TH68010")
    picker = dialog.offence_picker.list
    visible = next(n for n in range(picker.count()) if not picker.item(n).isHidden())
    picker.setFocus()
    picker.setCurrentRow(visible)
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert dialog.offence_picker.codes() == [picker.item(visible).data(Qt.ItemDataRole.UserRole)]
    with qtbot.waitSignal(dialog.saved_signal, timeout=10_000) as saved:
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    created = saved.args[0]
    assert created["kind"] == "crime" and created["offences"][0]["code"].startswith("TH68010")
    qtbot.waitUntil(lambda: (panel.current() or {}).get("id") == created["id"], timeout=10_000)
    qtbot.waitUntil(lambda: panel.timeline_model.rowCount() >= 1, timeout=10_000)
    assert panel.timeline_model.index(0, 1).data() == "Opened"

    # Link a person (the people area's picker gives the person; here the person is given as it would be).
    person = make_person(demo_server.url, "Trevaskis", "Morwenna")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: panel.dialog is not dialog and panel.dialog.isVisible(), timeout=10_000)
    link = panel.dialog
    assert link.role_combo.currentIndex() == -1
    qtbot.keyClick(link.save_button, Qt.Key.Key_Space)
    assert link.errors["person_id"].isVisible() and link.errors["role"].isVisible()
    # Choose person opens the people area's search (the one booking in uses).
    qtbot.keyClick(link.choose_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: any(w.isVisible() and w.windowTitle() == "Choose the person"
                                for w in QApplication.topLevelWidgets()), timeout=10_000)
    search = next(w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Choose the person")
    search.reject()
    link.set_person(person)
    _choose(qtbot, link.role_combo, "Witness")
    with qtbot.waitSignal(link.saved_signal, timeout=10_000):
        qtbot.keyClick(link.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Witness: TREVASKIS" in panel.summary.toPlainText(), timeout=10_000)

    # A line of enquiry (Ctrl+Alt+Q).
    area.trigger_case("line")
    qtbot.waitUntil(lambda: panel.dialog is not link and panel.dialog.isVisible(), timeout=10_000)
    line = panel.dialog
    qtbot.keyClicks(line.title_edit, "Identify the buyer of the lead")
    with qtbot.waitSignal(line.saved_signal, timeout=10_000):
        qtbot.keyClick(line.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Identify the buyer of the lead" in panel.summary.toPlainText(), timeout=10_000)
    link = line

    # Raise an action: priority and due date start unset and are refused beside their fields.
    area.trigger_case("action")  # Ctrl+Alt+K
    qtbot.waitUntil(lambda: panel.dialog is not link and panel.dialog.isVisible(), timeout=10_000)
    raise_dialog = panel.dialog
    qtbot.keyClicks(raise_dialog.title_edit, "Trace the scrap dealer")
    qtbot.keyClicks(raise_dialog.origin_edit, "OIC review")
    qtbot.keyClick(raise_dialog.save_button, Qt.Key.Key_Space)
    assert raise_dialog.errors["priority"].isVisible() and raise_dialog.errors["due_at"].isVisible()
    assert raise_dialog.due_edit.text() == "not set: type the date"
    _choose(qtbot, raise_dialog.priority_combo, "High")
    raise_dialog.due_edit.setDate(QDate.currentDate().addDays(3))
    with qtbot.waitSignal(raise_dialog.saved_signal, timeout=10_000) as raised:
        qtbot.keyClick(raise_dialog.save_button, Qt.Key.Key_Space)
    assert raised.args[0]["priority"] == "high" and raised.args[0]["due_at"]
    qtbot.waitUntil(lambda: any("Trace the scrap dealer" in (panel.timeline_model.row(r).get("text") or "")
                                for r in range(panel.timeline_model.rowCount())), timeout=10_000)
    whats = {panel.timeline_model.index(r, 1).data() for r in range(panel.timeline_model.rowCount())}
    assert {"Opened", "Person linked", "Action"} <= whats
    by = panel.timeline_model.index(0, 3).data(Qt.ItemDataRole.AccessibleTextRole)
    assert by.startswith("By ") and window.session.user["display_name"] in by

    # The full view shows the same investigation, chosen.
    full = area.trigger_case("window")  # Ctrl+Alt+W
    qtbot.waitUntil(lambda: (full.panel.current() or {}).get("id") == created["id"], timeout=10_000)
    assert full.isVisible() and full.windowTitle() == "Investigations"
    full.close()


def test_an_edit_that_crosses_another_is_compared_not_overwritten(qtbot, make_window, demo_server):
    window, area, panel = _panel(qtbot, make_window, demo_server.url, "investigator")
    api = signed_in_client(demo_server.url, "supervisor")
    try:
        inv = api.request("POST", "/investigations", json={"id": str(uuid.uuid4()), "title": "Bicycle thefts",
                                                           "kind": "crime"})
        qtbot.waitUntil(lambda: panel.set_scope("all") and panel.model.row_of(inv["id"]) is not None,
                        timeout=10_000)
        assert panel.select(inv["id"])
        area.trigger_case("edit")
        qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=10_000)
        dialog = panel.dialog
        api.request("PATCH", f"/investigations/{inv['id']}", json={"title": "Bicycle thefts, Wharf Road"},
                    headers={"If-Match": "1"})
        dialog.title_edit.setText("Bicycle thefts at the station")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.conflict_dialog is not None, timeout=10_000)
        assert dialog.conflict_dialog.theirs["title"] == "Bicycle thefts, Wharf Road"
        assert dialog.conflict_dialog.mine["title"] == "Bicycle thefts at the station"
        dialog.conflict_dialog.reject()
    finally:
        api.close()


def test_other_roles_see_all_only_and_the_summary_prints(qtbot, make_window, demo_server, tmp_path):
    window, area, panel = _panel(qtbot, make_window, demo_server.url, "sergeant")
    assert [panel.scope_combo.itemText(i) for i in range(panel.scope_combo.count())] == ["All investigations"]
    assert not area.case_actions["new"].isEnabled() and area.case_actions["print"].isEnabled()
    qtbot.waitUntil(lambda: panel.current() is not None, timeout=10_000)
    assert not panel.buttons["edit"].isEnabled() and panel.buttons["print"].isEnabled()
    previews = []
    panel.preview_pdf = lambda title, pdf, parent: previews.append((title, pdf))
    with qtbot.waitSignal(panel.printed, timeout=20_000) as printed:
        area.trigger_case("print")  # Ctrl+Alt+M
    pdf = printed.args[0]
    assert pdf.startswith(b"%PDF") and previews and previews[0][0].startswith("Investigation summary INV-")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    reference = panel.current()["reference"]
    for words in (reference, "Investigation summary", "Offences under investigation", "Lines of enquiry",
                  "Timeline", "End of summary"):
        assert words in text, words
