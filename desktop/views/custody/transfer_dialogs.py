"""Custody > Transfer to another suite… (Ctrl+Alt+T) and Accept transfer… (Ctrl+Alt+A), issue 15.

Sending: the receiving suite (none chosen for the sergeant), when the detainee left, a note, and what is handed
over (risk, property, what is outstanding), read from the server when the form opens. Without a risk
re-assessment made for the transfer the form says so beside the handover and refuses to send (the server refuses
too). Accepting: the handover as sent, a free cell of this suite (none chosen), and when the detainee arrived.
One custody record throughout: the PACE clock carries on from the same relevant time."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from desktop.timefmt import format_local, parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.pace_clock import event_time_error

RISK_FIELD = "risk_assessment"


def handover_text(summary: dict[str, Any] | None) -> str:
    """The handover in words, read in one go by a screen reader."""
    if not summary:
        return "Reading what will be handed over…"
    risk = summary.get("risk") or {}
    parts = [f"Risk: {risk.get('level') or 'not assessed'}"
             + (f", assessed {format_local(risk.get('assessed_at'))}" if risk.get("assessed_at") else "")
             + (" for this transfer" if risk.get("for_transfer") else "") + "."]
    if risk.get("concerns"):
        parts.append("Concerns: " + "; ".join(risk["concerns"]) + ".")
    if risk.get("observation"):
        parts.append(f"Observation: {risk['observation']}.")
    if risk.get("warning_markers"):
        parts.append(f"Warning markers: {risk['warning_markers']}")
    items = summary.get("property") or []
    parts.append("Property: " + ("; ".join(p.get("text", "") for p in items) if items else "none recorded") + ".")
    outstanding = summary.get("outstanding") or []
    parts.append("Outstanding: " + ("; ".join(outstanding) if outstanding else "nothing") + ".")
    return "\n".join(parts)


def _readonly_label(name: str, accessible: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab, so it is read out
    label.setAccessibleName(accessible)
    return label


class TransferDialog(CustodyDialog):
    save_text = "&Send transfer"
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], suites: list[dict[str, Any]], *, writes: Writes):
        super().__init__(window, record, "Transfer to another suite", "transferDialog", writes=writes)
        self.transfer_id = str(uuid.uuid4())
        self.summary: dict[str, Any] | None = None
        self.suite_combo = QComboBox()
        self.suite_items(suites)
        self.sent_edit = datetime_edit("transferSentAt", "When the detainee left this suite.")
        self.note_edit = text_edit("transferNote", "Why, and anything the receiving suite must know.", 2)
        self.handover_label = _readonly_label("transferHandover", "What is handed over")
        self.handover_label.setText(handover_text(None))
        here = record.get("suite_name") or "this suite"
        self.add_row("&To suite:", self.suite_combo, "to_suite_id", name="transferToSuite")
        self.add_row("&Left at:", self.sent_edit, "sent_at")
        self.add_row("&Note:", self.note_edit, "note")
        self.add_row(f"&Handed over from {here}:", self.handover_label, RISK_FIELD)
        self.dirty = False
        self.suite_combo.setFocus()

    def suite_items(self, suites: list[dict[str, Any]]) -> int:
        """The other open suites of the force, with their free cells; none chosen. Returns how many."""
        kept, combo = self.suite_combo.currentData(), self.suite_combo
        combo.clear()
        for suite in suites:
            if suite.get("id") != self.record.get("suite_id") and suite.get("state", "open") == "open":
                free = suite.get("cells_free")
                combo.addItem(f"{suite.get('name')} ({suite.get('code')})"
                              + (f", {free} cell{'s' if free != 1 else ''} free" if free is not None else ""),
                              suite.get("id"))
        nothing_chosen(combo, "Choose the receiving suite…")
        if kept is not None and (index := combo.findData(kept)) >= 0:
            combo.setCurrentIndex(index)
        return combo.count()

    def set_summary(self, summary: dict[str, Any] | None) -> None:
        """What the server says would be handed over now (None: it could not be read)."""
        self.summary = summary
        if summary is None:
            self.handover_label.setText("What is handed over could not be read; the server adds it when you send.")
            return
        self.handover_label.setText(handover_text(summary))
        if (need := summary.get("risk_reassessment_needed")) and (error := self.errors.get(RISK_FIELD)):
            error.show_problem(need, focus=False)  # said at once; the suite choice keeps the focus

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if self.suite_combo.currentData() is None:
            out.append(("to_suite_id", "Choose the suite the detainee is transferred to."))
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("sent_at", to_utc(self.sent_edit), booked_in_at=booked, now=utc_now())):
            out.append((p.field, p.message))
        if self.summary and (need := self.summary.get("risk_reassessment_needed")):
            out.append((RISK_FIELD, need))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body = {"id": self.transfer_id, "to_suite_id": self.suite_combo.currentData(),
                "sent_at": to_utc(self.sent_edit).isoformat()}
        if note := value_of(self.note_edit):
            body["note"] = note
        return "POST", f"/custody/records/{self.record['id']}/transfers", body


class AcceptTransferDialog(CustodyDialog):
    save_text = "&Accept into cell"
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Accept transfer", "acceptTransferDialog", writes=writes)
        transfer = record.get("transfer") or {}
        self.transfer_id: str = transfer.get("id") or ""
        self.transfer: dict[str, Any] | None = None
        self.from_label = _readonly_label("acceptTransferFrom", "Transfer")
        self.from_label.setText(f"From {record.get('suite_name') or 'another suite'} to "
                                f"{transfer.get('to_suite_name') or 'this suite'}, sent "
                                f"{format_local(transfer.get('sent_at'))}.")
        self.handover_label = _readonly_label("acceptTransferHandover", "What was handed over")
        self.handover_label.setText(handover_text(None))
        self.cell_combo = QComboBox()
        self.cell_combo.addItem("Loading the free cells…", None)
        self.accepted_edit = datetime_edit("acceptTransferAt", "When the detainee arrived at this suite.")
        self.form.addRow("Transfer:", self.from_label)
        self.add_row("&Handed over:", self.handover_label, None)
        self.add_row("Ce&ll:", self.cell_combo, "cell_id", name="acceptTransferCell")
        self.add_row("A&rrived at:", self.accepted_edit, "accepted_at")
        self.dirty = False
        self.cell_combo.setFocus()

    def set_transfer(self, transfer: dict[str, Any] | None) -> None:
        self.transfer = transfer
        self.handover_label.setText(handover_text((transfer or {}).get("handover"))
                                    if transfer else "The handover could not be read.")
        if transfer and transfer.get("note"):
            self.handover_label.setText(self.handover_label.text() + f"\nNote from the sending suite: "
                                                                     f"{transfer['note']}")

    def set_cells(self, cells: list[dict[str, Any]] | None) -> None:
        combo, kept = self.cell_combo, self.cell_combo.currentData()
        combo.clear()
        if cells is None:
            combo.addItem("The cells could not be read; try again", None)
            return
        free = [c for c in cells if c.get("free_places", 0) > 0]
        combo.addItem(f"Choose a free cell ({len(free)} free)…" if free else "No cell is free", None)
        for cell in free:
            combo.addItem(f"{cell.get('number')} — {str(cell.get('type') or '').replace('_', ' ')}", cell.get("id"))
        index = combo.findData(kept) if kept else -1
        combo.setCurrentIndex(index if index > 0 else 0)

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if not self.transfer_id:
            out.append(("cell_id", "This detainee has no transfer awaiting acceptance."))
        if self.cell_combo.currentData() is None:
            out.append(("cell_id", "Choose a free cell for the detainee."))
        sent = parse_utc((self.record.get("transfer") or {}).get("sent_at"))
        if sent and to_utc(self.accepted_edit) < sent:
            out.append(("accepted_at", f"The detainee was sent at {format_local(sent)}; give a later time."))
        elif to_utc(self.accepted_edit) > utc_now():
            out.append(("accepted_at", "This time is in the future; check the date and time."))
        return out

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        body = getattr(error, "body", {}) or {}
        cell = [("cell_id", str(e.get("message"))) for e in body.get("errors") or [] if e.get("field") == "cell_id"]
        if cell and isinstance((current := body.get("current") or {}).get("cells"), list):
            self.set_cells(current["cells"])  # taken meanwhile: offer what is free now
        return cell or super().refusal_problems(error)

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/transfers/{self.transfer_id}/accept", {
            "cell_id": self.cell_combo.currentData(), "accepted_at": to_utc(self.accepted_edit).isoformat()}
