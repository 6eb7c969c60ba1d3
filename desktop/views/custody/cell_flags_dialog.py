"""Custody > Move cell or change flags… (Ctrl+Alt+C; custody sergeant): move the detainee to another cell within
the suite, or change the vulnerable and appears-under-18 flags. One PATCH with If-Match (a change made meanwhile
by another officer is compared side by side, never overwritten); the server logs what changed.

Only what the sergeant changed is sent.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget

from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import value_of
from desktop.writes import Writes


class CellFlagsDialog(CustodyDialog):
    save_text = "&Save changes"
    noun = "custody record"
    record: dict[str, Any]

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Move cell or change flags", "cellFlagsDialog", writes=writes)
        self.version = record.get("version")
        self.cell_edit = QLineEdit(record.get("cell") or "")
        self.cell_edit.setMaxLength(16)
        self.cell_edit.setAccessibleDescription(f"Now in {record.get('cell') or 'no cell'}. Type the new cell.")
        self.vulnerable_check = QCheckBox("&Vulnerable")
        self.vulnerable_check.setAccessibleDescription("A vulnerable detainee needs an appropriate adult.")
        self.vulnerable_check.setChecked(bool(record.get("vulnerable")))
        self.under18_check = QCheckBox("Appears &under 18")
        self.under18_check.setAccessibleDescription("Treated as a juvenile without clear evidence of age.")
        self.under18_check.setChecked(bool(record.get("appears_under_18")))
        self.add_row("&Cell:", self.cell_edit, "cell", name="cellFlagsCell")
        self.add_row("", self.vulnerable_check, "vulnerable", name="cellFlagsVulnerable")
        self.add_row("", self.under18_check, "appears_under_18", name="cellFlagsUnder18")
        self.main_field = "cell"
        self.dirty = False
        self.cell_edit.setFocus()
        self.cell_edit.selectAll()

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cell = value_of(self.cell_edit)
        if cell != (self.record.get("cell") or ""):
            out["cell"] = cell or None
        if self.vulnerable_check.isChecked() != bool(self.record.get("vulnerable")):
            out["vulnerable"] = self.vulnerable_check.isChecked()
        if self.under18_check.isChecked() != bool(self.record.get("appears_under_18")):
            out["appears_under_18"] = self.under18_check.isChecked()
        return out

    def problems(self) -> list[tuple[str, str]]:
        return [] if self.changes() else [("cell", "Nothing has changed: type a new cell or change a flag.")]

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "PATCH", f"/custody/records/{self.record['id']}", self.changes()

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.version)} if self.version is not None else None

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = current.get("version", self.version)

