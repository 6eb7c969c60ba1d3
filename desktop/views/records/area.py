"""The records area: File > print preview, print, save as PDF and read in order, for the custody record and the
charge sheet. Declared to the main window through desktop/areas.py.

Every document is fetched and built on a worker (Operations); the GUI thread only shows dialogs and paints
pages onto a printer. Every copy made is recorded as a disclosure, a write through the local outbox (row id =
Idempotency-Key) via the area's `writes`, which reports it back here as sent or rejected.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.areas import AreaContext, DockSpec, MenuId
from desktop.sync.client import ApiError, ServerUnreachable
from desktop.sync.local_store import OutboxItem
from desktop.printing.documents import ChargeSheetDoc, CustodyRecordDoc, DocumentError
from desktop.printing.from_api import fetch_documents
from desktop.views.records.disclosure_dialog import DisclosureDialog
from desktop.views.records.print_job import PrintJob, printer_dpi, render_pages
from desktop.views.records.print_preview import PrintPreviewDialog
from desktop.views.records.record_reader import RecordReaderDialog
from domain.events import EventType

RECORD, SHEET = "custody_record", "charge_sheet"
TITLES = {RECORD: "Custody record", SHEET: "Charge sheet"}


def build_pdf(document: str, doc: Any, out: BinaryIO) -> None:
    """Build the PDF of `doc` (CustodyRecordDoc or ChargeSheetDoc, as `document` names). The builders import
    reportlab (~0.25 s): loaded on the first print, on a worker, not when the main window opens."""
    if document == RECORD:
        from desktop.printing.custody_record_pdf import build_custody_record_pdf

        build_custody_record_pdf(doc, out)
    else:
        from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf

        build_charge_sheet_pdf(doc, out)




def outline_html(document: str, doc: Any) -> str:
    """The document read in order, as HTML; plain_text shares desktop.printing.layout (reportlab): first use."""
    from desktop.printing.plain_text import charge_sheet_outline, custody_record_outline, to_html

    return to_html(custody_record_outline(doc) if document == RECORD else charge_sheet_outline(doc))


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
DISCLOSURES_PATH = "/audit/disclosures"
Record = dict[str, Any]
# What a document action works on: the custody record, its document, and the PDF (None when only read).
Loaded = tuple[Record, CustodyRecordDoc | ChargeSheetDoc, bytes | None]


class NoChargeSheet(Exception):
    pass


class RecordsArea(QObject):
    name = "records"
    handles: frozenset[EventType] = frozenset()  # follows the selected record through the hub, no events of its own
    preview_opened = Signal(object)  # PrintPreviewDialog
    reader_opened = Signal(object)  # RecordReaderDialog
    pdf_saved = Signal(str)  # path
    print_finished = Signal(bool, str)  # ok, message
    disclosure_recorded = Signal(dict)  # DisclosureOut
    failed = Signal(str)

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.window = context.parent  # the parent of its dialogs
        self.shell, self.session, self.ops, self.writes = context.shell, context.session, context.ops, context.writes
        self.dialog: QDialog | None = None  # the dialog now open, for tests and for closing
        self._jobs: list[PrintJob] = []
        self.actions: dict[tuple[str, str], QAction] = {}
        for key, (text, name, shortcut) in ACTIONS.items():
            action = QAction(text, self.window)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, k=key: self.trigger(*k))
            self.actions[key] = action

        context.changes.record_selected.connect(self._update_enabled)
        context.changes.selected_record_updated.connect(self._update_enabled)
        self.session.user_changed.connect(self._update_enabled)
        context.links.preview_pdf = self.preview_pdf  # other areas' documents (the shift handover) print here
        # Disclosures queued in an earlier run settle here too.
        self.writes.on_earlier(lambda path: path == DISCLOSURES_PATH, self._outbox_sent, self._outbox_rejected)
        self._update_enabled()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        record = [a for (doc, _verb), a in self.actions.items() if doc == RECORD]
        sheet = [a for (doc, _verb), a in self.actions.items() if doc == SHEET]
        return {MenuId.FILE: [*record, None, *sheet]}

    def docks(self) -> list[DockSpec]:
        return []

    # Enabled state (the server decides; this only spares a pointless dialog) -----------------------------------
    def _update_enabled(self, *_args: object) -> None:
        record = self.session.selected_record
        has = record is not None
        charged = record is not None and bool(record.get("charged_at"))
        for (doc, _verb), action in self.actions.items():
            action.setEnabled(has and (doc == RECORD or charged))

    # Dispatch ---------------------------------------------------------------------------------------------
    def trigger(self, document: str, verb: str) -> None:
        {"preview": self.preview, "print": self.print_document, "save": self.save_pdf,
         "read": self.read_in_order}[verb](document)

    def _record(self) -> Record | None:
        record = self.session.selected_record
        if record is None:
            announce("Select a detainee on the custody board first.", assertive=True)
        return record

    def _load(self, document: str, then: Callable[[Record, CustodyRecordDoc | ChargeSheetDoc, bytes | None], None],
              *, build: bool = True) -> None:
        """Fetch the record (and charges) and build the PDF on a worker; `then(record, doc, pdf)` on the GUI."""
        record = self._record()
        if record is None:
            return
        client = self.session.client

        def work() -> Loaded:
            doc, sheet = fetch_documents(client, record["id"])
            target: CustodyRecordDoc | ChargeSheetDoc | None = doc if document == RECORD else sheet
            if target is None:
                raise NoChargeSheet(f"{record.get('custody_number', 'This record')} has no charges, so there is no "
                                    "charge sheet.")
            pdf = None
            if build:
                buffer = io.BytesIO()
                build_pdf(document, target, buffer)
                pdf = buffer.getvalue()
            return record, target, pdf

        announce(f"Preparing the {TITLES[document].lower()}…")
        def done(loaded: Loaded) -> None:
            if self._alive():
                then(*loaded)

        self.ops.run(work, on_done=done, on_error=self._failed)

    def _alive(self) -> bool:
        return isValid(self.window) and not self.shell.is_closed()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DocumentError):
            message = "The document cannot be printed as it stands: " + " ".join(m for _, m in exc.problems)
        elif isinstance(exc, ServerUnreachable):
            message = ("Cannot reach the server, so the current record cannot be fetched to print. "
                       "Try again when the connection returns.")
        elif isinstance(exc, ApiError | NoChargeSheet):
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
        def show(record: Record, doc: CustodyRecordDoc | ChargeSheetDoc, pdf: bytes | None) -> None:
            assert pdf is not None  # built: _load's build=True
            title = f"{TITLES[document]} {doc.custody_number}"
            dialog = PrintPreviewDialog(title, pdf, self.window)
            dialog.print_requested.connect(lambda: self.print_document(document, pdf=(record, doc, pdf),
                                                                       parent=dialog))
            dialog.save_requested.connect(lambda: self.save_pdf(document, pdf=(record, doc, pdf), parent=dialog))
            self._open(dialog)
            self.preview_opened.emit(dialog)

        self._load(document, show)

    def read_in_order(self, document: str) -> None:
        def show(_record: Record, doc: CustodyRecordDoc | ChargeSheetDoc, _pdf: bytes | None) -> None:
            title = f"{TITLES[document]} {doc.custody_number}"
            dialog = RecordReaderDialog(title, outline_html(document, doc), self.window)
            self._open(dialog)
            self.reader_opened.emit(dialog)

        self._load(document, show, build=False)

    def preview_pdf(self, title: str, pdf: bytes, parent: QWidget | None = None) -> None:
        """Preview a document another area built (the shift handover), then print or save it. It is not a copy of
        one custody record, so nothing is recorded as a disclosure; the handover's read was audited."""
        owner = parent or self.window
        dialog = PrintPreviewDialog(title, pdf, owner)
        dialog.print_requested.connect(lambda: self._print_built(title, pdf, dialog))
        dialog.save_requested.connect(lambda: self._save_built(title, pdf, dialog))
        self._open(dialog)
        self.preview_opened.emit(dialog)

    def _print_built(self, title: str, pdf: bytes, parent: QWidget) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setObjectName("printDialog")
        dialog.accepted.connect(lambda: self.print_built_to(printer, title, pdf))
        self._open(dialog)

    def print_built_to(self, printer: QPrinter, title: str, pdf: bytes) -> None:
        dpi = printer_dpi(printer)

        def rendered(images: list[QImage]) -> None:
            job = PrintJob(printer, images, title, self)
            self._jobs.append(job)

            def finished(ok: bool, message: str) -> None:
                self._jobs.remove(job)
                announce(message, assertive=not ok)
                self.print_finished.emit(ok, message)

            job.finished.connect(finished)
            job.start()

        self.ops.run(lambda: render_pages(pdf, dpi), on_done=rendered, on_error=self._failed)

    def _save_built(self, title: str, pdf: bytes, parent: QWidget) -> None:
        name = f"{title.split(' — ')[0].replace(' ', '-').lower()}.pdf"
        dialog = QFileDialog(parent, f"Save {title.lower()} as PDF", str(Path.home() / name), "PDF documents (*.pdf)")
        dialog.setObjectName("savePdfDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")

        def write(path: str) -> None:
            target = Path(path)

            def work() -> str:
                partial = target.with_name(target.name + ".part")
                partial.write_bytes(pdf)
                partial.replace(target)
                return str(target)

            def done(saved: str) -> None:
                announce(f"Saved as {saved}")
                self.pdf_saved.emit(saved)

            self.ops.run(work, on_done=done,
                         on_error=lambda exc: self._failed(OSError(f"it could not be written to {path} ({exc})")))

        dialog.fileSelected.connect(write)
        self._open(dialog)

    # Print -------------------------------------------------------------------------------------------------
    def print_document(self, document: str, *, pdf: Loaded | None = None, parent: QWidget | None = None) -> None:
        """Ask who it is for, then the system print dialog, then print."""
        if pdf is None and self._record() is None:
            return
        ask = DisclosureDialog(TITLES[document], "Print", parent or self.window)

        def asked() -> None:
            purpose, recipient = ask.purpose, ask.recipient  # the dialog is deleted once closed
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, parent or self.window)
            dialog.setObjectName("printDialog")
            dialog.accepted.connect(lambda: self.print_to(printer, document, purpose, recipient, pdf=pdf))
            self._open(dialog)

        ask.accepted.connect(asked)
        self._open(ask)

    def print_to(self, printer: QPrinter, document: str, purpose: str, recipient: str, *,
                 pdf: Loaded | None = None) -> None:
        """Print without dialogs (the dialogs end here; tests and the CUPS check call it directly)."""
        dpi = printer_dpi(printer)

        def rendered(value: tuple[Loaded, list[QImage]]) -> None:
            (record, doc, _pdf), images = value
            title = f"{TITLES[document]} {doc.custody_number}"
            job = PrintJob(printer, images, title, self)
            self._jobs.append(job)
            job.finished.connect(lambda ok, message: self._printed(job, ok, message, record, document, printer,
                                                                   purpose, recipient))
            job.start()

        def render(loaded: Loaded) -> None:
            pages = loaded[2]
            assert pages is not None  # built: _load's build=True
            self.ops.run(lambda: (loaded, render_pages(pages, dpi)), on_done=rendered, on_error=self._failed)

        if pdf is not None:
            render(pdf)
        else:
            self._load(document, lambda *loaded: render(loaded))

    def _printed(self, job: PrintJob, ok: bool, message: str, record: Record, document: str, printer: QPrinter,
                 purpose: str, recipient: str) -> None:
        self._jobs.remove(job)
        announce(message, assertive=not ok)
        if ok:
            self.disclose(record["id"], document, "print", purpose, recipient, printer.printerName()
                          or Path(printer.outputFileName()).name)
        self.print_finished.emit(ok, message)

    # Save as PDF ---------------------------------------------------------------------------------------------
    def save_pdf(self, document: str, *, pdf: Loaded | None = None, parent: QWidget | None = None) -> None:
        record = self.session.selected_record if pdf is None else pdf[0]
        if record is None:
            self._record()
            return
        ask = DisclosureDialog(TITLES[document], "Save as PDF", parent or self.window)

        def asked() -> None:
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

    def save_to(self, path: str, document: str, purpose: str, recipient: str, *,
                pdf: Loaded | None = None) -> None:
        def write(loaded: Loaded) -> None:
            record, _doc, data = loaded
            assert data is not None  # built: _load's build=True
            target = Path(path)

            def work() -> str:
                partial = target.with_name(target.name + ".part")
                partial.write_bytes(data)
                partial.replace(target)  # never leave half a court document under the real name
                return str(target)

            def done(saved: str) -> None:
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
    def disclose(self, record_id: str, document: str, method: str, purpose: str, recipient: str,
                 destination: str) -> None:
        """Record the copy as a disclosure (DPA 2018 s.62), through the outbox so it survives being offline."""
        body = {"id": str(uuid.uuid4()), "record_id": record_id, "document": document, "method": method,
                "purpose": purpose, "recipient": recipient, "destination": destination[:300]}
        self.writes.queue("POST", DISCLOSURES_PATH, body, on_sent=lambda response: self._settled(response, None),
                          on_rejected=lambda error: self._settled(None, error))

    def _outbox_sent(self, _item: OutboxItem, response: Any) -> None:
        self._settled(response, None)

    def _outbox_rejected(self, _item: OutboxItem, error: BaseException) -> None:
        self._settled(None, error)

    def _settled(self, response: Any, error: BaseException | None) -> None:
        if error is None:
            self.disclosure_recorded.emit(response)
        else:
            announce(f"The copy was made but recording it as a disclosure was refused: {error}", True)
