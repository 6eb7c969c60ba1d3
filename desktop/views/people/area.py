"""The people area: the People menu and the Person dock (Alt+5), one person's whole picture. Declared to the main
window through desktop/areas.py; it asks the investigations and intelligence areas to show something only
through `Links`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from desktop.announcer import announce
from desktop.areas import AreaContext, DockPlace, DockSpec, MenuId, menu_actions
from desktop.sync.hub import Event
from desktop.views.people.merge_dialog import MergeDialog
from desktop.views.people.person_dock import PersonPanel
from desktop.views.people.person_form import PersonFormDialog
from desktop.views.people.person_picker import PersonPicker
from desktop.views.people.person_search import PersonSearchDialog
from domain.events import PERSON_CHANGED

PERSON_DOCK = "personDock"
# key: (text, objectName, shortcut). Shortcuts avoid the other areas' and the theme's.
MENU_ACTIONS = {
    "find": ("&Find person…", "findPersonAction", "Ctrl+F"),
    "new": ("&New person…", "newPersonAction", "Ctrl+Shift+N"),
    "detainee": ("Open the selected &detainee's person record", "detaineePersonAction", "Ctrl+Shift+J"),
    "merge": ("&Merge another record into this person…", "mergePersonAction", "Ctrl+Shift+M"),
}


class PeopleArea(QObject):
    name = "people"
    handles = PERSON_CHANGED

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.links = context, context.shell, context.links
        self.window = context.parent  # the parent of its dialogs
        self.session, self.ops, self.writes = context.session, context.ops, context.writes
        self.dialog: QDialog | None = None  # the dialog this area opened last (tests, closing)

        self.person_panel = PersonPanel(self.ops, self.session.client, self.writes, self.window)
        self.person_panel.find_requested.connect(self.find_person)
        self.person_panel.new_requested.connect(lambda: self.new_person())
        self.person_panel.merge_requested.connect(self.merge)
        self.person_panel.open_investigation.connect(lambda inv_id: self.links.show_investigation(inv_id))
        self.person_panel.open_report.connect(lambda report_id, ref: self.links.open_report(report_id, ref))
        self.person_panel.open_custody.connect(self._open_custody)
        self.person_panel.person_loaded.connect(lambda _id: self._person_changed())
        self.links.open_person = self.open_person
        self.links.open_person_record = lambda: (self.person_panel.picture or {}).get("person")
        self.links.person_picker = lambda parent: PersonPicker(self.ops, self.session.client, self.writes, parent)

        self.actions = menu_actions(self.window, MENU_ACTIONS, self.trigger)

        self.session.user_changed.connect(lambda _u: self._user_changed())
        context.changes.record_selected.connect(lambda _r: self._update_enabled())
        context.changes.subscribe(PERSON_CHANGED, self._person_event, self)
        self._user_changed()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.PEOPLE: list(self.actions.values())}

    def docks(self) -> list[DockSpec]:
        # "One person's whole picture across custody, investigations, intelligence and prosecution."
        return [DockSpec(PERSON_DOCK, "Person", "Alt+5", self.person_panel, DockPlace.TABBED)]

    # Roles -------------------------------------------------------------------------------------------------
    def _user_changed(self) -> None:
        self.person_panel.set_roles(self.session.roles)
        self._update_enabled()

    def _person_changed(self) -> None:
        self._update_enabled()
        for told in self.links.person_opened:
            told()

    def _update_enabled(self) -> None:
        signed_in = self.session.user is not None
        for action in self.actions.values():
            action.setEnabled(signed_in)
        manager = "supervisor" in self.session.roles
        self.actions["merge"].setVisible(manager)
        self.actions["merge"].setEnabled(manager and self.person_panel.picture is not None)
        record = self.session.selected_record or {}
        self.actions["detainee"].setEnabled(bool((record.get("person") or {}).get("id")))

    # Menu actions ------------------------------------------------------------------------------------------
    def trigger(self, key: str) -> QDialog | None:
        actions: dict[str, Callable[[], QDialog | None]] = {
            "find": self.find_person, "new": self.new_person, "detainee": self.open_detainee, "merge": self.merge}
        return actions[key]()

    def find_person(self) -> PersonSearchDialog:
        dialog = PersonSearchDialog(self.ops, self.session.client, self.window)
        dialog.chosen.connect(lambda person: self.open_person(person["id"]))
        dialog.new_requested.connect(self.new_person)
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_person(self, name: str = "") -> PersonFormDialog:
        name = name or ""
        forenames, _, surname = name.rpartition(" ")
        dialog = PersonFormDialog(self.ops, self.session.client, self.writes, self.window,
                                  surname=surname or name, forenames=forenames)
        dialog.created.connect(lambda person: self.open_person(person["id"]))
        dialog.chosen.connect(lambda person: self.open_person(person["id"]))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_person(self, person_id: str) -> None:
        self.shell.raise_dock(PERSON_DOCK)
        self.person_panel.open_person(person_id)
        self.person_panel.focus_panel()

    def open_detainee(self) -> None:
        person = ((self.session.selected_record or {}).get("person") or {})
        if not person.get("id"):
            announce("Select a detainee on the custody board first.", assertive=True)
            return
        self.open_person(person["id"])

    def merge(self) -> MergeDialog | None:
        survivor = (self.person_panel.picture or {}).get("person")
        if survivor is None:
            announce("Open the person whose record is kept first (People > Find person).", assertive=True)
            return None
        dialog = MergeDialog(self.ops, self.session.client, self.writes, survivor, self.window)
        dialog.merged.connect(lambda _m: self.person_panel.reload())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _open_custody(self, record_id: str) -> None:
        if not self.links.show_custody_record(record_id):
            announce("That custody record is not open on this board (the person has been released).")

    # Change feed -------------------------------------------------------------------------------------------
    def _person_event(self, event: Event) -> None:
        if self.person_panel.person_id in (event.entity_id, event.data.get("id")):
            self.person_panel.reload()
