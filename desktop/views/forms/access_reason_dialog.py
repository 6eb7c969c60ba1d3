"""Asking for a reason: before opening an intelligence report (DPA 2018 s.62 logs it with the consultation),
and for any step the record must say why (undo a merge, refer or cancel an action, re-grade a report)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.announcer import announce
from desktop.views.forms.dialog import WriteDialog

if TYPE_CHECKING:
    from desktop.writes import Writes

ACCESS_PROMPT = ("Say why you need to open this report. Your reason is recorded with your name and the time "
                 "(Data Protection Act 2018, section 62).")


class ReasonDialog(WriteDialog):
    """Return (Enter) confirms, Escape cancels; an empty reason is refused beside the field.

    Given `writes` and `path`, OK saves {"reason": ...} there through the forms base (the dialog stays open
    until the server has it, and a refusal comes back beside the reason); otherwise it only asks."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, ok_text: str = "&Continue",
                 object_name: str = "reasonDialog", label: str = "&Reason:", writes: Writes | None = None,
                 path: str | None = None, done_text: str = "") -> None:
        super().__init__(parent, writes)
        self.path, self.done_text = path, done_text
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setObjectName("reasonPrompt")
        self.prompt.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleDescription(prompt)
        self.reason_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        self.reason_error = self.field_error("reason", self.reason_edit, "reasonError")
        self.main_field = "reason"
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("reasonOkButton")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("reasonCancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(label, self.reason_edit)
        form.addRow("", self.reason_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus()

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def submit(self) -> None:
        if self.sending:
            return
        if not self.reason:
            self.reason_error.show_problem("Give a reason; it is recorded.")
            return
        self.clear_problems()
        if self.path is None:
            self.accept()
        else:
            self.send("POST", self.path, {"reason": self.reason})

    def saved(self, response: Any) -> None:
        if self.done_text:
            announce(self.done_text)


def access_reason_dialog(what: str, parent: QWidget | None = None) -> ReasonDialog:
    return ReasonDialog(f"Reason for opening {what}", ACCESS_PROMPT, parent, ok_text="&Open report",
                        object_name="accessReasonDialog", label="&Reason for access:")
