"""Investigation actions and intelligence from the client, against the real demo server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.views.intelligence.report_dialog import RESTRICTED_ORIGINAL
from tests.desktop.people.helpers import people_window


def test_my_actions_overdue_first_as_text_icon_and_colour(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    model = window.areas["investigations"].actions_panel.model
    assert model.rowCount() >= 2
    overdue = [model.row(r)["overdue"] for r in range(model.rowCount())]
    assert overdue[0] and overdue == sorted(overdue, reverse=True)  # overdue first
    due = model.index(0, 5)
    assert due.data().startswith("OVERDUE")
    assert due.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Overdue: was due")
    assert due.data(Qt.ItemDataRole.DecorationRole) is not None and due.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "overdue" in window.areas["investigations"].actions_panel.heading.text()


def test_result_by_an_officer_it_is_not_allocated_to_is_refused_beside_the_field(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    panel = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: panel.scope_combo.count() > 1, timeout=10_000)
    inv = next(panel.scope_combo.itemData(i) for i in range(panel.scope_combo.count())
               if "9001" in panel.scope_combo.itemText(i))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_investigation(inv)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row(r)["status"] == "allocated"
               and panel.model.row(r)["allocated_to"]["collar_number"] != window.session.user["collar_number"])
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    before = panel.model.row(row)
    dialog = window.areas["investigations"].trigger("submit_result")  # F7
    dialog.result_edit.setPlainText("Enquiries made at the lock-up.")
    dialog.ok_button.click()
    error = dialog.errors["result_text"]
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert "Only the officer the action is allocated to can submit its result." in error.text()
    assert dialog.isVisible() and dialog.result_edit.toPlainText() == "Enquiries made at the lock-up."
    assert panel.model.row(row)["status"] == before["status"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_allocated_officer_submits_result_and_history_shows_it(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    panel = window.areas["investigations"].actions_panel
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row(r)["status"] == "allocated")
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    action_id = panel.model.row(row)["id"]
    dialog = window.areas["investigations"].trigger("submit_result")
    dialog.result_edit.setPlainText("Glove marks submitted to the lab, reference LAB-7731.")
    with qtbot.waitSignal(panel.transition_done, timeout=10_000):
        qtbot.keyClick(dialog.result_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.select_action(action_id) or panel.model.row_of(action_id) is None, timeout=10_000)
    # The open filter still lists a resulted action; its history says what happened.
    assert panel.select_action(action_id)
    assert panel.current()["status"] == "resulted"
    events = [panel.history_model.index(r, 1).data() for r in range(panel.history_model.rowCount())]
    assert events[-1] == "Result submitted"


def test_grading_c_without_conditions_refused_beside_the_field(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "intel")
    dialog = window.areas["intelligence"].trigger("new_report")  # Ctrl+Shift+I
    dialog.title_edit.setText("Vehicle seen at Ropewalk Stores")
    dialog.source_edit.setText("SRC-0077")
    dialog.original_edit.setPlainText("Blue van VX-fictional seen twice at night.")
    grading = dialog.grading
    grading.source_combo.set_code("2")
    assert grading.source_combo.meaning.text() == "2 means: Untested"
    assert grading.source_combo.accessibleDescription() == "2 means: Untested"
    text, combo, _error = grading.items[0]
    text.setText("Van seen at night")
    combo.set_code("B")
    assert "corroborated" in combo.meaning.text()
    grading.handling_combo.set_code("C")
    assert "conditions" in grading.handling_combo.meaning.text()
    dialog.ok_button.click()
    error = grading.errors["handling_conditions"]
    assert error.isVisible() and "conditions" in error.text()
    assert dialog.focusWidget() is grading.conditions_edit
    assert window.store.outbox_items() == []

    # The server says the same when the client check is bypassed: beside the same field.
    error.clear_problem()
    body = {"id": dialog.report_id, "title": "x", "source_reference": "SRC-0077", "original_text": "y",
            "source_evaluation": "2", "items": [{"text": "z", "assessment": "B"}], "handling_code": "C"}
    window.writes.queue("POST", "/intelligence/reports", body, on_rejected=dialog.refused)
    qtbot.waitUntil(error.isVisible, timeout=10_000)

    grading.conditions_edit.setPlainText("Not to be shared outside the burglary team.")
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created:
        dialog.ok_button.click()
    assert created.args[0]["grading"] == "2/B/C"


def test_reason_asked_before_a_report_is_opened_and_roles_see_what_they_may(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "investigator")
    panel = window.areas["intelligence"].intel_panel
    refs = {panel.model.row(r)["reference"][-4:]: panel.model.row(r) for r in range(panel.model.rowCount())}
    assert "9001" in refs and "9002" not in refs  # C report left out for a non-intelligence role
    panel.table.setCurrentIndex(panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(refs["9001"]["id"]), 0)))
    window.areas["intelligence"].trigger("open_report")
    reason = panel.dialog
    assert reason.objectName() == "accessReasonDialog" and reason.isVisible()
    assert panel.viewer is None  # nothing fetched before the reason
    reason.ok_button.click()
    assert reason.reason_error.isVisible() and reason.isVisible()
    reason.reason_edit.setText("Checking the van's owner for INV-2026-9001")
    with qtbot.waitSignal(panel.report_opened, timeout=10_000) as opened:
        reason.ok_button.click()
    viewer = opened.args[0]
    assert viewer.original.toPlainText() == RESTRICTED_ORIGINAL
    assert viewer.sanitised.toPlainText().strip() and not viewer.regrade_button.isVisible()
    assert "Grading 2/B,C/P" in viewer.summary.toPlainText()

    # The C report, asked for directly, is restricted: said, never a blank or a crash.
    panel.fetch_id = None
    c_report = _report_id(demo_server.url, "9002")
    panel.fetch(c_report, "trying")
    qtbot.waitUntil(lambda: panel.heading.text().startswith("Restricted"), timeout=10_000)


def test_intelligence_officer_sees_c_reports_original_and_can_regrade(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "intel")
    panel = window.areas["intelligence"].intel_panel
    refs = {panel.model.row(r)["reference"][-4:]: panel.model.row(r) for r in range(panel.model.rowCount())}
    assert "9002" in refs
    panel.fetch(refs["9001"]["id"], "Quality check of the grading")
    qtbot.waitUntil(lambda: panel.viewer is not None, timeout=10_000)
    viewer = panel.viewer
    assert viewer.original.toPlainText() != RESTRICTED_ORIGINAL and viewer.regrade_button.isVisible()
    dialog = panel.regrade(viewer.report)
    dialog.grading.source_combo.set_code("1")
    dialog.reason_edit.setText("Source has since proved reliable.")
    with qtbot.waitSignal(panel.report_changed, timeout=10_000) as changed:
        dialog.ok_button.click()
    report = changed.args[0]
    assert report["grading"].startswith("1/") and report["grading_history"]
    assert viewer.history_model.rowCount() == len(report["grading_history"])
    last = viewer.history_model.rowCount() - 1
    assert viewer.history_model.index(last, 4).data() == "Source has since proved reliable."


def _report_id(url: str, suffix: str) -> str:
    from tests.desktop.people.helpers import api
    client = api(url, "intel")
    try:
        return next(r["id"] for r in client.intel_reports() if r["reference"].endswith(suffix))
    finally:
        client.close()


def test_supervisor_allocates_and_reviews_with_a_further_action(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    panel = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: panel.scope_combo.count() > 1, timeout=10_000)
    index = next(i for i in range(panel.scope_combo.count()) if "9001" in panel.scope_combo.itemText(i))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_investigation(panel.scope_combo.itemData(index))
    resulted = next((r for r in range(panel.model.rowCount()) if panel.model.row(r)["status"] == "resulted"), None)
    assert resulted is not None, "the demo investigation has a resulted action to review"
    action_id = panel.model.row(resulted)["id"]
    panel.table.setCurrentIndex(panel.model.index(resulted, 0))
    before = panel.model.rowCount()
    dialog = window.areas["investigations"].trigger("review")  # F8
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData("further_action"))
    dialog.ok_button.click()  # no title for the further action yet
    assert dialog.errors["further_action"].isVisible() and dialog.isVisible()
    dialog.further_edit.setText("Trace the van's registered keeper")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):  # the list reloads to show the new action
        dialog.ok_button.click()
    assert not dialog.isVisible()
    assert panel.model.rowCount() == before + 1
    assert panel.model.row(panel.model.row_of(action_id))["status"] == "filed"
    new = next(panel.model.row(r) for r in range(panel.model.rowCount())
               if panel.model.row(r)["title"] == "Trace the van's registered keeper")
    assert new["status"] == "raised" and "Further action from" in new["origin"]

    panel.select_action(new["id"])
    allocate = window.areas["investigations"].trigger("allocate")  # F6
    allocate.officer_combo.setCurrentIndex(allocate.officer_combo.findText("DC Rafe Illingsworth (DC4093)"))
    with qtbot.waitSignal(panel.transition_done, timeout=10_000) as done:
        qtbot.keyClick(allocate.officer_combo, Qt.Key.Key_Return)  # Return: the default button
    assert done.args[0]["status"] == "allocated" and done.args[0]["allocated_to"]["collar_number"] == "DC4093"
    assert [panel.history_model.index(r, 1).data() for r in range(panel.history_model.rowCount())][-1] == "Allocated"


def test_supervisor_qa_approves_then_disseminates(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    panel = window.areas["intelligence"].intel_panel
    row = next(r for r in range(panel.model.rowCount()) if panel.model.row(r)["reference"].endswith("9003"))
    panel.fetch(panel.model.row(row)["id"], "QA of a submitted report")
    qtbot.waitUntil(lambda: panel.viewer is not None, timeout=10_000)
    viewer = panel.viewer
    assert viewer.qa_button.isVisible() and viewer.qa_button.isEnabled() and not viewer.disseminate_button.isEnabled()
    qa = panel.qa(viewer.report)
    qa.sanitised_edit.setPlainText("")
    qa.ok_button.click()
    assert qa.errors["sanitised_text"].isVisible()
    qa.sanitised_edit.setPlainText("A named associate is said to be supplying heroin in Portharrow.")
    with qtbot.waitSignal(panel.report_changed, timeout=10_000):
        qa.ok_button.click()
    assert viewer.report["status"] == "approved" and viewer.disseminate_button.isEnabled()
    with qtbot.waitSignal(panel.report_changed, timeout=10_000):
        viewer.disseminate_button.click()
    assert viewer.report["status"] == "disseminated"
