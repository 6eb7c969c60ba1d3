"""Booking in, "enter once": choosing a known person fills the booking form and shows their addresses and
warning markers (for the risk assessment)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.custody.helpers import open_by_shortcut
from tests.desktop.people.helpers import people_window


def test_known_person_fills_the_booking_form_with_markers(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)  # Custody > Book in (Ctrl+B)
    dialog.surname_edit.setText("Rahman")
    dialog.findChild(type(dialog.add_button), "bookingChoosePersonButton").click()
    search = dialog.person_picker.dialog
    assert search.isVisible() and search.panel.name_edit.text() == "Rahman"
    search.panel.name_edit.setText("Mohammed Rahman")
    with qtbot.waitSignal(search.panel.searched, timeout=10_000):
        search.panel.search()
    with qtbot.waitSignal(dialog.person_picker.picked, timeout=10_000) as picked:
        search.open_button.click()
    person = picked.args[0]
    assert (person["surname"], person["forenames"]) == ("Rahman", "Mohammed Idris")
    assert dialog.existing_person["id"] == person["id"]
    assert dialog.forenames_edit.text() == "Mohammed Idris" and not dialog.surname_edit.isEnabled()
    card = dialog.existing_label.text()
    assert "Warning markers: Weapons" in card and "Addresses:" in card
    assert card == dialog.existing_label.accessibleName()
