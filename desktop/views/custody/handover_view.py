"""The shift handover view (Custody > Shift handover…, Ctrl+Shift+U): every detainee with what the incoming sergeant
must know and everything flagged since the last handover, read in order (headings per detainee), printable and
savable as PDF, and acknowledged by the incoming custody sergeant (a write through the outbox, audited by the
server). The content and its outline come from desktop/printing/handover.py, so screen and paper say the same."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.operations import Operations
from desktop.printing.handover import build_handover_pdf, handover_content
from desktop.printing.plain_text import outline, to_html
from desktop.session import Session
from desktop.timefmt import format_local
from desktop.views.forms.refusal import refusal_text
from desktop.writes import Writes
from domain.officers import titled
from domain.roles import Role

HANDOVER_PATH, ACK_PATH = "/custody/handover", "/custody/handovers"


def handed_over_text(last: dict[str, Any] | None) -> str:
    """The board's line: when the suite was last handed over and to whom."""
    if not last:
        return "Not yet handed over in Bridewell."
    return f"Last handed over {format_local(last.get('acknowledged_at'))} to {last.get('by_label')}."


class HandoverDialog(QDialog):
    loaded = Signal(dict)  # the handover content
    acknowledged = Signal(dict)  # HandoverOut
    failed = Signal(str)

    def __init__(self, session: Session, ops: Operations, writes: Writes, parent: QWidget | None = None, *,
                 preview: Callable[[str, bytes, QWidget | None], None] | None = None):
        super().__init__(parent)
        self.setObjectName("handoverDialog")
        self.setWindowTitle("Shift handover")
        self.session, self.ops, self.writes = session, ops, writes
        self.data: dict[str, Any] | None = None
        self.preview = preview  # the records area's print preview (Links.preview_pdf), which prints

        self.status = QLabel("Loading the handover…")
        self.status.setObjectName("handoverStatus")
        self.status.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("handoverText")
        self.browser.setAccessibleName("Handover, by detainee")
        self.outgoing = QLineEdit()
        self.outgoing.setObjectName("handoverOutgoing")
        self.outgoing.setMaxLength(200)
        self.outgoing.setAccessibleName("Outgoing custody sergeant")
        self.note = QLineEdit()
        self.note.setObjectName("handoverNote")
        self.note.setMaxLength(2000)
        self.note.setAccessibleName("Handover note")
        self.error = QLabel("")
        self.error.setObjectName("handoverError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form = QFormLayout()
        outgoing_label = QLabel("&Outgoing sergeant:")
        outgoing_label.setBuddy(self.outgoing)
        note_label = QLabel("&Note:")
        note_label.setBuddy(self.note)
        form.addRow(outgoing_label, self.outgoing)
        form.addRow(note_label, self.note)

        buttons = QDialogButtonBox()
        self.ack_button = QPushButton("&Acknowledge handover")
        self.ack_button.setObjectName("handoverAcknowledge")
        self.ack_button.setEnabled(False)
        self.save_button = QPushButton("Save as P&DF…")
        self.save_button.setObjectName("handoverSavePdf")
        self.save_button.setEnabled(False)
        self.print_button = QPushButton("&Print preview…")
        self.print_button.setObjectName("handoverPrintPreview")
        self.print_button.setEnabled(False)
        self.print_button.setVisible(preview is not None)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("handoverRefresh")
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("handoverClose")
        for button in (self.ack_button, self.print_button, self.save_button, self.refresh_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.ack_button.clicked.connect(self.acknowledge)
        self.save_button.clicked.connect(self._ask_save)
        self.print_button.clicked.connect(self.print_preview)
        self.refresh_button.clicked.connect(self.load)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.browser, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(900, 680)
        self.sergeant = Role.CUSTODY_SERGEANT in session.roles
        if not self.sergeant:
            self.ack_button.setToolTip("Only the incoming custody sergeant acknowledges a handover.")

    # Loading -----------------------------------------------------------------------------------------------
    def load(self) -> None:
        client = self.session.client
        self.ops.run(lambda: client.request("GET", HANDOVER_PATH), on_done=self._loaded, on_error=self._load_failed,
                     owner=self)

    def _loaded(self, data: dict[str, Any]) -> None:
        self.data = data
        content = handover_content(data)
        self.browser.setHtml(to_html(outline(content)))
        count = len(data.get("detainees") or [])
        flagged = len(data.get("flagged") or [])
        next_step = (" Read it through, then choose Acknowledge handover (Alt+A)." if self.sergeant
                     else " The incoming custody sergeant acknowledges it.")
        self.status.setText(f"{handed_over_text(data.get('last'))} {count} detainee{'' if count == 1 else 's'}, "
                            f"{flagged} flagged item{'' if flagged == 1 else 's'} since then.{next_step}")
        self.ack_button.setEnabled(self.sergeant)
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)
        announce(f"Handover ready: {count} detainees, {flagged} flagged.")
        self.loaded.emit(data)

    def _load_failed(self, exc: BaseException) -> None:
        message = f"The handover could not be loaded: {refusal_text(exc, 'handover')}"
        self.status.setText(message)
        announce(message, assertive=True)
        self.failed.emit(message)

    # Acknowledging -------------------------------------------------------------------------------------------
    def acknowledge(self) -> None:
        if self.data is None or not self.sergeant:
            announce("Only the incoming custody sergeant acknowledges a handover.", assertive=True)
            return
        body = {"id": str(uuid.uuid4()), "outgoing": self.outgoing.text().strip() or None,
                "note": self.note.text().strip() or None,
                "record_ids": [d["record_id"] for d in self.data.get("detainees") or []]}
        self.ack_button.setEnabled(False)
        self.error.setVisible(False)
        self.writes.queue("POST", ACK_PATH, body, on_sent=self._sent, on_rejected=self._rejected,
                          on_waiting=lambda reason: self.status.setText(
                              f"Acknowledgement kept on this computer; it will be sent when the server answers "
                              f"({reason})."))

    def _sent(self, response: Any) -> None:
        user = self.session.user or {}
        who = titled(user.get("rank", ""), user.get("display_name", ""))
        message = f"Handover acknowledged by {who}."
        if isinstance(response, dict) and response.get("by_label"):
            message = f"Handover acknowledged by {response['by_label']}."
        self.status.setText(message)
        announce(message)
        self.acknowledged.emit(response if isinstance(response, dict) else {})

    def _rejected(self, error: BaseException) -> None:
        message = f"Not acknowledged: {refusal_text(error, 'handover')}"
        self.error.setText(message)
        self.error.setVisible(True)
        self.ack_button.setEnabled(self.sergeant)
        self.ack_button.setFocus()
        announce(message, assertive=True)

    # Print and save ----------------------------------------------------------------------------------------
    def _printed_by(self) -> str:
        user = self.session.user or {}
        name = titled(user.get("rank", ""), user.get("display_name", ""))
        return f"{name} ({user['collar_number']})" if user.get("collar_number") else name

    def print_preview(self) -> None:
        data, preview = self.data, self.preview
        if data is None or preview is None:
            return
        by = self._printed_by()

        def work() -> bytes:
            buffer = io.BytesIO()
            build_handover_pdf(data, buffer, printed_by=by)
            return buffer.getvalue()

        announce("Preparing the handover to print…")
        self.ops.run(work, on_done=lambda pdf: preview("Custody handover", pdf, self),
                     on_error=lambda exc: announce(f"The handover could not be prepared: {exc}", True), owner=self)

    def _ask_save(self) -> None:
        dialog = QFileDialog(self, "Save handover as PDF", str(Path.home() / "custody-handover.pdf"),
                             "PDF documents (*.pdf)")
        dialog.setObjectName("handoverSaveDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(self.save_to)
        dialog.open()

    def save_to(self, path: str) -> None:
        data = self.data
        if data is None:
            return
        by = self._printed_by()

        def work() -> str:
            buffer = io.BytesIO()
            build_handover_pdf(data, buffer, printed_by=by)
            target = Path(path)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(buffer.getvalue())
            partial.replace(target)
            return str(target)

        self.ops.run(work, on_done=lambda saved: announce(f"Handover saved as {saved}"),
                     on_error=lambda exc: announce(f"The handover could not be saved to {path}: {exc}", True),
                     owner=self)
