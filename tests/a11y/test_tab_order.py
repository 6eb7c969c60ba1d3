"""Tab order in every form: real Tab presses visit every visible control of each dialog and dock, in reading order
(top to bottom, left to right), without getting stuck; and no two controls of a window share a mnemonic.
"""

from __future__ import annotations

from tests.desktop.harness import custody_board, OFFSCREEN_NOISE, signed_in_client

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QGroupBox, QLabel, QWidget

from tests.a11y.audit import dialog_classes, reading_order, tab_chain, tab_stops, widget_path
from tests.a11y.dialog_factories import AuditContext
from tests.a11y.test_dialog_audit import _id, open_dialog

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
DIALOGS = dialog_classes()
# Known defects, reported to their owners; strict, so the test says so as soon as one is fixed.
KNOWN_TAB_ORDER_DEFECTS = {
}


def _with_known_defects(classes):
    return [pytest.param(cls, marks=pytest.mark.xfail(strict=True, reason=KNOWN_TAB_ORDER_DEFECTS[_id(cls)]))
            if _id(cls) in KNOWN_TAB_ORDER_DEFECTS else cls for cls in classes]


@pytest.fixture
def audit_ctx(demo_server, ops, make_window):
    client = signed_in_client(demo_server.url)
    ctx = AuditContext(demo_server.url, client, client.me(), ops, client.open_records(),
                       window_factory=lambda: make_window(demo_server.url))
    yield ctx
    ctx.close()
    client.close()


def names(widgets: list[QWidget]) -> list[str]:
    return [w.objectName() or widget_path(w) for w in widgets]


def blocks(widgets: list[QWidget]) -> list[str]:
    """Names, with a dialog button box's buttons as one block: QDialogButtonBox re-lays its buttons in the
    platform's order and resets their Tab order itself, so only the block's place in the order is ours."""
    out: list[str] = []
    for w in widgets:
        box = w.parentWidget()
        name = f"[buttons of {box.objectName() or widget_path(box)}]" if isinstance(box, QDialogButtonBox) \
            else (w.objectName() or widget_path(w))
        if not out or out[-1] != name:
            out.append(name)
    return out


def check_tab_order(root: QWidget) -> None:
    stops = tab_stops(root)
    assert stops, f"{widget_path(root)} has no controls to Tab to"
    expected = reading_order(stops, root.window())
    visited = tab_chain(root, expected[0])
    missing = [w for w in expected if w not in visited]
    assert not missing, f"Tab never reaches: {names(missing)}"
    assert blocks(visited) == blocks(expected), "Tab order is not reading order"


@pytest.mark.parametrize("cls", _with_known_defects(DIALOGS), ids=_id)
def test_tab_visits_every_control_of_the_dialog_in_reading_order(qtbot, audit_ctx, cls):
    dialog = open_dialog(qtbot, cls, audit_ctx)
    dialog.resize(dialog.sizeHint().expandedTo(dialog.size()))
    QApplication.processEvents()
    try:
        check_tab_order(dialog)
    finally:
        dialog.reject()


def test_tab_visits_every_control_of_every_dock_in_reading_order(qtbot, demo_server, make_window):
    window = make_window(demo_server.url)
    window.resize(1600, 1000)
    with qtbot.waitSignal(window.areas["custody"].log_loaded, timeout=10_000):
        custody_board(window).select_record_id(custody_board(window).model.record(0)["id"])
    problems = {}
    for name, dock in window.docks.items():
        dock.show()
        dock.raise_()
        QApplication.processEvents()
        try:
            check_tab_order(dock.widget())
        except AssertionError as exc:
            problems[name] = str(exc).splitlines()[0]
    assert problems == {}


MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+letter keys of a window's visible labels, buttons and group boxes (menus are separate)."""
    keys: dict[str, list[str]] = defaultdict(list)
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        match = MNEMONIC.search(text or "")
        if match:
            keys[match.group(1).lower()].append(text)
    return {k: v for k, v in keys.items() if len(v) > 1}


@pytest.mark.parametrize("cls", DIALOGS, ids=_id)
def test_no_two_controls_of_a_dialog_share_an_alt_key(qtbot, audit_ctx, cls):
    dialog = open_dialog(qtbot, cls, audit_ctx)
    try:
        assert mnemonics(dialog) == {}, "Alt+key would go to the first of these and never reach the rest"
    finally:
        dialog.reject()


# Issue 13 -----------------------------------------------------------------------------------------------------
def test_the_board_tabs_in_reading_order_filter_overdue_only_then_the_rows(qtbot, demo_server, make_window):
    """'Overdue only' is above the board: Tab reaches it before the rows, never after them (from the docks)."""
    window = make_window(demo_server.url)
    board = custody_board(window)
    check_tab_order(board)


def test_observed_at_in_the_log_is_one_tab_stop(qtbot, demo_server, make_window):
    from PySide6.QtCore import Qt

    window = make_window(demo_server.url)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(window.areas["custody"].log_loaded, timeout=10_000):
        custody_board(window).select_record_id(custody_board(window).model.record(0)["id"])
    panel = window.areas["custody"].log_panel
    panel.observed_edit.setFocus()
    qtbot.waitUntil(panel.observed_edit.hasFocus, timeout=2000)
    qtbot.keyClick(panel.observed_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.text_edit  # one press, not one per day/month/year/hour/minute
    qtbot.keyClick(panel.text_edit, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is panel.observed_edit
