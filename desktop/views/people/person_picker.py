"""Choose a known person (or create one) and get their full record: used by booking in ("enter once"), which
reaches it only through `Links.person_picker` (desktop/areas.py), set by the people area.

    picker = links.person_picker(parent)               # a PersonPicker
    picker.picked.connect(booking_dialog.set_person)   # PersonOut: identity, addresses, warning markers
    picker.start(name_typed)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.announcer import announce
from desktop.models.person_text import marker_summary, person_line
from desktop.views.people.person_form import PersonFormDialog
from desktop.views.people.person_search import PersonSearchDialog

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes


class PersonPicker(QObject):
    picked = Signal(dict)  # full PersonOut
    cancelled = Signal()

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops, self.client, self.writes = ops, client, writes
        self.parent_widget = parent
        self.dialog: PersonSearchDialog | PersonFormDialog | None = None

    def start(self, name: str = "") -> None:
        dialog = PersonSearchDialog(self.ops, self.client, self.parent_widget, open_text="&Use this person")
        dialog.setWindowTitle("Choose the person")
        dialog.panel.name_edit.setText(name)
        dialog.chosen.connect(lambda person: self.fetch(person["id"]))
        dialog.new_requested.connect(self.new_person)
        def rejected() -> None:
            if self.dialog is dialog:  # not when a dialog opened from it took over
                self.cancelled.emit()

        dialog.rejected.connect(rejected)
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
                     on_error=lambda exc: announce(f"The person's record could not be loaded: {exc}", assertive=True),
                     owner=self)

    def _emit(self, person: dict[str, Any]) -> None:
        announce(f"Chosen: {person_line(person)}. {marker_summary(person)}")
        self.picked.emit(person)

