"""The shift handover view (issue 13): opened by keyboard from the running window, it lists every detainee with
what the incoming sergeant must know; the sergeant acknowledges it (a write through the outbox), and every
workstation's board then says when the suite was last handed over and to whom (the change feed)."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from desktop.printing.handover import build_handover_pdf
from tests.desktop.custody.helpers import open_by_shortcut
from tests.printing import pdf_tools
from tests.desktop.harness import custody_board

SHIFT_CTRL = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_handover_view_and_acknowledgement_reach_every_board(qtbot, make_window, demo_server, tmp_path):
    other = make_window(demo_server.url, tmp_path / "detention-desk", "detention")
    window = make_window(demo_server.url)
    board = custody_board(window)
    qtbot.waitUntil(lambda: board.handover_label.text() != "", timeout=10_000)

    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_U, SHIFT_CTRL)  # Custody > Shift handover…, Ctrl+Shift+U
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=15_000)
    text = dialog.browser.toPlainText()
    names = [board.model.record(row)["name"] for row in range(board.model.rowCount())]
    assert names and all(name in text for name in names)  # every detainee on the board is on the handover
    for heading in ("Observation level", "Next check", "Next review", "Detention limit", "Outstanding rights",
                    "Appropriate adult", "Interpreter", "Healthcare", "Flagged since the last handover"):
        assert heading in text, heading
    assert dialog.ack_button.isEnabled()

    dialog.outgoing.setText("Sgt Kenver Rowe")
    with qtbot.waitSignal(dialog.acknowledged, timeout=15_000) as acked:
        qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    assert acked.args[0]["outgoing"] == "Sgt Kenver Rowe"
    assert "acknowledged by Sgt Alys Penhallow (CS2417)" in dialog.status.text()
    line = "to Sgt Alys Penhallow (CS2417)."
    qtbot.waitUntil(lambda: line in board.handover_label.text(), timeout=5_000)
    # the detention officer's workstation hears of it through the change feed
    qtbot.waitUntil(lambda: line in custody_board(other).handover_label.text(), timeout=15_000)
    assert custody_board(other).handover_label.isVisible()


def test_a_detention_officer_reads_the_handover_but_cannot_acknowledge_it(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="detention")
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_U, SHIFT_CTRL)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=15_000)
    assert not dialog.ack_button.isEnabled()
    assert "custody sergeant" in dialog.ack_button.toolTip()


def test_the_handover_previews_and_prints(qtbot, make_window, demo_server, tmp_path):
    window = make_window(demo_server.url)
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_U, SHIFT_CTRL)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=15_000)
    records = window.areas["records"]
    with qtbot.waitSignal(records.preview_opened, timeout=20_000) as opened:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    assert preview.page_count >= 2
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "handover.pdf"))
    with qtbot.waitSignal(records.print_finished, timeout=60_000) as finished:
        records.print_built_to(printer, "Custody handover", _pdf(dialog.data))
    assert finished.args[0], finished.args[1]
    assert pdf_tools.pages(tmp_path / "handover.pdf") == preview.page_count


def _pdf(data: dict) -> bytes:
    out = io.BytesIO()
    build_handover_pdf(data, out)
    return out.getvalue()
