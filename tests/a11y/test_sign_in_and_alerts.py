"""Issue 18 (in process, offscreen): what Orca 43 needs from the client, and the sign-in dialog.

- An alert banner appears with the announced text, exposed with the Notification role (Orca 43 speaks a
  notification that becomes showing; it ignores announcement events and the AlertMessage role in a window);
  assertive first when several come together; once per announcement, never each clock tick.
- Return signs in from any field, also after Tab has been to Sign in and Shift+Tab back (issue 18).
- The sign-in dialog names the product and has the icon; its messages are not cut to slivers (issue 13).
- After sign-in the keyboard is on the custody board, and its summary is said.
"""

from __future__ import annotations

from tests.desktop.harness import OFFSCREEN_NOISE, custody_board

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QMainWindow

from desktop.announcer import COALESCE_MS, AlertBanner, Announcer, announcer
from desktop.sync.credentials import Credentials
from desktop.views.shell.icon import ICON_SIZES, app_icon
from desktop.views.shell.login_dialog import LoginDialog
from tests.a11y.audit import clipped_text, wrapped_text_cut
from tests.a11y.conftest import DEMO_PASSWORD, DEMO_USER

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _role(widget) -> QAccessible.Role:
    return QAccessible.queryAccessibleInterface(widget).role()


def _name(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


@pytest.fixture
def window_with_banner(qtbot):
    # Windows an earlier test left open keep their clocks (and the app-wide announcer) running; the announcer
    # sends to the active window's banner, which would be this one. Close them so this banner hears only `own`.
    for stale in QApplication.topLevelWidgets():
        stale.close()
        stale.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    window = QMainWindow()
    qtbot.addWidget(window)
    banner = AlertBanner(window)
    window.setCentralWidget(banner)
    own = Announcer()
    own.attach(window.statusBar(), window, banner)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window, banner, own


def test_an_announcement_appears_as_a_notification_with_the_same_text(qtbot, window_with_banner):
    QAccessible.setActive(True)
    _window, banner, own = window_with_banner
    assert not banner.isVisible()
    own.announce("Log entry saved")
    qtbot.waitUntil(banner.isVisible, timeout=2000)
    assert _role(banner) == QAccessible.Role.Notification
    assert banner.text() == "Log entry saved." and _name(banner) == banner.text()
    assert not banner.assertive


def test_alerts_said_together_reach_the_banner_together_assertive_first(qtbot, window_with_banner):
    _window, banner, own = window_with_banner
    shown: list[tuple[str, bool]] = []
    banner.shown.connect(lambda text, assertive: shown.append((text, assertive)))
    own.announce("Custody board, 14 in custody, 1 check overdue")
    own.announce("Cell check OVERDUE by 26 minutes: ELSWORTH, Barnaby in cell C5.", assertive=True)
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    qtbot.wait(COALESCE_MS * 2)
    assert len(shown) == 1, shown
    text, assertive = shown[0]
    assert assertive and text.startswith("Cell check OVERDUE") and text.endswith("1 check overdue.")


def test_an_overdue_check_reaches_the_banner_once_not_every_tick(qtbot, make_window, demo_server):
    """The demo suite has one overdue check (C5): said once after sign-in, not again as the clock ticks."""
    window = make_window(demo_server.url)
    shown: list[str] = []
    window.alert_banner.shown.connect(lambda text, _assertive: shown.append(text))
    model = custody_board(window).model
    qtbot.waitUntil(lambda: any("OVERDUE" in t for t in shown), timeout=5000)
    ticks = 0

    def ticked() -> None:
        nonlocal ticks
        ticks += 1

    model.dataChanged.connect(ticked)
    qtbot.waitUntil(lambda: ticks >= 3, timeout=10_000)  # several clock ticks
    assert len([t for t in shown if "OVERDUE" in t]) == 1, shown


def test_a_failed_rousing_reaches_the_banner_assertively(qtbot, make_window, demo_server):
    from desktop.views.custody.cell_check_dialog import medical_emergency_prompt

    window = make_window(demo_server.url)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    shown: list[tuple[str, bool]] = []
    window.alert_banner.shown.connect(lambda text, assertive: shown.append((text, assertive)))
    box = medical_emergency_prompt(window, "TREVANNION, Elowen")
    try:
        qtbot.waitUntil(lambda: any("MEDICAL EMERGENCY" in t for t, _a in shown), timeout=3000)
        assert all(a for t, a in shown if "MEDICAL EMERGENCY" in t)
        assert window.alert_banner.isVisible() and "TREVANNION" in _name(window.alert_banner)
    finally:
        box.done(0)


@pytest.fixture
def dialog_for(qtbot, ops):
    made = []

    def make(url: str) -> LoginDialog:
        dialog = LoginDialog(ops, Credentials(), url, username=DEMO_USER)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        if dialog.client is not None:
            dialog.client.close()


def test_return_signs_in_after_tab_to_sign_in_and_shift_tab_back(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    dialog.password_edit.setFocus()
    for _ in range(6):  # Tab until Sign in has focus
        if dialog.focusWidget() is dialog.sign_in_button:
            break
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.sign_in_button
    for _ in range(6):  # and Shift+Tab back to the password
        if dialog.focusWidget() is dialog.password_edit:
            break
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=15_000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


@pytest.mark.parametrize("field", ["server_edit", "username_edit", "remember_check"])
def test_return_signs_in_from_any_field(qtbot, dialog_for, demo_server, field):
    dialog = dialog_for(demo_server.url)
    dialog.password_edit.setText(DEMO_PASSWORD)
    widget = getattr(dialog, field)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    with qtbot.waitSignal(dialog.signed_in, timeout=15_000):
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_a_refusal_appears_in_the_dialogs_own_banner_whole(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    shown: list[tuple[str, bool]] = []
    dialog.alert_banner.shown.connect(lambda text, assertive: shown.append((text, assertive)))
    dialog.password_edit.setText("not-the-password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any("password is wrong" in t for t, _a in shown), timeout=15_000)
    refusal = next((t, a) for t, a in shown if "password is wrong" in t)
    assert refusal[1] and "Signing in" not in refusal[0]  # said on its own, assertively
    error = dialog.password_error

    def whole() -> bool:  # the dialog grows to show the message once its layout has run (slower under load)
        return (wrapped_text_cut(dialog) == [] and clipped_text(dialog) == []
                and error.height() >= error.heightForWidth(error.width()))

    qtbot.waitUntil(whole, timeout=5_000)


def test_the_keyring_note_is_shown_whole(qtbot, ops, demo_server):
    from keyring.backends import fail

    from desktop.sync.credentials import NO_SECURE_KEYRING

    dialog = LoginDialog(ops, Credentials(fail.Keyring()), demo_server.url, username=DEMO_USER)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.keyring_note.isVisible, timeout=10_000)
    assert NO_SECURE_KEYRING in dialog.keyring_note.text()
    qtbot.waitUntil(lambda: not wrapped_text_cut(dialog), timeout=2000)
    assert clipped_text(dialog) == []


def test_the_dialog_names_the_product_and_has_the_icon(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    assert _name(dialog.product_name) == "Bridewell" and _name(dialog.product_icon) == "Bridewell logo"
    assert dialog.product_name.isVisible() and dialog.product_icon.isVisible()
    assert not dialog.windowIcon().isNull()
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)


def test_after_sign_in_the_board_has_focus_and_its_summary_is_said(qtbot, make_window, demo_server):
    heard: list[str] = []
    announcer().announced.connect(lambda text, _assertive: heard.append(text))
    window = make_window(demo_server.url)
    window.activateWindow()
    board = custody_board(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is board.view, timeout=3000)
    qtbot.waitUntil(lambda: any(t.startswith("Custody board, ") for t in heard), timeout=5000)
    summary = next(t for t in heard if t.startswith("Custody board, "))
    total = board.model.rowCount()
    assert summary == f"Custody board, {total} in custody, 1 check overdue", summary  # demo: C5 overdue


def test_the_summary_counts_overdue_checks_and_reviews(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    board = custody_board(window)
    now = datetime.now(timezone.utc)
    records = [dict(board.model.record(r)) for r in range(board.model.rowCount())]
    for record in records[:2]:
        record["next_check_due"] = (now - timedelta(minutes=5)).isoformat()
        record["observation_level"] = None
    board.model.set_records(records)
    board.model.tick()
    text = board.summary()
    assert text.startswith(f"Custody board, {len(records)} in custody, ") and "checks overdue" in text, text


def test_a_burst_of_messages_never_grows_the_banner_over_the_board(qtbot, window_with_banner):
    # Seen in the 200% screenshots: a dozen progress messages, each within the append window of the last, made a
    # banner of twelve lines above the board. The newest few are shown; every safety alert stays, first.
    _window, banner, _own = window_with_banner
    banner.alert("Cell check OVERDUE in cell C5.", True)
    for n in range(10):
        banner.alert(f"Progress {n}.", False)
    assert banner.text() == "Cell check OVERDUE in cell C5. Progress 8. Progress 9."
    assert banner.assertive and _name(banner) == banner.text()
