"""The one way to tell the user something: status bar text plus a screen-reader announcement."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QStatusBar, QWidget
from shiboken6 import isValid

STATUS_TIMEOUT_MS = 10_000


class Announcer(QObject):
    announced = Signal(str, bool)  # text, assertive

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._status_bar: QStatusBar | None = None
        self._source: QWidget | None = None
        self.last: tuple[str, bool] | None = None

    def attach(self, status_bar: QStatusBar, source: QWidget) -> None:
        """Where messages are shown, and which widget the screen-reader event comes from."""
        self._status_bar = status_bar
        self._source = source

    def _detach(self, *_args: object) -> None:
        self._status_bar = None
        self._source = None

    def announce(self, text: str, assertive: bool = False) -> None:
        """Polite for progress ("Entry saved"); assertive for what needs attention now (errors, lost link)."""
        self.last = (text, assertive)
        # A closed window must not leave the announcer pointing at deleted widgets.
        if self._status_bar is not None and not isValid(self._status_bar):
            self._detach()
        if self._status_bar is not None:
            self._status_bar.showMessage(text, STATUS_TIMEOUT_MS)
        source = self._source if self._source is not None and isValid(self._source) else self._status_bar
        if source is not None:
            event = QAccessibleAnnouncementEvent(source, text)
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                                else QAccessible.AnnouncementPoliteness.Polite)
            QAccessible.updateAccessibility(event)
        self.announced.emit(text, assertive)


_default: Announcer | None = None


def announcer() -> Announcer:
    """The application's announcer (created on first use, on the GUI thread)."""
    global _default
    if _default is None:
        _default = Announcer()
    return _default


def announce(text: str, assertive: bool = False) -> None:
    announcer().announce(text, assertive)
