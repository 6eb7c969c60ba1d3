"""Booking in from the keyboard alone, the board following, tab order, and bad input kept beside its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from desktop.models.custody.board_model import AA, FLAGS, NEXT_REVIEW
from desktop.timefmt import utc_now
from desktop.views.forms.dialog import set_utc
from tests.desktop.custody.helpers import Announcements, open_by_shortcut
from tests.desktop.harness import custody_board

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def announcements():
    made = Announcements()
    yield made
    made.close()


def type_into_focus(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)


def test_book_in_by_keyboard_only_and_the_board_shows_the_detainee(qtbot, make_window, demo_server, announcements):
    window = make_window(demo_server.url)
    before = custody_board(window).model.rowCount()
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    assert QApplication.focusWidget() is dialog.surname_edit
    type_into_focus(qtbot, "Quillfeather")
    tab(qtbot)
    type_into_focus(qtbot, "Odo Barnaby")
    tab(qtbot)  # date of birth: type day, month, year
    type_into_focus(qtbot, "14031991")
    tab(qtbot, 3)  # gender (left "Not known"), route (arrested elsewhere), time of arrest (now)
    assert QApplication.focusWidget() is dialog.arrested_edit
    tab(qtbot)
    type_into_focus(qtbot, "Quay Road, Portharrow")
    tab(qtbot)
    type_into_focus(qtbot, "PC 4410 Tamsin Vell")
    tab(qtbot, 2)  # arrival at the station (now), then the offence search (the other-area time is hidden)
    assert QApplication.focusWidget() is dialog.offence_edit
    type_into_focus(qtbot, "TH68010")
    qtbot.keyClick(dialog.offence_edit, Qt.Key.Key_Return)  # Return here adds the offence, it does not book in
    assert [o.code for o in dialog.chosen] == ["TH68010"] and dialog.isVisible()
    type_into_focus(qtbot, "CJ88001")
    qtbot.keyClick(dialog.offence_edit, Qt.Key.Key_Enter)
    assert [o.code for o in dialog.chosen] == ["TH68010", "CJ88001"]
    tab(qtbot, 3)  # add button, offence list, reason
    assert QApplication.focusWidget() is dialog.reason_edit
    type_into_focus(qtbot, "Seen taking goods from a shop without paying.")
    tab(qtbot)
    type_into_focus(qtbot, "To prevent further offences and to establish identity.")
    tab(qtbot)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # vulnerable
    assert dialog.vulnerable_check.isChecked()
    tab(qtbot, 2)
    type_into_focus(qtbot, "C11")
    tab(qtbot)  # the sergeant sees the detention decision
    assert QApplication.focusWidget() is dialog.decision_combo
    qtbot.keyClick(dialog.decision_combo, Qt.Key.Key_Down)
    assert dialog.decision_combo.currentData() == "authorised"
    tab(qtbot)
    type_into_focus(qtbot, "To secure and preserve evidence by questioning.")
    tab(qtbot)  # decision time (now); Return books in
    assert "basis: Arrival at station" in dialog.relevant_label.text()
    record_id = dialog.record_id
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: custody_board(window).model.row_of(record_id) is not None, timeout=15_000)
    assert custody_board(window).model.rowCount() == before + 1
    record = custody_board(window).model.record(custody_board(window).model.row_of(record_id))
    assert record["cell"] == "C11" and record["vulnerable"] and record["detention_authorised_at"]
    assert [o["code"] for o in record["offences"]] == ["TH68010", "CJ88001"]
    qtbot.waitUntil(lambda: any("Booked in" in t for t, _ in announcements.items), timeout=10_000)
    assert not isValid(dialog) or not dialog.isVisible()
    row = custody_board(window).model.row_of(record_id)
    texts = [custody_board(window).model.index(row, c).data(Qt.ItemDataRole.AccessibleTextRole)
             for c in range(custody_board(window).model.columnCount())]
    assert "Vulnerable" in texts[FLAGS] and "awaited" in texts[AA]
    assert texts[NEXT_REVIEW].startswith("Review 1 due")


def test_tab_order_follows_the_form(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    seen = [QApplication.focusWidget()]
    for _ in range(21):
        tab(qtbot)
        seen.append(QApplication.focusWidget())
    expected = [dialog.surname_edit, dialog.forenames_edit, dialog.dob_edit, dialog.gender_combo, dialog.route_combo,
                dialog.arrested_edit, dialog.place_edit, dialog.officer_edit, dialog.arrived_edit,
                dialog.offence_edit, dialog.add_button, dialog.offence_list, dialog.reason_edit,
                dialog.necessity_edit, dialog.vulnerable_check, dialog.under18_check, dialog.cell_edit,
                dialog.decision_combo]
    names = [w.objectName() for w in seen]
    assert seen[:len(expected)] == expected, names
    dialog.dirty = False
    dialog.reject()


def test_choose_a_known_person_is_first_on_screen_in_the_tab_order_and_for_a_screen_reader(
        qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    button = dialog.choose_person_button
    button.setFocus()
    tab(qtbot)
    assert QApplication.focusWidget() is dialog.surname_edit  # Tab order: the button, then the fields
    # The reader's tree follows the widgets' order: the button comes before the fields it fills (issue 13).
    children = [c for c in dialog.body_widget.children() if c in (button, dialog.surname_edit, dialog.gender_combo)]
    assert children == [button, dialog.surname_edit, dialog.gender_combo]
    assert button.geometry().top() < dialog.surname_edit.geometry().top()  # and first on screen
    dialog.dirty = False
    dialog.reject()


def test_detention_decision_is_hidden_from_a_detention_officer(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="detention")
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    assert not dialog.decision_combo.isVisible() and not dialog.grounds_edit.isVisible()
    assert "detention" not in dialog.request()[2]
    dialog.dirty = False
    dialog.reject()


def test_future_arrest_is_shown_beside_the_field_with_focus_and_nothing_lost(qtbot, make_window, demo_server,
                                                                            announcements):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    dialog.surname_edit.setText("Ashgrove")
    dialog.forenames_edit.setText("Perpetua")
    dialog.dob_edit.setText("14/03/1991")  # a person must give it (issue 13)
    set_utc(dialog.arrested_edit, utc_now() + timedelta(hours=2))
    qtbot.keyClick(dialog.surname_edit, Qt.Key.Key_Return)
    error = dialog.errors["arrested_at"]
    assert error.isVisible() and "in the future" in error.text()
    assert QApplication.focusWidget() is dialog.arrested_edit
    assert dialog.isVisible() and dialog.surname_edit.text() == "Ashgrove"
    assert announcements.assertive("in the future")
    assert dialog.errors["offences"].isVisible()  # every problem is shown, not only the first


def test_second_open_record_for_a_person_is_refused_beside_the_person(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    existing = custody_board(window).model.record(0)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    dialog.set_person(existing["person"])
    assert not dialog.surname_edit.isEnabled() and dialog.existing_label.isVisible()
    dialog.place_edit.setText("Market Square, Portharrow")
    dialog.officer_edit.setText("PC 4411 Idris Fenn")
    dialog.offence_edit.setText("CJ88001")
    dialog.add_offence()
    dialog.reason_edit.setPlainText("Assault on a market trader.")
    dialog.necessity_edit.setPlainText("To protect a vulnerable person.")
    with qtbot.waitSignal(dialog.refused_signal, timeout=15_000):
        dialog.submit()
    assert dialog.isVisible()
    assert "already has an open custody record" in dialog.errors["person"].text()
    assert existing["custody_number"] in dialog.errors["person"].text()
    assert dialog.place_edit.text() == "Market Square, Portharrow" and dialog.body_widget.isEnabled()
    dialog.dirty = False
    dialog.reject()


def test_escape_asks_before_throwing_away_what_was_typed(qtbot, make_window, demo_server, monkeypatch):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    qtbot.keyClicks(dialog.surname_edit, "Halloran")
    asked = []
    monkeypatch.setattr(dialog, "confirm_discard", lambda: asked.append(1) or False)
    qtbot.keyClick(dialog.surname_edit, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible() and dialog.surname_edit.text() == "Halloran"
    monkeypatch.setattr(dialog, "confirm_discard", lambda: asked.append(2) or True)
    qtbot.keyClick(dialog.surname_edit, Qt.Key.Key_Escape)
    assert asked == [1, 2]
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=2000)


def test_escape_on_an_untouched_form_closes_without_asking(qtbot, make_window, demo_server, monkeypatch):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    monkeypatch.setattr(dialog, "confirm_discard", lambda: pytest.fail("asked about an empty form"))
    qtbot.keyClick(dialog.surname_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=2000)
