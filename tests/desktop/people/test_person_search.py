"""Find person: a spelling variant is found and the result says why; Enter opens the person in the dock."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.models.record_table import ROW_ROLE
from tests.desktop.people.helpers import people_window


def results(panel) -> list[dict]:
    return [panel.model.index(r, 0).data(ROW_ROLE) for r in range(panel.model.rowCount())]


def test_spelling_variant_found_with_why_and_enter_opens_it(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    dialog = window.areas["people"].find_person()
    panel = dialog.panel
    qtbot.keyClicks(panel.name_edit, "Steven Macdonald")
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        pass  # debounced: the search starts by itself when typing stops
    names = {(r["person"]["surname"], r["person"]["forenames"]) for r in results(panel)}
    assert ("Macdonald", "Stephen James") in names and ("McDonald", "Steven") in names
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.index(r, 0).data(ROW_ROLE)["person"]["forenames"] == "Stephen James")
    why = panel.model.index(row, 6)
    assert "sounds like" in why.data() and "forename" in why.data()
    assert why.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Why it matched: ")
    assert panel.status.text().startswith("Showing 1–")

    # Keyboard: Down to the results, arrows move, Enter opens the person in the Person dock.
    panel.name_edit.setFocus()
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Down)
    assert dialog.focusWidget() is panel.table
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    person_panel = window.areas["people"].person_panel
    with qtbot.waitSignal(person_panel.person_loaded, timeout=10_000):
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert person_panel.heading.text().startswith("MACDONALD, Stephen James")
    assert "Violent" in person_panel.heading.text()
    links = [person_panel.links_model.row(r) for r in range(person_panel.links_model.rowCount())]
    assert any(link["area"] == "investigations" and link["role"] == "suspect" for link in links)
    assert person_panel.markers_model.rowCount() >= 1
    assert "Isolde Marchbank" in person_panel.markers_model.index(0, 2).data()


def test_partial_dob_narrows_and_pages(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    panel = window.areas["people"].find_person().panel
    panel.page_size = 1
    panel.name_edit.setText("McDonald")
    with qtbot.waitSignal(panel.searched, timeout=10_000) as blocker:
        panel.search()
    assert blocker.args[0] >= 2 and panel.model.rowCount() == 1
    assert panel.status.text() == f"Showing 1–1 of {panel.total}"
    assert panel.next_button.isEnabled() and not panel.prev_button.isEnabled()
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        panel.next_button.click()
    assert panel.status.text() == f"Showing 2–2 of {panel.total}" and panel.prev_button.isEnabled()
    panel.dob_edit.setText("1988")  # narrowing: partial DOB
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        panel.search()
    assert all(r["person"]["date_of_birth"].startswith("1988") for r in results(panel))
    panel.dob_edit.setText("32/13/1988")
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        panel.search()
    assert panel.errors["dob"].isVisible() and panel.focusWidget() is panel.dob_edit
