"""Administration > Suites and cells… (issue 15): an administrator adds and changes the force's custody suites and
their cells. Each change is a dialog on the one write base, through the outbox, versioned (If-Match: a change made
meanwhile at another workstation is a conflict, never overwritten) and audited by the server; every workstation
hears of it through the live-update feed (custody.suite.created/updated carry the whole suite)."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import nothing_chosen, text_edit, value_of
from desktop.writes import Writes
from domain.suites import CELL_TYPE_TITLES, MAX_CELL_CAPACITY, SUITE_STATE_TITLES, SuiteState


def _line(name: str, text: str = "", max_length: int = 200) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setMaxLength(max_length)
    return edit


class SuiteDialog(FormDialog):
    """A new suite (`suite=None`) or a change to one (If-Match with the version shown)."""

    noun = "custody suite"

    def __init__(self, parent: QWidget | None, writes: Writes | None, suite: dict[str, Any] | None = None) -> None:
        super().__init__(parent, writes, "New custody suite" if suite is None else f"Change {suite.get('name')}",
                         "suiteDialog")
        s = suite or {}
        self.suite, self.suite_id = suite, s.get("id") or str(uuid.uuid4())
        self.code = _line("suiteCode", s.get("code", ""), 16)
        self.code.setAccessibleDescription("A short code, e.g. PHC.")
        self.name = _line("suiteName", s.get("name", ""))
        self.address = _line("suiteAddress", s.get("address", ""), 1000)
        self.add_row("&Code:", self.code, "code")
        self.add_row("&Name:", self.name, "name")
        self.add_row("&Address:", self.address, "address")
        self.state = QComboBox()
        for state, title in SUITE_STATE_TITLES.items():
            self.state.addItem(title, state.value)
        self.state.setCurrentIndex(max(self.state.findData(s.get("state", SuiteState.OPEN.value)), 0))
        self.add_row("Sta&te:", self.state, "state", name="suiteState")
        self.reason = text_edit("suiteStateReason", "Why the suite is closed (shown to sergeants choosing where to "
                                                    "book in or transfer).", 2)
        self.reason.setPlainText(s.get("state_reason") or "")
        self.add_row("&Why closed:", self.reason, "state_reason")
        self.dirty = False
        self.code.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if not self.code.text().strip():
            out.append(("code", "Give the suite a short code, e.g. PHC."))
        if not self.name.text().strip():
            out.append(("name", "Give the suite's name."))
        if self.state.currentData() == SuiteState.CLOSED.value and not self.reason.toPlainText().strip():
            out.append(("state_reason", "Say why the suite is closed."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body = {"code": value_of(self.code), "name": value_of(self.name), "address": value_of(self.address) or "",
                "state": self.state.currentData(), "state_reason": value_of(self.reason) or None}
        if self.suite is None:
            return "POST", "/custody/suites", {"id": self.suite_id, **body}
        return "PATCH", f"/custody/suites/{self.suite_id}", body

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.suite["version"])} if self.suite is not None else None


class CellDialog(FormDialog):
    """A new cell of a suite (`cell=None`: its type chosen by the administrator) or a change to one."""

    noun = "cell"

    def __init__(self, parent: QWidget | None, writes: Writes | None, suite: dict[str, Any],
                 cell: dict[str, Any] | None = None) -> None:
        title = f"New cell at {suite.get('name')}" if cell is None else f"Change cell {cell.get('number')}"
        super().__init__(parent, writes, title, "cellDialog")
        c = cell or {}
        self.suite, self.cell, self.cell_id = suite, cell, c.get("id") or str(uuid.uuid4())
        self.number = _line("cellNumber", c.get("number", ""), 16)
        self.add_row("&Number:", self.number, "number")
        self.type = QComboBox()
        for kind, title_ in CELL_TYPE_TITLES.items():
            self.type.addItem(title_, kind.value)
        if cell is None:
            nothing_chosen(self.type, "Choose the kind of cell…")
        else:
            self.type.setCurrentIndex(self.type.findData(c.get("type")))
        self.add_row("&Type:", self.type, "type", name="cellType")
        self.capacity = QSpinBox()
        self.capacity.setRange(1, MAX_CELL_CAPACITY)
        self.capacity.setValue(int(c.get("capacity") or 1))
        self.capacity.setAccessibleDescription("How many detainees the cell may hold at once; booking in never puts "
                                               "more in it.")
        self.add_row("&Capacity:", self.capacity, "capacity", name="cellCapacity")
        self.out_of_use = QCheckBox("&Out of use")
        self.out_of_use.setChecked(bool(c.get("out_of_use")))
        self.add_row("", self.out_of_use, "out_of_use", name="cellOutOfUse")
        self.reason = text_edit("cellOutOfUseReason", "Why the cell cannot be used (damage, cleaning).", 2)
        self.reason.setPlainText(c.get("out_of_use_reason") or "")
        self.add_row("&Why out of use:", self.reason, "out_of_use_reason")
        self.dirty = False
        self.number.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if not self.number.text().strip():
            out.append(("number", "Give the cell's number, e.g. C7."))
        if self.type.currentData() is None:
            out.append(("type", "Choose the kind of cell."))
        if self.out_of_use.isChecked() and not self.reason.toPlainText().strip():
            out.append(("out_of_use_reason", "Say why the cell is out of use."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"number": value_of(self.number), "type": self.type.currentData(),
                                "capacity": self.capacity.value(), "out_of_use": self.out_of_use.isChecked(),
                                "out_of_use_reason": value_of(self.reason) or None}
        if self.cell is None:
            return "POST", f"/custody/suites/{self.suite['id']}/cells", {"id": self.cell_id, **body}
        return "PATCH", f"/custody/cells/{self.cell_id}", body

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.cell["version"])} if self.cell is not None else None


class SuiteForms:
    """Makes the suite and cell dialogs with the outbox they save through (the suites window saves nothing
    itself, as the users window)."""

    def __init__(self, writes: Writes | None) -> None:
        self.writes = writes

    def suite(self, parent: QWidget | None, suite: dict[str, Any] | None = None) -> SuiteDialog:
        return SuiteDialog(parent, self.writes, suite)

    def cell(self, parent: QWidget | None, suite: dict[str, Any], cell: dict[str, Any] | None = None) -> CellDialog:
        return CellDialog(parent, self.writes, suite, cell)
