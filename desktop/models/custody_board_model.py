"""The custody board: one row per open custody record. Time in custody ticks every second."""

from __future__ import annotations

import re
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer

from desktop.timefmt import format_elapsed, format_local, parse_utc, spoken_elapsed, utc_now

COLUMNS = ("Cell", "Name", "Status", "Time in custody")
CELL, NAME, STATUS, TIME = range(4)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

STATUS_TEXT = {
    "awaiting_authorisation": "Awaiting authorisation",
    "in_custody": "In custody",
    "detained": "In custody",
    "interview": "In interview",
    "hospital": "At hospital",
    "released": "Released",
}


def natural_key(text: str) -> str:
    """'C2' before 'C10': digits padded so a plain string sort orders them as numbers."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(8), text.lower())


def person_name(record: dict) -> str:
    person = record.get("person") or {}
    surname = (person.get("surname") or "").upper()
    forenames = person.get("forenames") or ""
    return f"{surname}, {forenames}".strip(", ") or "Name not recorded"


def status_text(record: dict) -> str:
    status = record.get("status") or ""
    return STATUS_TEXT.get(status, status.replace("_", " ").capitalize() or "Status not recorded")


class CustodyBoardModel(QAbstractTableModel):
    def __init__(self, parent=None, *, clock=utc_now, tick_ms: int = 1000):
        super().__init__(parent)
        self._records: list[dict] = []
        self._arrived: list[datetime | None] = []
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._records)):
            return None
        record = self._records[index.row()]
        column = index.column()
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row(), column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(index.row(), column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME:
                return f"Arrived {format_local(record.get('arrived_at')) or 'time not recorded'}"
            return self._spoken(index.row(), column)
        if role == SORT_ROLE:
            if column == TIME:
                arrived = self._arrived[index.row()]
                return arrived.timestamp() if arrived else 0.0
            if column == CELL:
                return natural_key(record.get("cell") or "")
            return self._display(index.row(), column).lower()
        return None

    def _elapsed(self, row: int):
        arrived = self._arrived[row]
        return None if arrived is None else self._clock() - arrived

    def _display(self, row: int, column: int) -> str:
        record = self._records[row]
        if column == CELL:
            return record.get("cell") or "—"
        if column == NAME:
            return person_name(record)
        if column == STATUS:
            return status_text(record)
        elapsed = self._elapsed(row)
        return "—" if elapsed is None else format_elapsed(elapsed)

    def _spoken(self, row: int, column: int) -> str:
        record = self._records[row]
        if column == CELL:
            return f"Cell {record['cell']}" if record.get("cell") else "No cell"
        if column == TIME:
            elapsed = self._elapsed(row)
            return "Time in custody not known" if elapsed is None else f"In custody {spoken_elapsed(elapsed)}"
        return self._display(row, column)

    # Updates ----------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Time in custody moves on: tell views about that column only (no reset, selection kept)."""
        if self._records:
            self.dataChanged.emit(self.index(0, TIME), self.index(len(self._records) - 1, TIME),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole])

    def set_records(self, records: list[dict]) -> None:
        """The first load (and a full reload after reconnecting)."""
        self.beginResetModel()
        self._records = [r for r in records if not r.get("released_at")]
        self._arrived = [parse_utc(r.get("arrived_at")) for r in self._records]
        self.endResetModel()

    def upsert(self, record: dict) -> None:
        """One record created or changed (from the change feed): insert, update in place, or remove."""
        row = self.row_of(record.get("id"))
        if record.get("released_at"):
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._records[row]
                del self._arrived[row]
                self.endRemoveRows()
            return
        if row is None:
            position = len(self._records)
            self.beginInsertRows(QModelIndex(), position, position)
            self._records.append(record)
            self._arrived.append(parse_utc(record.get("arrived_at")))
            self.endInsertRows()
        else:
            self._records[row] = record
            self._arrived[row] = parse_utc(record.get("arrived_at"))
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, record_id: str | None) -> int | None:
        for row, record in enumerate(self._records):
            if record.get("id") == record_id:
                return row
        return None

    def record(self, row: int) -> dict:
        return self._records[row]

    def stop(self) -> None:
        self._timer.stop()
