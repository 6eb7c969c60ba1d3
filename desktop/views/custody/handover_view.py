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
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.operations import Operations
from desktop.session import Session
from desktop.timefmt import format_local
from desktop.views.forms.dialog import FormDialog, WriteDialog, fit_on_screen
from desktop.views.forms.fields import value_of
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

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None, *,
                 preview: Callable[[str, bytes, QWidget | None], None] | None = None,
                 acknowledge_form: Callable[[QWidget, dict[str, Any]], WriteDialog] | None = None):
        """`acknowledge_form(parent, handover)` makes the acknowledgement's own write dialog (the custody area
        gives it the outbox): this view shows, prints and saves the handover and saves nothing itself."""
        super().__init__(parent)
        self.setObjectName("handoverDialog")
        self.setWindowTitle("Shift handover")
        self.session, self.ops = session, ops
        self.data: dict[str, Any] | None = None
        self.preview = preview  # the records area's print preview (Links.preview_pdf), which prints
        self.acknowledge_form = acknowledge_form
        self.ack_dialog: WriteDialog | None = None  # the acknowledgement, while open (tests)

        self.status = QLabel("Loading the handover…")
        self.status.setObjectName("handoverStatus")
        self.status.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("handoverText")
        self.browser.setAccessibleName("Handover, by detainee")
        buttons = QDialogButtonBox()
        self.ack_button = QPushButton("&Acknowledge handover…")
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
        buttons.addButton(self.ack_button, QDialogButtonBox.ButtonRole.ActionRole)
        # The paper and refresh buttons on a row of their own: at 200% text five in one row are wider than a
        # small screen (issue 13).
        paper = QHBoxLayout()
        for button in (self.print_button, self.save_button, self.refresh_button):
            paper.addWidget(button)
        paper.addStretch(1)
        # Return refreshes until there is something to acknowledge; then (a sergeant) it opens the acknowledgement.
        self.refresh_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.ack_button.clicked.connect(self.acknowledge)
        self.save_button.clicked.connect(self._ask_save)
        self.print_button.clicked.connect(self.print_preview)
        self.refresh_button.clicked.connect(self.load)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.browser, 1)
        layout.addLayout(paper)
        layout.addWidget(buttons)
        self.sergeant = Role.CUSTODY_SERGEANT in session.roles and acknowledge_form is not None
        if not self.sergeant:
            self.ack_button.setToolTip("Only the incoming custody sergeant acknowledges a handover.")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True  # as big as suits reading, never bigger than the screen (issue 13: 200% text)
            fit_on_screen(self, 900, 680)

    # Loading -----------------------------------------------------------------------------------------------
    def load(self) -> None:
        client = self.session.client
        self.ops.run(lambda: client.request("GET", HANDOVER_PATH), on_done=self._loaded, on_error=self._load_failed,
                     owner=self)

    def _loaded(self, data: dict[str, Any]) -> None:
        self.data = data
        from desktop.printing.handover import handover_content  # reportlab comes with it: on first use
        from desktop.printing.plain_text import outline, to_html

        content = handover_content(data)
        self.browser.setHtml(to_html(outline(content)))
        count = len(data.get("detainees") or [])
        flagged = len(data.get("flagged") or [])
        next_step = (" Read it through, then choose Acknowledge handover (Alt+A)." if self.sergeant
                     else " The incoming custody sergeant acknowledges it.")
        self.status.setText(f"{handed_over_text(data.get('last'))} {count} detainee{'' if count == 1 else 's'}, "
                            f"{flagged} flagged item{'' if flagged == 1 else 's'} since then.{next_step}")
        self.ack_button.setEnabled(self.sergeant)
        if self.sergeant:
            self.ack_button.setDefault(True)
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
    def acknowledge(self) -> WriteDialog | None:
        """The acknowledgement's own dialog (outgoing sergeant, a note), saved through the outbox."""
        if self.data is None or not self.sergeant or self.acknowledge_form is None:
            announce("Only the incoming custody sergeant acknowledges a handover.", assertive=True)
            return None
        dialog = self.ack_dialog = self.acknowledge_form(self, self.data)
        dialog.saved_signal.connect(self._sent)
        dialog.finished.connect(lambda _result: setattr(self, "ack_dialog", None))
        dialog.open()
        return dialog

    def _sent(self, response: Any) -> None:
        user = self.session.user or {}
        who = titled(user.get("rank", ""), user.get("display_name", ""))
        message = f"Handover acknowledged by {who}."
        if isinstance(response, dict) and response.get("by_label"):
            message = f"Handover acknowledged by {response['by_label']}."
        if isValid(self):
            self.status.setText(message)
        announce(message)
        self.acknowledged.emit(response if isinstance(response, dict) else {})

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
            from desktop.printing.handover import build_handover_pdf

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
            from desktop.printing.handover import build_handover_pdf

            build_handover_pdf(data, buffer, printed_by=by)
            target = Path(path)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(buffer.getvalue())
            partial.replace(target)
            return str(target)

        self.ops.run(work, on_done=lambda saved: announce(f"Handover saved as {saved}"),
                     on_error=lambda exc: announce(f"The handover could not be saved to {path}: {exc}", True),
                     owner=self)


class AcknowledgeHandoverDialog(FormDialog):
    """The incoming custody sergeant acknowledges the handover of the detainees shown (audited by the server)."""

    noun = "handover"
    save_text = "&Acknowledge"

    def __init__(self, parent: QWidget | None, writes: Writes | None, handover: dict[str, Any]) -> None:
        self.record_ids = [d["record_id"] for d in handover.get("detainees") or []]
        count = len(self.record_ids)
        super().__init__(parent, writes, "Acknowledge handover", "acknowledgeHandoverDialog",
                         heading=f"You take over {count} detainee{'' if count == 1 else 's'} as the incoming "
                                 "custody sergeant.")
        self.ack_id = str(uuid.uuid4())  # the acknowledgement's own id: a retried press is the same one
        self.outgoing = QLineEdit()
        self.outgoing.setMaxLength(200)
        self.add_row("&Outgoing sergeant:", self.outgoing, "outgoing", name="handoverOutgoing")
        self.outgoing.setAccessibleName("Outgoing custody sergeant")
        self.note = QLineEdit()
        self.note.setMaxLength(2000)
        self.add_row("&Note:", self.note, "note", name="handoverNote")
        self.note.setAccessibleName("Handover note")
        self.main_field = "outgoing"

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", ACK_PATH, {"id": self.ack_id, "outgoing": value_of(self.outgoing) or None,
                                  "note": value_of(self.note) or None, "record_ids": self.record_ids}

    def saved(self, response: Any) -> None:
        """Said by the handover view, which shows who acknowledged it."""
