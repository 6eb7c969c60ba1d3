"""Asking for a reason: before opening an intelligence report (DPA 2018 s.62 logs it with the consultation),
and for any step the record must say why (undo a merge, refer or cancel an action, re-grade a report)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.views.forms.field_error import FieldError

ACCESS_PROMPT = ("Say why you need to open this report. Your reason is recorded with your name and the time "
                 "(Data Protection Act 2018, section 62).")


class ReasonDialog(QDialog):
    """Return (Enter) confirms, Escape cancels; an empty reason is refused beside the field."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, ok_text: str = "&Continue",
                 object_name: str = "reasonDialog", label: str = "&Reason:"):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt, objectName="reasonPrompt")
        self.prompt.setWordWrap(True)
        self.reason_edit = QLineEdit(objectName="reasonEdit")
        self.reason_edit.setAccessibleDescription(prompt)
        self.reason_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        self.reason_error = FieldError(self.reason_edit, "reasonError", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("reasonOkButton")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("reasonCancelButton")
        self.buttons.accepted.connect(self.accept)
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

    def accept(self) -> None:
        if not self.reason:
            self.reason_error.show_problem("Give a reason; it is recorded.")
            return
        super().accept()


def access_reason_dialog(what: str, parent: QWidget | None = None) -> ReasonDialog:
    return ReasonDialog(f"Reason for opening {what}", ACCESS_PROMPT, parent, ok_text="&Open report",
                        object_name="accessReasonDialog", label="&Reason for access:")
