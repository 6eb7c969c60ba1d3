"""Intelligence (issue 14) in the client: a place and an event added to a report after it was made, through the
report's viewer, and reports found by place and by event."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.people.helpers import people_window


def test_place_and_event_added_later_then_found_by_them(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "intel")
    panel = window.areas["intelligence"].intel_panel
    report = panel.model.row(0)
    panel.fetch(report["id"], "Adding what came in at the briefing")
    qtbot.waitUntil(lambda: panel.viewer is not None and panel.viewer.isVisible(), timeout=10_000)
    viewer = panel.viewer
    assert all(b.isVisible() for b in viewer.add_buttons.values())

    qtbot.keyClick(viewer.add_buttons["place"], Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=10_000)
    place = panel.dialog
    qtbot.keyClick(place.save_button, Qt.Key.Key_Space)
    assert place.errors["description"].isVisible()
    qtbot.keyClicks(place.description_edit, "Boathouse behind Quay Street")
    qtbot.keyClicks(place.postcode_edit, "TR26 1ZZ")
    with qtbot.waitSignal(place.saved_signal, timeout=10_000):
        qtbot.keyClick(place.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Boathouse behind Quay Street" in viewer.summary.toPlainText(), timeout=10_000)

    qtbot.keyClick(viewer.add_buttons["event"], Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.dialog is not place and panel.dialog.isVisible(), timeout=10_000)
    event = panel.dialog
    assert event.kind_combo.currentIndex() == -1  # the kind is the officer's to choose
    qtbot.keyClicks(event.ref_edit, "CAD-5521-29Nov")
    qtbot.keyClick(event.save_button, Qt.Key.Key_Space)
    assert event.errors["kind"].isVisible()
    event.kind_combo.setFocus()
    while event.kind_combo.currentData() != "incident":
        qtbot.keyClick(event.kind_combo, Qt.Key.Key_Down)
    with qtbot.waitSignal(event.saved_signal, timeout=10_000):
        qtbot.keyClick(event.save_button, Qt.Key.Key_Space)
    viewer.reject()

    for edit, text in ((panel.place_edit, "boathouse"), (panel.event_edit, "cad-5521")):
        edit.setFocus()
        qtbot.keyClicks(edit, text)
        with qtbot.waitSignal(panel.loaded, timeout=10_000):
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert [panel.model.row(r)["id"] for r in range(panel.model.rowCount())] == [report["id"]]
        assert text in panel.heading.text()
        edit.clear()
