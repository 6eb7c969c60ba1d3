"""Issue 15 in the client: a transfer sent and accepted by keyboard alone (Custody > Transfer to another suite…,
Ctrl+Alt+T; Accept transfer…, Ctrl+Alt+A), the risk re-assessment prompted first; booking in offers the free cells
of the workstation's suite with none chosen; a suite's board shows that suite."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import Qt

from desktop.sync.catalogue import offence_catalogue
from desktop.timefmt import utc_now
from tests.desktop.custody.helpers import open_by_shortcut, select
from tests.desktop.harness import custody_board, signed_in_client

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def _book_at(api, suite: dict, surname: str) -> dict:
    cell = next(c for c in suite["cells"] if c["free_places"])
    arrived = utc_now() - timedelta(hours=2)
    return api.request("POST", "/custody/records", json={
        "id": str(uuid.uuid4()), "person": {"id": str(uuid.uuid4()), "surname": surname, "forenames": "Tamsyn",
                                            "date_of_birth": "1985-05-05", "gender": "female"},
        "arrived_at": arrived.isoformat(), "arrested_at": (arrived - timedelta(minutes=30)).isoformat(),
        "arrest_place": "Quay Street, Gullhaven", "arresting_officer": "PC 6102 Rufus Pellow",
        "offences": ["TH68010"], "arrest_reason": "Seen taking goods.", "arrest_necessity": "Prompt investigation.",
        "suite_id": suite["id"], "cell_id": cell["id"],
        "detention": {"decision": "authorised", "grounds": "To obtain evidence by questioning.",
                      "decided_at": (arrived + timedelta(minutes=10)).isoformat()}})


def _risk_for_transfer(api, record_id: str) -> None:
    api.request("POST", f"/custody/records/{record_id}/risk-assessments", json={
        "id": str(uuid.uuid4()), "trigger": "transfer", "assessed_at": (utc_now() - timedelta(minutes=5)).isoformat(),
        "risk_level": "low", "responses": [{"area": "self_harm_current", "answer": "no", "source": "detainee"}]})


def test_a_transfer_is_sent_and_accepted_by_keyboard_alone(qtbot, make_window, demo_server):
    api = signed_in_client(demo_server.url)
    try:
        suites = {s["code"]: s for s in api.suites()}
        record = _book_at(api, suites["GUL"], "Polglase")
        window = make_window(demo_server.url)
        select(qtbot, window, record["id"])

        # Without a risk re-assessment for the transfer the form says so at once and will not send.
        dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_T, CTRL_ALT)
        qtbot.waitUntil(lambda: dialog.summary is not None and dialog.suite_combo.count() >= 2, timeout=10_000)
        risk_error = dialog.errors["risk_assessment"]
        assert risk_error.isVisible() and "Re-assess risk for the transfer" in risk_error.text()
        assert dialog.suite_combo.currentIndex() == -1  # no suite chosen for the sergeant
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)

        _risk_for_transfer(api, record["id"])
        dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_T, CTRL_ALT)
        qtbot.waitUntil(lambda: dialog.summary is not None and dialog.suite_combo.count() >= 2, timeout=10_000)
        assert not dialog.summary["risk_reassessment_needed"]
        assert dialog.suite_combo.hasFocus()
        qtbot.keyClick(dialog.suite_combo, Qt.Key.Key_Down)  # the first other suite: Eastmere
        assert dialog.suite_combo.currentData() == suites["EAS"]["id"]
        with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as sent:
            qtbot.keyClick(dialog.suite_combo, Qt.Key.Key_Return)
        assert sent.args[0]["status"] == "sent" and sent.args[0]["to_suite_name"] == "Eastmere"

        # The board hears of it from the feed; the receiving sergeant accepts into a free cell there.
        qtbot.waitUntil(lambda: bool((window.session.selected_record or {}).get("transfer")), timeout=15_000)
        accept = open_by_shortcut(qtbot, window, Qt.Key.Key_A, CTRL_ALT)
        qtbot.waitUntil(lambda: accept.cell_combo.count() > 1 and accept.transfer is not None, timeout=10_000)
        assert accept.cell_combo.currentData() is None and "Property" in accept.handover_label.text()
        assert accept.cell_combo.hasFocus()
        qtbot.keyClick(accept.cell_combo, Qt.Key.Key_Down)
        chosen = accept.cell_combo.currentData()
        with qtbot.waitSignal(accept.saved_signal, timeout=15_000) as accepted:
            qtbot.keyClick(accept.cell_combo, Qt.Key.Key_Return)
        assert accepted.args[0]["status"] == "accepted"
        qtbot.waitUntil(lambda: (window.session.selected_record or {}).get("suite_name") == "Eastmere",
                        timeout=15_000)
        after = window.session.selected_record
        assert after["cell_id"] == chosen and after["relevant_time"] == record["relevant_time"]
        assert after["custody_number"] == record["custody_number"]  # one custody record throughout
    finally:
        api.close()


def test_booking_offers_the_free_cells_of_the_suite_and_its_board_shows_that_suite(qtbot, make_window, demo_server):
    api = signed_in_client(demo_server.url)
    try:
        gullhaven = next(s for s in api.suites() if s["code"] == "GUL")
        # Someone in custody there, whatever earlier tests on this shared demo server did with its one detainee
        # (the disposal test releases the board's last row, and a record without a cell sorts last).
        _book_at(api, gullhaven, "Carne")
        gullhaven = next(s for s in api.suites() if s["code"] == "GUL")
        window = make_window(demo_server.url, suite={k: gullhaven[k] for k in ("id", "code", "name")})
        board = custody_board(window)
        shown = [board.model.record(r) for r in range(board.model.rowCount())]
        assert shown and all(r["suite_id"] == gullhaven["id"] or (r.get("transfer") or {}).get("to_suite_id")
                             == gullhaven["id"] for r in shown)
        assert "Gullhaven" in board.heading.text()
        booking = window.areas["custody"]._booking(offence_catalogue(api, None).catalogue)
        combo = booking.cell_combo
        qtbot.waitUntil(lambda: combo.count() > 1 and combo.itemData(0) is None and "free" in combo.itemText(0),
                        timeout=10_000)
        free = {c["id"] for c in gullhaven["cells"] if c["free_places"]}
        offered = {combo.itemData(i) for i in range(1, combo.count())} - {""}
        assert offered == free and combo.currentData() is None  # none chosen for the officer
        assert ("cell_id", "Choose a free cell, or 'No cell yet' if the detainee is still at the desk.") in \
            booking.problems()

        # Another sergeant books into the chosen cell first: refused beside the cell, what was typed is kept,
        # and the cells free now are offered.
        booking.surname_edit.setText("Trevorrow")
        booking.forenames_edit.setText("Lowenna")
        booking.dob_edit.setText("02/02/1992")
        booking.place_edit.setText("Quay Street, Gullhaven")
        booking.officer_edit.setText("PC 6102 Rufus Pellow")
        booking.set_times(arrested_at=utc_now() - timedelta(hours=1), arrived_at=utc_now() - timedelta(minutes=30))
        booking.offence_edit.setText("TH68010")
        booking.add_offence()
        booking.reason_edit.setPlainText("Seen taking goods.")
        booking.necessity_edit.setPlainText("Prompt investigation.")
        taken = combo.itemData(1)
        combo.setCurrentIndex(1)
        first = _book_at(api, {**gullhaven, "cells": [c for c in gullhaven["cells"] if c["id"] == taken]}, "Angove")
        assert first["cell_id"] == taken
        with qtbot.waitSignal(booking.refused_signal, timeout=15_000):
            booking.submit()
        error = booking.errors["cell_id"]
        assert error.isVisible() and "already holds" in error.text()
        assert booking.surname_edit.text() == "Trevorrow" and [o.code for o in booking.chosen] == ["TH68010"]
        assert taken not in {combo.itemData(i) for i in range(combo.count())} and combo.currentData() is None
        booking.dirty = False
        booking.close()
    finally:
        api.close()

