"""Read-only record tables as every area shows them (people found, actions, intelligence reports, histories):
rows selected whole, Tab leaves the table, Enter opens the current row where the panel handles it."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def make_table(object_name: str, accessible_name: str, model: QAbstractItemModel,
               stretch: int | None = None) -> QTableView:
    """A read-only, row-selecting table that Tab leaves (arrows move inside it)."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table
