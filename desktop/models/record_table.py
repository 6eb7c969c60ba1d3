"""The base of the record tables every area shows (people, actions, intelligence): rows are API dicts, columns are
functions. Shared by the model areas, so it belongs to none of them.

Every cell fills DisplayRole, AccessibleTextRole (never empty: "—" stands for nothing) and ToolTipRole; a column
may add an icon and a colour, but the same state is always in the text too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY = "—"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[dict[str, Any]], str]
    spoken: Callable[[dict[str, Any]], str] | None = None  # fuller text for screen readers and tooltips
    icon: Callable[[dict[str, Any]], Any] | None = None
    colour: Callable[[dict[str, Any]], Any] | None = None


class HeadedTable(QAbstractTableModel):
    """A table of API rows under fixed column titles (`HEADERS`); the subclass says how many rows and each cell."""

    HEADERS: tuple[str, ...] = ()

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.HEADERS[section]
        return None


class RecordTable(QAbstractTableModel):
    columns: tuple[Column, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    # Qt ----------------------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.columns[section].title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or index.column() >= len(self.columns):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row) or EMPTY
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return (column.spoken or column.text)(row) or EMPTY
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            return column.colour(row)
        return None

    # Rows --------------------------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """A new list (a new search or filter): the same ids in the same order only refresh their cells."""
        rows = list(rows)
        if [r.get("id") for r in rows] == [r.get("id") for r in self._rows] and rows:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def upsert(self, row: dict[str, Any]) -> None:
        """One row changed (a write answered, or the change feed): update it in place, or append it."""
        at = self.row_of(row.get("id"))
        if at is None:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(row)
            self.endInsertRows()
        else:
            self._rows[at] = row
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.columns) - 1))

    def row_of(self, row_id: str | None) -> int | None:
        return next((i for i, r in enumerate(self._rows) if row_id is not None and r.get("id") == row_id), None)

    def row(self, index: int) -> dict[str, Any]:
        return self._rows[index]

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)
