"""Custody > Record cell check (Ctrl+K): who checked (the signed-in user), how, the result, and when it really
happened (observed_at, default now, editable: a check typed in late keeps its real time). After saving it
shows both times. A failed rousing is a medical emergency: an assertive announcement and a modal prompt at once,
before the server has even been told.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from desktop.announcer import announce
from desktop.views.forms.dialog import CustodyDialog, recorded_text
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from desktop.timefmt import format_local, parse_utc, utc_now
from domain.observation import (CHECK_TYPE_TITLES, LEVEL_TITLES, CheckResult, CheckType, ObservationLevel,
                                check_errors, is_medical_emergency, needs_healthcare)
from domain.pace_clock import event_time_error

EMERGENCY_TEXT = ("MEDICAL EMERGENCY: {name} failed to rouse. Call an ambulance / healthcare professional now "
                  "(dial 999 for an ambulance), then tell the custody sergeant.")


def medical_emergency_prompt(parent: QWidget | None, name: str) -> QMessageBox:
    """Assertive announcement plus a modal prompt; returned so the caller (and tests) can see it."""
    text = EMERGENCY_TEXT.format(name=name)
    announce(text, assertive=True)
    box = QMessageBox(QMessageBox.Icon.Critical, "Medical emergency", text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("medicalEmergencyPrompt")
    box.button(QMessageBox.StandardButton.Ok).setText("I have called for help")
    box.setModal(True)
    box.open()
    return box


class CellCheckDialog(CustodyDialog):
    close_when_saved = False
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], user: dict[str, Any] | None, *, writes: Writes):
        super().__init__(window, record, "Record cell check", "cellCheckDialog", writes=writes)
        self.check_id = str(uuid.uuid4())
        self.emergency_prompt: QMessageBox | None = None
        level = record.get("observation_level")
        self.level = ObservationLevel(level) if level else None
        who = user or {}
        collar = f" ({who['collar_number']})" if who.get("collar_number") else ""
        self.who_label = QLabel(f"{who.get('display_name') or who.get('username') or ''}{collar}")
        self.who_label.setObjectName("cellCheckWho")
        self.form.addRow("Checked by:", self.who_label)
        self.level_label = QLabel(LEVEL_TITLES[self.level] if self.level else "No observation level set")
        self.level_label.setObjectName("cellCheckLevel")
        self.form.addRow("Observation level:", self.level_label)
        due = parse_utc(record.get("next_check_due"))
        if due is not None:
            due_label = QLabel(format_local(due))
            due_label.setObjectName("cellCheckDue")
            self.form.addRow("Check due:", due_label)
        self.type_combo = QComboBox()
        for check_type, title in CHECK_TYPE_TITLES.items():
            self.type_combo.addItem(title, check_type.value)
        if self.level is not None and self.level == ObservationLevel.INTERMITTENT:
            self.type_combo.setCurrentIndex(list(CHECK_TYPE_TITLES).index(CheckType.ROUSE))
        self.result_combo = QComboBox()
        for result in CheckResult:
            self.result_combo.addItem(result.value[0].upper() + result.value[1:], result.value)
        # No result until the officer gives one: a pre-selected "Responded" records a check nobody made.
        nothing_chosen(self.result_combo, "Choose what you found…")
        self.observed_edit = datetime_edit("cellCheckObservedAt", "When the check was made (not when it is typed).")
        self.note_edit = text_edit("cellCheckNote", "Anything seen or said (optional).", 2)
        self.add_row("Check &type:", self.type_combo, "check_type", name="cellCheckType")
        self.add_row("&Result:", self.result_combo, "result", name="cellCheckResult")
        self.add_row("&Observed at:", self.observed_edit, "observed_at")
        self.add_row("&Note:", self.note_edit, "note")
        self.errors["observation_level"] = self.errors["check_type"]
        self.dirty = False
        self.type_combo.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        result = self.result_combo.currentData()
        if self.level is None:
            out.append(("observation_level", "No observation level is set for this detainee: a custody sergeant "
                                             "must set one first."))
        if result is None:
            out.append(("result", "Choose the result of the check: what you found."))
        elif self.level is not None:
            out.extend((e.field, e.message) for e in check_errors(
                self.level, CheckType(self.type_combo.currentData()), CheckResult(result)))
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked is not None and (problem := event_time_error("observed_at", to_utc(self.observed_edit),
                                                               booked_in_at=booked, now=utc_now())):
            out.append((problem.field, problem.message))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body = {"id": self.check_id, "check_type": self.type_combo.currentData(),
                "result": self.result_combo.currentData(), "observed_at": to_utc(self.observed_edit).isoformat(),
                "note": value_of(self.note_edit) or None}
        return "POST", f"/custody/records/{self.record['id']}/checks", body

    def before_send(self, body: dict[str, Any]) -> None:
        result = CheckResult(body["result"])
        name = self.record.get("name") or "The detainee"
        if is_medical_emergency(result):
            self.emergency_prompt = medical_emergency_prompt(self, name)
        elif needs_healthcare(result):
            announce(f"{name}: the response was not comprehensive. Call a healthcare professional now.",
                     assertive=True)

    def saved(self, response: dict[str, Any]) -> None:
        text = recorded_text(response)
        self.status_label.setText(text)
        self.status_label.setAccessibleName(text)  # a screen reader hears "Saved…", not the old "Saving"
        self.status_label.setVisible(True)
        if not (response or {}).get("medical_emergency"):
            announce(f"Cell check recorded. {text}")
