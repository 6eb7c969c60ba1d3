"""The force view (issue 15) against the real demo server (three suites), by keyboard: Custody > Force view
(Ctrl+Alt+F) shows every suite with its figures in words; Enter on a suite drills down to its detainees; a change
from the feed updates that suite's row in place (no reset); Enter on the review queue opens the review of
detention for that detainee. Nothing here writes, so the shared demo server is left as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.sync.hub import Event
from desktop.timefmt import to_wire, utc_now
from domain.events import EventType
from tests.desktop.custody.helpers import activate


def test_an_inspector_reads_the_force_drills_down_and_works_the_review_queue(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="inspector")
    area = window.areas["force"]
    panel = area.panel
    assert area.actions["force_view"].isVisible()
    activate(qtbot, window)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    model = panel.suites_model
    assert model.rowCount() >= 3 and panel.suites_table.hasFocus()
    assert "suites" in panel.heading.text() and "detained" in panel.heading.text()
    spoken = model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert "detained" in spoken and "places free" in spoken  # the state in words, not only figures

    # Drill down: Enter on the busiest suite lists its detainees.
    busiest = max(range(model.rowCount()), key=lambda n: model.figures[model.suites[n]["id"]].detainees)
    panel.suites_table.selectRow(busiest)
    qtbot.keyClick(panel.suites_table, Qt.Key.Key_Return)
    suite = model.suites[busiest]
    assert panel.drilled == suite["id"] and panel.drill_table.hasFocus()
    assert panel.drill_model.rowCount() == model.figures[suite["id"]].detainees > 0

    # A change from the feed: one detainee's check becomes overdue; only that suite's row changes, no reset.
    record = dict(panel.drill_model.row(0))
    before = model.figures[suite["id"]].overdue_checks
    was_overdue = record.get("next_check_due") and record["next_check_due"] < to_wire(utc_now())
    record["next_check_due"] = to_wire(utc_now().replace(year=2020))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(panel.changed, timeout=3000) as changed:
        panel.apply([Event(type=EventType.CUSTODY_RECORD_UPDATED, data=record, entity_id=record["id"],
                           seq=panel.last_seq + 1)])
    assert changed.args[0] == {suite["id"]} and not resets
    assert model.figures[suite["id"]].overdue_checks == before + (0 if was_overdue else 1)

    # The review queue: Enter opens the review of detention for the detainee at the top.
    queue = panel.queue_model
    if queue.rowCount() == 0:  # the demo's reviews are all later than the queue's window: put one in
        due = dict(record, next_review_due=to_wire(utc_now()), review_number_due=1)
        panel.apply([Event(type=EventType.CUSTODY_RECORD_UPDATED, data=due, entity_id=due["id"],
                           seq=panel.last_seq + 2)])
    assert queue.rowCount() > 0 and "Review" in queue.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    first = queue.record(0)
    panel.queue_table.setFocus()
    panel.queue_table.selectRow(0)
    qtbot.keyClick(panel.queue_table, Qt.Key.Key_Return)
    custody = window.areas["custody"]
    qtbot.waitUntil(lambda: custody.dialog is not None and custody.dialog.isVisible(), timeout=5000)
    assert type(custody.dialog).__name__ == "ReviewDialog"
    assert window.session.selected_record["id"] == first["id"]
    custody.dialog.reject()
    assert QApplication.activeModalWidget() is None or not QApplication.activeModalWidget().isVisible()

    # Unticking every suite but one narrows the queue to that suite.
    panel.set_covered({suite["id"]})
    assert all(r["suite_id"] == suite["id"] for r in queue.rows)
