"""Issue 14 part 2 in the client, by keyboard against the real demo server: interviews (with the appropriate-adult
rule), property and its return, cell moves, the log read-only after disposal, and custody history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.models.custody.board_model import CELL, STATUS
from desktop.timefmt import utc_now
from desktop.views.custody.interview_dialog import EndInterviewDialog, InterviewDialog, parse_breaks
from desktop.views.forms.dialog import set_utc
from tests.desktop.custody.helpers import activate, open_by_shortcut, select
from tests.desktop.harness import custody_board, signed_in_client

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def book(url: str, surname: str, *, juvenile: bool = False, suite: dict | None = None) -> dict:
    """A fresh detainee for this test alone (the demo server is shared by the session). `suite`: booked into that
    suite with no cell yet (issue 15: a cell there must be free, and other tests share the suite)."""
    client = signed_in_client(url)
    arrived = utc_now() - timedelta(hours=2)
    born = date.today() - timedelta(days=(15 if juvenile else 40) * 365)
    record = client.request("POST", "/custody/records", json={
        "id": str(uuid.uuid4()), "arrived_at": arrived.isoformat(),
        "arrested_at": (arrived - timedelta(minutes=30)).isoformat(), "arrest_place": "Harbour Road, Portharrow",
        "arresting_officer": "PC 4471 Dorian Feltwell", "offences": ["TH68010"],
        "arrest_reason": "Seen leaving without paying.", "arrest_necessity": "Prompt and effective investigation.",
        **({"suite_id": suite["id"]} if suite else {"cell": "C9"}),
        "person": {"id": str(uuid.uuid4()), "surname": surname, "forenames": "Jory",
                                 "date_of_birth": born.isoformat(), "gender": "male"},
        "detention": {"decision": "authorised", "grounds": "To obtain evidence by questioning.",
                      "decided_at": (arrived + timedelta(minutes=5)).isoformat()}})
    client.close()
    return record


def on_board(qtbot, window, record_id: str) -> int:
    model = custody_board(window).model
    qtbot.waitUntil(lambda: model.row_of(record_id) is not None, timeout=10_000)
    return model.row_of(record_id)


def save(qtbot, dialog):
    with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as saved:
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    return saved.args[0]


def test_breaks_are_typed_one_a_line():
    started = utc_now().replace(hour=13, minute=0, second=0, microsecond=0)
    breaks, problem = parse_breaks("14:05-14:20 Solicitor consultation\n\n1430 - 1440", started)
    assert problem is None and [b["reason"] for b in breaks] == ["Solicitor consultation", None]
    assert parse_breaks("after lunch", started)[1].startswith("Line 1:")


def test_interview_of_a_juvenile_waits_for_the_appropriate_adult(qtbot, make_window, demo_server):
    record = book(demo_server.url, "Trevaskis", juvenile=True)
    window = make_window(demo_server.url)
    row = on_board(qtbot, window, record["id"])
    select(qtbot, window, record["id"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_I, CTRL_ALT)
    assert isinstance(dialog, InterviewDialog)
    assert "appropriate adult has not arrived" in dialog.findChild(object, "interviewAaAwaited").text()
    set_utc(dialog.started_edit, utc_now() - timedelta(minutes=20))
    dialog.officers_edit.setPlainText("DC 4093 Rafe Illingsworth")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    problem = dialog.errors["urgent_authority"]
    assert problem.isVisible() and "wait for them" in problem.text()
    assert QApplication.focusWidget() is dialog.urgent_check  # focus goes to what must be put right
    qtbot.keyClick(dialog.urgent_check, Qt.Key.Key_Space)
    dialog.urgent_grounds.setPlainText("A child is missing; delay would put her at risk.")
    with qtbot.waitSignal(dialog.refused_signal, timeout=15_000):
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    # A sergeant may not give the authority (superintendent by default): the server's reason, beside the field.
    assert "superintendent" in dialog.errors["urgent_authority"].text().lower()
    dialog.dirty = False
    dialog.reject()

    client = signed_in_client(demo_server.url)
    client.request("POST", f"/custody/records/{record['id']}/appropriate-adult",
                   json={"event": "arrived", "at": (utc_now() - timedelta(minutes=25)).isoformat(),
                         "name": "Demelza Rowse"})
    client.close()
    board = custody_board(window).model
    qtbot.waitUntil(lambda: not (window.session.selected_record or {}).get("appropriate_adult_awaited"),
                    timeout=10_000)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_I, CTRL_ALT)
    assert dialog.findChild(object, "interviewAaAwaited") is None
    assert dialog.aa_edit.text() == "Demelza Rowse"
    set_utc(dialog.started_edit, utc_now() - timedelta(minutes=20))
    dialog.officers_edit.setPlainText("DC 4093 Rafe Illingsworth")
    dialog.solicitor_edit.setText("Perrin Oakes")
    dialog.warnings.boxes["s36"].setChecked(True)
    started = save(qtbot, dialog)
    assert started["appropriate_adult"] == "Demelza Rowse" and started["special_warnings"] == ["s36"]
    qtbot.waitUntil(lambda: board.index(row, STATUS).data() == "In interview", timeout=10_000)

    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_I, CTRL_ALT)
    assert isinstance(dialog, EndInterviewDialog) and dialog.warnings.boxes["s36"].isChecked()
    dialog.recording_edit.setText("BW-DIR-000981")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert "Choose the outcome" in dialog.errors["outcome"].text()  # never pre-selected
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData("no_comment"))
    ended = save(qtbot, dialog)
    assert ended["outcome"] == "no_comment" and ended["recording_reference"] == "BW-DIR-000981"
    qtbot.waitUntil(lambda: board.index(row, STATUS).data() != "In interview", timeout=10_000)


def test_property_cell_move_read_only_log_and_history(qtbot, make_window, demo_server):
    client = signed_in_client(demo_server.url)
    suite = next(s for s in client.suites() if s["code"] == "PHC")
    client.close()
    record = book(demo_server.url, "Nancarrow", suite=suite)
    window = make_window(demo_server.url)
    row = on_board(qtbot, window, record["id"])
    select(qtbot, window, record["id"])

    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_P, CTRL_ALT)
    set_utc(dialog.searched_edit, utc_now() - timedelta(minutes=90))
    qtbot.keyClicks(dialog.description_edit, "Brown leather wallet")
    dialog.disposition_combo.setCurrentIndex(dialog.disposition_combo.findData("retained"))
    qtbot.keyClick(dialog.add_button, Qt.Key.Key_Space)  # Add item: refused, no bag number
    assert "bag number" in dialog.errors["items.bag_number"].text()
    qtbot.keyClicks(dialog.bag_edit, "PB-00913")
    qtbot.keyClick(dialog.add_button, Qt.Key.Key_Space)
    assert dialog.list.count() == 1 and QApplication.focusWidget() is dialog.description_edit
    qtbot.keyClicks(dialog.description_edit, "Spectacles")
    dialog.disposition_combo.setCurrentIndex(dialog.disposition_combo.findData("kept"))
    qtbot.keyClick(dialog.add_button, Qt.Key.Key_Space)
    dialog.signature_combo.setCurrentIndex(dialog.signature_combo.findData("signed"))
    items = save(qtbot, dialog)
    assert [i["disposition"] for i in items] == ["retained", "kept"]

    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_R, CTRL_ALT)
    assert dialog.list.count() == 1  # only the retained item comes back
    dialog.list.setCurrentRow(0)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    dialog.signature_combo.setCurrentIndex(dialog.signature_combo.findData("signed"))
    returned = save(qtbot, dialog)
    assert returned[0]["returned_at"] and returned[0]["description"] == "Brown leather wallet"

    # The move goes to a free cell of the detainee's suite, typed by its number.
    client = signed_in_client(demo_server.url)
    free = next(c["number"] for c in client.request("GET", f"/custody/suites/{suite['id']}")["cells"]
                if c["free_places"])
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_C, CTRL_ALT)
    dialog.cell_edit.selectAll()
    qtbot.keyClicks(dialog.cell_edit, free)
    save(qtbot, dialog)
    board = custody_board(window).model
    qtbot.waitUntil(lambda: board.index(row, CELL).data() == free, timeout=10_000)

    # Issue 14: released after a risk re-assessment for the release and not before the last log entry (the move).
    client.request("POST", f"/custody/records/{record['id']}/risk-assessments", json={
        "id": str(uuid.uuid4()), "trigger": "release", "assessed_at": (utc_now() - timedelta(minutes=1)).isoformat(),
        "risk_level": "low", "responses": [{"area": "self_harm_current", "answer": "no", "source": "detainee"}]})
    client.request("POST", f"/custody/records/{record['id']}/disposal",
                   json={"outcome": "no_further_action", "released_at": utc_now().isoformat()})
    client.close()
    panel = window.areas["custody"].log_panel
    qtbot.waitUntil(lambda: board.row_of(record["id"]) is None, timeout=10_000)  # closed: it leaves the board

    activate(qtbot, window)
    area = window.areas["custody"]
    with qtbot.waitSignal(area.dialog_opened, timeout=10_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_H, CTRL_ALT)
    history = opened.args[0]
    qtbot.keyClicks(history.number_edit, record["custody_number"][-6:])
    qtbot.keyClick(history.number_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: history.list.count() == 1, timeout=10_000)
    found = history.list.item(0).text()
    assert record["custody_number"] in found and "No further action" in found
    qtbot.keyClick(history.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: (window.session.selected_record or {}).get("id") == record["id"]
                    and panel.read_only_label.isVisible(), timeout=10_000)
    # The closed record's log: shown in full, nothing can be added, and the reason is said in text.
    assert "Read-only" in panel.read_only_label.text() and record["custody_number"] in panel.read_only_label.text()
    assert not panel.save_button.isEnabled() and not panel.text_edit.isEnabled()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 3, timeout=10_000)
    # The entry form is off, so focus goes to the entries.
    qtbot.waitUntil(lambda: window.focusWidget() is panel.table, timeout=5000)


def test_earlier_episodes_are_prompts_not_answers():
    from desktop.views.custody.risk_panel import carried_text

    carried = {"episodes": [{"id": "now", "custody_number": "BW-2026-000120"},
                            {"id": "before", "custody_number": "BW-2026-000031",
                             "arrived_at": "2026-03-02T21:15:00+00:00", "offences": [{"code": "TH68010"}],
                             "risk_level": "high"}],
               "prompts": [{"source": "risk assessment on BW-2026-000031",
                            "text": "Warning markers recorded: Self harm (PNC)."}]}
    text = carried_text(carried, "now")
    assert "Earlier custody episodes: 1." in text and "BW-2026-000031" in text and "BW-2026-000120" not in text
    assert "prompts, not answers" in text and "Self harm (PNC)" in text
    assert carried_text({"episodes": [{"id": "now"}], "prompts": []}, "now") == ""
