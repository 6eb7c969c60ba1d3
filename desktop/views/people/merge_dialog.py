"""Merge two records of the same person (supervisor only): the kept record is the one open in the person dock,
the other is found with the same forgiving search; a reason is required; a second step confirms. The merge is
undone from the person's merge history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.announcer import announce
from desktop.models.person_text import person_line
from desktop.views.forms.dialog import WriteDialog
from desktop.views.people.person_search import PersonSearchPanel

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes


class MergeDialog(WriteDialog):
    """On the forms base: a refusal beside the field it names (else beside the record chosen), one wording."""

    merged = Signal(dict)  # MergeOut

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes | None, survivor: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, writes)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge records of the same person")
        self.survivor = survivor
        self.other: dict[str, Any] | None = None
        self.confirming = False

        self.kept = QLabel(f"Record kept: {person_line(survivor)}")
        self.kept.setObjectName("mergeKeptLabel")
        self.kept.setWordWrap(True)
        self.search = PersonSearchPanel(ops, client, self)
        self.search.chosen.connect(self.choose)
        self.chosen_label = QLabel("Record to merge into it: none chosen yet. Search, then press Enter on a result.")
        self.chosen_label.setObjectName("mergeChosenLabel")
        self.chosen_label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("mergeReasonEdit")
        self.reason_edit.setAccessibleDescription("Why these are the same person; it is recorded.")
        self.other_error = self.field_error("merged_id", self.search.name_edit, "mergeOtherError")
        self.reason_error = self.field_error("reason", self.reason_edit, "mergeReasonError")
        self.main_field = "merged_id"  # a refusal that names no field goes beside the record chosen
        self.confirm_text = QLabel()
        self.confirm_text.setObjectName("mergeConfirmText")
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("&Merge…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        self.ok_button = self.merge_button
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("mergeCancelButton")
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):  # every button of the box is
                button.setAutoDefault(False)
        self.merge_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("", self.other_error)
        form.addRow("", self.chosen_label)
        form.addRow("&Reason for the merge:", self.reason_edit)
        form.addRow("", self.reason_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kept)
        layout.addWidget(self.search, 1)
        layout.addLayout(form)
        layout.addWidget(self.confirm_text)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 120, self.fontMetrics().lineSpacing() * 34)
        self.search.focus_panel()

    def choose(self, person: dict[str, Any]) -> None:
        if person.get("id") == self.survivor.get("id"):
            self.other_error.show_problem("That is the record being kept; choose the other record of this person.")
            return
        self.other_error.clear_problem()
        self.other = person
        self._unconfirm()
        self.chosen_label.setText(f"Record to merge into it: {person_line(person)}")
        self.reason_edit.setFocus()
        announce(f"Chosen to merge: {person_line(person)}. Now give the reason.")

    def _unconfirm(self) -> None:
        self.confirming = False
        self.confirm_text.setVisible(False)
        self.merge_button.setText("&Merge…")

    def submit(self) -> None:
        if self.other is None:
            self.other_error.show_problem("Find and choose the record to merge into the one kept.")
            return
        if not self.reason_edit.text().strip():
            self.reason_error.show_problem("Give the reason for the merge; it is recorded.")
            return
        self.reason_error.clear_problem()
        if not self.confirming:
            self.confirming = True
            text = (f"Merge {person_line(self.other)} into {person_line(self.survivor)}? Every custody record, "
                    "investigation, intelligence report and case of the merged record moves to the kept record. "
                    "It can be undone from the person's merge history. Press Confirm merge to go ahead, Escape to "
                    "cancel.")
            self.confirm_text.setText(text)
            self.confirm_text.setVisible(True)
            self.merge_button.setText("&Confirm merge")
            self.merge_button.setDefault(True)
            self.merge_button.setFocus()
            announce(text, assertive=True)
            return
        body = {"id": self.merge_id, "survivor_id": self.survivor["id"], "merged_id": self.other["id"],
                "reason": self.reason_edit.text().strip()}
        self.send("POST", "/people/merges", body)
        announce("Merging…")

    @property
    def merge_id(self) -> str:
        """The merge's id, which is also its Idempotency-Key (new after a refusal)."""
        return self.key

    def saved(self, merge: dict[str, Any]) -> None:
        announce(f"Merged {person_line(self.other)} into {person_line(self.survivor)}.")
        self.merged.emit(merge)

    def refused(self, error: BaseException) -> None:
        self._unconfirm()
        super().refused(error)
