"""Field helpers every dialog that saves uses, so fields behave the same everywhere: date/time fields that Tab
leaves in one press (typing digits fills day, month, year, hours, minutes; Left/Right move between them), in UK
local time; multi-line text that Tab leaves; and reading a widget's value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTimer, QTimeZone
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QLineEdit, QPlainTextEdit, QTextEdit,
                               QWidget)

from desktop.timefmt import utc_now

LONDON = QTimeZone(b"Europe/London")
MINUTES = "dd/MM/yyyy HH:mm"
MINUTES_AND_ZONE = "dd/MM/yyyy HH:mm t"  # shows GMT/BST where a time may be far from today


def now_to_minute() -> datetime:
    """Now without seconds: what a minute-resolution field shows, and never in the future."""
    return utc_now().replace(second=0, microsecond=0)


class DateTimeEdit(QDateTimeEdit):
    """Tab leaves the field (Qt's own moves from section to section, five stops per time field); typing digits
    fills day, month, year, hours and minutes in turn, and Left/Right move between them.

    A field that defaults to now *follows* now until someone sets it: the form may sit open for minutes, and an
    untouched "observed at" must be the time of saving, not the time the form was first shown (issue 13). It
    shows the current minute while it follows, and `to_utc` reads the clock at that moment. Any value set
    (typed, chosen, or set by code with `set_utc`) is kept as it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.follows_now = False
        self.refreshing = False
        self.dateTimeChanged.connect(self._set_by_someone)
        # Keeps the shown minute current while it follows (a stale figure on screen is wrong even if unsaved).
        self._ticker = QTimer(self)
        self._ticker.setInterval(15_000)
        self._ticker.timeout.connect(lambda: self.refresh_now(ticking=True))

    def follow_now(self) -> None:
        """Show now, and keep following it until someone sets a value."""
        self.follows_now = True
        self.refresh_now()
        self._ticker.start()

    def refresh_now(self, *, ticking: bool = False) -> None:
        if not self.follows_now or (ticking and self.hasFocus()):
            return  # someone may be about to type into it: the figure does not move under their cursor
        self.refreshing = True
        try:
            set_utc(self, now_to_minute())
        finally:
            self.refreshing = False

    def _set_by_someone(self, *_args: object) -> None:
        if not self.refreshing:
            self.follows_now = False
            self._ticker.stop()

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


class DateEdit(QDateEdit):
    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


def datetime_edit(name: str, description: str | None, at: datetime | None = None, *,
                  display_format: str = MINUTES) -> DateTimeEdit:
    """A UK-time date/time field. `description=None` leaves the accessible description to the caller. Without
    `at` it follows now until someone sets it (`DateTimeEdit`)."""
    edit = DateTimeEdit()
    edit.setObjectName(name)
    edit.setTimeZone(LONDON)
    edit.setDisplayFormat(display_format)
    edit.setCalendarPopup(True)
    if description is not None:
        edit.setAccessibleDescription(f"{description} UK local time, day/month/year hours:minutes; type the digits.")
    if at is None:
        edit.follow_now()
    else:
        set_utc(edit, at)
    return edit


def to_utc(edit: QDateTimeEdit) -> datetime:
    """The field's time; for a field still following now, the current minute (read at the moment of saving)."""
    if isinstance(edit, DateTimeEdit) and edit.follows_now:
        edit.refresh_now()
        return now_to_minute()
    return datetime.fromtimestamp(edit.dateTime().toMSecsSinceEpoch() / 1000, tz=UTC)


def set_utc(edit: QDateTimeEdit, at: datetime) -> None:
    edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(at.timestamp() * 1000), LONDON))


def date_edit(name: str, description: str | None, day: date | None = None) -> DateEdit:
    edit = DateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    if description is not None:
        edit.setAccessibleDescription(description + " Day/month/year.")
    edit.setDate(QDate(day) if day is not None else QDate.currentDate())
    return edit


def parse_day(text: str) -> date | None:
    """A typed day ('11/04/1988', or 11041988, 1988-04-11, 11.04.1988, 11-04-1988); None if blank or not a
    date. Digits alone are read as DDMMYYYY, as a date field fills them."""
    for fmt in ("%d/%m/%Y", "%d%m%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def text_edit(name: str, description: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)  # Tab moves on; these fields never need a tab character
    edit.setAccessibleDescription(description)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines)
    return edit


def set_plain_text(edit: QPlainTextEdit | QTextEdit, text: str) -> None:
    """Show the text, unless the field already shows it: each set is a burst of text events a screen reader must
    work through, and Orca 43 drops announcements queued behind a burst (a list reloaded under the same
    selection set the same summary again)."""
    if edit.toPlainText() != text:
        edit.setPlainText(text)


def nothing_chosen(combo: QComboBox, prompt: str) -> QComboBox:
    """An outcome a person must choose (a check's result, a bail decision, a risk level): the combo starts with
    nothing selected and shows `prompt`, so saving without a choice is refused beside it, never defaulted."""
    combo.setPlaceholderText(prompt)
    combo.setCurrentIndex(-1)
    return combo


def value_of(widget: QWidget) -> Any:
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QDateTimeEdit) and not isinstance(widget, QDateEdit):
        return to_utc(widget)
    if isinstance(widget, QDateEdit):
        return widget.date().toPython()
    return None


def name_choice_lists(root: QWidget) -> None:
    """A combo box's drop-down list is focusable on its own: name it after the combo ("Status: choices")."""
    from PySide6.QtGui import QAccessible
    for combo in root.findChildren(QComboBox):
        if not combo.view().accessibleName():
            iface = QAccessible.queryAccessibleInterface(combo)
            name = (iface.text(QAccessible.Text.Name) if iface is not None else "") or combo.objectName()
            combo.view().setAccessibleName(f"{name.rstrip(':')} choices")
