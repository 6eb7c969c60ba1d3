"""The shift handover view (issue 13): opened by keyboard from the running window, it lists every detainee with
what the incoming sergeant must know and prints; the sergeant acknowledges it (a write through the outbox), and
every workstation's board then says when the suite was last handed over and to whom (the change feed). A
detention officer reads it but cannot acknowledge it."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from desktop.printing.handover import build_handover_pdf
from tests.desktop.custody.helpers import open_by_shortcut
from tests.desktop.harness import custody_board
from tests.printing import pdf_tools

SHIFT_CTRL = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _open(qtbot, window):
    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_U, SHIFT_CTRL)  # Custody > Shift handover…, Ctrl+Shift+U
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=15_000)
    return dialog


def test_handover_view_prints_and_its_acknowledgement_reaches_every_board(qtbot, make_window, demo_server, tmp_path):
    other = make_window(demo_server.url, tmp_path / "detention-desk", "detention")
    window = make_window(demo_server.url)
    board = custody_board(window)
    qtbot.waitUntil(lambda: board.handover_label.text() != "", timeout=10_000)

    dialog = _open(qtbot, window)
    text = dialog.browser.toPlainText()
    names = [board.model.record(row)["name"] for row in range(board.model.rowCount())]
    assert names and all(name in text for name in names)  # every detainee on the board is on the handover
    for heading in ("At a glance", "Observation level", "Next check", "Next review", "Detention limit",
                    "Outstanding rights", "Appropriate adult", "Interpreter", "Healthcare",
                    "Flagged since the last handover"):
        assert heading in text, heading

    # Print preview, then print (to a PDF printer, as the CUPS test does to a real queue)
    records = window.areas["records"]
    with qtbot.waitSignal(records.preview_opened, timeout=20_000) as opened:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    pages = preview.page_count
    assert pages >= 2
    preview.close()
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)  # the same path as 300 dpi, in a fraction of the time
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "handover.pdf"))
    pdf = io.BytesIO()
    build_handover_pdf(dialog.data, pdf)
    with qtbot.waitSignal(records.print_finished, timeout=60_000) as finished:
        records.print_built_to(printer, "Custody handover", pdf.getvalue())
    assert finished.args[0], finished.args[1]
    assert pdf_tools.pages(tmp_path / "handover.pdf") == pages

    # The incoming sergeant acknowledges it
    # (in its own write dialog: who handed over, and a note)
    assert dialog.ack_button.isEnabled()
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    ack = dialog.ack_dialog
    qtbot.waitUntil(ack.isVisible, timeout=5_000)
    assert f"{len(names)} detainee" in ack.findChild(QLabel, "acknowledgeHandoverDialogHeading").text()
    ack.outgoing.setText("Sgt Kenver Rowe")
    with qtbot.waitSignal(dialog.acknowledged, timeout=15_000) as acked:
        QTest.keyClick(ack.outgoing, Qt.Key.Key_Return)
    assert acked.args[0]["outgoing"] == "Sgt Kenver Rowe"
    assert "acknowledged by Sgt Alys Penhallow (CS2417)" in dialog.status.text()
    dialog.close()
    line = "to Sgt Alys Penhallow (CS2417)."
    qtbot.waitUntil(lambda: line in board.handover_label.text(), timeout=5_000)
    # the detention officer's workstation hears of it through the change feed
    qtbot.waitUntil(lambda: line in custody_board(other).handover_label.text(), timeout=15_000)
    assert custody_board(other).handover_label.isVisible()

    # ...and reads the handover, but only a custody sergeant acknowledges it
    reader = _open(qtbot, other)
    assert not reader.ack_button.isEnabled()
    assert "custody sergeant" in reader.ack_button.toolTip()
