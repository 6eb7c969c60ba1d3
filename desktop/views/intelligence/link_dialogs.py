"""Adding to an intelligence report after it was made (issue 14): a person (chosen with the people area's
picker), a place, an event. Each on the one forms base, so through the outbox; nothing is pre-selected (the
person's role and the event's kind are the officer's to choose)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from desktop.announcer import announce
from desktop.models.person_text import person_line
from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import nothing_chosen, value_of
from desktop.views.forms.link_person import LinkPersonForm

if TYPE_CHECKING:
    from desktop.writes import Writes

PERSON_ROLES = (("subject", "Subject"), ("associate", "Associate"), ("mentioned", "Mentioned"))
EVENT_KINDS = (("custody", "Custody record"), ("investigation", "Investigation"), ("incident", "Incident"))


def _reference(report: dict[str, Any]) -> str:
    return str(report.get("reference") or "report")


class AddReportPersonDialog(LinkPersonForm):
    noun = "intelligence report"
    save_text = "&Add person"
    roles = PERSON_ROLES
    role_problem = "Choose the person's role: subject, associate or mentioned."

    def __init__(self, parent: QWidget | None, writes: Writes | None, report: dict[str, Any],
                 choose_person: Callable[[Callable[[dict[str, Any]], None]], None]) -> None:
        super().__init__(parent, writes, f"Add a person to {_reference(report)}", "addReportPerson", choose_person)
        self.report = report

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/intelligence/reports/{self.report['id']}/people", self.link_body()

    def saved(self, response: Any) -> None:
        announce(f"Added {person_line(self.person)} to {_reference(response)}")


class AddPlaceDialog(FormDialog):
    noun = "intelligence report"
    save_text = "&Add place"

    def __init__(self, parent: QWidget | None, writes: Writes | None, report: dict[str, Any]) -> None:
        super().__init__(parent, writes, f"Add a place to {_reference(report)}", "addPlaceDialog")
        self.report = report
        self.place_id = str(uuid.uuid4())
        self.description_edit = self.add_row("&Place:", QLineEdit(), "description", name="addPlaceDescriptionEdit")
        self.description_edit.setAccessibleDescription("An address or a description of the place.")
        self.postcode_edit = self.add_row("Post&code:", QLineEdit(), "postcode", name="addPlacePostcodeEdit")
        self.description_edit.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        return [] if value_of(self.description_edit) else [("description", "Describe the place or give its address.")]

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/intelligence/reports/{self.report['id']}/locations", {
            "id": self.place_id, "description": value_of(self.description_edit),
            "postcode": value_of(self.postcode_edit)}

    def saved(self, response: Any) -> None:
        announce(f"Place added to {_reference(response)}")


class AddEventDialog(FormDialog):
    noun = "intelligence report"
    save_text = "&Add event"

    def __init__(self, parent: QWidget | None, writes: Writes | None, report: dict[str, Any]) -> None:
        super().__init__(parent, writes, f"Add an event to {_reference(report)}", "addEventDialog")
        self.report = report
        self.event_id = str(uuid.uuid4())
        self.kind_combo = QComboBox()
        for key, title in EVENT_KINDS:
            self.kind_combo.addItem(title, key)
        nothing_chosen(self.kind_combo, "Choose the kind of event")
        self.add_row("&Kind:", self.kind_combo, "kind", name="addEventKindCombo")
        self.ref_edit = self.add_row("&Reference:", QLineEdit(), "ref", name="addEventRefEdit")
        self.ref_edit.setAccessibleDescription("The custody number, investigation reference or incident number.")
        self.kind_combo.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        if self.kind_combo.currentIndex() < 0:
            problems.append(("kind", "Choose the kind of event: custody record, investigation or incident."))
        if not value_of(self.ref_edit):
            problems.append(("ref", "Give the event's reference."))
        return problems

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/intelligence/reports/{self.report['id']}/events", {
            "id": self.event_id, "kind": self.kind_combo.currentData(), "ref": value_of(self.ref_edit)}

    def saved(self, response: Any) -> None:
        announce(f"Event added to {_reference(response)}")
