"""Custody > Disposal… (custody sergeant): how the detainee leaves custody. Once saved the record is released
and read-only; the board drops it and the custody actions are disabled for it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from desktop.timefmt import LONDON, parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import date_edit, datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.disposal import OUTCOME_TITLES, Outcome, disposal_errors


class DisposalDialog(CustodyDialog):
    save_text = "&Dispose and release"
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Disposal", "disposalDialog", writes=writes)
        self.outcome_combo = QComboBox()
        for outcome, title in OUTCOME_TITLES.items():
            self.outcome_combo.addItem(title, outcome.value)
        # The sergeant chooses: a pre-selected outcome would release on a default nobody decided (issue 13).
        nothing_chosen(self.outcome_combo, "Choose how the detainee leaves custody…")
        self.released_edit = datetime_edit("disposalReleasedAt", "When the detainee left custody.")
        self.summary_edit = text_edit("disposalSummary", "The charge summary or other details.", 2)
        if record.get("charge_summary"):
            self.summary_edit.setPlainText(record["charge_summary"])
        self.bail_date = date_edit("disposalBailDate", "The date the person must answer bail.",
                                   (utc_now() + timedelta(days=28)).date())
        self.conditions_edit = text_edit("disposalBailConditions", "Bail conditions, if any.", 2)
        self.transfer_edit = QLineEdit()
        self.court_edit = QLineEdit()
        self.add_row("&Outcome:", self.outcome_combo, "outcome", name="disposalOutcome")
        self.add_row("&Released at:", self.released_edit, "released_at")
        self.add_row("&Summary:", self.summary_edit, "summary")
        self.add_row("&Bail return date:", self.bail_date, "bail_return_date")
        self.add_row("Bail &conditions:", self.conditions_edit, "bail_conditions")
        self.add_row("&Transferred to:", self.transfer_edit, "transfer_to", name="disposalTransferTo")
        self.add_row("Co&urt:", self.court_edit, "court", name="disposalCourt")
        warning = QLabel("Re-assess risk first (Custody > Re-assess risk…, Ctrl+Shift+A, 'Why now' set to release, "
                         "bail refused or transfer): the APP requires it at each of these points, and the disposal is "
                         "refused without it. Once saved, the detainee leaves custody and this record is closed: "
                         "nothing more can be written to it.")
        warning.setObjectName("disposalWarning")
        warning.setWordWrap(True)
        self.form.addRow(warning)
        self.outcome_combo.currentIndexChanged.connect(self._outcome_changed)
        self._outcome_changed()
        self.dirty = False
        self.outcome_combo.setFocus()

    @property
    def outcome(self) -> Outcome | None:
        value = self.outcome_combo.currentData()
        return None if value is None else Outcome(value)

    @property
    def bail_return_date(self) -> date:
        day = self.bail_date.date().toPython()
        assert isinstance(day, date)  # QDate.toPython() gives a date; the stubs say object
        return day

    def _outcome_changed(self, *_args: object) -> None:
        outcome = self.outcome
        self.set_row_visible(self.bail_date, outcome is Outcome.PRE_CHARGE_BAIL)
        self.set_row_visible(self.conditions_edit, outcome is Outcome.PRE_CHARGE_BAIL)
        self.set_row_visible(self.transfer_edit, outcome is Outcome.TRANSFERRED)
        self.set_row_visible(self.court_edit, outcome is Outcome.REMANDED_FOR_COURT)

    def problems(self) -> list[tuple[str, str]]:
        released = to_utc(self.released_edit)
        if self.outcome is None:
            return [("outcome", "Choose the outcome: how the detainee leaves custody.")]
        out = [(e.field, e.message) for e in disposal_errors(
            self.outcome, released_at=released, release_day=released.astimezone(LONDON).date(),
            bail_return_date=self.bail_return_date if self.outcome is Outcome.PRE_CHARGE_BAIL else None,
            transfer_to=value_of(self.transfer_edit), court=value_of(self.court_edit),
            summary=value_of(self.summary_edit), charged_at=parse_utc(self.record.get("charged_at")))]
        if released > utc_now() + timedelta(minutes=1):
            out.append(("released_at", "This time is in the future; check the date and time."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        outcome = self.outcome
        assert outcome is not None  # problems() refuses a disposal with no outcome chosen
        body: dict[str, Any] = {"outcome": outcome.value, "released_at": to_utc(self.released_edit).isoformat(),
                "summary": value_of(self.summary_edit) or None, "bail_return_date": None, "bail_conditions": None,
                "transfer_to": None, "court": None}
        if outcome is Outcome.PRE_CHARGE_BAIL:
            body["bail_return_date"] = self.bail_return_date.isoformat()
            body["bail_conditions"] = value_of(self.conditions_edit) or None
        if outcome is Outcome.TRANSFERRED:
            body["transfer_to"] = value_of(self.transfer_edit)
        if outcome is Outcome.REMANDED_FOR_COURT:
            body["court"] = value_of(self.court_edit)
        return "POST", f"/custody/records/{self.record['id']}/disposal", body
