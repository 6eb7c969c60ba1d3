"""Subject access export (supervisors and administrators): everything held on the open person, saved as JSON (what
the server sent) and as a PDF made here, with what must be withheld marked and the reason given. The server records
the export as a disclosure, with the request reference typed here."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.announcer import announce
from desktop.sync.client import ServerUnreachable
from desktop.views.admin.user_dialogs import line_edit
from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import text_edit, value_of
from desktop.views.forms.refusal import refusal_problems

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient


def export_files(pdf_path: str | Path) -> tuple[Path, Path]:
    """The PDF the person chose and the JSON beside it (same name, .json)."""
    pdf = Path(pdf_path)
    if pdf.suffix.lower() != ".pdf":
        pdf = pdf.with_name(pdf.name + ".pdf")
    return pdf, pdf.with_suffix(".json")


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # never half a disclosure under the real name


class SubjectAccessDialog(FormDialog):
    exported = Signal(str, str, int)  # pdf path, json path, how many things were withheld

    noun = "export"
    save_text = "&Export…"
    close_when_saved = False

    def __init__(self, parent: QWidget | None, ops: Operations, client: ApiClient, person: dict[str, Any]) -> None:
        name = f"{(person.get('surname') or '').upper()}, {person.get('forenames') or ''}".strip(", ")
        super().__init__(parent, None, f"Subject access export: {name}", "subjectAccessDialog",
                         heading=f"Everything held on {name}, saved as a PDF and a JSON file. Intelligence sources "
                                 "and handling-code C material are left out and marked as withheld, with the reason.")
        self.ops, self.client, self.person, self.name = ops, client, person, name
        self.reference = self.add_row("Request &reference:", line_edit(
            "sarReference", "The force's reference for this subject access request, e.g. SAR-2026-0042."),
            "request_reference")
        self.reason = self.add_row("&Notes:", text_edit("sarReason", "Anything the disclosure log should say "
                                                        "about this request (optional).", lines=2), "reason")
        self.main_field = "request_reference"
        self.file_dialog: QFileDialog | None = None

    def problems(self) -> list[tuple[str, str]]:
        return [] if value_of(self.reference) else [("request_reference", "Give the request's reference.")]

    def submit(self) -> None:
        if self.sending:
            return
        if self.response is not None:
            self.accept()
            return
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        self.clear_problems()
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in value_of(self.reference))
        dialog = QFileDialog(self, "Save the subject access export", str(Path.home() / f"subject-access-{safe}.pdf"),
                             "PDF documents (*.pdf)")
        dialog.setObjectName("sarSaveDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.fileSelected.connect(self.export_to)
        self.file_dialog = dialog
        dialog.open()

    def export_to(self, path: str) -> None:
        """Fetch the export, save the JSON and the PDF (both on a worker)."""
        body = {"request_reference": value_of(self.reference), "reason": value_of(self.reason)}
        client, person_id = self.client, self.person["id"]
        pdf_path, json_path = export_files(path)

        def work() -> tuple[str, str, int]:
            data = client.request("POST", f"/people/{person_id}/subject-access", json=body)
            _write(json_path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
            buffer = io.BytesIO()
            from desktop.printing.subject_access_pdf import build_subject_access_pdf  # reportlab: on first use

            build_subject_access_pdf(data, buffer)
            _write(pdf_path, buffer.getvalue())
            return str(pdf_path), str(json_path), len(data.get("withheld") or [])

        self.sending = True
        self.sending_started()
        self.status_label.setText("Preparing the export…")
        self.ops.run(work, on_done=self._sent, on_error=self.refused, owner=self)

    def saved(self, response: Any) -> None:
        pdf, data, withheld = response
        message = (f"Subject access export saved: {pdf} and {data}. "
                   + (f"{withheld} things withheld, each marked with the reason." if withheld else "Nothing withheld."))
        self.status_label.setText(message)
        self.status_label.setVisible(True)
        announce(message)
        self.exported.emit(pdf, data, withheld)

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        if isinstance(error, ServerUnreachable):
            return [("", "Not exported: the server cannot be reached. Try again when the connection returns.")]
        if isinstance(error, OSError):
            return [("", f"Not exported: the files could not be written ({error}).")]
        return [(f, m.replace("Not saved", "Not exported")) for f, m in refusal_problems(error, self.noun)]
