"""The person's picture from the custody board, what each role sees in it, keyboard shortcuts, and the change
feed keeping the actions dock up to date."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.models.record_table import ROW_ROLE
from tests.desktop.people.helpers import api, people_window
from tests.desktop.harness import custody_board

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _select_detainee(qtbot, window, surname: str) -> None:
    row = next(r for r in range(custody_board(window).model.rowCount())
               if custody_board(window).model.record(r)["person"]["surname"] == surname)
    custody_board(window).select_record_id(custody_board(window).model.record(row)["id"])
    qtbot.waitUntil(lambda: (window.session.selected_record or {}).get("person", {}).get("surname") == surname,
                    timeout=5000)


def _open_by_keys(qtbot, window, key, modifiers) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(custody_board(window).view, key, modifiers)


def _areas(panel) -> dict[str, list[dict]]:
    rows = [panel.links_model.index(r, 0).data(ROW_ROLE) for r in range(panel.links_model.rowCount())]
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["area"], []).append(row)
    return out


def test_selected_detainee_opens_the_whole_picture_and_c_reports_follow_need_to_know(qtbot, make_window, demo_server):
    pictures = {}
    for username in ("sergeant", "intel"):
        window = people_window(qtbot, make_window, demo_server.url, username)
        _select_detainee(qtbot, window, "Gorringe")
        panel = window.areas["people"].person_panel
        with qtbot.waitSignal(panel.person_loaded, timeout=10_000):
            _open_by_keys(qtbot, window, Qt.Key.Key_J, CTRL_SHIFT)  # People > Open the selected detainee's…
        assert window.docks["personDock"].isVisible()
        assert panel.heading.text().startswith("GORRINGE, Lysander")
        pictures[username] = _areas(panel)
        window.close()
    sergeant, intel = pictures["sergeant"], pictures["intel"]
    assert sergeant["custody"] and sergeant["investigations"]
    assert all(r["handling_code"] != "C" for r in sergeant.get("intelligence", []))
    assert any(r["handling_code"] == "C" for r in intel["intelligence"])


def test_find_person_shortcut_and_link_to_investigation(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    _open_by_keys(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dialog = window.areas["people"].dialog
    assert dialog.objectName() == "personSearchDialog" and dialog.isVisible()
    dialog.panel.name_edit.setText("Mohammed Rahman")
    with qtbot.waitSignal(dialog.panel.searched, timeout=10_000):
        dialog.panel.search()
    panel = window.areas["people"].person_panel
    with qtbot.waitSignal(panel.person_loaded, timeout=10_000):
        qtbot.keyClick(dialog.panel.table, Qt.Key.Key_Return)
    row = next(r for r in range(panel.links_model.rowCount()) if panel.links_model.row(r)["area"] == "investigations")
    panel.links_table.setCurrentIndex(panel.links_model.index(row, 0))
    actions = window.areas["investigations"].actions_panel
    with qtbot.waitSignal(actions.loaded, timeout=10_000):
        qtbot.keyClick(panel.links_table, Qt.Key.Key_Return)
    reference = panel.links_model.row(row)["reference"]
    assert actions.scope_combo.currentText().startswith(reference)
    assert actions.model.rowCount() > 0
    assert all(actions.model.row(r)["investigation_reference"] == reference for r in range(actions.model.rowCount()))


def test_an_action_changed_elsewhere_updates_the_dock_through_the_change_feed(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    actions = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: actions.scope_combo.count() > 1, timeout=10_000)
    index = next(i for i in range(actions.scope_combo.count()) if "9002" in actions.scope_combo.itemText(i))
    with qtbot.waitSignal(actions.loaded, timeout=10_000):
        actions.show_investigation(actions.scope_combo.itemData(index))
    target = next((actions.model.row(r) for r in range(actions.model.rowCount())
                   if actions.model.row(r)["status"] in ("raised", "referred")), None)
    assert target is not None, "the demo investigation has an action waiting for allocation"
    client = api(demo_server.url, "supervisor")
    try:
        officer = client.request("GET", "/auth/me")
        due = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
        client.request("POST", f"/actions/{target['id']}/transitions",
                       json={"event": "allocate", "allocated_to_id": officer["id"], "due_at": due},
                       headers={"If-Match": str(target["version"]), "Idempotency-Key": str(uuid.uuid4())})
    finally:
        client.close()
    row = actions.model.row_of(target["id"])
    qtbot.waitUntil(lambda: actions.model.row(row)["status"] == "allocated", timeout=15_000)
    assert actions.model.index(row, 3).data() == "Allocated"
