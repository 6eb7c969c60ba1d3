"""Field helpers every dialog that saves uses, so fields behave the same everywhere: date/time fields that Tab
leaves in one press (typing digits fills day, month, year, hours, minutes; Left/Right move between them), in UK
local time; multi-line text that Tab leaves; and reading a widget's value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTimeZone
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QLineEdit, QPlainTextEdit, QWidget)

from desktop.timefmt import utc_now

LONDON = QTimeZone(b"Europe/London")
MINUTES = "dd/MM/yyyy HH:mm"
MINUTES_AND_ZONE = "dd/MM/yyyy HH:mm t"  # shows GMT/BST where a time may be far from today


def now_to_minute() -> datetime:
    """Now without seconds: what a minute-resolution field shows, and never in the future."""
    return utc_now().replace(second=0, microsecond=0)


class DateTimeEdit(QDateTimeEdit):
    """Tab leaves the field (Qt's own moves from section to section, five stops per time field); typing digits
    fills day, month, year, hours and minutes in turn, and Left/Right move between them."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


class DateEdit(QDateEdit):
    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


def datetime_edit(name: str, description: str | None, at: datetime | None = None, *,
                  display_format: str = MINUTES) -> DateTimeEdit:
    """A UK-time date/time field. `description=None` leaves the accessible description to the caller."""
    edit = DateTimeEdit()
    edit.setObjectName(name)
    edit.setTimeZone(LONDON)
    edit.setDisplayFormat(display_format)
    edit.setCalendarPopup(True)
    if description is not None:
        edit.setAccessibleDescription(f"{description} UK local time, day/month/year hours:minutes; type the digits.")
    set_utc(edit, at or now_to_minute())
    return edit


def to_utc(edit: QDateTimeEdit) -> datetime:
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


def text_edit(name: str, description: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)  # Tab moves on; these fields never need a tab character
    edit.setAccessibleDescription(description)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines)
    return edit


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
