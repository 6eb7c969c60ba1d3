"""Choose a known person (or create one) and get their full record: used by booking in ("enter once").

    picker = PersonPicker(ops, client, writes, parent)
    picker.picked.connect(booking_dialog.set_person)   # PersonOut: identity, addresses, warning markers
    picker.start(name_typed)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.announcer import announce
from desktop.models.people.person_format import person_line
from desktop.views.people.person_form import PersonFormDialog
from desktop.views.people.person_search import PersonSearchDialog


def marker_summary(person: dict) -> str:
    """The active warning markers, for the risk assessment: 'Violent (Assaulted staff 2024; set by …)'."""
    from desktop.models.people.person_format import officer
    active = [m for m in person.get("warning_markers") or [] if not m.get("removed_at")]
    if not active:
        return "No warning markers."
    return "Warning markers: " + "; ".join(
        f"{m.get('title') or m.get('code')}" + (f" ({m['details']})" if m.get("details") else "")
        + f", set by {officer(m.get('set_by'))}" for m in active)


class PersonPicker(QObject):
    picked = Signal(dict)  # full PersonOut
    cancelled = Signal()

    def __init__(self, ops, client, writes, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.client, self.writes = ops, client, writes
        self.parent_widget = parent
        self.dialog = None

    def start(self, name: str = "") -> None:
        dialog = PersonSearchDialog(self.ops, self.client, self.parent_widget, open_text="&Use this person")
        dialog.setWindowTitle("Choose the person")
        dialog.panel.name_edit.setText(name)
        dialog.chosen.connect(lambda person: self.fetch(person["id"]))
        dialog.new_requested.connect(self.new_person)
        dialog.rejected.connect(lambda: self.dialog is dialog and self.cancelled.emit())
        self.dialog = dialog
        dialog.open()

    def new_person(self, name: str = "") -> None:
        forenames, _, surname = name.rpartition(" ")
        dialog = PersonFormDialog(self.ops, self.client, self.writes, self.parent_widget,
                                  surname=surname or name, forenames=forenames)
        dialog.created.connect(self._emit)
        dialog.chosen.connect(lambda person: self.fetch(person["id"]))
        self.dialog = dialog
        dialog.open()

    def fetch(self, person_id: str) -> None:
        client = self.client
        self.ops.run(lambda: client.person(person_id), on_done=self._emit,
                     on_error=lambda exc: announce(f"The person's record could not be loaded: {exc}", assertive=True))

    def _emit(self, person: dict) -> None:
        announce(f"Chosen: {person_line(person)}. {marker_summary(person)}")
        self.picked.emit(person)


def person_card(person: dict) -> str:
    """What booking in shows of a known person: identity, addresses and warning markers (for the risk
    assessment), as text a screen reader reads in one go."""
    addresses = "; ".join(", ".join(x for x in (a.get("line1"), a.get("line2"), a.get("town"), a.get("postcode")) if x)
                          for a in person.get("addresses") or [] if not a.get("to_date")) or "none recorded"
    return f"Existing person: {person_line(person)}. Addresses: {addresses}. {marker_summary(person)}"


def add_picker(dialog, ops, client, writes) -> None:
    """Booking in ("enter once"): a 'Choose a known person…' button at the top of the booking form. Choosing
    fills the form through the dialog's `set_person` hook and shows the person's addresses and warning markers
    (active markers are what the risk assessment must consider)."""
    from PySide6.QtWidgets import QPushButton, QWidget as _QWidget

    button = QPushButton("Choose a &known person…", objectName="bookingChoosePersonButton")
    button.setAutoDefault(False)
    button.setAccessibleDescription("Find the person in the people records, so their details are not typed again.")
    picker = PersonPicker(ops, client, writes, dialog)
    dialog.person_picker = picker

    def picked(person: dict) -> None:
        dialog.set_person(person)
        card = person_card(person)
        dialog.existing_label.setText(card)
        dialog.existing_label.setVisible(True)
        dialog.existing_label.setAccessibleName(card)

    picker.picked.connect(picked)
    button.clicked.connect(lambda: picker.start(" ".join(
        x for x in (dialog.forenames_edit.text().strip(), dialog.surname_edit.text().strip()) if x)))
    dialog.form.insertRow(1, button)
    _QWidget.setTabOrder(button, dialog.surname_edit)
