"""Administration > Suites and cells… (Ctrl+Alt+S, administrators): every suite of the force with its cells, how
full each is, and the changes an administrator makes (suite_dialogs). A window of its own; loading runs on a
worker; changes made anywhere arrive through the live-update feed (`apply_suite`) and update the tree in place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.views.admin.suite_dialogs import CellDialog, SuiteDialog, SuiteForms
from desktop.views.admin.admin_window import AdminWindow
from domain.suites import CELL_TYPE_TITLES, SUITE_STATE_TITLES, CellType, SuiteState

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient

ROLE = Qt.ItemDataRole.UserRole  # the suite or cell dict of a row


def suite_text(suite: dict[str, Any]) -> list[str]:
    state = SUITE_STATE_TITLES.get(SuiteState(suite.get("state", "open")), suite.get("state", ""))
    if suite.get("state") == SuiteState.CLOSED.value and suite.get("state_reason"):
        state += f" ({suite['state_reason']})"
    return [f"{suite.get('name')} ({suite.get('code')})", state,
            f"{suite.get('detainees', 0)} in custody, {suite.get('cells_free', 0)} of {suite.get('cells_total', 0)} "
            "cells free"]


def cell_text(cell: dict[str, Any]) -> list[str]:
    kind = CELL_TYPE_TITLES.get(CellType(cell.get("type", "adult")), str(cell.get("type")))
    if cell.get("out_of_use"):
        use = f"Out of use: {cell.get('out_of_use_reason') or 'no reason given'}"
    else:
        use = f"{cell.get('occupants', 0)} of {cell.get('capacity', 1)} places taken"
    return [f"Cell {cell.get('number')}", kind, use]


class SuitesWindow(AdminWindow):

    def __init__(self, ops: Operations, client: ApiClient, forms: SuiteForms, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("suitesWindow")
        self.setWindowTitle("Suites and cells")
        self.ops, self.client, self.forms = ops, client, forms
        self.dialog: QDialog | None = None  # the dialog opened last (tests)
        self.tree = QTreeWidget()
        self.tree.setObjectName("suitesTree")
        self.tree.setAccessibleName("Custody suites and their cells")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Suite or cell", "Kind or state", "Use"])
        self.enter_opens(self.tree, self.edit_selected)
        self.status = QLabel("Loading suites…", wordWrap=True)
        self.status.setObjectName("suitesStatus")
        self.status.setAccessibleName("Suites: status")
        row = self.button_grid((
                ("new_suite", "&New suite…", "newSuiteButton", self.new_suite),
                ("new_cell", "New &cell…", "newCellButton", self.new_cell),
                ("edit", "C&hange…", "editSuiteOrCellButton", self.edit_selected),
                ("refresh", "Re&fresh", "refreshSuitesButton", self.reload)), per_row=4, close_name="closeSuitesButton")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    # Reading -----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.status.setText("Loading suites…")
        self.ops.run(self.client.suites, on_done=self._loaded, on_error=self._failed, owner=self)

    def _loaded(self, suites: list[dict[str, Any]]) -> None:
        self.tree.clear()
        for suite in suites:
            self.apply_suite(suite, announce_it=False)
        self.status.setText(f"{len(suites)} suites.")
        if (first := self.tree.topLevelItem(0)) is not None:
            self.tree.setCurrentItem(first)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        message = f"Could not load the suites: {error}"
        self.status.setText(message)
        announce(message, assertive=True)

    def apply_suite(self, suite: dict[str, Any], *, announce_it: bool = True) -> None:
        """A suite as the server now has it (a load, a save here, or the live-update feed): updated in place."""
        if not isValid(self) or not suite.get("id"):
            return
        item = self._suite_item(suite["id"])
        if item is None:
            item = QTreeWidgetItem(self.tree)
        current = self.tree.currentItem()
        chosen = current.data(0, ROLE).get("id") if current is not None else None
        item.setText(0, "")
        for column, text in enumerate(suite_text(suite)):
            item.setText(column, text)
        item.setData(0, ROLE, suite)
        item.takeChildren()
        for cell in suite.get("cells") or []:
            child = QTreeWidgetItem(item)
            for column, text in enumerate(cell_text(cell)):
                child.setText(column, text)
            child.setData(0, ROLE, {**cell, "suite": suite})
            if cell.get("id") == chosen:
                self.tree.setCurrentItem(child)
        if announce_it:
            announce(f"{suite.get('name')} updated.")
        self._update_buttons()

    def _suite_item(self, suite_id: str) -> QTreeWidgetItem | None:
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            if item is not None and item.data(0, ROLE).get("id") == suite_id:
                return item
        return None

    def selected(self) -> dict[str, Any] | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def selected_suite(self) -> dict[str, Any] | None:
        chosen = self.selected()
        if chosen is None:
            return None
        return chosen.get("suite") or chosen

    def select_suite(self, code: str) -> bool:
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            if item is not None and item.data(0, ROLE).get("code") == code:
                self.tree.setCurrentItem(item)
                return True
        return False

    def focus_tree(self) -> None:
        self.tree.setFocus()

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.buttons["new_cell"].setEnabled(chosen)
        self.buttons["edit"].setEnabled(chosen)

    # Changes -----------------------------------------------------------------------------------------------
    def _open(self, dialog: SuiteDialog | CellDialog) -> QDialog:
        self.dialog = dialog
        dialog.saved_signal.connect(lambda suite: self.apply_suite(suite) if isinstance(suite, dict) else None)
        dialog.open()
        return dialog

    def new_suite(self) -> QDialog:
        return self._open(self.forms.suite(self))

    def new_cell(self) -> QDialog | None:
        suite = self.selected_suite()
        if suite is None:
            return None
        return self._open(self.forms.cell(self, suite))

    def edit_selected(self) -> QDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        if chosen.get("suite"):
            return self._open(self.forms.cell(self, chosen["suite"], chosen))
        return self._open(self.forms.suite(self, chosen))
