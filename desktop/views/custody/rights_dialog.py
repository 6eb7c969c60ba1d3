"""Custody > Rights and entitlements…: each right requested or declined with its time, the written notice and its
language, and (for a juvenile or vulnerable detainee) the appropriate adult requested and arrived.

Three separate saves, one per group, each its own write. A delay of a right is only offered to the ranks that may
authorise it (domain.rights.DELAY_RULES); the server decides.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from desktop.timefmt import format_local, parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.pace_clock import event_time_error
from domain.rights import DELAY_GROUNDS, DELAY_RULES, RANK, RIGHT_TITLES, Right
from domain.roles import Role

LANGUAGES = (("en", "English"), ("cy", "Welsh (Cymraeg)"), ("ar", "Arabic"), ("bn", "Bengali"), ("zh", "Chinese"),
             ("fr", "French"), ("lt", "Lithuanian"), ("pl", "Polish"), ("pt", "Portuguese"), ("pa", "Punjabi"),
             ("ro", "Romanian"), ("so", "Somali"), ("es", "Spanish"), ("tr", "Turkish"), ("ur", "Urdu"))
WHAT = (("right", "A right requested or declined"), ("notice", "Written notice of rights given"),
        ("aa_requested", "Appropriate adult requested"), ("aa_arrived", "Appropriate adult arrived"))


def may_delay(roles: frozenset[str], right: Right) -> bool:
    """By the highest rank among the roles held (a user may hold several)."""
    rule = DELAY_RULES.get(right)
    ranks = [RANK.get(Role(r), 0) for r in roles if r in Role.__members__.values()]
    return rule is not None and max(ranks, default=0) >= RANK[rule.min_role]


def rights_summary(record: dict[str, Any]) -> list[str]:
    lines = []
    for r in record.get("rights") or []:
        try:
            title = RIGHT_TITLES[Right(r["right"])]
        except (KeyError, ValueError):
            title = str(r.get("right"))
        state = "requested" if r.get("requested") else "declined"
        delay = f"; delayed until {format_local(r['delay']['until'])}" if r.get("delay") else ""
        lines.append(f"{format_local(r.get('at'))}: {title} — {state}{delay}")
    notice = record.get("rights_notice")
    if notice:
        lines.append(f"{format_local(notice.get('given_at'))}: written notice given ({notice.get('language')})")
    if record.get("appropriate_adult_requested_at"):
        lines.append(f"{format_local(record['appropriate_adult_requested_at'])}: appropriate adult requested")
    if record.get("appropriate_adult_arrived_at"):
        lines.append(f"{format_local(record['appropriate_adult_arrived_at'])}: appropriate adult arrived "
                     f"({record.get('appropriate_adult_name') or 'name not recorded'})")
    return lines or ["Nothing recorded yet."]


class RightsDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], roles: frozenset[str], *,
                 writes: Writes):
        super().__init__(window, record, "Rights and entitlements", "rightsDialog", scroll=True, writes=writes)
        self.roles = roles
        self.history = QListWidget()
        self.history.setObjectName("rightsHistory")
        self.history.setAccessibleName("Rights recorded so far")
        for line in rights_summary(record):
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, line)
            self.history.addItem(item)
        self.history.setWordWrap(True)
        self.history.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.form.addRow(QLabel("Recorded so far:"))
        self.form.addRow(self.history)
        if record.get("appropriate_adult_required"):
            aa_reason = QLabel(record.get("appropriate_adult_reason") or "An appropriate adult is required.")
            aa_reason.setObjectName("rightsAaReason")
            aa_reason.setWordWrap(True)
            self.form.addRow(aa_reason)

        self.what_combo = QComboBox()
        for key, title in WHAT:
            if key.startswith("aa_") and not record.get("appropriate_adult_required"):
                continue
            self.what_combo.addItem(title, key)
        self.add_row("&Record:", self.what_combo, "what", name="rightsWhat")

        self.right_combo = QComboBox()
        for right, title in RIGHT_TITLES.items():
            self.right_combo.addItem(title, right.value)
        self.requested_combo = QComboBox()
        self.requested_combo.addItem("Requested", True)
        self.requested_combo.addItem("Declined", False)
        # What the detainee said is theirs to say: nothing is pre-selected (issue 13).
        nothing_chosen(self.requested_combo, "Choose what the detainee said…")
        self.at_edit = datetime_edit("rightsAt", "When it was asked for, declined or done.")
        self.note_edit = text_edit("rightsNote", "For example the solicitor's name, or who is to be told.", 2)
        self.add_row("Ri&ght:", self.right_combo, "right", name="rightsRight")
        self.add_row("Re&quested or declined:", self.requested_combo, "requested", name="rightsRequested")
        self.add_row("&Time:", self.at_edit, "at")
        self.add_row("&Note:", self.note_edit, "note")
        self.errors.update({"given_at": self.errors["at"]})

        self.delay_check = QCheckBox("&Delay this right (authorised by me)")
        self.delay_until = datetime_edit("rightsDelayUntil", "Until when the right is delayed.")
        self.delay_grounds = QComboBox()
        self.delay_grounds.setEditable(True)
        self.delay_grounds.addItems(DELAY_GROUNDS)
        self.delay_grounds.setCurrentIndex(-1)
        self.add_row("", self.delay_check, "delay", name="rightsDelay")
        self.add_row("Delay &until:", self.delay_until, "delay.until")
        self.add_row("Grounds for the de&lay:", self.delay_grounds, "delay.grounds", name="rightsDelayGrounds")

        self.language_combo = QComboBox()
        for code, title in LANGUAGES:
            self.language_combo.addItem(title, code)
        self.add_row("Notice langua&ge:", self.language_combo, "language", name="rightsLanguage")
        self.aa_name = QLineEdit()
        self.add_row("Appropriate adult's na&me:", self.aa_name, "name", name="rightsAaName")

        for signal in (self.what_combo.currentIndexChanged, self.right_combo.currentIndexChanged,
                       self.delay_check.toggled):
            signal.connect(self._update)
        self._update()
        self.dirty = False
        self.what_combo.setFocus()

    @property
    def what(self) -> str:
        return str(self.what_combo.currentData())

    def _update(self, *_args: object) -> None:
        what = self.what
        right = Right(self.right_combo.currentData())
        for widget in (self.right_combo, self.requested_combo, self.note_edit):
            self.set_row_visible(widget, what == "right")
        delayable = what == "right" and may_delay(self.roles, right)
        self.set_row_visible(self.delay_check, delayable)
        if not delayable:
            self.delay_check.setChecked(False)
        for delay_field in (self.delay_until, self.delay_grounds):
            self.set_row_visible(delay_field, delayable and self.delay_check.isChecked())
        self.set_row_visible(self.language_combo, what == "notice")
        self.set_row_visible(self.aa_name, what == "aa_arrived")
        self.save_button.setText({"right": "&Save right", "notice": "&Save notice"}.get(what, "&Save"))

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("at", to_utc(self.at_edit), booked_in_at=booked, now=utc_now())):
            out.append((p.field, p.message))
        if self.what == "right" and self.requested_combo.currentIndex() < 0:
            out.append(("requested", "Choose whether the detainee requested or declined this right."))
        if self.what == "right" and self.delay_check.isChecked() and not self.delay_grounds.currentText().strip():
            out.append(("delay.grounds", "Give the grounds for the delay; the detainee must be told them."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        rid, at = self.record["id"], to_utc(self.at_edit).isoformat()
        what = self.what
        if what == "right":
            body = {"id": str(uuid.uuid4()), "right": self.right_combo.currentData(),
                    "requested": self.requested_combo.currentData(), "at": at, "note": value_of(self.note_edit) or None,
                    "delay": None}
            if self.delay_check.isChecked():
                body["delay"] = {"until": to_utc(self.delay_until).isoformat(),
                                 "grounds": self.delay_grounds.currentText().strip()}
            return "POST", f"/custody/records/{rid}/rights", body
        if what == "notice":
            return "POST", f"/custody/records/{rid}/rights-notice", {"language": self.language_combo.currentData(),
                                                                     "given_at": at}
        return "POST", f"/custody/records/{rid}/appropriate-adult", {
            "event": "requested" if what == "aa_requested" else "arrived", "at": at,
            "name": value_of(self.aa_name) or None}
