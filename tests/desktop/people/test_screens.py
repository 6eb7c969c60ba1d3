"""Every issue-4 screen with real demo data, at normal and 200% text, on a 1280x800 window: nothing clipped,
and a screenshot of each (BRIDEWELL_GUIDE_SHOTS=docs/images writes the user guide's pictures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.a11y.audit import clipped_text
from tests.desktop.people.helpers import people_window


@pytest.fixture(params=[1, 2], ids=["normal-font", "200%-font"])
def scale(request, qapp):
    # The pictures show the default theme: a style sheet left by an earlier test (high contrast) is cleared.
    sheet = qapp.styleSheet()
    qapp.setStyleSheet("")
    original = QApplication.font()
    if request.param != 1:
        bigger = QApplication.font()
        bigger.setPointSizeF(original.pointSizeF() * request.param)
        QApplication.setFont(bigger)
    yield request.param
    QApplication.setFont(original)
    qapp.setStyleSheet(sheet)


def test_people_screens_fit_and_are_pictured(qtbot, make_window, demo_server, scale, tmp_path):
    shots = Path(os.environ.get("BRIDEWELL_GUIDE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    suffix = "" if scale == 1 else "-200pct"
    problems: list[str] = []

    def shot(widget, name: str) -> None:
        QApplication.processEvents()
        widget.grab().save(str(shots / f"people-{name}{suffix}.png"))
        problems.extend(f"{name}: {p}" for p in clipped_text(widget))

    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    window.resize(1280, 800)
    people = window.areas["people"]

    search = people.find_person()
    search.panel.name_edit.setText("Steven Macdonald")
    with qtbot.waitSignal(search.panel.searched, timeout=10_000):
        search.panel.search()
    shot(search, "search")
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=10_000):
        search.panel.open_current()
    window.docks["personDock"].raise_()
    shot(window, "person-dock")

    form = people.new_person("Steve McDonald")
    form.dob_edit.setText("11/04/1988")
    form.pnc_edit.setText("12/394773A")
    shot(form, "new-person-pnc-problem")
    form.pnc_edit.clear()
    form.create_button.click()
    qtbot.waitUntil(form.duplicates_box.isVisible, timeout=10_000)
    form.resize(form.sizeHint().expandedTo(form.size()))
    shot(form, "new-person-duplicates")
    form.reject()

    merge = people.merge()
    merge.search.name_edit.setText("Steven McDonald")
    with qtbot.waitSignal(merge.search.searched, timeout=10_000):
        merge.search.search()
    row = next(r for r in range(merge.search.model.rowCount())
               if merge.search.model.row(r)["person"]["forenames"] == "Steven")
    merge.search.table.setCurrentIndex(merge.search.model.index(row, 0))
    merge.search.open_current()
    merge.reason_edit.setText("Same person: DOB day and month swapped at entry.")
    merge.merge_button.click()
    assert merge.confirming
    shot(merge, "merge-confirm")
    merge.reject()

    actions = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: actions.scope_combo.count() > 1, timeout=10_000)
    with qtbot.waitSignal(actions.loaded, timeout=10_000):
        actions.show_investigation(actions.scope_combo.itemData(actions.scope_combo.count() - 1))
    window.docks["investigationActionsDock"].raise_()
    shot(window, "actions-dock")
    row = next(r for r in range(actions.model.rowCount()) if actions.model.row(r)["status"] == "allocated")
    actions.table.setCurrentIndex(actions.model.index(row, 0))
    result = window.areas["investigations"].trigger("submit_result")
    result.result_edit.setPlainText("Done.")
    result.ok_button.click()
    qtbot.waitUntil(result.errors["result_text"].isVisible, timeout=10_000)
    shot(result, "action-result-refused")
    result.reject()

    report = window.areas["intelligence"].trigger("new_report")
    report.title_edit.setText("Vehicle seen at Ropewalk Stores")
    report.source_edit.setText("SRC-0077")
    report.original_edit.setPlainText("Blue van seen twice at night behind the shop.")
    report.grading.source_combo.set_code("2")
    report.grading.items[0][0].setText("Van seen at night")
    report.grading.items[0][1].set_code("B")
    report.grading.handling_combo.set_code("C")
    report.ok_button.click()
    report.resize(report.sizeHint().expandedTo(report.size()))
    shot(report, "report-handling-conditions")
    report.reject()

    intel = window.areas["intelligence"].intel_panel
    window.docks["intelligenceGradingDock"].raise_()
    shot(window, "intel-dock")
    intel.table.setCurrentIndex(intel.proxy.index(0, 0))
    window.areas["intelligence"].trigger("open_report")
    intel.dialog.reason_edit.setText("Checking the grading before a briefing")
    shot(intel.dialog, "access-reason")
    with qtbot.waitSignal(intel.report_opened, timeout=10_000):
        intel.dialog.ok_button.click()
    shot(intel.viewer, "report-view")
    intel.viewer.reject()
    assert problems == []
