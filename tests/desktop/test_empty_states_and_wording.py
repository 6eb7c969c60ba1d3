"""Issue 13: panels with nothing in them say what they are for and how to start; words a sergeant reads are
right ("1 custody record", "In custody" as the board writes it); the risk summary reads as sentences with the level
emphasised, in one scroll area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from desktop.models.people.person_picture_model import PictureLinksModel
from desktop.views.custody.risk_panel import result_html
from desktop.views.people.person_dock import counted
from tests.desktop.custody.helpers import Announcements
from tests.desktop.harness import custody_board


def test_the_person_dock_with_nobody_open_says_what_it_is_for_and_how_to_start(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    panel = window.areas["people"].person_panel
    shown = panel.details.toPlainText()
    assert "No person open" in shown and "whole picture" in shown
    assert "Find person" in shown and "Ctrl+F" in shown and "Ctrl+Shift+J" in shown  # how to start, by keyboard


def test_investigation_actions_with_no_action_explain_and_offer_no_action_buttons(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)  # the sergeant: no actions of their own
    panel = window.areas["investigations"].actions_panel
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.reload()
    assert panel.model.rowCount() == 0
    text = panel.detail.toPlainText()
    assert "tasks raised in an investigation" in text and "Alt+H" in text and "Alt+A" in text
    for key in ("submit_result", "allocate", "review", "refer", "cancel"):
        assert not panel.buttons[key].isEnabled(), key  # nothing chosen: nothing to submit a result for
    assert panel.buttons["refresh"].isEnabled()


def test_counts_and_statuses_read_as_the_board_writes_them(qapp):
    assert counted(1, "custody record") == "1 custody record"
    assert counted(3, "custody record") == "3 custody records"
    assert counted(0, "prosecution case") == "no prosecution cases"
    links = PictureLinksModel()
    links.set_rows([{"id": "custody:1", "area": "custody", "reference": "BW-2026-000001", "title": "Arrived",
                     "status": "in_custody", "role": "detainee"}])
    assert links.index(0, 3).data() == "In custody"


def test_the_person_announcement_counts_in_the_singular_when_there_is_one(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    record = custody_board(window).model.record(0)
    panel = window.areas["people"].person_panel
    heard = Announcements()
    try:
        with qtbot.waitSignal(panel.person_loaded, timeout=10_000):
            panel.open_person(record["person"]["id"])
    finally:
        heard.close()
    said = next(t for t, _assertive in heard.items if t.startswith("Person:"))
    assert "1 custody records" not in said and " 1 custody record," in said


def test_the_risk_summary_is_sentences_with_the_level_first_and_in_bold():
    shown = result_html({"risk_level": "high", "suggested_level": 3, "concerns": ["self_harm_current"],
                         "unanswered": [], "reasons": ["Thoughts of self-harm now: level 3 at least",
                                                       "Warning marker for violence."]})
    assert shown.startswith("<b>Risk level: HIGH.</b>")
    lines = shown.split("<br>")
    assert lines[1] == "1 area of concern. 0 questions not answered."
    assert lines[2:] == ["Thoughts of self-harm now: level 3 at least.", "Warning marker for violence."]


def test_the_risk_dock_has_one_scroll_bar_not_one_inside_another(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    panel = window.areas["custody"].risk_panel
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        custody_board(window).select_record_id(custody_board(window).model.record(0)["id"])
    dock = window.docks["riskAssessmentDock"]
    dock.show()
    dock.raise_()
    QApplication.processEvents()
    assert panel.result_label.text().startswith("<b>Risk level:")
    scrollers = [w for w in dock.findChildren(QAbstractScrollArea)
                 if w.isVisibleTo(dock) and w.verticalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                 and panel.isAncestorOf(w)]
    assert scrollers == [], [w.objectName() for w in scrollers]  # only the dock's own scroll area scrolls
    table = panel.table
    rows = sum(table.rowHeight(r) for r in range(panel.model.rowCount()))
    assert panel.model.rowCount() > 0 and table.height() >= rows + table.horizontalHeader().height()
