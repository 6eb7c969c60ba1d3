"""The one base for every dialog that saves.

`WriteDialog` is the behaviour, whatever the layout: problems beside their fields (as text, read out, focus to
the first wrong field), the one wording of a refusal (`refusal.py`), a 412 conflict that reloads what the
dialog shows and keeps what was typed, the idempotency key (a retry of the same press is the same request; a
corrected one is a new request), a write that waits offline, and focus after saving. Every write goes through
`writes.queue(...)` (desktop/writes.py), here in `send`.

`FormDialog` adds the standard layout (a form, a problem line at the top, a status line, Save and Cancel) and
Escape asking before typed work is thrown away. A subclass implements `problems()` and `request()`:

    class NoteDialog(FormDialog):
        def __init__(self, parent, writes):
            super().__init__(parent, writes, "Add note", "noteDialog")
            self.text = self.add_row("&Note:", text_edit("noteText", "What happened."), "text")
        def problems(self):
            return [] if value_of(self.text) else [("text", "Write the note.")]
        def request(self):
            return "POST", "/notes", {"text": value_of(self.text)}
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QMessageBox, QPushButton, QScrollArea, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.timefmt import format_local
from desktop.views.forms.conflict_dialog import KEEP_CURRENT, SEND, ConflictDialog, flatten_body, if_match_of
from desktop.views.forms.field_error import FieldError
# The field helpers are re-exported: a dialog imports its base and its fields from one place.
from desktop.views.forms.fields import (LONDON, DateEdit, DateTimeEdit, date_edit, datetime_edit,  # noqa: F401
                                        now_to_minute, set_utc, text_edit, to_utc, value_of)
from desktop.views.forms.refusal import NO_STORE, OFFLINE, is_conflict, refusal_problems

if TYPE_CHECKING:
    from desktop.writes import Writes

UNSET = object()
RESEND = "resend"  # conflict_versions: what changed meanwhile is not what the form writes
ConflictVersions = tuple[dict[str, Any], dict[str, Any]] | str | None

SAVING = "Saving… (kept on this computer until the server has it)"


class WriteDialog(QDialog):
    """A dialog whose OK saves through the outbox. Register each field's error line with `field_error`; set
    `main_field` to put a message that names no field beside that field (otherwise it goes to
    `general_error`, which the subclass lays out); `noun` names the thing in the conflict wording."""

    saved_signal = Signal(object)  # the server's answer
    refused_signal = Signal(object)  # the error (ApiError, ServerUnreachable, RuntimeError)

    noun = "record"
    close_when_saved = True

    def __init__(self, parent: QWidget | None = None, writes: Writes | None = None) -> None:
        super().__init__(parent)
        self.writes = writes
        self.errors: dict[str, FieldError] = {}
        self.main_field: str | None = None
        self.key = str(uuid.uuid4())  # Idempotency-Key when the body carries no client-made id of its own
        self.sending = False
        self.response: Any = None  # the server's answer, once saved
        self.row_id: str | None = None
        self.ok_button: QPushButton | None = None  # the button that saves: off while a write is on its way
        # Laid out by FormDialog; a dialog with its own layout sets `main_field` instead.
        self.general_error = QLabel(self, wordWrap=True)
        self.general_error.setObjectName("generalError")
        self.general_error.setVisible(False)
        self.general_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.general_error.setAccessibleName("Problem")

    # Fields and their problems ------------------------------------------------------------------------------
    def field_error(self, field: str, widget: QWidget, name: str | None = None) -> FieldError:
        """The error line for a server field name ('surname', 'offences', 'delay.until'); lay it out below
        the widget."""
        error = FieldError(widget, name if name is not None else f"{widget.objectName()}Error", self)
        self.errors[field] = error
        return error

    def error_for(self, field: str) -> FieldError | None:
        """Server field names are dotted ('person.surname', 'offences.1', 'delay.until'): the longest match."""
        parts = field.split(".") if field else []
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in self.errors:
                return self.errors[key]
        return None

    def clear_problems(self) -> None:
        self.general_error.setVisible(False)
        self.general_error.clear()
        for error in self.errors.values():
            error.clear_problem()

    def show_problems(self, problems: Sequence[tuple[str | FieldError, str]]) -> None:
        """Each message beside its field (named by server field name, or the FieldError itself; else the main
        field, else at the top), as text and in the field's description; focus to the first wrong field, which
        is read out (with how many there are to put right when more than one field is wrong)."""
        self.clear_problems()
        placed: dict[FieldError, list[str]] = {}
        general: list[str] = []
        main = self.errors.get(self.main_field) if self.main_field else None
        for field, message in problems:
            error = field if isinstance(field, FieldError) else (self.error_for(field) or main)
            (placed.setdefault(error, []).append(message) if error is not None else general.append(message))
        if general:
            self.general_error.setText("Problem: " + " ".join(general))
            self.general_error.setAccessibleName(self.general_error.text())  # the words, not just "Problem"
            self.general_error.setVisible(True)
        for n, (error, messages) in enumerate(placed.items()):
            words = " ".join([*messages, *general] if n == 0 else messages)  # the first also says the rest
            error.setText(f"Problem: {words}")
            error.setVisible(True)
            error.field.setAccessibleDescription(words)
        if placed:
            error = next(iter(placed))
            first = error.field.accessibleDescription()
            error.field.setFocus()
            self.reveal(error.field)
            count = len(placed)
            announce(first if count == 1 else
                     f"{count} problems to put right{self.problems_context}. First: {first}", assertive=True)
        elif general:
            announce(" ".join(general), assertive=True)
            self.general_error.setFocus()
        self.make_room_for_problems()

    problems_context = ""  # e.g. " before charging"

    def make_room_for_problems(self) -> None:
        """The problem lines just shown take room: grow (within the screen) so nothing is squashed or clipped
        by them (issue 13: the clipping checks now look after an error too)."""
        layout = self.layout()
        if not self.isVisible() or layout is None:
            return
        layout.activate()
        hint = self.sizeHint()
        if hint.width() > self.width() or hint.height() > self.height():
            fit_on_screen(self, max(self.width(), hint.width()), max(self.height(), hint.height()))

    def reveal(self, widget: QWidget) -> None:
        area = self.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(widget)

    # Saving -------------------------------------------------------------------------------------------------
    def send(self, method: str, path: str, body: dict[str, Any], *,
             headers: dict[str, str] | None = None) -> str | None:
        """Queue the write (the one path: `writes.queue`); the answer comes back to `saved` or `refused`."""
        self.sending = True
        self.sending_started()
        if self.writes is None:
            self.refused(RuntimeError(NO_STORE))
            return None
        row_id = None if body.get("id") else self.key  # a body's own id is its key (a retried create is one)
        self.sent_request = (method, path, body, dict(headers or {}))
        self.row_id = self.writes.queue(method, path, body, row_id=row_id, headers=headers, on_sent=self._sent,
                                        on_rejected=self.refused, on_waiting=self.waiting)
        return self.row_id

    def sending_started(self) -> None:
        """No second copy while one is on its way."""
        if self.ok_button is not None:
            self.ok_button.setEnabled(False)

    def sending_ended(self) -> None:
        if self.ok_button is not None:
            self.ok_button.setEnabled(True)

    def waiting(self, _reason: str = "") -> None:
        """In the outbox, not yet sent (server unreachable): said politely, not as a problem; OK stays off."""
        main = self.errors.get(self.main_field) if self.main_field else None
        label = main if main is not None else self.general_error
        label.setText(OFFLINE)
        label.setVisible(True)
        if main is not None:
            main.field.setAccessibleDescription(OFFLINE)
        announce(OFFLINE)

    def _sent(self, response: Any) -> None:
        self.sending = False
        self.response = response
        if not isValid(self):
            return
        self.saved(response)
        self.saved_signal.emit(response)
        self.after_saved()

    def saved(self, response: Any) -> None:
        """Say what was saved (a subclass says it in its own words)."""
        announce(f"{self.windowTitle()}: saved.")

    def after_saved(self) -> None:
        """Focus after saving: the dialog closes and Qt gives focus back to where the user opened it from."""
        if isValid(self):
            self.accept()

    def refused(self, error: BaseException) -> None:
        """The one handling of a refusal: everything typed kept, each message beside its field, read out."""
        self.sending = False
        self.key = str(uuid.uuid4())  # a corrected request is a new one
        if not isValid(self):
            announce(f"{self.windowTitle()} was refused: {error}", assertive=True)
            return
        self.sending_ended()
        current = getattr(error, "current", None)
        if is_conflict(error) and isinstance(current, dict) and self.sent_request is not None and self.row_id:
            self.compare_conflict(error, current)
            return
        if is_conflict(error) and isinstance(current, dict):
            self.conflict(current)
        problems = self.refusal_problems(error)
        if not self.isVisible():
            self.show()  # closed while it was sending: back with everything typed
            self.raise_()
        self.show_problems(problems)
        self.refused_signal.emit(error)

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        return refusal_problems(error, self.noun)

    def conflict(self, current: dict[str, Any]) -> None:
        """Someone else changed the record (412): show their copy; what was typed stays."""

    # Conflicts side by side (desktop/views/forms/conflict_dialog.py) ------------------------------------------
    sent_request: tuple[str, str, dict[str, Any], dict[str, str]] | None = None
    conflict_dialog: ConflictDialog | None = None

    def conflict_versions(self, body: dict[str, Any], current: dict[str, Any],
                          done: Callable[[ConflictVersions], None]) -> None:
        """(yours, theirs) as flat {field: value} for the side-by-side dialog; RESEND when what changed meanwhile
        is not what this form writes (it is sent again with the current If-Match: nothing is overwritten); None
        when the two cannot be compared field by field (the form shows the current copy and the conflict wording).
        A form whose body is nested, or whose "theirs" must be read from the server, overrides this."""
        mine, theirs = flatten_body(body, current)
        done((mine, theirs) if mine else None)

    def conflict_labels(self) -> dict[str, str]:
        return {}

    def conflict_body(self, body: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
        """The body to send from the fields the officer chose (the inverse of `conflict_versions`)."""
        return {**body, **chosen}

    def compare_conflict(self, error: BaseException, current: dict[str, Any]) -> None:
        """A 412 on what this form sent: compare side by side; nothing is overwritten without the officer choosing."""
        assert self.sent_request is not None and self.row_id is not None
        method, path, body, headers = self.sent_request
        row_id = self.row_id
        if not self.isVisible():
            self.show()  # closed while it was sending: back with everything typed
            self.raise_()

        def resend(send_body: dict[str, Any]) -> None:
            if self.writes is None:
                return
            self.sending = True
            self.sending_started()
            new_headers = if_match_of(current, headers)
            self.sent_request = (method, path, send_body, new_headers)
            self.writes.resolve(row_id, method, path, send_body, new_headers, on_sent=self._sent,
                                on_rejected=self.refused, on_waiting=self.waiting)

        def versions(found: ConflictVersions) -> None:
            if not isValid(self):
                return
            if found == RESEND:
                announce(f"The {self.noun} changed elsewhere meanwhile, but not in anything you changed here; "
                         "sending yours again.")
                resend(body)
                return
            # Refused as it stands: the current copy shown, the one wording said, what was typed kept.
            self.conflict(current)
            self.show_problems(self.refusal_problems(error))
            self.refused_signal.emit(error)
            if found is None:  # nothing to compare field by field: the form holds the officer's version
                if self.writes is not None:
                    self.writes.discard(row_id, "Kept in the open form to check and save again.")
                return
            assert isinstance(found, tuple)
            mine, theirs = found
            dialog = self.conflict_dialog = ConflictDialog(self, self.noun, mine, theirs,
                                                           labels=self.conflict_labels())

            def finished(result: int) -> None:
                self.conflict_dialog = None
                if result == SEND:
                    resend(self.conflict_body(body, dialog.chosen()))
                    announce("Sending the fields you chose.")
                else:
                    kept = result == KEEP_CURRENT
                    if self.writes is not None:
                        self.writes.discard(row_id, "Kept the current version after comparing." if kept else
                                            "Kept in the open form to change and save again.")
                    if kept:
                        announce("Kept the current version; yours was not sent.")
                        if isinstance(self, FormDialog):
                            self.dirty = False
                        self.reject()
                dialog.deleteLater()

            dialog.finished.connect(finished)
            dialog.open()

        self.conflict_versions(body, current, versions)

    def done(self, result: int) -> None:
        # A write still on its way keeps this dialog alive (hidden) so a refusal can bring it back.
        super().done(result)
        if not self.sending and isValid(self) and self.delete_when_done:
            self.deleteLater()

    delete_when_done = False


class FormDialog(WriteDialog):
    """The standard layout: problem line, the form (scrolling when long), status line, Save and Cancel.
    Subclasses add rows, then implement `problems` and `request` (method, path, body)."""

    save_text = "&Save"
    delete_when_done = True

    def __init__(self, parent: QWidget | None, writes: Writes | None, title: str, object_name: str, *,
                 scroll: bool = False, heading: str | None = None) -> None:
        super().__init__(parent, writes)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.dirty = False
        self.general_error.setObjectName(f"{object_name}GeneralError")
        self.status_label = QLabel(wordWrap=True)
        self.status_label.setObjectName(f"{object_name}Status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setVisible(False)
        self.status_label.setAccessibleName("Saving")
        self.body_widget = QWidget()
        self.body_widget.setObjectName(f"{object_name}Fields")
        self.form = QFormLayout(self.body_widget)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.save_text)
        self.save_button.setObjectName(f"{object_name}Save")
        self.save_button.setDefault(True)
        self.ok_button = self.save_button
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName(f"{object_name}Cancel")
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        if heading is not None:
            heading_label = QLabel(heading, wordWrap=True)
            heading_label.setObjectName(f"{object_name}Heading")
            layout.addWidget(heading_label)
        layout.addWidget(self.general_error)
        if scroll:
            area = QScrollArea()
            area.setObjectName(f"{object_name}Scroll")
            area.setWidgetResizable(True)
            area.setWidget(self.body_widget)
            area.setAccessibleName(f"{title}: fields")  # not the dialog's own name: the two would be confused
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(area, 1)
        else:
            layout.addWidget(self.body_widget, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """As big as the form wants (it grows with the text size), never bigger than the screen."""
        hint = self.body_widget.sizeHint()
        fit_on_screen(self, max(self.width(), hint.width() + 60), max(self.height(), hint.height() + 160))

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
            self.form.addRow("", self.field_error(field, widget))
        self.watch(widget)
        return widget

    def watch(self, widget: QWidget) -> None:
        """Anything typed or chosen makes the form 'dirty' (Escape then asks before throwing it away)."""
        for signal in ("textChanged", "currentIndexChanged", "toggled", "dateTimeChanged", "dateChanged"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(self._changed)
                break

    def _changed(self, *_args: object) -> None:
        source = self.sender()
        if isinstance(source, DateTimeEdit) and source.refreshing:
            return  # a time following the clock moved on: nothing was typed
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

    # Saving ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[tuple[str, str]]:
        return []

    def request(self) -> tuple[str, str, dict[str, Any]]:
        raise NotImplementedError

    def headers(self) -> dict[str, str] | None:
        """If-Match for a versioned record."""
        return None

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
        self.send(method, path, body, headers=self.headers())

    def before_send(self, body: dict[str, Any]) -> None:
        """Hook run once the form is valid, before the write is queued (e.g. the medical-emergency prompt)."""

    def sending_started(self) -> None:
        self.set_editable(False)
        self.status_label.setText(SAVING)
        self.status_label.setVisible(True)
        self.status_label.setFocus()  # not left on a field just disabled: the reader hears "Saving…" (issue 6)
        self.make_room_for_problems()  # the status line takes room too: the fields are not squashed by it

    def sending_ended(self) -> None:
        self.set_editable(True)
        self.status_label.setVisible(False)
        self.status_label.setAccessibleName("Saving")

    def set_editable(self, editable: bool) -> None:
        self.body_widget.setEnabled(editable)
        self.save_button.setEnabled(editable)
        if editable:
            self.save_button.setText(self.save_text)

    def show_problems(self, problems: Sequence[tuple[str | FieldError, str]]) -> None:
        super().show_problems(problems)
        # While it was sending, the focus left the disabled fields for Cancel, which took the default from Save;
        # Return in the field put right must save again, not cancel.
        if self.save_button.isEnabled() and not self.save_button.isDefault():
            self.save_button.setDefault(True)

    def waiting(self, _reason: str = "") -> None:
        """Still in the outbox: the status line says so (Save stays off, so it is not sent twice)."""
        self.status_label.setText(OFFLINE)
        self.status_label.setVisible(True)
        announce(OFFLINE)

    def after_saved(self) -> None:
        """Focus after saving: closed (focus back where the user opened it from), or, for a dialog that shows
        what was recorded, Save becomes Close and takes the focus."""
        if self.close_when_saved or not self.isVisible():
            self.accept()
        else:
            self.save_button.setText("&Close")
            self.save_button.setEnabled(True)
            self.cancel_button.setVisible(False)
            self.save_button.setFocus()


def fit_on_screen(dialog: QWidget, width: int, height: int) -> None:
    """Resize to (width, height) but never past 90% of the screen, and keep the whole dialog, buttons and all,
    on the screen (centred on a wider main window it could hang off the edge)."""
    screen = dialog.screen().availableGeometry() if dialog.screen() is not None else None
    if screen is None:
        dialog.resize(width, height)
        return
    dialog.resize(min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9)))
    frame = dialog.frameGeometry()
    x = max(screen.left(), min(frame.left(), screen.right() + 1 - frame.width()))
    y = max(screen.top(), min(frame.top(), screen.bottom() + 1 - frame.height()))
    if (x, y) != (frame.left(), frame.top()):
        dialog.move(x, y)


def person_label(record: dict[str, Any]) -> str:
    person = record.get("person") or {}
    name = record.get("name") or f"{(person.get('surname') or '').upper()}, {person.get('forenames') or ''}"
    return f"{name} ({record.get('custody_number') or 'no custody number'})"


class CustodyDialog(FormDialog):
    """A form about one detainee (named at the top): custody's dialogs on the one base."""

    def __init__(self, window: QWidget | None, record: dict[str, Any] | None, title: str, object_name: str, *,
                 writes: Writes | None, scroll: bool = False) -> None:
        # `writes` (the outbox, desktop/writes.py) is given to every view that saves, never taken from the window.
        super().__init__(window, writes, title, object_name, scroll=scroll,
                         heading=person_label(record) if record is not None else None)
        self.window_ = window
        self.record = record


def recorded_text(response: dict[str, Any], observed_key: str = "observed_at") -> str:
    return (f"Saved. Observed {format_local(response.get(observed_key), seconds=False)}; "
            f"recorded {format_local(response.get('recorded_at'), seconds=True)}.")


def button_labelled(dialog: QWidget, text: str) -> QAbstractButton | None:
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            return button
    return None


def when_record(record: dict[str, Any] | None, test: Callable[[dict[str, Any]], bool]) -> bool:
    return record is not None and test(record)
