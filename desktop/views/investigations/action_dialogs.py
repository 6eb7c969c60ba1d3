"""Dialogs for moving an investigation action on: allocate, submit result, review, refer, cancel.

Each has a default button (Enter) and Escape cancels. The server's answer decides: a refusal (403 not yours,
422 not allowed in this state, 412 changed meanwhile) is shown beside the dialog's main field, read out, and
the dialog stays open with everything typed."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.announcer import announce
from desktop.models.investigations.action_model import status_title
from desktop.models.person_text import officer
from desktop.timefmt import to_wire
from desktop.views.forms.dialog import WriteDialog
from desktop.views.forms.fields import LONDON, MINUTES_AND_ZONE, datetime_edit, name_choice_lists, text_edit, to_utc

if TYPE_CHECKING:
    from desktop.writes import Writes

DEFAULT_DUE_DAYS = 7


def action_line(action: dict[str, Any]) -> str:
    return (f"{action.get('investigation_reference', '')} {action.get('number', '')}: {action.get('title', '')} "
            f"({status_title(action)})")


class ActionDialog(WriteDialog):
    """A step of an action on the forms base: `add_field` registers each field's error line; the main field is
    where a refusal that names no field goes. The panel sends the step (`send`, with If-Match)."""

    submitted = Signal(dict)  # the transition body
    transition = ""  # not "event": that name would hide QObject.event() and crash Qt
    ok_text = "&OK"
    noun = "action"

    def __init__(self, action: dict[str, Any], title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{self.transition or 'action'}Dialog".replace("_", ""))
        self.setWindowTitle(f"{title}: {action.get('number', '')}")
        self.action = action
        self.last_event = ""  # the step last sent (the panel names it when it is done)
        self.summary = QLabel(action_line(action))
        self.summary.setObjectName("actionSummary")
        self.summary.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.main_field = "event"
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.ok_button.setObjectName("actionOkButton")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("actionCancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def add_field(self, label: str, field: str, widget: QWidget, *, main: bool = False) -> None:
        self.form.addRow(label, widget)
        name_choice_lists(self)
        self.form.addRow("", self.field_error(field, widget))
        if main:
            self.main_field = field
            widget.setFocus()

    def body(self) -> dict[str, Any] | None:
        """The transition body, or None after showing a problem beside a field."""
        return {"event": self.transition}

    def submit(self) -> None:
        self.clear_problems()
        body = self.body()
        if body is None:
            return
        self.submitted.emit(body)

    def send_step(self, writes: Writes, body: dict[str, Any]) -> None:
        """Through the outbox with If-Match: offline it waits and is sent when the server returns."""
        self.writes = writes
        self.last_event = body["event"]
        self.send("POST", f"/actions/{self.action['id']}/transitions", body,
                  headers={"If-Match": str(int(self.action["version"]))})

    def saved(self, response: Any) -> None:
        """The panel says what changed (it knows the verb)."""

    def conflict(self, current: dict[str, Any]) -> None:
        self.action = current  # a second try uses the current version
        self.summary.setText(action_line(current))


class AllocateDialog(ActionDialog):
    transition, ok_text = "allocate", "&Allocate"

    def __init__(self, action: dict[str, Any], officers: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(action, "Allocate action", parent)
        self.officer_combo = QComboBox()
        self.officer_combo.setObjectName("allocateOfficerCombo")
        for user in officers:
            self.officer_combo.addItem(officer(user), user.get("id"))
        current = (action.get("allocated_to") or {}).get("id")
        if current and self.officer_combo.findData(current) >= 0:
            self.officer_combo.setCurrentIndex(self.officer_combo.findData(current))
        self.due_edit = datetime_edit("allocateDueEdit", None, display_format=MINUTES_AND_ZONE)
        self.due_edit.setDateTime(QDateTime.currentDateTime().addDays(DEFAULT_DUE_DAYS).toTimeZone(LONDON))
        self.due_edit.setAccessibleDescription("When the result is due, UK time.")
        self.add_field("Allocate &to:", "allocated_to_id", self.officer_combo, main=True)
        self.add_field("&Due:", "due_at", self.due_edit)
        self.errors["event"] = self.errors["allocated_to_id"]

    def body(self) -> dict[str, Any] | None:
        if self.officer_combo.currentData() is None:
            self.errors["allocated_to_id"].show_problem("Choose the officer to allocate the action to.")
            return None
        due = to_utc(self.due_edit)
        if due <= datetime.now(timezone.utc):
            self.errors["due_at"].show_problem("The due date is in the past; choose a later time.")
            return None
        return {"event": "allocate", "allocated_to_id": self.officer_combo.currentData(), "due_at": to_wire(due)}


class ResultDialog(ActionDialog):
    transition, ok_text = "submit_result", "&Submit result"

    def __init__(self, action: dict[str, Any], parent: QWidget | None = None):
        super().__init__(action, "Submit result", parent)
        self.result_edit = text_edit("resultTextEdit", "What was done and found. Ctrl+Return submits.", lines=5)
        self.add_field("&Result:", "result_text", self.result_edit, main=True)
        self.errors["event"] = self.errors["result_text"]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Return in the text is a new line; Ctrl+Return submits.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submit()
            return
        super().keyPressEvent(event)

    def body(self) -> dict[str, Any] | None:
        text = self.result_edit.toPlainText().strip()
        if not text:
            self.errors["result_text"].show_problem("Write the result: what was done and what was found.")
            return None
        return {"event": "submit_result", "result_text": text}


REVIEW_OUTCOMES = (("file", "File it: nothing further"), ("further_action", "File it and raise a further action"),
                   ("return", "Return it to the officer: the result is not enough"))


class ReviewDialog(ActionDialog):
    transition, ok_text = "review", "Record re&view"

    def __init__(self, action: dict[str, Any], parent: QWidget | None = None):
        super().__init__(action, "Review result", parent)
        result = QLabel(f"Result: {action.get('result_text') or 'none submitted'}")
        result.setObjectName("reviewResultText")
        result.setWordWrap(True)
        self.form.addRow(result)
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("reviewOutcomeCombo")
        for key, title in REVIEW_OUTCOMES:
            self.outcome_combo.addItem(title, key)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reviewReasonEdit")
        self.reason_edit.setAccessibleDescription("Needed to return an action; recorded in its history.")
        self.further_edit = QLineEdit()
        self.further_edit.setObjectName("reviewFurtherTitleEdit")
        self.further_edit.setAccessibleDescription("Title of the further action to raise.")
        self.add_field("&Outcome:", "event", self.outcome_combo, main=True)
        self.add_field("&Reason:", "reason", self.reason_edit)
        self.add_field("&Further action:", "further_action", self.further_edit)

    def body(self) -> dict[str, Any] | None:
        outcome = self.outcome_combo.currentData()
        reason = self.reason_edit.text().strip()
        if outcome == "return" and not reason:
            self.errors["reason"].show_problem("Give the reason to return this action; it is recorded.")
            return None
        body: dict[str, Any] = {"event": outcome}
        if reason:
            body["reason"] = reason
        if outcome == "further_action":
            title = self.further_edit.text().strip()
            if not title:
                self.errors["further_action"].show_problem("Give the title of the further action to raise.")
                return None
            body["further_action"] = {"id": str(uuid.uuid4()), "title": title,
                                      "priority": self.action.get("priority") or "medium"}
        return body


class ReasonTransitionDialog(ActionDialog):
    """Refer or cancel: a reason is required and recorded."""

    def __init__(self, action: dict[str, Any], event: str, parent: QWidget | None = None):
        self.transition = event
        self.ok_text = {"refer": "Re&fer", "cancel": "Cancel &action"}[event]
        super().__init__(action, {"refer": "Refer action", "cancel": "Cancel action"}[event], parent)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("transitionReasonEdit")
        self.add_field("&Reason:", "reason", self.reason_edit, main=True)
        self.errors["event"] = self.errors["reason"]
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Keep it")

    def body(self) -> dict[str, Any] | None:
        reason = self.reason_edit.text().strip()
        if not reason:
            self.errors["reason"].show_problem(f"Give the reason to {self.transition} this action; it is recorded.")
            return None
        return {"event": self.transition, "reason": reason}


def announce_done(action: dict[str, Any], what: str) -> None:
    announce(f"{what}: {action_line(action)}")
