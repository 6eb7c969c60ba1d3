"""The board's one-second tick repaints only the cells whose text changed, not the whole table (issue 17)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QRegion

from desktop.models.custody.board_model import SORT_ROLE, TIME, CustodyBoardModel
from desktop.views.custody.board import BoardProxy, BoardTable
from tests.desktop.custody.test_board_model import NOW, record


class PaintedRegion(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.region = QRegion()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region = self.region.united(event.region())  # type: ignore[attr-defined]
        return False


def test_a_tick_repaints_the_time_column_band_only(qtbot):
    clock = {"now": NOW}
    model = CustodyBoardModel(clock=lambda: clock["now"])
    model.stop()  # the test drives the clock
    model.set_records([record(n, f"C{n}", arrived=timedelta(minutes=30 + n)) for n in range(1, 31)])
    proxy = BoardProxy()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setDynamicSortFilter(False)
    view = BoardTable()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.resize(1200, 600)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    painted = PaintedRegion()
    view.viewport().installEventFilter(painted)
    qtbot.waitUntil(lambda: not painted.region.isEmpty(), timeout=5000)  # the first, full paint
    clock["now"] = NOW + timedelta(seconds=1)  # the first tick also settles the minute columns' next recheck
    model.tick()
    qtbot.wait(50)
    painted.region = QRegion()
    clock["now"] = NOW + timedelta(seconds=2)  # now the time in custody changes in every row, nothing else does
    model.tick()
    qtbot.waitUntil(lambda: not painted.region.isEmpty(), timeout=5000)
    band = QRect(view.columnViewportPosition(TIME), 0, view.columnWidth(TIME), view.viewport().height())
    bounds = painted.region.boundingRect()
    assert band.contains(bounds), (band, bounds)  # before: the whole viewport, every column
