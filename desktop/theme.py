"""Colours and text size: follow the system, or the built-in high-contrast theme; text scaled up to 200%.

By default Bridewell sets no colours of its own, so the platform palette (light, dark, or the system's own
high-contrast scheme) is what the user sees. When the system asks for more contrast (Qt's contrastPreference)
the built-in high-contrast theme is applied unless the user has turned it off. View > High contrast overrides
the system either way, and the choice and the text size are remembered in `preferences.ini` in the data folder.
"""

from __future__ import annotations

import warnings
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget
from shiboken6 import isValid

from desktop.announcer import announce

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

PREFERENCES_FILE = "preferences.ini"
HIGH_CONTRAST_QSS = files("resources.themes") / "high_contrast.qss"
# Steps of View > Larger text / Smaller text. 200% is WCAG 1.4.4's "resize text" target.
TEXT_SCALES = (0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
FOLLOW, ON, OFF = "system", "on", "off"

# Built-in high contrast: white on black, yellow selection and focus, cyan links. Every text/background pair
# is at least 7:1 (WCAG AAA); tests/a11y/test_theme.py measures them.
HIGH_CONTRAST_COLOURS = {
    QPalette.ColorRole.Window: "#000000",
    QPalette.ColorRole.WindowText: "#FFFFFF",
    QPalette.ColorRole.Base: "#000000",
    QPalette.ColorRole.AlternateBase: "#1A1A1A",
    QPalette.ColorRole.Text: "#FFFFFF",
    QPalette.ColorRole.Button: "#000000",
    QPalette.ColorRole.ButtonText: "#FFFFFF",
    QPalette.ColorRole.BrightText: "#FFFF00",
    QPalette.ColorRole.Highlight: "#FFFF00",
    QPalette.ColorRole.HighlightedText: "#000000",
    QPalette.ColorRole.Link: "#00FFFF",
    QPalette.ColorRole.LinkVisited: "#FF99FF",
    QPalette.ColorRole.ToolTipBase: "#000000",
    QPalette.ColorRole.ToolTipText: "#FFFFFF",
    QPalette.ColorRole.PlaceholderText: "#C8C8C8",
    QPalette.ColorRole.Light: "#FFFFFF",
    QPalette.ColorRole.Midlight: "#C8C8C8",
    QPalette.ColorRole.Mid: "#808080",
    QPalette.ColorRole.Dark: "#FFFFFF",
    QPalette.ColorRole.Shadow: "#FFFFFF",
    QPalette.ColorRole.Accent: "#FFFF00",
}
# Disabled controls stay readable (about 7:1 on black), only dimmer than enabled ones.
HIGH_CONTRAST_DISABLED_TEXT = "#A6A6A6"


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    for role, colour in HIGH_CONTRAST_COLOURS.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(HIGH_CONTRAST_DISABLED_TEXT))
    return palette


def system_wants_high_contrast() -> bool:
    hints = QGuiApplication.styleHints()  # held: a temporary's accessibility() object dies with it
    return hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast


FOCUS_RING_WIDTH = 3  # px: WCAG 2.4.11/2.4.13 want a focus indicator at least 2 px thick with 3:1 contrast


def focus_ring_colour(palette: QPalette) -> QColor:
    """The ring: the selection colour (yellow in high contrast, the system's accent otherwise), unless it is too
    close to the window colour (under 3:1), then the text colour, which always stands out from it."""
    ring, window = palette.color(QPalette.ColorRole.Highlight), palette.color(QPalette.ColorRole.Window)
    return ring if contrast_ratio(ring, window) >= 3.0 else palette.color(QPalette.ColorRole.WindowText)


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(colour: QColor) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class _Ring(QWidget):
    """A frame drawn around the focused control, on top of it, in its parent; it takes no mouse, no focus and
    paints nothing but the frame."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        pen = QPen(focus_ring_colour(QApplication.palette()))
        pen.setWidth(FOCUS_RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = FOCUS_RING_WIDTH / 2
        painter.drawRect(self.rect().toRectF().adjusted(half, half, -half, -half))


class FocusRing(QObject):
    """An unmistakable focus indicator in every theme (issue 13: the default style's was a faint 1 px line):
    a 3 px frame just outside whichever control has the keyboard focus, following it as it moves."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.ring: _Ring | None = None
        self.target: QWidget | None = None
        app.focusChanged.connect(self.follow)
        # A scroll area scrolling, or a splitter or dock moving, moves the control without telling it: look again
        # a few times a second (nothing is redrawn unless the place changed).
        self._watch = QTimer(self)
        self._watch.setInterval(150)
        self._watch.timeout.connect(lambda: self.place() if self.target is not None else None)
        self._watch.start()

    def follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        # The old target is left alone (it may be half-destroyed: Qt moves the focus out of a widget as it goes);
        # its events are ignored from now on, as only the current target's count.
        previous = self.target
        self.target = new if new is not None and isValid(new) else None
        if self.target is not None:
            self.target.installEventFilter(self)
        if previous is not None and previous is not self.target:
            # Unhooked once this focus change is over: by then a widget that was going has gone (and is skipped).
            QTimer.singleShot(0, self, lambda: self._unhook(previous))
        self.place()

    def _unhook(self, widget: QWidget) -> None:
        if isValid(widget) and widget is not self.target:
            widget.removeEventFilter(self)

    def hide(self) -> None:
        if self.ring is not None and isValid(self.ring):
            self.ring.hide()

    def place(self) -> None:
        target = self.target if self.target is not None and isValid(self.target) else None
        if target is None or target.isWindow() or not target.isVisible():
            self.hide()
            return
        outer = target.parentWidget()
        if isinstance(outer, (QComboBox, QAbstractSpinBox)):
            target = outer  # the line edit inside: ring the whole control
        window = target.window()
        if window.windowFlags() & Qt.WindowType.Popup == Qt.WindowType.Popup:
            self.hide()  # a drop-down list or menu draws its own current item
            return
        if self.ring is None or not isValid(self.ring):  # its last window (a closed dialog) took it along
            self.ring = _Ring()
        if self.ring.parentWidget() is not window:
            self.ring.setParent(window)  # on top of everything in the window, outside any layout
        width = FOCUS_RING_WIDTH
        wanted = QRect(target.mapTo(window, QPoint(0, 0)), target.size()).adjusted(-width, -width, width, width)
        if wanted != self.ring.geometry() or not self.ring.isVisible():
            self.ring.setGeometry(wanted)
            self.ring.raise_()
            self.ring.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.target:
            if event.type() == QEvent.Type.Hide:
                self.hide()
            elif event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show):
                self.place()
        return False


_focus_ring: FocusRing | None = None


def focus_ring(app: QApplication) -> FocusRing:
    """The application's one focus ring (a theme is made again for each data folder; the ring is not)."""
    global _focus_ring
    if _focus_ring is None or not isValid(_focus_ring) or _focus_ring.parent() is not app:
        _focus_ring = FocusRing(app)
    return _focus_ring


class Theme(QObject):
    """The application's colours and text size. One per QApplication (see `theme()`)."""

    changed = Signal()

    def __init__(self, app: QApplication, data_dir: Path | None = None):
        super().__init__(app)
        self.app = app
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.base_point_size = app.font().pointSizeF()  # the system's text size: 100%
        self.high_contrast_choice = FOLLOW
        self.text_scale = 1.0
        self.high_contrast_applied = False
        self.applied_scale = 1.0  # the font is only touched once the user has chosen another size
        self.focus_ring = focus_ring(app)
        self._load()
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._system_changed)
        hints.accessibility().contrastPreferenceChanged.connect(self._system_changed)

    # Preferences -------------------------------------------------------------------------------------------
    def _settings(self) -> QSettings | None:
        if self.data_dir is None:
            return None
        return QSettings(str(self.data_dir / PREFERENCES_FILE), QSettings.Format.IniFormat)

    def _load(self) -> None:
        settings = self._settings()
        if settings is None:
            return
        choice = str(settings.value("theme/high_contrast", FOLLOW))
        self.high_contrast_choice = choice if choice in (FOLLOW, ON, OFF) else FOLLOW
        try:
            scale = float(str(settings.value("theme/text_scale", 1.0)))  # an ini file gives text
        except (TypeError, ValueError):
            scale = 1.0
        self.text_scale = min(TEXT_SCALES, key=lambda s: abs(s - scale))  # a hand-edited value snaps to a step

    def _save(self) -> None:
        settings = self._settings()
        if settings is None:
            return
        settings.setValue("theme/high_contrast", self.high_contrast_choice)
        settings.setValue("theme/text_scale", self.text_scale)
        settings.sync()

    # State -------------------------------------------------------------------------------------------------
    @property
    def high_contrast(self) -> bool:
        if self.high_contrast_choice == FOLLOW:
            return system_wants_high_contrast()
        return self.high_contrast_choice == ON

    def apply(self) -> None:
        """Put the current choices into effect: palette, style sheet, application font."""
        wanted = self.high_contrast
        if wanted != self.high_contrast_applied:
            if wanted:
                self.app.setPalette(high_contrast_palette())
                self.app.setStyleSheet(HIGH_CONTRAST_QSS.read_text(encoding="utf-8"))
            else:
                # A palette with nothing set resolves to the platform's: back to following the system.
                self.app.setPalette(QPalette())
                self.app.setStyleSheet("")
                _release_style_sheet_fonts(self.app)
            self.high_contrast_applied = wanted
        if abs(self.text_scale - self.applied_scale) > 1e-6:
            if not self.high_contrast_applied:
                _release_style_sheet_fonts(self.app)  # some are marked styled only after the sheet went
            font = self.app.font()
            font.setPointSizeF(round(self.base_point_size * self.text_scale, 1))
            self.app.setFont(font)
            self.applied_scale = self.text_scale
            if self.high_contrast_applied:
                # Widgets already styled by a style sheet keep their old font until the sheet is set again.
                sheet = self.app.styleSheet()
                self.app.setStyleSheet("")
                self.app.setStyleSheet(sheet)
        self.changed.emit()

    def _system_changed(self, *_args: object) -> None:
        if self.high_contrast_choice == FOLLOW:
            before = self.high_contrast_applied
            self.apply()
            if before != self.high_contrast_applied:
                announce("High contrast on, as the system asks" if self.high_contrast_applied
                         else "High contrast off, as the system asks")

    # User commands ------------------------------------------------------------------------------------------
    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast_choice = ON if on else OFF
        self._save()
        self.apply()
        announce("High contrast on" if on else "High contrast off")

    def set_text_scale(self, scale: float) -> None:
        scale = min(max(scale, TEXT_SCALES[0]), TEXT_SCALES[-1])
        self.text_scale = scale
        self._save()
        self.apply()
        announce(f"Text size {round(scale * 100)}%")

    def larger_text(self) -> None:
        bigger = [s for s in TEXT_SCALES if s > self.text_scale + 1e-6]
        if not bigger:
            announce(f"Text is already at the largest size, {round(self.text_scale * 100)}%")
            return
        self.set_text_scale(bigger[0])

    def smaller_text(self) -> None:
        smaller = [s for s in TEXT_SCALES if s < self.text_scale - 1e-6]
        if not smaller:
            announce(f"Text is already at the smallest size, {round(self.text_scale * 100)}%")
            return
        self.set_text_scale(smaller[-1])

    def reset_text(self) -> None:
        self.set_text_scale(1.0)

    def restore_defaults(self) -> None:
        """Back to the system's colours and text size without touching the saved preferences."""
        self.high_contrast_choice, self.text_scale = OFF, 1.0
        self.apply()
        hints = QGuiApplication.styleHints()
        _disconnect(hints.colorSchemeChanged, self._system_changed)
        _disconnect(hints.accessibility().contrastPreferenceChanged, self._system_changed)


_theme: Theme | None = None


def theme(data_dir: Path | None = None) -> Theme:
    """The application's theme; created (and its saved preferences read) on first use, on the GUI thread.
    A different data folder (another test's window) starts from that folder's preferences."""
    global _theme
    app = QApplication.instance()
    assert isinstance(app, QApplication), "the theme needs the widgets application"
    resolved = Path(data_dir).expanduser().resolve() if data_dir is not None else None
    if _theme is None or _theme.app is not app or (resolved is not None and _theme.data_dir != resolved):
        if _theme is not None and _theme.app is app:
            _theme.restore_defaults()
        _theme = Theme(app, resolved)
    return _theme


def start_theme(app: QApplication, data_dir: Path) -> Theme:
    """At start-up, before the first window: apply the remembered (or system) colours and text size."""
    current = theme(data_dir)
    current.apply()
    return current




def install(window: MainWindow) -> dict[str, QAction]:
    """View > High contrast, Larger text, Smaller text, Reset text size on the main window."""
    current = theme(getattr(window, "data_dir", None))
    current.apply()
    from desktop.areas import MenuId  # here: the sign-in dialog, shown before any menu, need not import the areas

    view = window.menu(MenuId.VIEW)
    view.addSeparator()
    contrast = QAction("&High contrast", window)
    contrast.setObjectName("highContrastAction")
    contrast.setCheckable(True)
    contrast.setShortcut(QKeySequence("Ctrl+Shift+H"))
    contrast.setChecked(current.high_contrast)
    contrast.setStatusTip("White on black with yellow focus and selection; overrides the system colours")
    contrast.toggled.connect(lambda on: current.set_high_contrast(on) if on != current.high_contrast else None)
    larger = QAction("&Larger text", window)
    larger.setObjectName("largerTextAction")
    # Ctrl++ needs Shift on most layouts, so Ctrl+= does the same.
    larger.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
    larger.triggered.connect(current.larger_text)
    smaller = QAction("&Smaller text", window)
    smaller.setObjectName("smallerTextAction")
    smaller.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
    smaller.triggered.connect(current.smaller_text)
    reset = QAction("Reset &text size", window)
    reset.setObjectName("resetTextAction")
    reset.setShortcut(QKeySequence("Ctrl+0"))
    reset.triggered.connect(current.reset_text)
    actions = {"high_contrast": contrast, "larger": larger, "smaller": smaller, "reset": reset}
    for action in actions.values():
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        view.addAction(action)

    # A receiver owned by the action: Qt drops the connection when the window (and its actions) go.
    follower = _CheckFollowsTheme(contrast, current)
    current.changed.connect(follower.sync)
    follower.sync()
    return actions


class _CheckFollowsTheme(QObject):
    """Keeps View > High contrast ticked as the theme is (the system may change it too)."""

    def __init__(self, action: QAction, current: Theme):
        super().__init__(action)
        self.action, self.current = action, current

    @Slot()
    def sync(self) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(self.current.high_contrast)
        self.action.blockSignals(False)


def _release_style_sheet_fonts(app: QApplication) -> None:
    """Some widgets (the docks) stay marked as styled after the application's sheet is removed, and a styled
    widget takes no new application font: text size stopped reaching the docks after high contrast was turned
    off (issue 13). Once no sheet applies to them, they are marked plain again and follow the application font."""
    if app.styleSheet():
        return
    for widget in app.allWidgets():
        if widget.testAttribute(Qt.WidgetAttribute.WA_StyleSheet) and not _has_own_sheet(widget):
            widget.setAttribute(Qt.WidgetAttribute.WA_StyleSheet, False)


def _has_own_sheet(widget: QWidget) -> bool:
    """A sheet of its own or an ancestor's (a field's error line has one) still styles it."""
    current: QWidget | None = widget
    while current is not None:
        if current.styleSheet():
            return True
        current = current.parentWidget()
    return False


def _disconnect(signal: SignalInstance, slot: Callable[..., object]) -> None:
    """Disconnect if connected; PySide warns (an error under pytest) when it was not."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            signal.disconnect(slot)
        except (RuntimeError, TypeError, SystemError):
            pass
