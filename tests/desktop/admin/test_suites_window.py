"""Administration > Suites and cells… (Ctrl+Alt+S): an administrator adds a cell and changes it (versioned, through
the outbox); a change made at another workstation arrives through the live-update feed; the type of a new cell is
never chosen for the administrator."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.custody.helpers import activate
from tests.desktop.harness import signed_in_client


def _cell_row(window, suite_code: str, number: str):
    for n in range(window.tree.topLevelItemCount()):
        item = window.tree.topLevelItem(n)
        if item.data(0, Qt.ItemDataRole.UserRole)["code"] == suite_code:
            for c in range(item.childCount()):
                if item.child(c).text(0) == f"Cell {number}":
                    return item.child(c)
    return None


def test_an_administrator_edits_cells_and_other_workstations_changes_arrive_live(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="admin")
    area = window.areas["admin"]
    assert area.actions["suites"].isVisible() and area.actions["suites"].shortcut().toString() == "Ctrl+Alt+S"
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: area.suites_window is not None and area.suites_window.tree.topLevelItemCount() >= 3,
                    timeout=10_000)
    suites = area.suites_window
    assert "Portharrow Central (PHC)" in [suites.tree.topLevelItem(n).text(0) for n in range(3)]
    assert suites.select_suite("GUL")

    dialog = suites.new_cell()
    dialog.number.setText("g9")
    assert dialog.type.currentIndex() == -1  # the kind of cell is the administrator's choice
    dialog.save_button.click()
    assert dialog.errors["type"].isVisible()
    dialog.type.setCurrentIndex(dialog.type.findData("constant_watch"))
    with qtbot.waitSignal(dialog.saved_signal, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: _cell_row(suites, "GUL", "G9") is not None, timeout=10_000)
    row = _cell_row(suites, "GUL", "G9")
    assert row.text(1) == "Constant watch cell" and "0 of 1 places taken" in row.text(2)

    # Changed at another workstation: the tree here follows the feed, no reload.
    api = signed_in_client(demo_server.url, "admin")
    try:
        cell = row.data(0, Qt.ItemDataRole.UserRole)
        api.request("PATCH", f"/custody/cells/{cell['id']}", headers={"If-Match": str(cell["version"])},
                    json={"out_of_use": True, "out_of_use_reason": "Ligature point found"})
    finally:
        api.close()
    qtbot.waitUntil(lambda: "Out of use: Ligature point found" in (_cell_row(suites, "GUL", "G9").text(2)),
                    timeout=15_000)
