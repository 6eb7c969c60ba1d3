"""The File menu's printing actions and Custody > Charge… (issue 5), installed on the main window by
`install(window)` once its menus exist.

Every document is fetched and built on a worker (Operations); the GUI thread only shows dialogs and paints
pages onto a printer. Charges and disclosures are writes, so they go through the local outbox (row id =
Idempotency-Key) via window.writes, which reports them back here as sent or rejected.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.sync.catalogue import CatalogueUnavailable, refresh_catalogue
from desktop.sync.client import ApiError, ServerUnreachable
from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.documents import DocumentError
from desktop.printing.from_api import fetch_documents
from desktop.printing.plain_text import charge_sheet_outline, custody_record_outline, to_html
from desktop.views.prosecution.charge_dialog import ChargeDialog
from desktop.views.records.disclosure_dialog import DisclosureDialog
from desktop.views.records.print_job import PrintJob, printer_dpi, render_pages
from desktop.views.records.print_preview import PrintPreviewDialog
from desktop.views.records.record_reader import RecordReaderDialog
from domain.charging import caution_on_charge

RECORD, SHEET = "custody_record", "charge_sheet"
TITLES = {RECORD: "Custody record", SHEET: "Charge sheet"}
BUILDERS = {RECORD: build_custody_record_pdf, SHEET: build_charge_sheet_pdf}
OUTLINES = {RECORD: custody_record_outline, SHEET: charge_sheet_outline}
# (document, verb) -> (menu text, object name, shortcut). F9 keys for the charge sheet: Ctrl+Alt would be AltGr.
ACTIONS = {
    (RECORD, "preview"): ("Print pre&view: custody record", "previewRecordAction", "Ctrl+Shift+P"),
    (RECORD, "print"): ("&Print custody record…", "printRecordAction", "Ctrl+P"),
    (RECORD, "save"): ("Save custody record as P&DF…", "saveRecordPdfAction", "Ctrl+Shift+S"),
    (RECORD, "read"): ("&Read custody record in order", "readRecordAction", "Ctrl+Shift+R"),
    (SHEET, "preview"): ("Print preview: c&harge sheet", "previewSheetAction", "F9"),
    (SHEET, "print"): ("Print charge &sheet…", "printSheetAction", "Ctrl+F9"),
    (SHEET, "save"): ("Save charge sheet as PD&F…", "saveSheetPdfAction", "Shift+F9"),
    (SHEET, "read"): ("Read charge sheet in &order", "readSheetAction", "Ctrl+Shift+F9"),
}
CHARGES_SUFFIX = "/charges"
DISCLOSURES_PATH = "/audit/disclosures"
CAUTION_CACHE = "prosecution.caution"  # the force's caution on charge, kept for offline charging


class NoChargeSheet(Exception):
    pass


def charges_path(record_id: str) -> str:
    return f"/custody/records/{record_id}{CHARGES_SUFFIX}"


def _menu(window, title: str, object_name: str, before: str | None = None) -> QMenu:
    """The window's menu with this title, or a new one (inserted before `before` when given)."""
    bar = window.menuBar()
    plain = title.replace("&", "")
    for action in bar.actions():
        if action.menu() is not None and action.text().replace("&", "") == plain:
            return action.menu()
    menu = QMenu(title, window)
    menu.setObjectName(object_name)
    anchor = next((a for a in bar.actions() if a.text().replace("&", "") == before), None) if before else None
    bar.insertMenu(anchor, menu) if anchor else bar.addMenu(menu)
    return menu


class PrintingController(QObject):
    preview_opened = Signal(object)  # PrintPreviewDialog
    reader_opened = Signal(object)  # RecordReaderDialog
    charge_dialog_opened = Signal(object)  # ChargeDialog
    pdf_saved = Signal(str)  # path
    print_finished = Signal(bool, str)  # ok, message
    charge_saved = Signal(dict)  # ChargeCaseOut
    disclosure_recorded = Signal(dict)  # DisclosureOut
    failed = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.ops = window.ops
        self.store = window.store
        self.dialog: QDialog | None = None  # the dialog now open, for tests and for closing
        self._jobs: list[PrintJob] = []
        self._charges: dict[str, dict] = {}  # outbox id -> record charged
        self._offences: list[dict] = []
        self._caution = caution_on_charge()
        self.actions: dict[tuple[str, str], QAction] = {}

        file_menu = _menu(window, "&File", "fileMenu")
        quit_action = next((a for a in file_menu.actions() if a.objectName() == "quitAction"), None)
        for key, (text, name, shortcut) in ACTIONS.items():
            action = QAction(text, window, objectName=name, shortcut=QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, k=key: self.trigger(*k))
            file_menu.insertAction(quit_action, action)
            self.actions[key] = action
            if key == (RECORD, "read"):
                file_menu.insertSeparator(quit_action)
        file_menu.insertSeparator(quit_action)

        custody_menu = _menu(window, "&Custody", "custodyMenu", before="View")
        self.charge_action = QAction("C&harge…", window, objectName="chargeAction",
                                     shortcut=QKeySequence("Ctrl+Shift+C"))
        self.charge_action.triggered.connect(self.open_charge_dialog)
        custody_menu.addAction(self.charge_action)

        self.session.record_selected.connect(self._update_enabled)
        self.session.user_changed.connect(self._update_enabled)
        # Charges and disclosures queued in an earlier run settle here too.
        window.writes.on_earlier(lambda path: path == DISCLOSURES_PATH or path.endswith(CHARGES_SUFFIX),
                                 self._outbox_sent, self._outbox_rejected)
        feed = getattr(window, "feed", None)
        if feed is not None:
            feed.events.connect(self._events)
        self._update_enabled()

    # Enabled state (the server decides; this only spares a pointless dialog) -----------------------------------
    def _update_enabled(self, *_args) -> None:
        record = self.session.selected_record
        has = record is not None
        charged = has and bool(record.get("charged_at"))
        for (doc, _verb), action in self.actions.items():
            action.setEnabled(has and (doc == RECORD or charged))
        sergeant = self.session.role == "custody_sergeant"
        can_charge = has and sergeant and not charged and record.get("status") != "released"
        self.charge_action.setEnabled(can_charge)
        why = ("" if can_charge else "Select a detainee first." if not has else
               "Only a custody sergeant may charge." if not sergeant else
               "This detainee has already been charged." if charged else "This record is closed.")
        self.charge_action.setToolTip(why or "Charge the selected detainee")
        self.charge_action.setStatusTip(why or "Charge the selected detainee")

    def _events(self, events: list) -> None:
        record = self.session.selected_record
        for event in events:
            data = event.get("data") or {}
            if record and event.get("type", "").startswith("custody.record.") and data.get("id") == record["id"]:
                self.session.selected_record = data
                self._update_enabled()

    # Dispatch ---------------------------------------------------------------------------------------------
    def trigger(self, document: str, verb: str) -> None:
        {"preview": self.preview, "print": self.print_document, "save": self.save_pdf,
         "read": self.read_in_order}[verb](document)

    def _record(self) -> dict | None:
        record = self.session.selected_record
        if record is None:
            announce("Select a detainee on the custody board first.", assertive=True)
        return record

    def _load(self, document: str, then, *, build: bool = True) -> None:
        """Fetch the record (and charges) and build the PDF on a worker; `then(record, doc, pdf)` on the GUI."""
        record = self._record()
        if record is None:
            return
        client = self.session.client

        def work():
            doc, sheet = fetch_documents(client, record["id"])
            target = doc if document == RECORD else sheet
            if target is None:
                raise NoChargeSheet(f"{record.get('custody_number', 'This record')} has no charges, so there is no "
                                    "charge sheet.")
            pdf = None
            if build:
                buffer = io.BytesIO()
                BUILDERS[document](target, buffer)
                pdf = buffer.getvalue()
            return record, target, pdf

        announce(f"Preparing the {TITLES[document].lower()}…")
        self.ops.run(work, on_done=lambda v: self._alive() and then(*v), on_error=self._failed)

    def _alive(self) -> bool:
        return isValid(self.window) and not getattr(self.window, "_closed", False)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DocumentError):
            message = "The document cannot be printed as it stands: " + " ".join(m for _, m in exc.problems)
        elif isinstance(exc, ServerUnreachable):
            message = ("Cannot reach the server, so the current record cannot be fetched to print. "
                       "Try again when the connection returns.")
        elif isinstance(exc, ApiError | NoChargeSheet | CatalogueUnavailable):
            message = str(exc)
        else:
            message = f"The document could not be prepared: {exc}"
        announce(message, assertive=True)
        self.failed.emit(message)

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        QDialog.open(dialog)  # QPrintDialog's own open() wants (receiver, member) in PySide6
        return dialog

    # Preview and read in order ----------------------------------------------------------------------------------
    def preview(self, document: str) -> None:
        def show(record, doc, pdf):
            title = f"{TITLES[document]} {doc.custody_number}"
            dialog = PrintPreviewDialog(title, pdf, self.window)
            dialog.print_requested.connect(lambda: self.print_document(document, pdf=(record, doc, pdf),
                                                                       parent=dialog))
            dialog.save_requested.connect(lambda: self.save_pdf(document, pdf=(record, doc, pdf), parent=dialog))
            self._open(dialog)
            self.preview_opened.emit(dialog)

        self._load(document, show)

    def read_in_order(self, document: str) -> None:
        def show(_record, doc, _pdf):
            title = f"{TITLES[document]} {doc.custody_number}"
            dialog = RecordReaderDialog(title, to_html(OUTLINES[document](doc)), self.window)
            self._open(dialog)
            self.reader_opened.emit(dialog)

        self._load(document, show, build=False)

    # Print -------------------------------------------------------------------------------------------------
    def print_document(self, document: str, *, pdf=None, parent: QWidget | None = None) -> None:
        """Ask who it is for, then the system print dialog, then print."""
        if pdf is None and self._record() is None:
            return
        ask = DisclosureDialog(TITLES[document], "Print", parent or self.window)

        def asked():
            purpose, recipient = ask.purpose, ask.recipient  # the dialog is deleted once closed
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, parent or self.window)
            dialog.setObjectName("printDialog")
            dialog.accepted.connect(lambda: self.print_to(printer, document, purpose, recipient, pdf=pdf))
            self._open(dialog)

        ask.accepted.connect(asked)
        self._open(ask)

    def print_to(self, printer: QPrinter, document: str, purpose: str, recipient: str, *, pdf=None) -> None:
        """Print without dialogs (the dialogs end here; tests and the CUPS check call it directly)."""
        dpi = printer_dpi(printer)

        def rendered(value):
            (record, doc, _pdf), images = value
            title = f"{TITLES[document]} {doc.custody_number}"
            job = PrintJob(printer, images, title, self)
            self._jobs.append(job)
            job.finished.connect(lambda ok, message: self._printed(job, ok, message, record, document, printer,
                                                                   purpose, recipient))
            job.start()

        def render(loaded):
            self.ops.run(lambda: (loaded, render_pages(loaded[2], dpi)), on_done=rendered, on_error=self._failed)

        if pdf is not None:
            render(pdf)
        else:
            self._load(document, lambda *loaded: render(loaded))

    def _printed(self, job, ok, message, record, document, printer, purpose, recipient) -> None:
        self._jobs.remove(job)
        announce(message, assertive=not ok)
        if ok:
            self.disclose(record["id"], document, "print", purpose, recipient, printer.printerName()
                          or Path(printer.outputFileName()).name)
        self.print_finished.emit(ok, message)

    # Save as PDF ---------------------------------------------------------------------------------------------
    def save_pdf(self, document: str, *, pdf=None, parent: QWidget | None = None) -> None:
        record = self.session.selected_record if pdf is None else pdf[0]
        if record is None:
            self._record()
            return
        ask = DisclosureDialog(TITLES[document], "Save as PDF", parent or self.window)

        def asked():
            purpose, recipient = ask.purpose, ask.recipient  # the dialog is deleted once closed
            name = f"{TITLES[document].replace(' ', '-').lower()}-{record.get('custody_number', 'record')}.pdf"
            dialog = QFileDialog(parent or self.window, f"Save {TITLES[document].lower()} as PDF",
                                 str(Path.home() / name), "PDF documents (*.pdf)")
            dialog.setObjectName("savePdfDialog")
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("pdf")
            dialog.fileSelected.connect(lambda path: self.save_to(path, document, purpose, recipient, pdf=pdf))
            self._open(dialog)

        ask.accepted.connect(asked)
        self._open(ask)

    def save_to(self, path: str, document: str, purpose: str, recipient: str, *, pdf=None) -> None:
        def write(loaded):
            record, _doc, data = loaded
            target = Path(path)

            def work():
                partial = target.with_name(target.name + ".part")
                partial.write_bytes(data)
                partial.replace(target)  # never leave half a court document under the real name
                return str(target)

            def done(saved):
                announce(f"{TITLES[document]} saved as {saved}")
                self.disclose(record["id"], document, "pdf", purpose, recipient, target.name)
                self.pdf_saved.emit(saved)

            self.ops.run(work, on_done=done,
                         on_error=lambda exc: self._failed(OSError(f"it could not be written to {path} ({exc})")))

        if pdf is not None:
            write(pdf)
        else:
            self._load(document, lambda *loaded: write(loaded))

    # Writes through the outbox -------------------------------------------------------------------------------
    def _queue(self, path: str, body: dict) -> None:
        """Through the one queued-write helper: outbox row first (row id = body id = Idempotency-Key)."""
        self.window.writes.queue("POST", path, body,
                                 on_sent=lambda response: self._settled(path, body, response, None),
                                 on_rejected=lambda error: self._settled(path, body, None, error))

    def disclose(self, record_id: str, document: str, method: str, purpose: str, recipient: str,
                 destination: str) -> None:
        """Record the copy as a disclosure (DPA 2018 s.62), through the outbox so it survives being offline."""
        self._queue(DISCLOSURES_PATH, {"id": str(uuid.uuid4()), "record_id": record_id, "document": document,
                                       "method": method, "purpose": purpose, "recipient": recipient,
                                       "destination": destination[:300]})

    def _outbox_sent(self, item, response) -> None:
        self._settled(item.path, item.body, response, None, item_id=item.id)

    def _outbox_rejected(self, item, error) -> None:
        self._settled(item.path, item.body, None, error, item_id=item.id)

    def _settled(self, path: str, body: dict, response, error, item_id: str | None = None) -> None:
        if path == DISCLOSURES_PATH:
            if error is None:
                self.disclosure_recorded.emit(response)
            else:
                announce(f"The copy was made but recording it as a disclosure was refused: {error}", True)
        elif path.endswith(CHARGES_SUFFIX):
            record = self._charges.pop(body["id"], None)
            if error is None:
                count = len(response.get("charges") or [])
                announce(f"Charged: {count} charge{'s' if count != 1 else ''} recorded. The charge sheet can be "
                         "printed (F9 previews it).")
                current = self.session.selected_record
                if current and current.get("id") == response.get("record_id"):
                    self.session.selected_record = {**current, "charged_at": response.get("charged_at"),
                                                    "status": "charged"}
                    self._update_enabled()
                self.charge_saved.emit(response)
            elif record is not None and isinstance(error, ApiError) and error.status == 422:
                self._reopen_charge(record, body, error)
            else:
                announce(f"The charge was not recorded: {error}", assertive=True)
                self.failed.emit(str(error))

    # Charging ------------------------------------------------------------------------------------------------
    def open_charge_dialog(self) -> None:
        record = self._record()
        if record is None:
            return
        if not self.charge_action.isEnabled():
            announce(self.charge_action.toolTip(), assertive=True)
            return
        client, store = self.session.client, self.store

        def load():
            # The server's one catalogue (a 304 when the workstation's copy is current), else that copy.
            offered = refresh_catalogue(client, store)
            cached_caution = store.cache_get(CAUTION_CACHE) if store is not None else None
            if not offered.confirmed and cached_caution:
                return offered.offences, cached_caution  # offline: don't wait on the server a second time
            try:
                caution = client.request("GET", "/charging/caution")["caution_on_charge"]
                if store is not None:
                    store.cache_put(CAUTION_CACHE, caution)
            except ServerUnreachable:
                # Offline: the last caution seen, so the charge can still be written and sent later.
                if not cached_caution:
                    raise
                caution = cached_caution
            return offered.offences, caution

        def show(value):
            self._offences, self._caution = value
            self._show_charge_dialog(record)

        self.ops.run(load, on_done=show, on_error=self._failed)

    def _show_charge_dialog(self, record: dict, body: dict | None = None) -> ChargeDialog:
        dialog = ChargeDialog(record, self._offences, self._caution, self.window)
        if body is not None:
            dialog.set_body(body)
        dialog.accepted.connect(lambda: self._charge_accepted(record, dialog.body()))
        self._open(dialog)
        self.charge_dialog_opened.emit(dialog)
        return dialog

    def _charge_accepted(self, record: dict, body: dict) -> None:
        self._charges[body["id"]] = record
        count = len(body["charges"])
        announce(f"Charge of {count} offence{'s' if count != 1 else ''} queued to send")
        self._queue(charges_path(record["id"]), body)

    def _reopen_charge(self, record: dict, body: dict, error: ApiError) -> None:
        announce("The server refused the charge; it is open again with what you typed.", assertive=True)
        dialog = self._show_charge_dialog(record, body)
        dialog.show_server_errors(error.field_errors, error.detail)


def install(window) -> PrintingController:
    """Add the printing actions to the File menu and Charge… to the Custody menu of `window`."""
    window.printing = PrintingController(window)
    return window.printing
