"""Who a printed or exported copy is for, and why: each copy is a disclosure under DPA 2018 s.62."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.views.forms.field_error import FieldError

PURPOSES = ("Copy for solicitor", "Court", "Transfer to another force or prison", "Detainee's own copy",
            "Crown Prosecution Service", "Investigation file")


class DisclosureDialog(QDialog):
    def __init__(self, what: str, action: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("disclosureDialog")
        self.setWindowTitle(f"{action}: {what}")
        intro = QLabel(f"A {action.lower()} of the {what.lower()} is a disclosure of personal data and is recorded "
                       "with who it is for and why.")
        intro.setObjectName("disclosureIntro")
        intro.setWordWrap(True)
        self.purpose_combo = QComboBox()
        self.purpose_combo.setObjectName("disclosurePurpose")
        self.purpose_combo.setEditable(True)
        self.purpose_combo.addItems(PURPOSES)
        self.purpose_combo.setCurrentIndex(0)
        self.purpose_combo.view().setAccessibleName("Purposes")
        self.recipient_edit = QLineEdit()
        self.recipient_edit.setObjectName("disclosureRecipient")
        self.recipient_edit.setPlaceholderText("e.g. the solicitor's name and firm, or the court")
        self.purpose_error = FieldError(self.purpose_combo, "disclosurePurposeError")
        self.recipient_error = FieldError(self.recipient_edit, "disclosureRecipientError")
        form = QFormLayout()
        form.addRow("P&urpose:", self.purpose_combo)
        form.addRow("", self.purpose_error)
        form.addRow("&Recipient:", self.recipient_edit)
        form.addRow("", self.recipient_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("disclosureButtons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(f"&{action}…")
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.recipient_edit.setFocus()

    @property
    def purpose(self) -> str:
        return self.purpose_combo.currentText().strip()

    @property
    def recipient(self) -> str:
        return self.recipient_edit.text().strip()

    def accept(self) -> None:
        self.purpose_error.clear_problem()
        self.recipient_error.clear_problem()
        problems = [(e, m) for e, m, bad in (
            (self.purpose_error, "Say why the copy is being made.", not self.purpose),
            (self.recipient_error, "Say who the copy is for (a person, firm, court or agency).", not self.recipient))
            if bad]
        for i, (error, message) in enumerate(problems):
            error.show_problem(message, focus=i == 0)  # focus on the first wrong field
        if not problems:
            super().accept()
