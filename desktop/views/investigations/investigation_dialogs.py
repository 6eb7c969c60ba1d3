"""Dialogs that write to an investigation, all on the one forms base (desktop/views/forms/dialog.py) and so
through the outbox: open or edit one (title, type, offences from the workstation's catalogue, officer in the
case, supervisor, summary), link a person with a role, add a line of enquiry, raise an action with a priority
and a due date. Nothing is pre-selected for the officer: type, role, priority and due date start unset."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.models.person_text import officer, person_line
from desktop.timefmt import to_wire
from desktop.views.forms.dialog import RESEND, ConflictVersions, FormDialog
from desktop.views.forms.fields import date_edit, nothing_chosen, text_edit, value_of
from desktop.views.forms.link_person import LinkPersonForm

if TYPE_CHECKING:
    from desktop.writes import Writes

KINDS = ("crime", "missing person", "sudden death", "fraud", "public protection", "other")
PERSON_ROLES = (("suspect", "Suspect"), ("victim", "Victim"), ("witness", "Witness"), ("other", "Other"))
PRIORITIES = (("high", "High"), ("medium", "Medium"), ("low", "Low"))
NOT_SET = "not set: type the date"
LONDON_TZ = ZoneInfo("Europe/London")  # a due day ends at 23:59 UK time


def investigation_line(inv: dict[str, Any]) -> str:
    return f"{inv.get('reference') or 'New investigation'}: {inv.get('title') or ''}"


def officer_combo(name: str, officers: list[dict[str, Any]], first: str, current: str | None) -> QComboBox:
    """Officers by name; the first entry (data None) is `first` ("Me", "None named")."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(first, None)
    for user in officers:
        combo.addItem(officer(user), user.get("id"))
    if current and combo.findData(current) < 0:
        combo.addItem(current, current)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
    return combo


class OffencePicker(QWidget):
    """The catalogue as a checkable list with a filter: type to narrow it, Space ticks an offence."""

    def __init__(self, offences: list[dict[str, Any]], chosen: list[str]) -> None:
        super().__init__()
        self.setObjectName("investigationOffencePicker")
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("investigationOffenceFilter")
        self.filter_edit.setAccessibleName("Find an offence")
        self.filter_edit.setPlaceholderText("Code or words of the offence")
        self.list = QListWidget()
        self.list.setObjectName("investigationOffenceList")
        self.list.setAccessibleName("Offences under investigation")
        self.list.setAccessibleDescription("Space ticks or unticks the offence; the filter above narrows the list.")
        seen: set[str] = set()
        for offence in offences:
            code = offence.get("code") or ""
            if code in seen:  # one line per code (the catalogue holds every version)
                continue
            seen.add(code)
            item = QListWidgetItem(f"{code}: {offence.get('title') or ''}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        for code in chosen:  # kept even if the catalogue on this workstation no longer has it
            if code not in seen:
                item = QListWidgetItem(f"{code}: not in this workstation's catalogue")
                item.setData(Qt.ItemDataRole.UserRole, code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.list.addItem(item)
        self.filter_edit.textChanged.connect(self._filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list)

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for n in range(self.list.count()):
            item = self.list.item(n)
            item.setHidden(not all(w in item.text().lower() for w in words))

    def codes(self) -> list[str]:
        return [str(self.list.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.list.count())
                if self.list.item(n).checkState() == Qt.CheckState.Checked]

    def set_codes(self, codes: list[str]) -> None:
        for n in range(self.list.count()):
            item = self.list.item(n)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in codes
                               else Qt.CheckState.Unchecked)


class InvestigationDialog(FormDialog):
    """Open an investigation (POST) or edit one (PATCH with If-Match: a conflict is compared field by field)."""

    noun = "investigation"

    def __init__(self, parent: QWidget | None, writes: Writes | None, offences: list[dict[str, Any]],
                 officers: list[dict[str, Any]], investigation: dict[str, Any] | None = None) -> None:
        self.investigation = investigation
        editing = investigation is not None
        super().__init__(parent, writes, f"Edit {investigation_line(investigation)}" if investigation else
                         "New investigation", "investigationDialog", scroll=True)
        inv = investigation or {}
        self.new_id = str(uuid.uuid4())
        self.title_edit = self.add_row("&Title:", QLineEdit(inv.get("title") or ""), "title",
                                       name="investigationTitleEdit")
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(kind.capitalize(), kind)
        nothing_chosen(self.kind_combo, "Choose the type")
        if inv.get("kind"):
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(inv["kind"]))
        self.add_row("T&ype:", self.kind_combo, "kind", name="investigationKindCombo")
        self.offence_picker = OffencePicker(offences, [o.get("code") for o in inv.get("offences") or []])
        self.add_row("&Offences:", self.offence_picker.filter_edit, None)
        self.form.addRow("", self.offence_picker)
        self.form.addRow("", self.field_error("offences", self.offence_picker.list))
        self.watch(self.offence_picker.list)
        self.offence_picker.list.itemChanged.connect(self._changed)
        self.oic_combo = officer_combo("investigationOicCombo", officers, "Me" if not editing else "None named",
                                       (inv.get("officer_in_charge") or {}).get("id"))
        self.add_row("Officer in the &case:", self.oic_combo, "officer_in_charge_id")
        self.supervisor_combo = officer_combo("investigationSupervisorCombo", officers, "None named",
                                              (inv.get("supervisor") or {}).get("id"))
        self.add_row("Su&pervisor:", self.supervisor_combo, "supervisor_id")
        self.summary_edit = self.add_row("Sum&mary:", text_edit("investigationSummaryEdit",
                                                                "What is being investigated, in a few lines.", 4),
                                         "summary")
        if inv.get("summary"):
            self.summary_edit.setPlainText(inv["summary"])  # type: ignore[attr-defined]
        self.dirty = False
        self.title_edit.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        if not value_of(self.title_edit):
            problems.append(("title", "Give the investigation a title."))
        if self.kind_combo.currentIndex() < 0:
            problems.append(("kind", "Choose the type of investigation."))
        return problems

    def fields(self) -> dict[str, Any]:
        return {"title": value_of(self.title_edit), "kind": self.kind_combo.currentData(),
                "offences": self.offence_picker.codes(), "officer_in_charge_id": self.oic_combo.currentData(),
                "supervisor_id": self.supervisor_combo.currentData(), "summary": value_of(self.summary_edit)}

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body = self.fields()
        if self.investigation is None:
            if body["officer_in_charge_id"] is None:
                del body["officer_in_charge_id"]  # the server makes the officer opening it the officer in the case
            return "POST", "/investigations", {"id": self.new_id, **body}
        return "PATCH", f"/investigations/{self.investigation['id']}", body

    def headers(self) -> dict[str, str] | None:
        if self.investigation is None:
            return None
        return {"If-Match": str(int(self.investigation["version"]))}

    def conflict(self, current: dict[str, Any]) -> None:
        self.investigation = current
        self.setWindowTitle(f"Edit {investigation_line(current)}")

    def conflict_versions(self, body: dict[str, Any], current: dict[str, Any],
                          done: Callable[[ConflictVersions], None]) -> None:
        theirs = {"title": current.get("title"), "kind": current.get("kind"),
                  "offences": [o.get("code") for o in current.get("offences") or []],
                  "officer_in_charge_id": (current.get("officer_in_charge") or {}).get("id"),
                  "supervisor_id": (current.get("supervisor") or {}).get("id"), "summary": current.get("summary")}
        seen = self.investigation or {}
        before = {"title": seen.get("title"), "kind": seen.get("kind"),
                  "offences": [o.get("code") for o in seen.get("offences") or []],
                  "officer_in_charge_id": (seen.get("officer_in_charge") or {}).get("id"),
                  "supervisor_id": (seen.get("supervisor") or {}).get("id"), "summary": seen.get("summary")}
        mine = {k: v for k, v in body.items() if k in theirs}
        # What changed meanwhile is not what this form changed: send it again, nothing is overwritten.
        if all(theirs[k] == before[k] or mine[k] == before[k] for k in mine):
            done(RESEND)
            return
        done((mine, theirs))

    def conflict_labels(self) -> dict[str, str]:
        return {"title": "Title", "kind": "Type", "offences": "Offences", "officer_in_charge_id": "Officer in the case",
                "supervisor_id": "Supervisor", "summary": "Summary"}

    def saved(self, response: Any) -> None:
        verb = "Opened" if self.investigation is None else "Saved"
        announce(f"{verb}: {investigation_line(response)}")


class LinkPersonDialog(LinkPersonForm):
    """Link a known person (chosen with the people area's picker) to the investigation with a role."""

    noun = "investigation"
    save_text = "&Link"
    roles = PERSON_ROLES
    role_problem = "Choose the person's role: suspect, victim, witness or other."
    person_problem = "Choose the person to link (Alt+H)."

    def __init__(self, parent: QWidget | None, writes: Writes | None, investigation: dict[str, Any],
                 choose_person: Callable[[Callable[[dict[str, Any]], None]], None]) -> None:
        super().__init__(parent, writes, f"Link a person: {investigation_line(investigation)}", "linkPerson",
                         choose_person)
        self.investigation = investigation

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/investigations/{self.investigation['id']}/people", self.link_body()

    def saved(self, response: Any) -> None:
        announce(f"Linked {person_line(self.person)} as {self.role_combo.currentText().lower()} to "
                 f"{investigation_line(response)}")


class LineOfEnquiryDialog(FormDialog):
    noun = "investigation"

    def __init__(self, parent: QWidget | None, writes: Writes | None, investigation: dict[str, Any]) -> None:
        super().__init__(parent, writes, f"Line of enquiry: {investigation_line(investigation)}",
                         "lineOfEnquiryDialog")
        self.investigation = investigation
        self.line_id = str(uuid.uuid4())
        self.title_edit = self.add_row("&Line of enquiry:", QLineEdit(), "title", name="lineTitleEdit")
        self.objective_edit = self.add_row("&Objective:", text_edit("lineObjectiveEdit",
                                                                    "What the line of enquiry should establish.", 3),
                                           "objective")
        self.title_edit.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        return [] if value_of(self.title_edit) else [("title", "Name the line of enquiry.")]

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/investigations/{self.investigation['id']}/lines-of-enquiry", {
            "id": self.line_id, "title": value_of(self.title_edit), "objective": value_of(self.objective_edit)}

    def saved(self, response: Any) -> None:
        announce(f"Line of enquiry added to {investigation_line(response)}")


class RaiseActionDialog(FormDialog):
    """Raise an action from the investigation: priority and due date are the officer's to choose (both start
    unset); the action then moves on in the Investigation actions dock (allocate, result, review)."""

    noun = "action"
    save_text = "&Raise action"

    def __init__(self, parent: QWidget | None, writes: Writes | None, investigation: dict[str, Any]) -> None:
        super().__init__(parent, writes, f"Raise action: {investigation_line(investigation)}", "raiseActionDialog",
                         scroll=True)
        self.investigation = investigation
        self.action_id = str(uuid.uuid4())
        self.title_edit = self.add_row("&Action:", QLineEdit(), "title", name="raiseActionTitleEdit")
        self.origin_edit = self.add_row("&Origin:", QLineEdit(), "origin", name="raiseActionOriginEdit")
        self.origin_edit.setAccessibleDescription("Where the action came from: a message, a statement, a review.")
        self.priority_combo = QComboBox()
        for key, title in PRIORITIES:
            self.priority_combo.addItem(title, key)
        nothing_chosen(self.priority_combo, "Choose the priority")
        self.add_row("&Priority:", self.priority_combo, "priority", name="raiseActionPriorityCombo")
        self.due_edit = date_edit("raiseActionDueEdit", "When the result is due (by the end of that day).")
        today = QDate.currentDate()
        self.due_edit.setMinimumDate(today.addDays(-1))  # the minimum stands for "not set"
        self.due_edit.setSpecialValueText(NOT_SET)
        self.due_edit.setDate(today.addDays(-1))
        self.add_row("&Due by:", self.due_edit, "due_at")
        self.line_combo = QComboBox()
        self.line_combo.addItem("None", None)
        for line in investigation.get("lines_of_enquiry") or []:
            self.line_combo.addItem(line.get("title") or "", line.get("id"))
        self.add_row("Line of &enquiry:", self.line_combo, "line_of_enquiry_id", name="raiseActionLineCombo")
        self.details_edit = self.add_row("De&tails:", text_edit("raiseActionDetailsEdit",
                                                                "What is to be done, and anything to know.", 3),
                                         "details")
        self.dirty = False
        self.title_edit.setFocus()

    def due(self) -> datetime | None:
        day = self.due_edit.date()
        if day <= self.due_edit.minimumDate():
            return None
        end = datetime.combine(date(day.year(), day.month(), day.day()), time(23, 59), tzinfo=LONDON_TZ)
        return end.astimezone(timezone.utc)

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        if not value_of(self.title_edit):
            problems.append(("title", "Say what the action is."))
        if not value_of(self.origin_edit):
            problems.append(("origin", "Say where the action came from."))
        if self.priority_combo.currentIndex() < 0:
            problems.append(("priority", "Choose the priority: high, medium or low."))
        due = self.due()
        if due is None:
            problems.append(("due_at", "Type the date the result is due (day/month/year)."))
        elif due < datetime.now(timezone.utc):
            problems.append(("due_at", "The due date is in the past; choose a later day."))
        return problems

    def request(self) -> tuple[str, str, dict[str, Any]]:
        due = self.due()
        assert due is not None
        body = {"id": self.action_id, "title": value_of(self.title_edit), "origin": value_of(self.origin_edit),
                "priority": self.priority_combo.currentData(), "due_at": to_wire(due),
                "details": value_of(self.details_edit)}
        if self.line_combo.currentData():
            body["line_of_enquiry_id"] = self.line_combo.currentData()
        return "POST", f"/investigations/{self.investigation['id']}/actions", body

    def saved(self, response: Any) -> None:
        announce(f"Raised action {response.get('number')}: {response.get('title')} "
                 f"({response.get('priority')} priority) in {self.investigation.get('reference')}")
