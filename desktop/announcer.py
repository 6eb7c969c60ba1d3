"""The one way to tell the user something: status bar text plus a screen-reader announcement."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QStatusBar, QStyle, QStyleOption, QWidget
from shiboken6 import isValid

STATUS_TIMEOUT_MS = 10_000
# What needs attention now (an overdue check, a lost link, a refusal) stays on the status bar this long, and a
# routine message in the meantime is spoken but does not replace it there (issue 13: an overdue message was
# replaced two seconds later by a routine one).
ASSERTIVE_TIMEOUT_MS = 60_000


class Announcer(QObject):
    announced = Signal(str, bool)  # text, assertive

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._status_bar: QStatusBar | None = None
        self._source: QWidget | None = None
        self.last: tuple[str, bool] | None = None
        self._held: tuple[str, float] | None = None  # the assertive message on show, and until when (monotonic)

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
            now = time.monotonic()
            held = self._held
            holding = (held is not None and now < held[1] and self._status_bar.currentMessage() == held[0])
            if assertive:
                self._status_bar.showMessage(text, ASSERTIVE_TIMEOUT_MS)
                self._held = (text, now + ASSERTIVE_TIMEOUT_MS / 1000)
            elif not holding:
                self._status_bar.showMessage(text, STATUS_TIMEOUT_MS)
        source = self._source if self._source is not None and isValid(self._source) else self._status_bar
        if source is not None:
            event = QAccessibleAnnouncementEvent(source, text)
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                                else QAccessible.AnnouncementPoliteness.Polite)
            QAccessible.updateAccessibility(event)
        self.announced.emit(text, assertive)


class MessageBar(QStatusBar):
    """The status bar, whose messages wrap onto more lines instead of being cut: a message too long for one line
    (two overdue checks in one sentence, or any message at 200% text) grows the bar. `room_for_message` is the
    width left of the permanent labels (the window makes them step aside when a message needs their room)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.messageChanged.connect(lambda _message: self.fit_message())

    def message_rect(self) -> QRect:
        left = 4
        right = self.width() - 2
        for widget in self.findChildren(QWidget):
            if widget.parentWidget() is self and widget.isVisible() and widget.geometry().left() > left:
                right = min(right, widget.geometry().left() - 4)
        return QRect(left, 0, max(10, right - left), self.height())

    def fit_message(self) -> None:
        message = self.currentMessage()
        lines = self.fontMetrics().boundingRect(QRect(0, 0, self.message_rect().width(), 100_000),
                                                Qt.TextFlag.TextWordWrap, message).height() if message else 0
        self.setMinimumHeight(lines + 6 if message else 0)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width() and self.currentMessage():
            self.fit_message()

    def paintEvent(self, event: QPaintEvent) -> None:
        message = self.currentMessage()
        if not message:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
                         | int(Qt.TextFlag.TextWordWrap), message)


_default: Announcer | None = None


def announcer() -> Announcer:
    """The application's announcer (created on first use, on the GUI thread)."""
    global _default
    if _default is None:
        _default = Announcer()
    return _default


def announce(text: str, assertive: bool = False) -> None:
    announcer().announce(text, assertive)
