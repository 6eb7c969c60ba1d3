"""The board and log models: model-tester clean, accessible text everywhere, incremental updates only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QSortFilterProxyModel, Qt

from desktop.models.custody.board_model import SORT_ROLE, TIME, CustodyBoardModel
from desktop.models.custody.log_model import SAVED, STATE, WAITING, LogModel

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


def record(n: int, cell: str, arrived: datetime, **extra) -> dict:
    return {"id": f"r{n}", "custody_number": f"BW-2026-{n:06d}", "cell": cell, "status": "in_custody",
            "arrived_at": arrived.isoformat(), "released_at": None,
            "person": {"id": f"p{n}", "surname": f"Testperson{n}", "forenames": "Ima", "date_of_birth": None},
            **extra}


def entry(n: int, observed: datetime, record_id: str = "r1", recorded: datetime | None = None) -> dict:
    return {"id": f"e{n}", "record_id": record_id, "kind": "cell_check", "text": f"Checked {n}\nsecond line",
            "observed_at": observed.isoformat(), "recorded_at": (recorded or observed).isoformat(),
            "author": {"id": "u1", "display_name": "DO Fenna Quill", "rank": "DO", "collar_number": "D101"},
            "corrects_id": None}


def every_cell_has_accessible_text(model) -> None:
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            text = model.index(row, column).data(Qt.ItemDataRole.AccessibleTextRole)
            assert text and str(text).strip(), (row, column)


def test_board_model_passes_model_tester(qapp, qtmodeltester):
    model = CustodyBoardModel(clock=lambda: NOW)
    model.set_records([record(1, "C1", NOW - timedelta(hours=5)), record(2, "C2", NOW - timedelta(minutes=3))])
    qtmodeltester.check(model, force_py=True)
    model.upsert(record(3, "C3", NOW))
    model.upsert(record(1, "C9", NOW - timedelta(hours=5)))
    model.upsert({**record(2, "C2", NOW), "released_at": NOW.isoformat()})
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["C9", "C3"]
    model.stop()


def test_board_shows_time_in_custody_and_speaks_it(qapp):
    model = CustodyBoardModel(clock=lambda: NOW)
    model.set_records([record(1, "C1", NOW - timedelta(hours=25, minutes=3, seconds=7))])
    assert model.index(0, TIME).data() == "25:03:07"
    assert model.index(0, TIME).data(Qt.ItemDataRole.AccessibleTextRole) == "In custody 25 hours 3 minutes"
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "Cell C1"
    assert model.index(0, 1).data() == "TESTPERSON1, Ima"
    every_cell_has_accessible_text(model)
    model.stop()


def test_board_ticks_only_the_time_column_without_reset(qtbot):
    clock = {"now": NOW}
    model = CustodyBoardModel(clock=lambda: clock["now"], tick_ms=50)
    model.set_records([record(1, "C1", NOW), record(2, "C2", NOW - timedelta(seconds=10))])
    resets, changes = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda tl, br, roles: changes.append((tl.row(), tl.column(), br.row(), br.column())))
    clock["now"] = NOW + timedelta(seconds=2)
    qtbot.waitUntil(lambda: len(changes) >= 1, timeout=2000)  # only cells whose text changed are signalled
    assert not resets
    assert set(changes) == {(0, TIME, 1, TIME)}
    assert model.index(0, TIME).data() == "0:00:02"
    model.stop()


def test_board_sorts_cells_naturally_and_filters(qapp):
    model = CustodyBoardModel(clock=lambda: NOW)
    model.set_records([record(1, "C10", NOW), record(2, "C2", NOW), record(3, "C1", NOW)])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(0)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["C1", "C2", "C10"]
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterFixedString("testperson2")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data() == "C2"
    model.stop()


def test_log_model_passes_model_tester_and_orders_by_observed_time(qapp, qtmodeltester):
    model = LogModel()
    model.set_entries("r1", [entry(2, NOW), entry(1, NOW - timedelta(hours=1))])
    qtmodeltester.check(model, force_py=True)
    waiting = {**entry(3, NOW - timedelta(minutes=30)), "recorded_at": None}
    model.add_or_update(waiting, WAITING)
    assert model.state_of("e3") == WAITING
    assert [model.entry(r)["id"] for r in range(3)] == ["e1", "e3", "e2"]
    assert model.index(1, STATE).data() == "Waiting to send"
    model.add_or_update(entry(3, NOW - timedelta(minutes=30), recorded=NOW), SAVED)
    assert model.state_of("e3") == SAVED and model.rowCount() == 3
    model.add_or_update(entry(4, NOW, record_id="another"), SAVED)  # another detainee: not shown
    assert model.rowCount() == 3
    qtmodeltester.check(model, force_py=True)
    every_cell_has_accessible_text(model)
    assert model.index(0, 1).data(Qt.ItemDataRole.AccessibleTextRole) != ""
    assert model.index(0, 0).data() == "21/11 11:00"  # UK time (GMT in November), compact
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "21/11/2026 11:00 GMT"
    assert model.index(0, 3).data() == "Checked 1 second line"
    assert model.index(0, 3).data(Qt.ItemDataRole.AccessibleTextRole) == "Checked 1\nsecond line"


def test_risk_answers_rows_fit_their_text_when_a_layout_is_shown_again(qtbot):
    """The risk table keeps its measured row heights per layout (switching detainee): a row is as tall as its
    wrapped note whether the layout is measured or taken from what was kept, and a changed note is measured."""
    from desktop.models.custody.risk_model import RiskResponsesModel
    from desktop.views.custody.risk_panel import WholeTable
    from domain.risk import RISK_AREAS

    model = RiskResponsesModel()
    table = WholeTable()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setWordWrap(True)
    table.resize(500, 300)
    table.show()
    long_note = " ".join(["Said he had not eaten since yesterday and felt faint on arrival."] * 4)
    with_note = [{"area": RISK_AREAS[0].key, "answer": "yes", "source": "detainee", "note": long_note},
                 {"area": RISK_AREAS[1].key, "answer": "no", "source": "detainee", "note": ""}]
    short = [{**with_note[0], "note": "Fine."}, with_note[1]]

    def shown(responses: list[dict]) -> list[int]:
        model.set_responses(responses)
        table.fit()
        return [table.rowHeight(r) for r in range(model.rowCount())]

    measured = shown(with_note)
    assert measured[0] > measured[1]  # the long note wraps over several lines
    assert shown(short)[0] < measured[0]  # a new text is measured, not given the kept height
    assert shown(with_note) == measured  # the kept layout: the same heights as measuring it
    table.resizeRowsToContents()
    assert [table.rowHeight(r) for r in range(model.rowCount())] == measured


def test_a_new_log_is_painted_once(qtbot):
    """Another detainee's log (a model reset) is laid out at once and painted once, not painted, laid out on the
    view's zero timer and painted again (switching detainee resets the log twice: issue 17)."""
    from PySide6.QtCore import QEvent, QObject

    from desktop.views.custody.detainee_log import DetaineeLogPanel

    class Paints(QObject):
        count = 0

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    class Controller:
        user = None

    panel = DetaineeLogPanel(Controller())  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.resize(480, 600)
    panel.show()
    qtbot.waitExposed(panel)
    entries = [{"id": f"e{n}", "record_id": "r1", "kind": "cell_check", "text": f"Checked {n}, awake and talking",
                "observed_at": f"2026-11-21T11:{n:02d}:00Z", "recorded_at": f"2026-11-21T11:{n:02d}:05Z",
                "author": {"display_name": "Sgt Alys Penhallow", "collar_number": "2231"}} for n in range(12)]
    paints = Paints()
    panel.table.viewport().installEventFilter(paints)
    for record_id, shown in (("r1", entries), ("r2", []), ("r1", entries)):
        qtbot.wait(30)  # anything still pending from the last one is painted
        paints.count = 0
        panel.model.set_entries(record_id, shown)
        qtbot.waitUntil(lambda: paints.count > 0, timeout=2000)
        qtbot.wait(30)  # the view's zero timer has run, and any paint it asks for
        assert paints.count == 1, (record_id, paints.count)
