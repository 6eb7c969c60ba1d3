"""Every focusable widget has an accessible name; every model cell has accessible text.

Walks the main window (board, every dock, menus' owner), and the sign-in dialog, at normal and 200% font.
"""

from __future__ import annotations

from tests.desktop.harness import custody_board, OFFSCREEN_NOISE

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication

from desktop.sync.credentials import Credentials
from desktop.views.shell.login_dialog import LoginDialog
from tests.a11y.audit import cells_without_text, unnamed_focusable


pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_main_window_and_every_dock_are_named(qtbot, make_window, demo_server, font_scale):
    window = make_window(demo_server.url)
    with qtbot.waitSignal(window.areas["custody"].log_loaded, timeout=10_000):
        custody_board(window).select_record_id(custody_board(window).model.record(1)["id"])
    # The log has a waiting entry too, so every state is audited.
    window.areas["custody"].log_panel.text_edit.setPlainText("Audit entry")
    for name in window.docks:  # every dock of every area (test_main_window checks which there are)
        window.docks[name].show()
        window.docks[name].raise_()
        assert unnamed_focusable(window.docks[name]) == [], name
    assert unnamed_focusable(window) == []
    assert custody_board(window).view.accessibleName() == "Custody board"
    assert window.areas["custody"].log_panel.table.accessibleName() == "Detainee log entries"
    assert custody_board(window).model.rowCount() >= 12 and cells_without_text(custody_board(window).model) == []
    log = window.areas["custody"].log_panel
    assert log.model.rowCount() > 0 and cells_without_text(log.model) == []
    assert cells_without_text(custody_board(window).proxy) == []


def test_docks_float_and_stay_named(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    for name in window.docks:  # every dock of every area (test_main_window checks which there are)
        window.docks[name].setFloating(True)
        assert unnamed_focusable(window.docks[name]) == [], name


def test_login_dialog_is_named_including_error_and_keyring_states(qtbot, ops, font_scale):
    dialog = LoginDialog(ops, Credentials(), "not a url")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.submit()  # shows the address error
    assert dialog.server_error.isVisible()
    assert unnamed_focusable(dialog) == []
    names = {w.objectName(): QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name)
             for w in (dialog.server_edit, dialog.username_edit, dialog.password_edit, dialog.remember_check)}
    assert names == {"serverEdit": "Server address:", "usernameEdit": "User name:",
                     "passwordEdit": "Password:", "rememberCheck": "Remember me on this computer"}


def test_no_label_is_clipped_at_200_percent_font(qtbot, make_window, demo_server):
    original = QApplication.font()
    bigger = QApplication.font()
    bigger.setPointSizeF(original.pointSizeF() * 2)
    QApplication.setFont(bigger)
    try:
        window = make_window(demo_server.url)
        window.resize(1600, 1000)
        qtbot.wait(50)
        from PySide6.QtWidgets import QLabel
        for label in window.findChildren(QLabel):
            if label.isVisible() and label.text() and not label.wordWrap():
                assert label.width() >= label.minimumSizeHint().width(), label.objectName()
    finally:
        QApplication.setFont(original)
