"""Print preview, Save as PDF, printing through QPrinter and the read-in-order view, against a real server;
every copy that leaves the system is audited as a disclosure."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog
from shiboken6 import isValid

from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.from_api import fetch_documents
from tests.desktop.printing.conftest import uncharged_record
from tests.printing import pdf_tools
from tests.desktop.harness import custody_board


def charge_through_api(api, record: dict) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    body = {"id": str(uuid.uuid4()), "charged_at": (now - timedelta(minutes=1)).isoformat(),
            # yesterday: on or before the day of a charge made a minute ago, even just after midnight
            "charges": [{"offence_code": "TH68010", "offence_date": (date.today() - timedelta(days=1)).isoformat(),
                         "particulars": {"place": "Quayside Retail Park", "property": "three tins of paint",
                                         "value": "38.50", "owner": "Gallowfield DIY Ltd"}}],
            "caution_given": True, "reply": "It was a mistake.",
            "bail": {"decision": "unconditional_bail", "conditions": [], "reasons": ""},
            "hearing": {"court": "Portharrow Magistrates' Court", "at": (now + timedelta(days=7)).isoformat()}}
    return api.request("POST", f"/custody/records/{record['id']}/charges", json=body,
                       headers={"Idempotency-Key": body["id"]})


def charged_window(qtbot, make_window, api, tmp_path):
    """A window whose selected record was charged before the board loaded."""
    probe = make_window(api.base_url, data_dir=tmp_path / "probe")
    record = uncharged_record(probe, api)
    probe.close()
    case = charge_through_api(api, record)
    window = make_window(api.base_url, data_dir=tmp_path / "client")
    assert custody_board(window).select_record_id(record["id"])
    qtbot.waitUntil(lambda: window.areas["records"].actions[("charge_sheet", "preview")].isEnabled(), timeout=3000)
    return window, record, case


def expected_pages(api, record_id: str, document: str, tmp_path) -> int:
    doc, sheet = fetch_documents(api, record_id)
    path = tmp_path / f"expected-{document}.pdf"
    (build_custody_record_pdf if document == "custody_record" else build_charge_sheet_pdf)(
        doc if document == "custody_record" else sheet, path)
    return pdf_tools.pages(path)


def test_preview_opens_with_every_page(qtbot, make_window, print_server, api, tmp_path):
    window, record, _case = charged_window(qtbot, make_window, api, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(window.areas["records"].preview_opened, timeout=20_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    preview = opened.args[0]
    pages = expected_pages(api, record["id"], "custody_record", tmp_path)
    assert preview.page_count == pages >= 1
    assert f"{pages} page" in preview.pages_label.text()
    assert preview.view.accessibleName().startswith("Custody record")
    preview.grab().save(str(tmp_path / "preview.png"))
    preview.reject()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(window.areas["records"].preview_opened, timeout=20_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    sheet_preview = opened.args[0]
    assert sheet_preview.page_count == expected_pages(api, record["id"], "charge_sheet", tmp_path)
    sheet_preview.reject()


def _fill_disclosure(qtbot, controller, recipient: str) -> None:
    qtbot.waitUntil(lambda: controller.dialog is not None and isValid(controller.dialog)
                    and controller.dialog.objectName() == "disclosureDialog" and controller.dialog.isVisible(),
                    timeout=5000)
    dialog = controller.dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.recipient_edit, timeout=3000)
    qtbot.keyClicks(dialog.recipient_edit, recipient)
    qtbot.keyClick(dialog.recipient_edit, Qt.Key.Key_Return)


def test_save_as_pdf_writes_the_record_and_charges_and_audits_the_disclosure(qtbot, make_window, print_server,
                                                                             api, tmp_path):
    window, record, case = charged_window(qtbot, make_window, api, tmp_path)
    controller = window.areas["records"]
    for document, expected in (("custody_record", record["person"]["surname"].upper()),
                               ("charge_sheet", "three tins of paint")):
        controller.save_pdf(document)
        _fill_disclosure(qtbot, controller, "Halloran & Pike Solicitors")
        qtbot.waitUntil(lambda: controller.dialog is not None and isValid(controller.dialog)
                        and controller.dialog.objectName() == "savePdfDialog", timeout=5000)
        target = tmp_path / f"{document}.pdf"
        with qtbot.waitSignal(controller.pdf_saved, timeout=20_000) as saved, \
                qtbot.waitSignal(controller.disclosure_recorded, timeout=20_000) as disclosed:
            controller.dialog.fileSelected.emit(str(target))
            controller.dialog.reject()
        assert saved.args[0] == str(target)
        text = pdf_tools.flat(target)
        assert expected in text
        assert record["person"]["surname"].upper() in text
        if document == "charge_sheet":
            assert "TH68010" in text and "It was a mistake." in text
        assert disclosed.args[0]["purpose"] == "Copy for solicitor"
        assert disclosed.args[0]["recipient"] == "Halloran & Pike Solicitors"
        assert disclosed.args[0]["document"] == document and disclosed.args[0]["method"] == "pdf"
    listed = api.request("GET", f"/custody/records/{record['id']}/disclosures")
    assert [d["document"] for d in listed] == ["custody_record", "charge_sheet"]
    assert not list(tmp_path.glob("*.part"))


def test_printing_paints_every_page_and_is_a_disclosure(qtbot, make_window, print_server, api, tmp_path):
    window, record, _case = charged_window(qtbot, make_window, api, tmp_path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(window.areas["records"].print_finished, timeout=30_000) as finished, \
            qtbot.waitSignal(window.areas["records"].disclosure_recorded, timeout=30_000) as disclosed:
        window.areas["records"].print_to(printer, "custody_record", "Court", "Portharrow Magistrates' Court")
    ok, message = finished.args
    assert ok, message
    assert pdf_tools.pages(tmp_path / "printed.pdf") == expected_pages(api, record["id"], "custody_record", tmp_path)
    assert disclosed.args[0]["method"] == "print" and disclosed.args[0]["purpose"] == "Court"


# Qt warns when a painter cannot begin on the printer: that is the very failure this test provokes.
@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")
def test_a_printer_that_is_not_there_says_so_and_records_nothing(qtbot, make_window, print_server, api, tmp_path):
    window, record, _case = charged_window(qtbot, make_window, api, tmp_path)
    before = api.request("GET", f"/custody/records/{record['id']}")
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "no-such-dir" / "gone.pdf"))  # cannot be opened, like a lost printer
    with qtbot.waitSignal(window.areas["records"].print_finished, timeout=30_000) as finished:
        window.areas["records"].print_to(printer, "custody_record", "Court", "Portharrow Magistrates' Court")
    ok, message = finished.args
    assert not ok and "not available" in message and "unchanged" in message
    assert api.request("GET", f"/custody/records/{record['id']}/disclosures") == []
    assert api.request("GET", f"/custody/records/{record['id']}")["version"] == before["version"]


def test_read_in_order_shows_the_record_as_headings(qtbot, make_window, print_server, api, tmp_path):
    window, record, _case = charged_window(qtbot, make_window, api, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    with qtbot.waitSignal(window.areas["records"].reader_opened, timeout=20_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    reader = opened.args[0]
    assert reader.browser.isReadOnly()
    assert reader.browser.accessibleName() == f"Custody record {record['custody_number']}, read in order"
    html = reader.browser.toHtml()
    assert "<h1" in html and "<h2" in html
    text = reader.browser.toPlainText()
    assert record["person"]["surname"].upper() in text
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reader.browser, timeout=3000)
    reader.reject()


def test_menu_actions_have_shortcuts_and_names(make_window, print_server, api, tmp_path):
    window = make_window(print_server.url)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    names = {a.objectName(): a.shortcut().toString() for a in file_menu.actions() if a.objectName()}
    assert names["printRecordAction"] == "Ctrl+P"
    assert names["previewRecordAction"] == "Ctrl+Shift+P"
    assert names["saveRecordPdfAction"] == "Ctrl+Shift+S"
    assert names["readRecordAction"] == "Ctrl+Shift+R"
    assert names["previewSheetAction"] == "F9"
    assert file_menu.actions()[-1].objectName() == "quitAction"
    custody = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Custody")
    assert "chargeAction" in [a.objectName() for a in custody.actions()]


def test_print_asks_the_purpose_then_the_system_print_dialog(qtbot, make_window, print_server, api, tmp_path):
    window, record, _case = charged_window(qtbot, make_window, api, tmp_path)
    controller = window.areas["records"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)  # Print charge sheet…
    _fill_disclosure(qtbot, controller, "Portharrow Magistrates' Court")
    qtbot.waitUntil(lambda: controller.dialog is not None and isValid(controller.dialog)
                    and controller.dialog.objectName() == "printDialog" and controller.dialog.isVisible(), timeout=5000)
    dialog = controller.dialog
    printer = dialog.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # stands in for choosing "Print to file"
    printer.setOutputFileName(str(tmp_path / "sheet.pdf"))
    with qtbot.waitSignal(controller.print_finished, timeout=30_000) as finished, \
            qtbot.waitSignal(controller.disclosure_recorded, timeout=30_000) as disclosed:
        dialog.done(QDialog.DialogCode.Accepted)  # Print pressed (accept() would re-read the form's printer)
    assert finished.args[0], finished.args[1]
    assert pdf_tools.pages(tmp_path / "sheet.pdf") == expected_pages(api, record["id"], "charge_sheet", tmp_path)
    assert disclosed.args[0]["document"] == "charge_sheet" and disclosed.args[0]["method"] == "print"
    assert disclosed.args[0]["recipient"] == "Portharrow Magistrates' Court"
