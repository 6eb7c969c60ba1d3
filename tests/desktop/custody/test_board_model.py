"""The custody board model: PACE clocks from domain/, overdue once, cells changed only, sort by time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt

from desktop.models.custody.board_model import (AA, FLAGS, LIMIT, NEXT_CHECK, NEXT_REVIEW, OVERDUE_ROLE, RISK, TIME,
                                                CustodyBoardModel)
from desktop.models.custody.risk_model import RiskResponsesModel
from desktop.views.custody.board import BoardProxy

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


def iso(at: datetime) -> str:
    return at.isoformat()


def record(n: int, cell: str, *, arrived: timedelta, last_check: timedelta | None = None, level: int | None = 1,
           authorised: timedelta | None = None, reviews_done: int = 0, **extra) -> dict:
    return {"id": f"r{n}", "custody_number": f"BW-2026-{n:06d}", "cell": cell, "status": "in_custody",
            "name": f"TESTPERSON{n}, Ima", "person": {"id": f"p{n}", "surname": f"Testperson{n}", "forenames": "Ima"},
            "arrived_at": iso(NOW - arrived), "relevant_time": iso(NOW - arrived), "released_at": None,
            "observation_level": level, "observation_level_set_at": iso(NOW - arrived) if level else None,
            "observation_interval_minutes": {1: 60, 2: 30, 3: 15, 4: 15}.get(level) if level else None,
            "last_check_at": iso(NOW - last_check) if last_check is not None else None,
            "detention_authorised_at": iso(NOW - authorised) if authorised is not None else None,
            "reviews_done": reviews_done, "authorities": [], "juvenile": False, "vulnerable": False,
            "appropriate_adult_required": False, "risk_level": "low", **extra}


def cells_have_text(model) -> None:
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            assert str(model.index(row, column).data(Qt.ItemDataRole.AccessibleTextRole) or "").strip(), (row, column)


def test_full_board_passes_model_tester_and_speaks_every_cell(qapp, qtmodeltester):
    model = CustodyBoardModel(clock=lambda: NOW)
    model.set_records([
        record(1, "C1", arrived=timedelta(hours=5), last_check=timedelta(minutes=70), authorised=timedelta(hours=7)),
        record(2, "C2", arrived=timedelta(hours=1), level=None, juvenile=True, appropriate_adult_required=True,
               appropriate_adult_awaited=True, risk_level=None),
    ])
    qtmodeltester.check(model, force_py=True)
    model.tick()
    cells_have_text(model)
    assert model.index(0, NEXT_CHECK).data() == "OVERDUE 10 min"
    assert model.index(0, NEXT_CHECK).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Cell check OVERDUE by")
    assert model.index(0, NEXT_CHECK).data(Qt.ItemDataRole.DecorationRole) is not None  # icon as well as colour
    assert model.index(0, NEXT_REVIEW).data() == "OVERDUE 1 h 00 min"  # first review 6 h after authorisation
    assert "Review 1 OVERDUE" in model.index(0, NEXT_REVIEW).data(Qt.ItemDataRole.AccessibleTextRole)
    assert model.index(0, LIMIT).data().endswith("(in 19 h 00 min)")  # relevant time + 24 h
    assert model.index(1, FLAGS).data() == "Juvenile" and model.index(1, AA).data().startswith("AA awaited")
    assert model.index(1, NEXT_CHECK).data(Qt.ItemDataRole.AccessibleTextRole).startswith("No cell check")
    assert model.index(1, RISK).data() == "Not assessed"
    model.upsert(record(3, "C3", arrived=timedelta(minutes=5)))
    model.upsert({**record(2, "C2", arrived=timedelta(hours=1)), "released_at": iso(NOW)})
    qtmodeltester.check(model, force_py=True)
    model.stop()


def test_overdue_is_reported_once_and_again_only_after_it_was_put_right(qtbot):
    clock = {"now": NOW}
    model = CustodyBoardModel(clock=lambda: clock["now"])
    model.stop()
    model.set_records([record(1, "C1", arrived=timedelta(hours=3), last_check=timedelta(minutes=59, seconds=58))])
    reported = []
    model.became_overdue.connect(lambda rid, kind, text: reported.append((rid, kind, text)))
    model.tick()
    assert reported == []
    for seconds in range(3, 120):
        clock["now"] = NOW + timedelta(seconds=seconds)
        model.tick()
    assert [(r, k) for r, k, _ in reported] == [("r1", "check")]
    assert "TESTPERSON1, Ima in cell C1" in reported[0][2] and "OVERDUE" in reported[0][2]
    assert model.index(0, 0).data(OVERDUE_ROLE)
    # A check arrives from the feed: no longer overdue; when the next falls due it is reported again.
    model.upsert(record(1, "C1", arrived=timedelta(hours=3), last_check=timedelta(seconds=-100)))
    model.tick()
    assert model.index(0, 0).data(OVERDUE_ROLE) == 0
    clock["now"] = NOW + timedelta(minutes=62)
    model.tick()
    model.tick()
    assert [(r, k) for r, k, _ in reported] == [("r1", "check"), ("r1", "check")]


def test_a_tick_signals_only_changed_cells_and_never_resets(qtbot):
    clock = {"now": NOW}
    model = CustodyBoardModel(clock=lambda: clock["now"])
    model.stop()
    model.set_records([record(n, f"C{n}", arrived=timedelta(hours=2), last_check=timedelta(minutes=10))
                       for n in range(1, 5)])
    resets, changes = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda tl, br, roles: changes.append((tl.row(), tl.column(), br.row(), br.column())))
    clock["now"] = NOW + timedelta(seconds=1)
    model.tick()
    assert changes == [(0, TIME, 3, TIME)]  # minutes-resolution columns did not change within the minute
    changes.clear()
    model.tick()
    assert changes == []  # same second, nothing changed, nothing signalled
    clock["now"] = NOW + timedelta(seconds=61)
    model.tick()
    assert {c[1] for c in changes} == {TIME, NEXT_CHECK, NEXT_REVIEW, LIMIT} - {NEXT_REVIEW}
    assert not resets


def test_proxy_sorts_by_the_due_time_not_the_text_and_filters_overdue(qapp):
    model = CustodyBoardModel(clock=lambda: NOW)
    model.stop()
    model.set_records([
        record(1, "C1", arrived=timedelta(hours=9), last_check=timedelta(minutes=5)),  # due in 55 min
        record(2, "C2", arrived=timedelta(hours=9), last_check=timedelta(minutes=150)),  # overdue 1 h 30
        record(3, "C3", arrived=timedelta(hours=9), last_check=timedelta(minutes=52)),  # due in 8 min
        record(4, "C4", arrived=timedelta(hours=9), last_check=timedelta(minutes=61)),  # overdue 1 min
    ])
    model.tick()
    proxy = BoardProxy()
    proxy.setSourceModel(model)
    proxy.sort(NEXT_CHECK)
    assert [proxy.index(r, 0).data() for r in range(4)] == ["C2", "C4", "C3", "C1"]
    proxy.set_overdue_only(True)
    assert sorted(proxy.index(r, 0).data() for r in range(proxy.rowCount())) == ["C2", "C4"]
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterFixedString("testperson4")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["C4"]


def test_risk_responses_model(qapp, qtmodeltester):
    model = RiskResponsesModel()
    model.set_responses([{"area": "self_harm_history", "answer": "yes", "source": "detainee", "note": "2019"},
                         {"area": "warning_markers", "answer": "no", "source": "warning_markers", "note": ""}])
    qtmodeltester.check(model, force_py=True)
    cells_have_text(model)
    assert model.index(0, 1).data() == "Yes (concern)"
    assert model.index(1, 3).data(Qt.ItemDataRole.AccessibleTextRole) == "Note: none"


def test_overdue_only_view_follows_the_model_as_it_changes(qapp):
    """No refilter call from outside: a check recorded elsewhere (an upsert from the feed) takes the row out of
    the 'overdue only' view at once, and a row falling due on a tick comes in."""
    now = [NOW]
    model = CustodyBoardModel(clock=lambda: now[0])
    model.set_records([record(1, "C1", arrived=timedelta(hours=5), last_check=timedelta(minutes=70)),
                       record(2, "C2", arrived=timedelta(hours=5), last_check=timedelta(minutes=50))])
    model.tick()
    proxy = BoardProxy()
    proxy.setDynamicSortFilter(False)  # as on the window: the clocks tick every second, rows must not jump
    proxy.setSourceModel(model)
    proxy.set_overdue_only(True)
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(OVERDUE_ROLE)
    model.upsert(record(1, "C1", arrived=timedelta(hours=5), last_check=timedelta(minutes=1)))
    assert proxy.rowCount() == 0
    now[0] = NOW + timedelta(minutes=11)  # C2's check falls due
    model.tick()
    assert proxy.rowCount() == 1 and "C2" == model.record(proxy.mapToSource(proxy.index(0, 0)).row())["cell"]
