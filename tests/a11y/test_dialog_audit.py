"""Every dialog in desktop/views, found by importing the modules, opened with real demo data:

- every focusable widget has an accessible name;
- there is a default button (Return does the main thing) and Escape cancels;
- focus starts on a visible widget inside the dialog, and stays on one when Return finds a problem
  (which is then said aloud, assertively);
- at 200% text nothing is clipped (and a screenshot is saved to /tmp/bridewell-a11y/ to look at).
"""

from __future__ import annotations

from tests.desktop.harness import signed_in_client

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QDialogButtonBox

from desktop.announcer import announcer
from tests.a11y.audit import (default_buttons, dialog_classes, settled_clipped_text, unnamed_focusable,
                             widget_path)
from tests.a11y.dialog_factories import AuditContext, make_dialog
from tests.desktop.harness import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SHOTS = Path(os.environ.get("BRIDEWELL_A11Y_SHOTS", "/tmp/bridewell-a11y"))
DIALOGS = dialog_classes()
# Known defects, reported to their owners; strict, so the test says so as soon as one is fixed.
KNOWN_200_PERCENT_DEFECTS = {
    # Found when the audit began checking (issue 13) that a dialog opens on an 800 px screen and that nothing
    # is clipped once problems are shown; each belongs to its area's owner. Strict: fixed, the test says so.
    "report_dialog.ReportViewDialog": "opens 1324x1012 at 200% text: larger than an 800 px screen",
    "merge_dialog.MergeDialog": "opens 1444x956 at 200% text: larger than an 800 px screen",
    "print_preview.PrintPreviewDialog": "opens 1544x1264 at 200% text: larger than an 800 px screen",
    "record_reader.RecordReaderDialog": "opens 1404x1124 at 200% text: larger than an 800 px screen",
    "disclosure_dialog.DisclosureDialog": "its labels are squashed once the problems are shown (not on the forms "
                                          "base, so it does not grow to make room)",
}


def _id(cls: type) -> str:
    return cls.__module__.rsplit(".", 1)[-1] + "." + cls.__qualname__


@pytest.fixture
def audit_ctx(demo_server, ops, make_window):
    client = signed_in_client(demo_server.url)
    ctx = AuditContext(demo_server.url, client, client.me(), ops, client.open_records(),
                       window_factory=lambda: make_window(demo_server.url))
    yield ctx
    ctx.close()
    client.close()


@pytest.fixture
def double_font(qapp):
    original = QApplication.font()
    bigger = QApplication.font()
    bigger.setPointSizeF(original.pointSizeF() * 2)
    QApplication.setFont(bigger)
    yield
    QApplication.setFont(original)


def open_dialog(qtbot, cls, ctx) -> QDialog:
    dialog = make_dialog(cls, ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    QApplication.processEvents()
    return dialog


def test_every_dialog_module_was_found():
    names = {cls.__qualname__ for cls in DIALOGS}
    # The ones that existed when the audit was written; new ones join automatically.
    assert {"LoginDialog", "DisclosureDialog", "RecordReaderDialog", "PrintPreviewDialog", "ChargeDialog"} <= names


# Dialogs Escape must not close, and why; for them Escape must keep the dialog and say so (read out).
ESCAPE_KEEPS_OPEN = {"LockScreen": "a lock that Escape opened would be no lock"}


@pytest.mark.parametrize("cls", DIALOGS, ids=_id)
def test_dialog_is_named_has_a_default_button_and_escape_cancels(qtbot, audit_ctx, cls):
    dialog = open_dialog(qtbot, cls, audit_ctx)
    assert dialog.objectName(), "a dialog needs a stable objectName (its AT-SPI id)"
    assert dialog.windowTitle().strip(), "a dialog's title is the first thing a screen reader says"
    assert unnamed_focusable(dialog) == []
    assert default_buttons(dialog), "no default button: Return must do the dialog's main thing"
    focus = QApplication.focusWidget()
    assert focus is not None and focus.isVisible() and dialog.isAncestorOf(focus), (
        f"focus starts on {widget_path(focus) if focus else None}, not a visible control of the dialog")

    if cls.__name__ in ESCAPE_KEEPS_OPEN:
        heard: list[tuple[str, bool]] = []

        def hear(text: str, assertive: bool) -> None:
            heard.append((text, assertive))

        announcer().announced.connect(hear)
        try:
            QTest.keyClick(focus, Qt.Key.Key_Escape)
        finally:
            announcer().announced.disconnect(hear)
        assert dialog.isVisible(), ESCAPE_KEEPS_OPEN[cls.__name__]
        assert [t for t, assertive in heard if assertive], "Escape kept the dialog open without saying why"
        return
    QTest.keyClick(focus, Qt.Key.Key_Escape)
    assert not dialog.isVisible(), "Escape did not close the dialog"
    assert dialog.result() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize("cls", DIALOGS, ids=_id)
def test_return_on_a_dialog_either_completes_or_says_what_is_wrong_beside_a_focused_field(qtbot, audit_ctx, cls):
    dialog = open_dialog(qtbot, cls, audit_ctx)
    heard: list[tuple[str, bool]] = []
    def hear(text, assertive):
        heard.append((text, assertive))

    announcer().announced.connect(hear)
    try:
        QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
        QApplication.processEvents()
        if not dialog.isVisible():
            return  # completed (or closed): nothing left on screen to check
        focus = QApplication.focusWidget()
        assert focus is not None and focus.isVisible() and focus.isEnabled(), (
            f"after Return, focus is on {widget_path(focus) if focus else None}: hidden, disabled or nowhere")
        assert unnamed_focusable(dialog) == []
        if [t for t, assertive in heard if assertive]:
            # A problem was announced: focus is on the field it is about, which describes it.
            description = focus.accessibleDescription()
            assert description.strip(), f"{widget_path(focus)} has focus after an error but no description"
    finally:
        announcer().announced.disconnect(hear)
        dialog.reject()


@pytest.mark.parametrize("cls", [
    pytest.param(cls, marks=pytest.mark.xfail(strict=True, reason=KNOWN_200_PERCENT_DEFECTS[_id(cls)]))
    if _id(cls) in KNOWN_200_PERCENT_DEFECTS else cls for cls in DIALOGS], ids=_id)
def test_dialog_at_200_percent_text_is_named_and_nothing_is_clipped(qtbot, audit_ctx, double_font, cls):
    dialog = open_dialog(qtbot, cls, audit_ctx)
    screen = dialog.screen().availableGeometry()
    # As opened: on the screen, its buttons included (issue 13: booking in was taller than an 800 px screen).
    assert screen.contains(dialog.frameGeometry()), f"{dialog.frameGeometry()} is not within {screen}"
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible() and isinstance(button.parentWidget(), QDialogButtonBox):
            corner = button.mapToGlobal(button.rect().bottomRight())
            assert screen.contains(corner), f"{button.text()!r} is off the screen"
    dialog.adjustSize()
    hint = dialog.sizeHint()
    dialog.resize(min(max(dialog.width(), hint.width()), screen.width()),
                  min(max(dialog.height(), hint.height()), screen.height()))
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / f"200pct-{_id(cls)}.png"))
    assert unnamed_focusable(dialog) == []
    assert settled_clipped_text(qtbot, dialog) == []
    # And after an error: the messages that appear beside the fields are not clipped either (issue 13).
    QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    QApplication.processEvents()
    if dialog.isVisible():
        assert settled_clipped_text(qtbot, dialog) == [], "clipped once the problems are shown"
        dialog.grab().save(str(SHOTS / f"200pct-{_id(cls)}-after-error.png"))
    # The reference screen is 1280x800 (a common custody-desk laptop): at 200% text the dialog must still fit
    # its width; height may scroll.
    assert hint.width() <= 1280, f"{hint.width()}px wide at 200% text: wider than a 1280px screen"
