"""What every custody dialog shares: UK-time date/time fields, problems beside their fields, Escape asking before
typed work is thrown away, and saving through the outbox (`writes`, a constructor argument) with the server's
refusal coming back beside the fields of a dialog that kept everything typed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Callable

from PySide6.QtCore import QDate, QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.timefmt import format_local, utc_now
from desktop.views.forms.field_error import FieldError

LONDON = QTimeZone(b"Europe/London")
UNSET = object()


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


def datetime_edit(name: str, description: str, at: datetime | None = None) -> QDateTimeEdit:
    edit = DateTimeEdit(objectName=name)
    edit.setTimeZone(LONDON)
    edit.setDisplayFormat("dd/MM/yyyy HH:mm")
    edit.setCalendarPopup(True)
    edit.setAccessibleDescription(f"{description} UK local time, day/month/year hours:minutes; type the digits.")
    set_utc(edit, at or now_to_minute())
    return edit


def to_utc(edit: QDateTimeEdit) -> datetime:
    return datetime.fromtimestamp(edit.dateTime().toMSecsSinceEpoch() / 1000, tz=UTC)


def set_utc(edit: QDateTimeEdit, at: datetime) -> None:
    edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(at.timestamp() * 1000), LONDON))


def date_edit(name: str, description: str, day=None) -> QDateEdit:
    edit = DateEdit(objectName=name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setAccessibleDescription(description + " Day/month/year.")
    edit.setDate(QDate(day) if day is not None else QDate.currentDate())
    return edit


def text_edit(name: str, description: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(objectName=name)
    edit.setTabChangesFocus(True)  # Tab moves on; these fields never need a tab character
    edit.setAccessibleDescription(description)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines)
    return edit


def value_of(widget: QWidget):
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


def person_label(record: dict) -> str:
    person = record.get("person") or {}
    name = record.get("name") or f"{(person.get('surname') or '').upper()}, {person.get('forenames') or ''}"
    return f"{name} ({record.get('custody_number') or 'no custody number'})"


class CustodyDialog(QDialog):
    """A form whose Save writes through the outbox. Subclasses add rows, then implement `problems` and
    `request` (method, path, body); `saved` runs with the server's answer."""

    saved_signal = Signal(object)  # the server's answer
    refused_signal = Signal(object)  # the ApiError

    save_text = "&Save"
    close_when_saved = True

    def __init__(self, window, record: dict | None, title: str, object_name: str, *, writes,
                 scroll: bool = False):
        super().__init__(window)
        self.window_ = window
        self.writes = writes  # the outbox (desktop/writes.py), given to every view that saves
        self.record = record
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.errors: dict[str, FieldError] = {}
        self.sending = False
        self.dirty = False
        self.row_id: str | None = None
        self.response = None

        self.general_error = QLabel(objectName=f"{object_name}GeneralError", wordWrap=True, visible=False)
        self.general_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.general_error.setAccessibleName("Problem")
        self.status_label = QLabel(objectName=f"{object_name}Status", wordWrap=True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setVisible(False)
        self.status_label.setAccessibleName("Saving")
        self.body_widget = QWidget(objectName=f"{object_name}Fields")
        self.form = QFormLayout(self.body_widget)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.save_text, objectName=f"{object_name}Save")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName(f"{object_name}Cancel")
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        if record is not None:
            heading = QLabel(person_label(record), objectName=f"{object_name}Heading", wordWrap=True)
            layout.addWidget(heading)
        layout.addWidget(self.general_error)
        if scroll:
            area = QScrollArea(objectName=f"{object_name}Scroll")
            area.setWidgetResizable(True)
            area.setWidget(self.body_widget)
            area.setAccessibleName(title)
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(area, 1)
        else:
            layout.addWidget(self.body_widget, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """As big as the form wants (it grows with the text size), never bigger than the screen."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        hint = self.body_widget.sizeHint()
        width = max(self.width(), hint.width() + 60)
        height = max(self.height(), hint.height() + 160)
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # Building -------------------------------------------------------------------------------------------------
    def add_row(self, label: str, widget: QWidget, field: str | None = None, *, name: str | None = None) -> QWidget:
        """A labelled row ('&Label:' gives the mnemonic and the accessible name) and its error line."""
        if name:
            widget.setObjectName(name)
        if isinstance(widget, QCheckBox):
            self.form.addRow("", widget)
        else:
            caption = QLabel(label)
            caption.setBuddy(widget)
            self.form.addRow(caption, widget)
            if not widget.accessibleName():
                widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        if isinstance(widget, QComboBox):  # the drop-down list is a focusable widget of its own
            widget.view().setAccessibleName(f"{widget.accessibleName() or label.replace('&', '').rstrip(':')}: choices")
        if field:
            error = FieldError(widget, f"{widget.objectName()}Error")
            self.form.addRow("", error)
            self.errors[field] = error
        self.watch(widget)
        return widget

    def watch(self, widget: QWidget) -> None:
        """Anything typed or chosen makes the form 'dirty' (Escape then asks before throwing it away)."""
        for signal in ("textChanged", "currentIndexChanged", "toggled", "dateTimeChanged", "dateChanged"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(self._changed)
                break

    def _changed(self, *_args) -> None:
        self.dirty = True

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)
        for error in self.errors.values():
            if error.field is widget and not visible:
                error.clear_problem()

    # Escape / Cancel ------------------------------------------------------------------------------------------
    def reject(self) -> None:
        if self.dirty and not self.sending and self.response is None and not self.confirm_discard():
            return
        super().reject()

    def confirm_discard(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Discard?",
                          "Close and throw away what you have typed here?",
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("discardQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard

    # Problems -------------------------------------------------------------------------------------------------
    def clear_problems(self) -> None:
        self.general_error.setVisible(False)
        self.general_error.clear()
        for error in self.errors.values():
            error.clear_problem()

    def error_for(self, field: str) -> FieldError | None:
        """Server field names are dotted ('person.surname', 'offences.1', 'delay.until')."""
        parts = field.split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in self.errors:
                return self.errors[key]
        return None

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each message beside its field (or at the top), read out; focus to the first wrong field."""
        self.clear_problems()
        placed: list[tuple[FieldError, str]] = []
        general = []
        for field, message in problems:
            error = self.error_for(field)
            (placed.append((error, message)) if error is not None else general.append(message))
        if general:
            self.general_error.setText("Problem: " + " ".join(general))
            self.general_error.setAccessibleName(self.general_error.text())  # the words, not just "Problem"
            self.general_error.setVisible(True)
        # Later ones first, quietly placed; the first field's message is announced last and takes focus.
        for error, message in placed[1:]:
            error.setText(f"Problem: {message}")
            error.setVisible(True)
            error.field.setAccessibleDescription(message)
        if placed:
            placed[0][0].show_problem(message=" ".join([placed[0][1], *general]))
            self._reveal(placed[0][0].field)
        elif general:
            announce(" ".join(general), assertive=True)
            self.general_error.setFocus()

    def _reveal(self, widget: QWidget) -> None:
        area = self.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(widget)

    # Saving ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[tuple[str, str]]:
        return []

    def request(self) -> tuple[str, str, dict]:
        raise NotImplementedError

    def submit(self) -> None:
        if self.sending:
            return
        if self.response is not None:  # saved: the button now closes
            self.accept()
            return
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        self.clear_problems()
        method, path, body = self.request()
        self.before_send(body)
        self.sending = True
        self._set_editable(False)
        self.status_label.setText("Saving… (kept on this computer until the server has it)")
        self.status_label.setVisible(True)
        self.status_label.setFocus()  # not left on a field just disabled: the reader hears "Saving…" (issue 6)
        self.row_id = self.writes.queue(method, path, body, on_sent=self._sent, on_rejected=self._refused)

    def before_send(self, body: dict) -> None:
        """Hook run once the form is valid, before the write is queued (e.g. the medical-emergency prompt)."""

    def _set_editable(self, editable: bool) -> None:
        self.body_widget.setEnabled(editable)
        self.save_button.setEnabled(editable)
        if editable:
            self.save_button.setText(self.save_text)

    def _sent(self, response) -> None:
        self.sending = False
        self.response = response
        if not isValid(self):
            return
        self.saved(response)
        self.saved_signal.emit(response)
        if self.close_when_saved or not self.isVisible():
            self.accept()
        else:
            self.save_button.setText("&Close")
            self.save_button.setEnabled(True)
            self.cancel_button.setVisible(False)
            self.save_button.setFocus()

    def saved(self, response) -> None:
        announce(f"{self.windowTitle()}: saved.")

    def _refused(self, error: BaseException) -> None:
        self.sending = False
        if not isValid(self):
            announce(f"{self.windowTitle()} was refused: {error}", assertive=True)
            return
        self._set_editable(True)
        self.status_label.setVisible(False)
        self.status_label.setAccessibleName("Saving")
        problems = self.refusal_problems(error)
        if not self.isVisible():
            self.show()  # closed while it was sending: back with everything typed
            self.raise_()
        self.show_problems(problems)
        self.refused_signal.emit(error)

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        if isinstance(error, ApiError):
            if error.field_errors:
                return list(error.field_errors.items())
            prefix = {403: "Not allowed: ", 409: "Not saved: "}.get(error.status, "The server refused this: ")
            return [("", prefix + str(error))]
        return [("", f"Not saved: {error}")]

    def done(self, result: int) -> None:
        # A write still on its way keeps this dialog alive (hidden) so a refusal can bring it back.
        super().done(result)
        if not self.sending and isValid(self):
            self.deleteLater()


def recorded_text(response: dict, observed_key: str = "observed_at") -> str:
    return (f"Saved. Observed {format_local(response.get(observed_key), seconds=False)}; "
            f"recorded {format_local(response.get('recorded_at'), seconds=True)}.")


def button_labelled(dialog: QWidget, text: str) -> QAbstractButton | None:
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            return button
    return None


def when_record(record: dict | None, test: Callable[[dict], bool]) -> bool:
    return record is not None and test(record)
