"""Custody > Interview… (Ctrl+Alt+I): start an interview from the detainee's record, or end the one running.

Starting records when, where, who interviews and who else is present in each capacity (solicitor, appropriate
adult, interpreter), and any special warnings. A juvenile or vulnerable detainee whose appropriate adult has not
arrived is not interviewed unless urgent-interview authority is recorded (Code C 11.18): the dialog says so at
the top, and the authority is a choice the officer makes with the grounds, never a default. The server decides
whether the officer's rank may give it (force configuration) and the refusal is shown beside the field.

Ending records the end time, breaks, special warnings given during it, the recording reference and the outcome
(chosen; nothing is pre-selected).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from desktop.timefmt import LONDON, format_local, parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.interviews import OUTCOMES, SPECIAL_WARNINGS
from domain.pace_clock import event_time_error

AA_AWAITED = ("The appropriate adult has not arrived. A juvenile or vulnerable detainee is not interviewed without "
              "them unless an officer of the rank the force sets (superintendent unless configured otherwise) "
              "authorises an urgent interview, with the grounds (Code C 11.18).")
BREAK_LINE = re.compile(r"^\s*(\d{1,2})[:.]?(\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.]?(\d{2})\s*(.*)$")


def names(text: str) -> list[str]:
    """'DC 4093 Illingsworth; DS 1182 Carne' (semicolons or new lines) as a list of names."""
    return [n.strip() for n in re.split(r"[;\n]", text) if n.strip()]


def parse_breaks(text: str, started: datetime) -> tuple[list[dict[str, Any]], str | None]:
    """Breaks typed one a line as 'HH:MM-HH:MM reason' (UK time, on the interview's day; a time before the start
    is the next day). Returns the breaks for the API, or the problem with the first line that cannot be read."""
    out: list[dict[str, Any]] = []
    local_start = started.astimezone(LONDON)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = BREAK_LINE.match(line)
        if m is None:
            return [], (f"Line {n}: write a break as start-end and the reason, e.g. '14:05-14:20 Solicitor "
                        "consultation'.")
        h1, m1, h2, m2, reason = m.groups()
        try:
            times = []
            for h, mm in ((h1, m1), (h2, m2)):
                at = local_start.replace(hour=int(h), minute=int(mm), second=0, microsecond=0)
                times.append(at + timedelta(days=1) if at < local_start.replace(second=0, microsecond=0) else at)
        except ValueError:
            return [], f"Line {n}: {h1}:{m1} or {h2}:{m2} is not a time of day."
        out.append({"started_at": times[0].isoformat(), "ended_at": times[1].isoformat(),
                    "reason": reason.strip() or None})
    return out, None


class _WarningsRow:
    def __init__(self, dialog: CustodyDialog, prefix: str):
        self.boxes: dict[str, QCheckBox] = {}
        for key, title in SPECIAL_WARNINGS.items():
            box = QCheckBox(f"Special warning given: {title}")
            box.setObjectName(f"{prefix}Warning{key.upper()}")
            dialog.add_row("", box)
            self.boxes[key] = box
        dialog.field_error("special_warnings", next(iter(self.boxes.values())))

    def chosen(self) -> list[str]:
        return [key for key, box in self.boxes.items() if box.isChecked()]


class InterviewDialog(CustodyDialog):
    """Start an interview."""

    save_text = "&Start interview"
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Start interview", "interviewDialog", writes=writes, scroll=True)
        self.interview_id = str(uuid.uuid4())  # the interview's id and the write's Idempotency-Key
        self.awaited = bool(record.get("appropriate_adult_awaited"))
        if self.awaited:
            notice = QLabel(AA_AWAITED)
            notice.setObjectName("interviewAaAwaited")
            notice.setWordWrap(True)
            self.form.addRow(notice)
        self.started_edit = datetime_edit("interviewStartedAt", "When the interview started.")
        self.location_edit = QLineEdit()
        self.officers_edit = text_edit("interviewOfficers", "Interviewing officers, one a line or separated by "
                                                            "semicolons, e.g. DC 4093 Rafe Illingsworth.", 2)
        self.solicitor_edit = QLineEdit()
        self.aa_edit = QLineEdit()
        if record.get("appropriate_adult_arrived_at") and record.get("appropriate_adult_name"):
            self.aa_edit.setText(record["appropriate_adult_name"])  # who arrived, as recorded; the officer may change
        self.interpreter_edit = QLineEdit()
        self.others_edit = QLineEdit()
        self.add_row("Started &at:", self.started_edit, "started_at")
        self.add_row("&Location:", self.location_edit, "location", name="interviewLocation")
        self.add_row("Interviewing &officers:", self.officers_edit, "interviewing_officers")
        self.add_row("Soli&citor:", self.solicitor_edit, "solicitor", name="interviewSolicitor")
        self.add_row("A&ppropriate adult:", self.aa_edit, "appropriate_adult", name="interviewAppropriateAdult")
        self.add_row("I&nterpreter:", self.interpreter_edit, "interpreter", name="interviewInterpreter")
        self.add_row("Others p&resent:", self.others_edit, "others_present", name="interviewOthers")
        self.warnings = _WarningsRow(self, "interview")
        self.urgent_check = QCheckBox("&Urgent interview: I authorise interviewing without the appropriate adult")
        self.urgent_check.setObjectName("interviewUrgent")
        self.urgent_grounds = text_edit("interviewUrgentGrounds", "Why delay would lead to the consequences in Code "
                                                                  "C 11.1 (harm, loss of evidence, alerting others).")
        self.add_row("", self.urgent_check, "urgent_authority")
        self.add_row("Urgent &grounds:", self.urgent_grounds, "urgent_authority.grounds")
        for widget in (self.urgent_check, self.urgent_grounds):
            self.set_row_visible(widget, self.awaited)
        self.urgent_check.toggled.connect(lambda on: self.urgent_grounds.setEnabled(on))
        self.urgent_grounds.setEnabled(False)
        self.main_field = "urgent_authority" if self.awaited else "interviewing_officers"
        self.dirty = False
        self.location_edit.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("started_at", to_utc(self.started_edit), booked_in_at=booked,
                                             now=utc_now())):
            out.append((p.field, p.message))
        if not names(self.officers_edit.toPlainText()):
            out.append(("interviewing_officers", "Name at least one interviewing officer."))
        if self.awaited and not self.urgent_check.isChecked():
            out.append(("urgent_authority", "The appropriate adult has not arrived: wait for them, or record urgent-"
                                            "interview authority with the grounds."))
        if self.awaited and self.urgent_check.isChecked() and not value_of(self.urgent_grounds):
            out.append(("urgent_authority.grounds", "Give the grounds for the urgent interview."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {
            "id": self.interview_id, "started_at": to_utc(self.started_edit).isoformat(),
            "location": value_of(self.location_edit) or None,
            "interviewing_officers": names(self.officers_edit.toPlainText()),
            "others_present": names(value_of(self.others_edit)),
            "solicitor": value_of(self.solicitor_edit) or None,
            "appropriate_adult": value_of(self.aa_edit) or None,
            "interpreter": value_of(self.interpreter_edit) or None,
            "special_warnings": self.warnings.chosen()}
        if self.awaited and self.urgent_check.isChecked():
            body["urgent_authority"] = {"grounds": value_of(self.urgent_grounds)}
        return "POST", f"/custody/records/{self.record['id']}/interviews", body


class EndInterviewDialog(CustodyDialog):
    """End the interview that is running: breaks, warnings, recording reference, outcome."""

    save_text = "&End interview"
    record: dict[str, Any]

    def __init__(self, window: QWidget, record: dict[str, Any], interview: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "End interview", "endInterviewDialog", writes=writes, scroll=True)
        self.interview = interview
        self.started = parse_utc(interview.get("started_at")) or utc_now()
        who = ", ".join(interview.get("interviewing_officers") or [])
        running = QLabel(f"Interview started {format_local(self.started)}"
                         + (f" in {interview['location']}" if interview.get("location") else "") + f" by {who}.")
        running.setObjectName("endInterviewRunning")
        running.setWordWrap(True)
        self.form.addRow(running)
        self.ended_edit = datetime_edit("endInterviewEndedAt", "When the interview ended.")
        self.breaks_edit = text_edit("endInterviewBreaks", "Breaks, one a line as start-end and the reason, UK time, "
                                                           "e.g. 14:05-14:20 Solicitor consultation. Leave empty "
                                                           "if there were none.", 2)
        self.recording_edit = QLineEdit()
        self.outcome_combo = QComboBox()
        for key, title in OUTCOMES.items():
            self.outcome_combo.addItem(title, key)
        nothing_chosen(self.outcome_combo, "Choose the outcome of the interview…")
        self.outcome_note = text_edit("endInterviewOutcomeNote", "Anything more about the outcome (optional).", 2)
        self.add_row("Ended a&t:", self.ended_edit, "ended_at")
        self.add_row("&Breaks:", self.breaks_edit, "breaks")
        self.warnings = _WarningsRow(self, "endInterview")
        for key in interview.get("special_warnings") or []:
            if key in self.warnings.boxes:  # given at the start: shown as given, and kept
                self.warnings.boxes[key].setChecked(True)
                self.warnings.boxes[key].setEnabled(False)
        self.add_row("&Recording reference:", self.recording_edit, "recording_reference",
                     name="endInterviewRecording")
        if interview.get("recording_reference"):
            self.recording_edit.setText(interview["recording_reference"])
        self.add_row("&Outcome:", self.outcome_combo, "outcome", name="endInterviewOutcome")
        self.add_row("Outcome &note:", self.outcome_note, "outcome_note")
        self.main_field = "ended_at"
        self.dirty = False
        self.recording_edit.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        ended = to_utc(self.ended_edit)
        if ended < self.started:
            out.append(("ended_at", "The interview cannot end before it started "
                                    f"({format_local(self.started)})."))
        _breaks, problem = parse_breaks(self.breaks_edit.toPlainText(), self.started)
        if problem:
            out.append(("breaks", problem))
        if self.outcome_combo.currentData() is None:
            out.append(("outcome", "Choose the outcome of the interview."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        breaks, _problem = parse_breaks(self.breaks_edit.toPlainText(), self.started)
        return "POST", f"/custody/records/{self.record['id']}/interviews/{self.interview['id']}/end", {
            "ended_at": to_utc(self.ended_edit).isoformat(), "breaks": breaks,
            "special_warnings": self.warnings.chosen(),
            "recording_reference": value_of(self.recording_edit) or None,
            "outcome": self.outcome_combo.currentData(), "outcome_note": value_of(self.outcome_note) or None}
