"""New person: PNC ID checked as typed beside the field; likely duplicates shown before creating.
Merge and undo from the UI as a supervisor."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.people.helpers import api, make_person, people_window


def test_invalid_pnc_shown_beside_the_field_as_typed(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    form = window.areas["people"].new_person()
    qtbot.keyClicks(form.pnc_edit, "12/394773A")
    error = form.errors["pnc_id"]
    assert error.isVisible() and "check letter" in error.text() and "should be H" in error.text()
    assert "check letter" in form.pnc_edit.accessibleDescription()
    form.pnc_edit.setText("12/394773H")
    assert not error.isVisible()
    form.dob_edit.setText("01/01/2999")
    assert "future" in form.errors["date_of_birth"].text()
    # Trying to create with a bad field: refused beside it, focus there, nothing sent.
    form.surname_edit.setText("Quennell")
    form.forenames_edit.setText("Ptolemy")
    form.create_button.click()
    assert form.focusWidget() is form.dob_edit and form.errors["date_of_birth"].isVisible()
    assert window.store.outbox_items() == []


def test_duplicates_shown_before_create_then_confirmed_new(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    form = window.areas["people"].new_person("Steve McDonald")
    assert (form.forenames_edit.text(), form.surname_edit.text()) == ("Steve", "McDonald")
    form.dob_edit.setText("11/04/1988")
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.duplicates_box.isVisible, timeout=10_000)
    candidates = [form.duplicates_model.row(r)["person"] for r in range(form.duplicates_model.rowCount())]
    assert any(p["surname"] == "Macdonald" and p["forenames"] == "Stephen James" for p in candidates)
    assert form.duplicates_text.text().startswith(f"{len(candidates)} existing record")
    assert window.store.outbox_items() == []  # nothing created yet
    assert form.create_button.text() == "None of these: cre&ate new"

    # The user decides it is a different person (a twin, say): confirm new.
    person_panel = window.areas["people"].person_panel
    with qtbot.waitSignal(person_panel.person_loaded, timeout=15_000):
        form.create_button.click()
    assert person_panel.person_id == form.person_id
    client = api(demo_server.url)
    try:
        assert client.person(form.person_id)["forenames"] == "Steve"
    finally:
        client.close()


def test_choosing_an_existing_record_creates_nothing(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    form = window.areas["people"].new_person("Kathryn Thwaite")
    form.create_button.click()
    qtbot.waitUntil(form.duplicates_box.isVisible, timeout=10_000)
    with qtbot.waitSignal(window.areas["people"].person_panel.person_loaded, timeout=10_000):
        form.use_button.click()
    assert "THWAITE" in window.areas["people"].person_panel.heading.text()
    assert window.store.outbox_items() == []


def test_merge_and_undo_from_the_ui_as_supervisor(qtbot, make_window, demo_server):
    kept = make_person(demo_server.url, "Vantongeren", "Philippa Rose", "1979-02-17")
    other = make_person(demo_server.url, "Van Tongeren", "Pippa", "1979-02-17")
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    people = window.areas["people"]
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=10_000):
        people.open_person(kept["id"])
    assert people.actions["merge"].isVisible() and people.actions["merge"].isEnabled()
    dialog = people.merge()
    dialog.search.name_edit.setText("Van Tongeren, Pippa")
    dialog.search.dob_edit.setText("17/02/1979")
    with qtbot.waitSignal(dialog.search.searched, timeout=10_000):
        dialog.search.search()
    row = next(r for r in range(dialog.search.model.rowCount()) if dialog.search.model.row(r)["id"] == other["id"])
    dialog.search.table.setCurrentIndex(dialog.search.model.index(row, 0))
    qtbot.keyClick(dialog.search.table, Qt.Key.Key_Return)
    assert dialog.other["id"] == other["id"] and dialog.focusWidget() is dialog.reason_edit
    dialog.merge_button.click()  # no reason yet
    assert dialog.reason_error.isVisible()
    dialog.reason_edit.setText("Same DOB and address; Pippa is a short form of Philippa.")
    dialog.merge_button.click()  # first press asks to confirm
    assert dialog.confirming and dialog.confirm_text.isVisible() and "Confirm" in dialog.merge_button.text()
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=15_000):
        dialog.merge_button.click()
    panel = people.person_panel
    assert panel.merges_model.rowCount() == 1
    assert panel.merges_model.index(0, 5).data() == "In force"
    assert "Van Tongeren" in panel.details.toPlainText() or "VAN TONGEREN" in panel.details.toPlainText()

    panel.undo_merge()
    undo = panel.dialog
    undo.reason_edit.setText("Merged in error: different people after all.")
    with qtbot.waitSignal(panel.person_loaded, timeout=15_000):
        undo.ok_button.click()
    assert panel.merges_model.index(0, 5).data().startswith("Undone")
    client = api(demo_server.url)
    try:
        assert client.person(other["id"])["merged_into"] is None
    finally:
        client.close()


def test_merge_is_not_offered_to_other_roles(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    assert not window.areas["people"].actions["merge"].isVisible()
    assert not window.areas["people"].person_panel.merge_button.isVisible()


def test_warning_marker_added_and_removed_from_the_person_dock(qtbot, make_window, demo_server):
    person = make_person(demo_server.url, "Ostrowska-Penhale", "Zuzanna", "1990-06-02")
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    panel = window.areas["people"].person_panel
    with qtbot.waitSignal(panel.person_loaded, timeout=10_000):
        window.areas["people"].open_person(person["id"])
    panel.add_marker_button.click()
    dialog = panel.dialog
    dialog.code_combo.setCurrentIndex(dialog.code_combo.findData("self_harm"))
    dialog.details_edit.setText("Said she would harm herself, 1 May.")
    with qtbot.waitSignal(panel.person_loaded, timeout=15_000):
        qtbot.keyClick(dialog.details_edit, Qt.Key.Key_Return)
    assert "Warning markers: Self-harm" in panel.heading.text()
    assert panel.markers_model.index(0, 0).data() == "Self-harm"
    assert panel.markers_model.index(0, 2).data().startswith(window.session.user["display_name"])

    panel.markers_table.setCurrentIndex(panel.markers_model.index(0, 0))
    panel.remove_marker_button.click()
    remove = panel.dialog
    remove.reason_edit.setText("Entered on the wrong person.")
    with qtbot.waitSignal(panel.person_loaded, timeout=15_000):
        remove.ok_button.click()
    assert "Warning markers" not in panel.heading.text()
    assert panel.markers_model.index(0, 4).data().startswith("Removed")
