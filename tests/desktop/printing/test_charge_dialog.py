"""Custody > Charge… by keyboard alone: search the catalogue, fill the wording's particulars, refuse what is
missing beside its field, then charge through the outbox; a server refusal reopens it with everything typed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from desktop.announcer import announcer
from tests.desktop.printing.conftest import uncharged_record


def focused():
    return QApplication.focusWidget()


def type_into_focus(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def leave_date_edit(qtbot) -> None:
    """Tab in a date edit moves day -> month -> year first, then to the next field."""
    edit = focused()
    for _ in range(4):
        tab(qtbot)
        if focused() is not edit:
            return
    raise AssertionError("Tab never left the date edit")


def open_dialog(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(window.areas["prosecution"].charge_dialog_opened, timeout=10_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = opened.args[0]
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    return dialog


def pick_offence(qtbot, editor, words: str, code: str) -> None:
    combo = editor.offence_combo
    assert focused() is combo or combo.isAncestorOf(focused())
    type_into_focus(qtbot, words)
    popup = combo.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    texts = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    row = next(r for r, t in enumerate(texts) if t.startswith(code + " "))
    for _ in range(row + 1):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.offence is not None and editor.offence["code"] == code, timeout=3000)


def test_a_sergeant_charges_by_keyboard_alone(qtbot, make_window, print_server, api):
    window = make_window(print_server.url)
    record = uncharged_record(window, api)
    assert window.areas["prosecution"].charge_action.isEnabled()
    dialog = open_dialog(qtbot, window)
    editor = dialog.editors[0]
    assert dialog.charge_button.isDefault()

    pick_offence(qtbot, editor, "shop", "TH68010")
    assert "Contrary to section 1(1) and 7 of the Theft Act 1968" in editor.statement_label.text()
    # Tab goes date -> range -> (end date is off) -> the particulars the wording needs, in its order.
    tab(qtbot)
    assert focused() is editor.date_edit
    leave_date_edit(qtbot)
    assert focused() is editor.range_check
    tab(qtbot)
    assert list(editor.fields) == ["place", "property", "value", "owner"]
    for field, text in (("place", "Quayside Retail Park, Portharrow"), ("property", "two bottles of gin"),
                        ("value", "45.98"), ("owner", "Harrowmart Stores Ltd")):
        assert focused() is editor.fields[field], field
        spoken = field if field != "owner" else "owner of the property"
        assert editor.fields[field].accessibleName() == f"Charge 1: {spoken}"
        type_into_focus(qtbot, text)
        tab(qtbot)
    assert "stole two bottles of gin to the value of £45.98 belonging to Harrowmart Stores Ltd" \
        in editor.wording_label.text()

    # Return now: the caution was not ticked and there is no court; focus goes to the first problem.
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.caution_error.isVisible() and "Caution" in dialog.caution_error.text()
    assert dialog.court_error.isVisible()
    # No bail decision is made for the sergeant (issue 13): nothing chosen is refused beside the field, in words.
    assert dialog.bail_combo.currentIndex() == -1 and dialog.bail_combo.currentData() is None
    assert dialog.bail_error.isVisible() and "Choose the bail decision" in dialog.bail_error.text()
    assert focused() is dialog.caution_check
    assert announcer().last[1] is True and "problems" in announcer().last[0]

    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # tick the caution
    tab(qtbot)
    assert focused() is dialog.reply_edit
    type_into_focus(qtbot, "I was going to pay for it, honest.")
    tab(qtbot)
    assert focused() is dialog.bail_combo
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # nothing chosen -> unconditional bail
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # conditional bail
    assert dialog.bail_combo.currentData() == "conditional_bail"
    tab(qtbot)
    type_into_focus(qtbot, "Not to enter Quayside Retail Park")
    tab(qtbot)
    type_into_focus(qtbot, "To prevent further offences at the same shop.")
    tab(qtbot)
    assert focused() is dialog.court_edit
    type_into_focus(qtbot, "Portharrow Magistrates' Court")

    with qtbot.waitSignal(window.areas["prosecution"].charge_saved, timeout=15_000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    case = saved.args[0]
    assert not isValid(dialog) or not dialog.isVisible()
    assert case["record_id"] == record["id"]
    assert case["reply"] == "I was going to pay for it, honest."
    assert [c["offence_code"] for c in case["charges"]] == ["TH68010"]
    assert case["bail"]["conditions"] == ["Not to enter Quayside Retail Park"]
    assert api.request("GET", f"/custody/records/{record['id']}/charges")[0]["id"] == case["id"]
    # The charge sheet actions come on; charging again does not.
    qtbot.waitUntil(lambda: window.areas["records"].actions[("charge_sheet", "print")].isEnabled(), timeout=3000)
    assert not window.areas["prosecution"].charge_action.isEnabled()


def test_escape_cancels_and_sends_nothing(qtbot, make_window, print_server, api):
    window = make_window(print_server.url)
    record = uncharged_record(window, api)
    dialog = open_dialog(qtbot, window)
    type_into_focus(qtbot, "theft")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    if isValid(dialog) and dialog.isVisible():  # the first Escape closes the completer popup
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=3000)
    assert window.store.pending() == []
    assert api.request("GET", f"/custody/records/{record['id']}/charges") == []


def test_a_server_refusal_reopens_the_dialog_with_everything_typed(qtbot, make_window, print_server, api):
    window = make_window(print_server.url)
    record = uncharged_record(window, api)
    dialog = open_dialog(qtbot, window)
    editor = dialog.editors[0]
    pick_offence(qtbot, editor, "shop", "TH68010")
    for field, text in (("place", "Harbour Street"), ("property", "a torch"), ("value", "12"),
                        ("owner", "Nettlebed Hardware")):
        editor.fields[field].setText(text)
    # Charged "before booking in": only the server knows when the detainee arrived.
    from datetime import date

    from PySide6.QtCore import QDate, QDateTime, QTime
    dialog.charged_edit.setDateTime(QDateTime(QDate(2001, 1, 2), QTime(9, 0), dialog.charged_edit.timeZone()))
    editor.date_edit.setDate(QDate(2001, 1, 1))
    dialog.caution_check.setChecked(True)
    dialog.reply_edit.setPlainText("Nothing to say.")
    dialog.court_edit.setText("Portharrow Magistrates' Court")
    dialog.bail_combo.setCurrentIndex(dialog.bail_combo.findData("unconditional_bail"))  # chosen, never defaulted
    typed = dialog.body()

    with qtbot.waitSignal(window.areas["prosecution"].charge_dialog_opened, timeout=15_000) as reopened:
        qtbot.keyClick(dialog.charge_button, Qt.Key.Key_Return)
    again = reopened.args[0]
    qtbot.waitUntil(again.isVisible, timeout=3000)
    assert again.body() == typed  # nothing typed is lost, and the same id makes a resend the same request
    assert again.charged_error.isVisible() and "booked in" in again.charged_error.text()
    qtbot.waitUntil(lambda: focused() is again.charged_edit, timeout=3000)
    assert api.request("GET", f"/custody/records/{record['id']}/charges") == []
    assert date.today().year > 2001
    again.reject()


def test_only_a_sergeant_is_offered_the_charge(qtbot, make_window, print_server, api):
    window = make_window(print_server.url, username="detention")
    uncharged_record(window, api)
    assert not window.areas["prosecution"].charge_action.isEnabled()
    assert "custody sergeant" in window.areas["prosecution"].charge_action.toolTip()
