"""The one way to tell the user something: status bar text plus what screen readers speak.

Two paths reach screen readers, because no single one reaches all of those in use:
- a `QAccessibleAnnouncementEvent` (polite or assertive): newer Orca, and NVDA / JAWS through UI Automation
  notifications;
- an alert banner in the window (`AlertBanner`), which appears with the same text and is exposed with the
  Notification role: Orca 43 (Debian 12) ignores announcement events and the AlertMessage role inside a window,
  but speaks a notification that becomes showing (checked with Orca 43.1, tests/a11y/orca/).
Messages said within `COALESCE_MS` of each other reach the banner as one, assertive first, so a summary and
an overdue alert said together are heard together rather than one cutting the other off.
"""

from __future__ import annotations

import atexit
import itertools
import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent, QAccessibleInterface, QPainter,
                           QPaintEvent, QResizeEvent)
from PySide6.QtWidgets import (QAccessibleWidget, QApplication, QLabel, QStatusBar, QStyle, QStyleOption,
                               QWidget)
from shiboken6 import invalidate, isValid

STATUS_TIMEOUT_MS = 10_000
# What needs attention now (an overdue check, a lost link, a refusal) stays on the status bar this long, and a
# routine message in the meantime is spoken but does not replace it there (issue 13: an overdue message was
# replaced two seconds later by a routine one).
ASSERTIVE_TIMEOUT_MS = 60_000
COALESCE_MS = 150
# How long the banner stays on screen: a safety alert until it has surely been seen, progress briefly.
BANNER_POLITE_MS = 10_000
BANNER_ASSERTIVE_MS = 60_000
# A window shown a moment ago (the main window after sign-in) is not yet on screen, and a banner appearing in it
# then is never reported: wait for it this many times COALESCE_MS at most. A banner also waits while its window
# says it is settling (AlertBanner.settling), for as long as the window says so (it bounds that itself).
EXPOSE_RETRIES = 20
# Orca reads a notification's text when it gets round to the event, and drops a second "showing" from the same
# object queued behind the first: a message that follows another this soon is added to it, not put in its place.
APPEND_WITHIN_S = 2.0
# At most this many messages on show at once (every safety alert is kept): the newest routine ones after them.
BANNER_MAX_MESSAGES = 3


class AlertBanner(QLabel):
    """A line of text in a window that appears when something is announced, with the announced text. Its
    accessible role is Notification (see the module's note), named by its text."""

    shown = Signal(str, bool)  # text, assertive: each time it appears

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setVisible(False)
        self.assertive = False
        self._shown_at = -APPEND_WITHIN_S
        self._parts: list[tuple[str, bool]] = []  # the messages on show, safety first
        self._hide_timer = QTimer(self, singleShot=True)
        self._hide_timer.timeout.connect(self.hide)
        # True while the window is still filling in its first data: a banner shown then is queued by Orca 43 amid
        # dozens of other events, and with more than 50 waiting Orca drops "showing" events (build_unheard says
        # more). Shown after them, it is the last in the queue and is spoken. Set by the window.
        self.settling: Callable[[], bool] = lambda: False
        _install_factory()

    def alert(self, text: str, assertive: bool) -> None:
        """Show the text; a screen reader hears it because the banner (re)appears."""
        now = time.monotonic()
        if self.isVisible() and now - self._shown_at < APPEND_WITHIN_S and self.text():
            # Safety first; and a burst (many messages, each within the window of the last) keeps only the newest
            # few, so the banner never grows over the board (seen at 200% text: twelve lines of progress).
            parts = [*self._parts, (text, assertive)]
            safety = [p for p in parts if p[1]]
            routine = [p for p in parts if not p[1]]
            self._parts = safety + routine[-max(1, BANNER_MAX_MESSAGES - len(safety)):]
            text = " ".join(t for t, _a in self._parts)
            assertive = assertive or self.assertive
        else:
            self._parts = [(text, assertive)]
        self._shown_at = now
        self.assertive = assertive
        # Text, not colour alone, says which kind it is; the colours follow the palette (and high contrast).
        self.setText(text)
        self.setAccessibleName(text)
        self.setStyleSheet("QLabel { padding: 4px; font-weight: bold; color: palette(highlighted-text);"
                           " background: palette(highlight); }" if assertive else "QLabel { padding: 4px; }")
        self.hide()  # hidden first, so the showing state changes even when a banner is already up
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
        self._hide_timer.start(BANNER_ASSERTIVE_MS if assertive else BANNER_POLITE_MS)
        self.shown.emit(text, assertive)


    def clear(self) -> None:
        """The message no longer holds (the sign-in it reported is over): the next one starts afresh."""
        self._hide_timer.stop()
        self.hide()
        self.setText("")
        self._shown_at = -APPEND_WITHIN_S


# Qt creates the accessible interface of an AlertBanner through this factory, and Qt's cache deletes it when the
# banner goes. Python must then never delete it too: the wrapper is kept while the banner lives and invalidated
# (so it lets go of the C++ object without deleting it) when the banner is destroyed or the interpreter exits.
_interfaces: dict[int, QAccessibleInterface] = {}
_factory_installed = False


def _let_go(key: int) -> None:
    iface = _interfaces.pop(key, None)
    if iface is not None:
        invalidate(iface)


def _let_go_of_all() -> None:
    for key in list(_interfaces):
        _let_go(key)


def _banner_interface(key: str, obj: QObject) -> QAccessibleInterface | None:
    if key != "AlertBanner" or not isinstance(obj, AlertBanner):
        return None
    iface = QAccessibleWidget(obj, QAccessible.Role.Notification)
    _interfaces[id(obj)] = iface
    obj.destroyed.connect(partial(_let_go, id(obj)))
    return iface


def _install_factory() -> None:
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_banner_interface)
        atexit.register(_let_go_of_all)  # before PySide's own exit handler destroys the application
        _factory_installed = True


# The window an announcer is attached to carries that announcer's serial in this property: another announcer's
# messages never go to that window's banner, nor to a dialog of it (see Announcer.banner).
OWNER_PROPERTY = "bridewellAnnouncer"
_serials = itertools.count(1)


def _owner_of(widget: QWidget | None) -> int | None:
    """The serial of the announcer whose window this is (or which this dialog belongs to), if any."""
    while widget is not None:
        owner = widget.property(OWNER_PROPERTY)
        if owner is not None:
            return int(owner)
        widget = widget.parentWidget()
    return None


class Announcer(QObject):
    announced = Signal(str, bool)  # text, assertive

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.serial = next(_serials)
        self._status_bar: QStatusBar | None = None
        self._source: QWidget | None = None
        self._banner: AlertBanner | None = None
        self.last: tuple[str, bool] | None = None
        self._held: tuple[str, float] | None = None  # the assertive message on show, and until when (monotonic)
        self._pending: list[tuple[str, bool]] = []
        self._retries = 0
        self._flush_timer = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._flush_timer.timeout.connect(self._flush)

    def attach(self, status_bar: QStatusBar, source: QWidget, banner: AlertBanner | None = None) -> None:
        """Where messages are shown, which widget the screen-reader event comes from, and the window's banner
        (used unless the active window has a banner of its own, as the sign-in dialog does)."""
        self._status_bar = status_bar
        self._source = source
        self._banner = banner
        source.window().setProperty(OWNER_PROPERTY, self.serial)

    def _detach(self, *_args: object) -> None:
        self._status_bar = None
        self._source = None
        self._banner = None

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
        self._pending.append((text, assertive))
        if not self._flush_timer.isActive():
            self._flush_timer.start()
        self.announced.emit(text, assertive)

    def banner(self) -> AlertBanner | None:
        """The banner messages go to now: the active window's own, else the attached (main) window's. The active
        window counts only if it is this announcer's window, a dialog of it, or nobody's (the sign-in dialog,
        before any main window): a message from one window never appears in another's banner, such as one a
        closed window still had waiting."""
        active = QApplication.activeWindow()
        if active is not None and active.isVisible() and _owner_of(active) in (None, self.serial):
            own = active.findChild(AlertBanner)
            if own is not None:
                return own
        if self._banner is not None and isValid(self._banner) and self._banner.window().isVisible():
            return self._banner
        return None

    def drop_pending_progress(self) -> None:
        """Forget polite messages not yet shown (a "Signing in…" overtaken by its answer within COALESCE_MS would
        otherwise be shown with the answer); what needs attention is kept."""
        self._pending = [(text, assertive) for text, assertive in self._pending if assertive]

    def _flush(self) -> None:
        if not self._pending:
            return
        banner = self.banner()
        handle = banner.window().windowHandle() if banner is not None else None
        unseen = banner is None or handle is None or not handle.isExposed()
        if (unseen and self._retries < EXPOSE_RETRIES) or (banner is not None and banner.settling()):
            self._retries += 1
            self._flush_timer.start()
            return
        self._retries = 0
        pending, self._pending = self._pending, []
        if banner is None:
            return
        ordered = [t for t, a in pending if a] + [t for t, a in pending if not a]
        texts = list(dict.fromkeys(ordered))  # the same words twice in one breath are said once
        banner.alert(" ".join(t if t.rstrip().endswith((".", "!", "?", ":")) else t.rstrip() + "." for t in texts),
                     any(a for _t, a in pending))


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



def build_unheard(build: Callable[[], QWidget]) -> QWidget:
    """Build and show a new window (`build` returns it) without telling screen readers about each step, then say
    once that it is shown.

    Building the main window changes hundreds of things no one can see yet: every label's text and name, every
    combo box's items, every dock tab added to the dock tab bar (each selected in turn), every child shown. Qt
    reports each one, and Orca 43 queues them all: with more than 50 waiting it takes them for a flood, throws
    away the "showing" and name events the alert banner is heard through ("Signed in as…", the board's summary,
    an overdue check), and moves its focus to each page tab selected meanwhile (the "… page tab" storm heard
    after sign-in). No assistive technology has seen any of these objects yet, so holding their events back
    loses nothing; what follows (the window's data arriving, the banner) is reported as usual.
    """
    active = QAccessible.isActive()
    if active:
        QAccessible.setActive(False)
    try:
        window = build()
    finally:
        if active:
            QAccessible.setActive(True)
    if active and window.isVisible():
        QAccessible.updateAccessibility(QAccessibleEvent(window, QAccessible.Event.ObjectShow))
    return window
