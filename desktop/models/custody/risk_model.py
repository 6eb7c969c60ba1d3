"""The answers of one risk-assessment version: question, answer, who gave it, note. Read-only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from domain.risk import AREAS_BY_KEY

COLUMNS = ("Question", "Answer", "Source", "Note")
ANSWER_TEXT = {"no": "No", "yes": "Yes (concern)", "not_known": "Not known", "declined": "Declined to answer"}
SOURCE_TEXT = {"detainee": "Detainee", "officer_observation": "Officer's observation",
               "arresting_officer": "Arresting officer", "warning_markers": "Warning markers",
               "person_escort_record": "Person escort record"}


# data()'s roles as plain ints: the view asks ~10 roles per cell whenever it measures or paints (switching detainee).
_DISPLAY, _TOOLTIP, _ACCESSIBLE = (int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole),
                                   int(Qt.ItemDataRole.AccessibleTextRole))


class RiskResponsesModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._responses: list[dict[str, Any]] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._responses)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in (_DISPLAY, _TOOLTIP, _ACCESSIBLE) or not index.isValid() \
                or not (0 <= index.row() < len(self._responses)):
            return None
        response = self._responses[index.row()]
        column = index.column()
        if role != _ACCESSIBLE:
            return self._text(response, column)
        text = self._text(response, column)
        return f"{COLUMNS[column]}: {text or 'none'}"

    @staticmethod
    def _text(response: dict[str, Any], column: int) -> str:
        if column == 0:
            area = AREAS_BY_KEY.get(response.get("area", ""))
            return area.question if area else str(response.get("area", ""))
        if column == 1:
            return ANSWER_TEXT.get(response.get("answer", ""), str(response.get("answer", "")))
        if column == 2:
            return SOURCE_TEXT.get(response.get("source", ""), str(response.get("source", "")))
        return response.get("note") or ""

    def set_responses(self, responses: list[dict[str, Any]]) -> None:
        self.beginResetModel()  # a different version chosen: everything changes at once
        self._responses = list(responses)
        self.endResetModel()
