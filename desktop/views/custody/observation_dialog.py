"""Custody > Set observation level… (custody sergeant): the level, why, and when it was set."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from desktop.timefmt import parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.observation import DEFAULT_CONFIG, LEVEL_TITLES
from domain.pace_clock import event_time_error


class ObservationDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], suggested: int | None = None, *, writes: Writes):
        super().__init__(window, record, "Set observation level", "observationDialog", writes=writes)
        self.level_combo = QComboBox()
        # As wide as the form allows, not as wide as the longest level: it must fit the screen at 200% text.
        self.level_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.level_combo.setMinimumContentsLength(20)
        for level, title in LEVEL_TITLES.items():
            minutes = int(DEFAULT_CONFIG.intervals[level].total_seconds() // 60)
            self.level_combo.addItem(f"{title} (checks every {minutes} min)", int(level))
        current = record.get("observation_level") or suggested
        if current:
            self.level_combo.setCurrentIndex(int(current) - 1)
        else:  # no level yet and none suggested: the sergeant chooses, level 1 is not assumed
            nothing_chosen(self.level_combo, "Choose the observation level…")
        if suggested:
            suggestion = QLabel(f"At least level {suggested} from the latest risk assessment")
            suggestion.setObjectName("observationSuggested")
            suggestion.setWordWrap(True)
            self.form.addRow("Suggested:", suggestion)
        self.reason_edit = text_edit("observationReason", "Why this level (recorded on the custody record).")
        self.set_edit = datetime_edit("observationSetAt", "When the level was set.")
        self.add_row("&Level:", self.level_combo, "level", name="observationLevel")
        self.add_row("&Reason:", self.reason_edit, "reason")
        self.add_row("Set &at:", self.set_edit, "set_at")
        self.dirty = False
        self.level_combo.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if self.level_combo.currentData() is None:
            out.append(("level", "Choose the observation level."))
        if not self.reason_edit.toPlainText().strip():
            out.append(("reason", "Give the reason for this observation level."))
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("set_at", to_utc(self.set_edit), booked_in_at=booked, now=utc_now())):
            out.append((p.field, p.message))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/observation-level", {
            "level": self.level_combo.currentData(), "reason": value_of(self.reason_edit),
            "set_at": to_utc(self.set_edit).isoformat()}
