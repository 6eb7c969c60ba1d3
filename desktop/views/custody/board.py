"""The custody board's sorting and filtering: sort by the underlying time (SORT_ROLE), filter by text and, on
request, overdue rows only. The clocks tick every second, so the proxy is not dynamic (rows would jump under
the cursor); it is re-filtered when the overdue set changes and re-sorted when the user asks.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QCheckBox

from desktop.models.custody.board_model import OVERDUE_ROLE, SORT_ROLE


class BoardProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._overdue_only = False
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    @property
    def overdue_only(self) -> bool:
        return self._overdue_only

    def set_overdue_only(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 deprecates invalidateFilter()
            self.beginFilterChange()
            self._overdue_only = on
            self.endFilterChange()
        else:
            self._overdue_only = on
            self.invalidateFilter()

    def refilter(self) -> None:
        """The overdue set changed while 'overdue only' is on (the proxy is not dynamic)."""
        if self._overdue_only:
            self.set_overdue_only(True)

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802 - Qt's name
        previous = self.sourceModel()
        if previous is not None:
            previous.dataChanged.disconnect(self._source_changed)
        super().setSourceModel(model)
        if model is not None:
            model.dataChanged.connect(self._source_changed)

    def _source_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()) -> None:
        # A row updated from the change feed (a check recorded elsewhere) or by the clock may leave or join the
        # 'overdue only' view. Checked here, as the model changes, so the view never lags behind the model
        # whichever feed handler happens to run first.
        if not self._overdue_only or (roles and OVERDUE_ROLE not in roles):
            return
        source = self.sourceModel()
        for row in range(top_left.row(), bottom_right.row() + 1):
            shown = self.mapFromSource(source.index(row, 0)).isValid()
            if shown != self.filterAcceptsRow(row, QModelIndex()):
                self.refilter()
                return

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._overdue_only:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if not index.data(OVERDUE_ROLE):
                return False
        return super().filterAcceptsRow(source_row, source_parent)


def overdue_only_check(proxy: BoardProxy, on_change: Callable[[], None] | None = None) -> QCheckBox:
    check = QCheckBox("Overdue onl&y")
    check.setObjectName("boardOverdueOnly")
    check.setToolTip("Show only detainees whose cell check, review or detention limit is overdue")
    check.setAccessibleDescription(check.toolTip())

    def toggled(on: bool) -> None:
        proxy.set_overdue_only(on)
        if on_change is not None:
            on_change()

    check.toggled.connect(toggled)
    check.setCheckState(Qt.CheckState.Unchecked)
    return check
