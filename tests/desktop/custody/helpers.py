"""Shared steps for the custody client tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.announcer import announcer
from tests.desktop.harness import custody_board


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def open_by_shortcut(qtbot, window, key, modifiers=Qt.KeyboardModifier.ControlModifier):
    """Press the shortcut on the main window and return the dialog it opened."""
    activate(qtbot, window)
    with qtbot.waitSignal(window.areas["custody"].dialog_opened, timeout=10_000) as blocker:
        qtbot.keyClick(window, key, modifiers)
    dialog = blocker.args[0]
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=3000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    return dialog


def select(qtbot, window, record_id: str) -> None:
    assert custody_board(window).select_record_id(record_id)
    qtbot.waitUntil(lambda: (window.session.selected_record or {}).get("id") == record_id, timeout=3000)


def record_named(window, surname: str) -> dict:
    for row in range(custody_board(window).model.rowCount()):
        record = custody_board(window).model.record(row)
        if (record.get("person") or {}).get("surname", "").lower() == surname.lower():
            return record
    raise AssertionError(f"{surname} is not on the board")


class Announcements:
    """Every announcement made while the test runs."""

    def __init__(self):
        self.items: list[tuple[str, bool]] = []
        announcer().announced.connect(self._add)

    def _add(self, text: str, assertive: bool) -> None:
        self.items.append((text, assertive))

    def close(self) -> None:
        announcer().announced.disconnect(self._add)

    def assertive(self, fragment: str) -> list[str]:
        return [t for t, a in self.items if a and fragment in t]
