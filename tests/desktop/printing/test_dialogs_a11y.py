"""The charge, disclosure, preview and read-in-order dialogs: every focusable widget named, at normal and 200%
font; screenshots kept for review (BRIDEWELL_SHOTS=dir)."""
from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.plain_text import custody_record_outline, to_html
from desktop.views.prosecution.charge_dialog import ChargeDialog
from desktop.views.records.disclosure_dialog import DisclosureDialog
from desktop.views.records.print_preview import PrintPreviewDialog
from desktop.views.records.record_reader import RecordReaderDialog
from domain.charging import caution_on_charge
from domain.offences import packaged_catalogue
from server.prosecution.catalogue import offence_out
from tests.a11y.test_widget_audit import unnamed_focusable
from tests.printing.sample_docs import custody_record

RECORD = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "custody_number": "BW-2026-000042",
          "name": "QUILLIAM, Tobias Ander"}


def shot(widget, name: str, scale: int, tmp_path: Path) -> None:
    folder = Path(os.environ.get("BRIDEWELL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / f"{name}-{scale}x.png"))


def offences() -> list[dict]:
    return [offence_out(o, date.today()).model_dump(mode="json") for o in packaged_catalogue().all()]


def test_charge_dialog_is_named_throughout(qtbot, font_scale, tmp_path):
    dialog = ChargeDialog(RECORD, offences(), caution_on_charge())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editors[0].choose("TH68010")
    second = dialog.add_charge()
    second.choose("TH68001")
    dialog.accept()  # shows the problems beside their fields too
    qtbot.waitUntil(lambda: dialog.caution_error.isVisible(), timeout=2000)
    assert unnamed_focusable(dialog) == []
    assert dialog.editors[1].fields["place"].accessibleName() == "Charge 2: place"
    # The line edit inside the editable combo is what holds the focus: it carries the name too (issue 13).
    assert dialog.editors[1].offence_combo.lineEdit().accessibleName() == "Charge 2: offence"
    shot(dialog, "charge-dialog", font_scale, tmp_path)
    # Removing the first renumbers what is left, names included.
    dialog.remove_charge(dialog.editors[0])
    assert dialog.editors[0].title() == "Charge 1"
    assert dialog.editors[0].offence_combo.accessibleName() == "Charge 1: offence"
    assert dialog.editors[0].offence_combo.lineEdit().accessibleName() == "Charge 1: offence"
    assert dialog.editors[0].offence["code"] == "TH68001"


def test_disclosure_preview_and_reader_are_named(qtbot, font_scale, tmp_path):
    ask = DisclosureDialog("Custody record", "Print")
    qtbot.addWidget(ask)
    ask.show()
    ask.accept()  # no recipient: the problem is beside the field and focus goes there
    assert ask.recipient_error.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ask.recipient_edit, timeout=2000)
    assert unnamed_focusable(ask) == []
    shot(ask, "disclosure-dialog", font_scale, tmp_path)

    buffer = io.BytesIO()
    doc = custody_record()
    build_custody_record_pdf(doc, buffer)
    preview = PrintPreviewDialog("Custody record BW-2026-000042", buffer.getvalue())
    qtbot.addWidget(preview)
    preview.show()
    assert preview.page_count >= 2
    assert unnamed_focusable(preview) == []
    qtbot.wait(1500)  # QPdfView renders pages on its own thread
    shot(preview, "print-preview", font_scale, tmp_path)

    reader = RecordReaderDialog("Custody record BW-2026-000042", to_html(custody_record_outline(doc)))
    qtbot.addWidget(reader)
    reader.show()
    assert unnamed_focusable(reader) == []
    shot(reader, "record-reader", font_scale, tmp_path)


def test_a_whole_code_typed_chooses_the_offence(qtbot):
    dialog = ChargeDialog(RECORD, offences(), caution_on_charge())
    qtbot.addWidget(dialog)
    dialog.show()
    editor = dialog.editors[0]
    editor.offence_combo.lineEdit().setText("th68001")
    editor.offence_combo.lineEdit().editingFinished.emit()
    assert editor.offence["code"] == "TH68001"
    assert "victim" in editor.fields or "owner" in editor.fields
