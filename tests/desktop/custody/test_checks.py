"""Cell checks: a late-typed check keeps its real time, a failed rousing is a medical emergency at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.models.custody.board_model import NEXT_CHECK
from desktop.timefmt import format_local, parse_utc, utc_now
from desktop.views.custody.menu import EMERGENCY_EVENT
from desktop.views.forms.dialog import now_to_minute, set_utc
from tests.desktop.custody.helpers import Announcements, open_by_shortcut, select
from tests.desktop.harness import custody_board

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def announcements():
    made = Announcements()
    yield made
    made.close()


def level_record(window, level: int) -> dict:
    for row in range(custody_board(window).model.rowCount()):
        record = custody_board(window).model.record(row)
        if record.get("observation_level") == level:
            return record
    raise AssertionError(f"no demo detainee at level {level}")


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_a_check_typed_late_keeps_when_it_happened_and_shows_when_it_was_recorded(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    record = level_record(window, 1)
    select(qtbot, window, record["id"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_K)
    assert "Sgt" in dialog.who_label.text() or dialog.who_label.text()
    # Typed late: it happened earlier than now, but after the detainee's last recorded check.
    last = parse_utc(record.get("last_check_at")) or now_to_minute() - timedelta(hours=1)
    observed = max(now_to_minute() - timedelta(minutes=12), (last + timedelta(minutes=2)).replace(second=0,
                                                                                                 microsecond=0))
    assert observed < utc_now() - timedelta(minutes=1)
    set_utc(dialog.observed_edit, observed)
    choose(dialog.type_combo, "look")
    choose(dialog.result_combo, "awake – settled")
    with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as saved:
        qtbot.keyClick(dialog.type_combo, Qt.Key.Key_Return)
    check = saved.args[0]
    assert parse_utc(check["observed_at"]) == observed
    recorded = parse_utc(check["recorded_at"])
    assert abs((recorded - utc_now()).total_seconds()) < 60 and recorded - observed >= timedelta(minutes=1)
    assert format_local(observed) in dialog.status_label.text()
    assert "recorded" in dialog.status_label.text() and dialog.isVisible()
    assert dialog.save_button.text().replace("&", "") == "Close"
    # The board follows the change feed: next check is an hour after the observed time, not the typed time.
    row = custody_board(window).model.row_of(record["id"])
    qtbot.waitUntil(lambda: parse_utc(custody_board(window).model.record(row).get("last_check_at")) == observed,
                    timeout=10_000)
    spoken = custody_board(window).model.index(row, NEXT_CHECK).data(Qt.ItemDataRole.AccessibleTextRole)
    assert format_local(observed + timedelta(minutes=60)) in spoken
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)


def test_failed_rousing_prompts_and_announces_at_once(qtbot, make_window, demo_server, announcements):
    window = make_window(demo_server.url)
    record = level_record(window, 2)
    select(qtbot, window, record["id"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_K)
    assert dialog.type_combo.currentData() == "rouse"  # level 2: each check rouses
    choose(dialog.result_combo, "failed to rouse")
    dialog.submit()
    prompt = dialog.emergency_prompt
    assert prompt is not None and prompt.isVisible() and prompt.isModal()
    assert prompt.objectName() == "medicalEmergencyPrompt"
    assert "Call an ambulance / healthcare professional now" in prompt.text()
    assert announcements.assertive("MEDICAL EMERGENCY")
    fed: list[dict] = []
    window.feed.events.connect(fed.extend)  # connected after the window's own handlers, so it hears last
    with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as saved:
        pass
    assert saved.args[0]["medical_emergency"] is True
    # The feed brings custody.medical_emergency for our own check: once it has been handled, no second prompt.
    qtbot.waitUntil(lambda: any(e.get("type") == EMERGENCY_EVENT and e.get("data", {}).get("id") == saved.args[0]["id"]
                                for e in fed), timeout=15_000)
    prompts = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "medicalEmergencyPrompt" and w.isVisible()]
    assert prompts == [prompt]
    prompt.accept()


def test_a_check_inconsistent_with_the_level_is_refused_beside_the_field(qtbot, make_window, demo_server,
                                                                       announcements):
    window = make_window(demo_server.url)
    record = level_record(window, 2)
    select(qtbot, window, record["id"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_K)
    choose(dialog.type_combo, "look")
    choose(dialog.result_combo, "asleep – breathing observed")
    dialog.submit()
    assert dialog.errors["check_type"].isVisible() and "rouse" in dialog.errors["check_type"].text()
    assert QApplication.focusWidget() is dialog.type_combo
    assert dialog.row_id is None  # nothing was queued
    set_utc(dialog.observed_edit, utc_now() + timedelta(hours=1))
    choose(dialog.type_combo, "rouse")
    choose(dialog.result_combo, "responded")
    dialog.submit()
    assert "future" in dialog.errors["observed_at"].text()
    dialog.dirty = False
    dialog.reject()
