"""The workstation's suite (issue 15): offered by the sign-in dialog before signing in (none chosen), chosen by
keyboard, handed over with the sign-in, and remembered in the data folder's settings.ini for the next start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.app import WorkstationSettings
from desktop.sync.credentials import Credentials
from desktop.views.shell.login_dialog import CHOOSE_SUITE, LoginDialog


def test_the_suite_is_chosen_at_sign_in_and_remembered(qtbot, ops, demo_server, tmp_path):
    dialog = LoginDialog(ops, Credentials(), demo_server.url, username="sergeant")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    combo = dialog.suite_combo
    qtbot.waitUntil(lambda: combo.count() >= 5, timeout=10_000)  # choose…, three suites, the whole force
    assert combo.currentText() == CHOOSE_SUITE  # nothing chosen for the officer
    assert [combo.itemText(i) for i in range(1, 4)] == ["Eastmere (EAS)", "Gullhaven (GUL)",
                                                        "Portharrow Central (PHC)"]
    dialog.password_edit.setText("bridewell-demo")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Custody su&ite
    assert combo.hasFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Gullhaven (GUL)"
    refilled: list[int] = []
    combo.model().rowsRemoved.connect(lambda *_args: refilled.append(1))
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signed:
        qtbot.keyClick(combo, Qt.Key.Key_Return)
    _client, result = signed.args
    # The sign-in answer lists the same suites: the combo is left as it is (refilled, it sent a screen reader a
    # burst of events just as the main window was built; issue 18's Orca journeys).
    assert not refilled and combo.currentText() == "Gullhaven (GUL)"
    assert result["suite"]["name"] == "Gullhaven" and result["suite"]["code"] == "GUL"
    dialog.client.close()

    WorkstationSettings.remember_suite(tmp_path, result["suite"], result["suites"])
    remembered = WorkstationSettings.read(tmp_path)
    assert remembered.suite == result["suite"] and len(remembered.suites) >= 3
    again = LoginDialog(ops, Credentials(), "", username="sergeant")  # no server yet: the remembered list
    qtbot.addWidget(again)
    again.set_suites(list(remembered.suites), remembered.suite["id"])
    assert again.chosen_suite() == result["suite"]
