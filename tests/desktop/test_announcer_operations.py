"""The announcer reaches the status bar and observers; operations run off the GUI thread and come back on it."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QMainWindow

from desktop.announcer import Announcer


def test_announcer_shows_text_and_emits_politeness(qtbot):
    QAccessible.setActive(True)  # so the accessibility event path really runs
    window = QMainWindow()
    qtbot.addWidget(window)
    announcer = Announcer()
    announcer.attach(window.statusBar(), window)
    with qtbot.waitSignal(announcer.announced) as polite:
        announcer.announce("Log entry saved")
    assert polite.args == ["Log entry saved", False]
    assert window.statusBar().currentMessage() == "Log entry saved"
    with qtbot.waitSignal(announcer.announced) as assertive:
        announcer.announce("Cannot reach the server", assertive=True)
    assert assertive.args == ["Cannot reach the server", True]
    QAccessible.setActive(False)


def test_operation_result_arrives_on_gui_thread(qtbot, ops):
    gui = threading.get_ident()
    seen = {}

    def work():
        seen["worker"] = threading.get_ident()
        return 41 + 1

    with qtbot.waitSignal(ops._finished, timeout=5000):
        ops.run(work, on_done=lambda value: seen.update(value=value, callback=threading.get_ident()))
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42
    assert seen["worker"] != gui
    assert seen["callback"] == gui


def test_operation_error_is_routed_to_on_error(qtbot, ops):
    errors, done = [], []

    def fail():
        raise ValueError("the store is full")

    ops.run(fail, on_done=done.append, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert not done
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "the store is full"


def test_writes_run_one_at_a_time_in_order(qtbot, ops):
    order, threads = [], set()

    def write(n):
        threads.add(threading.get_ident())
        order.append(n)
        return n

    results = []
    for n in range(20):
        ops.write(lambda n=n: write(n), on_done=results.append)
    qtbot.waitUntil(lambda: len(results) == 20, timeout=5000)
    assert order == list(range(20)) and results == list(range(20))
    assert len(threads) == 1


@pytest.mark.parametrize("count", [0])
def test_in_flight_counter_returns_to_zero(qtbot, ops, count):
    ops.run(lambda: None)
    qtbot.waitUntil(lambda: ops.in_flight == count, timeout=5000)


def test_a_result_for_a_widget_closed_meanwhile_is_dropped_not_delivered_to_a_dead_object(qtbot, ops):
    """A panel or dialog closed while its data loaded: the late result must not touch the deleted widget."""
    from PySide6.QtWidgets import QLabel
    from shiboken6 import isValid

    gate = threading.Event()
    gone, alive = QLabel("closing"), QLabel("staying")
    qtbot.addWidget(alive)
    delivered: list[str] = []
    ops.run(lambda: gate.wait(5) and "late", on_done=lambda v: delivered.append(f"gone:{v}"), owner=gone)
    ops.run(lambda: gate.wait(5) and "late", on_done=lambda v: delivered.append(f"alive:{v}"), owner=alive)
    gone.deleteLater()
    qtbot.waitUntil(lambda: not isValid(gone))
    gate.set()
    qtbot.waitUntil(lambda: ops.in_flight == 0)
    assert delivered == ["alive:late"]


def test_a_call_after_shutdown_starts_nothing_and_does_not_raise(qtbot):
    """A view torn down with the window may still ask for a reload after the operations stopped (it crashed a
    teardown once: 'cannot schedule new futures after shutdown')."""
    from desktop.operations import Operations

    operations = Operations()
    operations.shutdown()
    ran = []
    late = operations.run(lambda: ran.append(1))
    late_write = operations.write(lambda: ran.append(2))
    assert late.cancelled() and late_write.cancelled() and ran == [] and operations.in_flight == 0


def test_held_reads_start_after_the_first_read_is_delivered_and_what_it_asks_for_is_not_held(qtbot, ops):
    """Start-up (issue 17): the main window holds its areas' first reads so the board's read (first=True) does not
    queue behind them; the record its arrival selects is read at once, submitted before the held ones."""
    gate = threading.Event()
    started: list[str] = []
    seen_by_callback: list[list[str]] = []
    submitted_in_callback = []

    def read(name: str) -> str:
        started.append(name)
        return name

    def board_delivered(_value: object) -> None:
        seen_by_callback.append(list(started))
        submitted_in_callback.append(ops.run(lambda: read("selected record")))

    ops.hold_reads()
    held = [ops.run(lambda n=n: read(n)) for n in ("dock-1", "dock-2")]
    ops.run(lambda: read("board") and gate.wait(5), first=True, on_done=board_delivered)
    ops.release_reads()  # the board's read is still out: the held ones wait for its delivery
    qtbot.waitUntil(lambda: started == ["board"], timeout=5000)  # it started at once, alone
    assert ops.in_flight == 3
    gate.set()
    qtbot.waitUntil(lambda: ops.in_flight == 0, timeout=5000)
    assert seen_by_callback == [["board"]]  # nothing held had started before the board's result was delivered
    assert submitted_in_callback[0].result(timeout=5) == "selected record"
    assert sorted(started) == ["board", "dock-1", "dock-2", "selected record"]
    assert [future.result(timeout=5) for future in held] == ["dock-1", "dock-2"]
    ops.run(lambda: read("later"))  # no longer held
    qtbot.waitUntil(lambda: "later" in started, timeout=5000)


def test_held_reads_start_at_once_when_no_first_read_is_out(qtbot, ops):
    ops.hold_reads()
    done: list[int] = []
    ops.run(lambda: 1, on_done=done.append)
    ops.release_reads()
    qtbot.waitUntil(lambda: done == [1], timeout=5000)


def test_the_collector_is_paused_while_imports_run_then_resumed_with_their_objects_frozen():
    import gc

    from server.embedded import collector_paused

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with collector_paused():
        with collector_paused():  # nested (or another thread's): still paused after the inner one ends
            pass
        assert not gc.isenabled()
        kept = [[] for _ in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
    gc.unfreeze()  # this test's process: back as it was
