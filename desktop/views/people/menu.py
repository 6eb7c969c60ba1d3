"""People, Investigations and Intelligence menus (issue 4), the Person dock (Alt+5), and the real panels of the
Investigation actions and Intelligence grading docks. `install(window)` is called once by the main window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from desktop.announcer import announce
from desktop.views.investigations.actions_panel import MINE, ActionsPanel
from desktop.views.intelligence.panel import IntelPanel
from desktop.views.people.merge_dialog import MergeDialog
from desktop.views.people.person_dock import PersonPanel
from desktop.views.people.person_form import PersonFormDialog
from desktop.views.people.person_search import PersonSearchDialog

PERSON_DOCK, ACTIONS_DOCK, INTEL_DOCK = "personDock", "investigationActionsDock", "intelligenceGradingDock"
# key: (menu, text, objectName, shortcut). Shortcuts avoid the custody, printing and theme ones.
MENU_ACTIONS = {
    "find": ("people", "&Find person…", "findPersonAction", "Ctrl+F"),
    "new": ("people", "&New person…", "newPersonAction", "Ctrl+Shift+N"),
    "detainee": ("people", "Open the selected &detainee's person record", "detaineePersonAction", "Ctrl+Shift+J"),
    "merge": ("people", "&Merge another record into this person…", "mergePersonAction", "Ctrl+Shift+M"),
    "my_actions": ("investigations", "&My actions", "myActionsAction", "Ctrl+Shift+L"),
    "allocate": ("investigations", "&Allocate action…", "allocateActionAction", "F6"),
    "submit_result": ("investigations", "Submit &result…", "submitResultAction", "F7"),
    "review": ("investigations", "Re&view result…", "reviewActionAction", "F8"),
    "refer": ("investigations", "Re&fer action…", "referActionAction", "Shift+F6"),
    "cancel": ("investigations", "&Cancel action…", "cancelActionAction", "Shift+F8"),
    "reports": ("intelligence", "Intelligence &reports", "intelReportsAction", "Ctrl+Shift+K"),
    "new_report": ("intelligence", "&New intelligence report…", "newReportAction", "Ctrl+Shift+I"),
    "open_report": ("intelligence", "&Open selected report…", "openReportAction", "Ctrl+Shift+G"),
    "person_reports": ("intelligence", "Reports about the open &person", "personReportsAction", "Ctrl+Shift+Y"),
}
MENUS = {"people": ("&People", "peopleMenu"), "investigations": ("&Investigations", "investigationsMenu"),
         "intelligence": ("In&telligence", "intelligenceMenu")}


class PeopleController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session, self.ops = window.session, window.ops
        client = self.session.client
        self.dialog = None  # the dialog this controller opened last (tests, closing)

        self.person_panel = PersonPanel(self.ops, client, window)
        self.actions_panel = ActionsPanel(self.ops, client, window)
        self.intel_panel = IntelPanel(self.ops, client, window)
        self.person_panel.writes = self.intel_panel.writes = self.actions_panel.writes = getattr(window, "writes", None)
        self._replace(PERSON_DOCK, self.person_panel)  # the main window's DOCKS makes the dock (Alt+5)
        self._replace(ACTIONS_DOCK, self.actions_panel)
        self._replace(INTEL_DOCK, self.intel_panel)

        self.person_panel.find_requested.connect(self.find_person)
        self.person_panel.new_requested.connect(lambda: self.new_person())
        self.person_panel.merge_requested.connect(self.merge)
        self.person_panel.open_investigation.connect(self.show_investigation)
        self.person_panel.open_report.connect(self.open_report)
        self.person_panel.open_custody.connect(self._open_custody)
        self.person_panel.person_loaded.connect(lambda _id: self._update_enabled())

        self.actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        bar = window.menuBar()
        view = next((a for a in bar.actions() if a.text().replace("&", "") == "View"), None)
        for key, (title, name) in MENUS.items():
            menu = QMenu(title, window)
            menu.setObjectName(name)
            bar.insertMenu(view, menu) if view is not None else bar.addMenu(menu)
            self.menus[key] = menu
        for key, (menu, text, name, shortcut) in MENU_ACTIONS.items():
            action = QAction(text, window, objectName=name, shortcut=QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda _c=False, k=key: self.trigger(k))
            self.menus[menu].addAction(action)
            self.actions[key] = action

        self.session.user_changed.connect(lambda _u: self._user_changed())
        self.session.record_selected.connect(lambda _r: self._update_enabled())
        window.feed.events.connect(self.apply_events)
        self._loaded = False
        self._user_changed()

    # Docks -------------------------------------------------------------------------------------------------
    def _replace(self, name: str, panel) -> None:
        self.window.set_dock_panel(name, panel)

    def raise_dock(self, name: str) -> None:
        dock = self.window.docks[name]
        dock.show()
        dock.raise_()

    # Roles -------------------------------------------------------------------------------------------------
    def _user_changed(self) -> None:
        user, role = self.session.user, self.session.role
        self.person_panel.set_role(role)
        self.actions_panel.set_user(user)
        self.intel_panel.role = role
        self._update_enabled()
        if user is not None and not self._loaded:  # what this user may see, once signed in
            self._loaded = True
            self.actions_panel.load_investigations()
            self.actions_panel.reload()
            self.intel_panel.reload()

    def _update_enabled(self) -> None:
        role = self.session.role
        signed_in = self.session.user is not None
        for action in self.actions.values():
            action.setEnabled(signed_in)
        manager = role == "supervisor"
        self.actions["merge"].setVisible(manager)
        self.actions["merge"].setEnabled(manager and self.person_panel.picture is not None)
        for key in ("allocate", "review", "refer", "cancel"):
            self.actions[key].setEnabled(manager)
        record = self.session.selected_record or {}
        self.actions["detainee"].setEnabled(bool((record.get("person") or {}).get("id")))
        self.actions["person_reports"].setEnabled(self.person_panel.picture is not None)

    # Menu actions ------------------------------------------------------------------------------------------
    def trigger(self, key: str):
        if key == "find":
            return self.find_person()
        if key == "new":
            return self.new_person()
        if key == "detainee":
            return self.open_detainee()
        if key == "merge":
            return self.merge()
        if key == "my_actions":
            self.raise_dock(ACTIONS_DOCK)
            index = self.actions_panel.scope_combo.findData(MINE)
            if self.actions_panel.scope_combo.currentIndex() != index:
                self.actions_panel.scope_combo.setCurrentIndex(index)
            else:
                self.actions_panel.reload()
            self.actions_panel.focus_panel()
            announce("My actions")
            return None
        if key in ("allocate", "submit_result", "review", "refer", "cancel"):
            self.raise_dock(ACTIONS_DOCK)
            self.dialog = self.actions_panel.start(key)
            return self.dialog
        if key == "reports":
            self.raise_dock(INTEL_DOCK)
            self.intel_panel.focus_panel()
            announce("Intelligence reports")
            return None
        if key == "new_report":
            self.raise_dock(INTEL_DOCK)
            self.dialog = self.intel_panel.new_report()
            return self.dialog
        if key == "open_report":
            self.raise_dock(INTEL_DOCK)
            return self.intel_panel.open_current()
        if key == "person_reports":
            self.raise_dock(INTEL_DOCK)
            self.intel_panel.set_person((self.person_panel.picture or {}).get("person"))
            self.intel_panel.focus_panel()
            return None
        return None

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
        dialog = PersonFormDialog(self.ops, self.session.client, self.window.writes, self.window,
                                  surname=surname or name, forenames=forenames)
        dialog.created.connect(lambda person: self.open_person(person["id"]))
        dialog.chosen.connect(lambda person: self.open_person(person["id"]))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_person(self, person_id: str) -> None:
        self.raise_dock(PERSON_DOCK)
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
        dialog = MergeDialog(self.ops, self.session.client, self.window.writes, survivor, self.window)
        dialog.merged.connect(lambda _m: self.person_panel.reload())
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_investigation(self, investigation_id: str) -> None:
        self.raise_dock(ACTIONS_DOCK)
        self.actions_panel.show_investigation(investigation_id)
        self.actions_panel.focus_panel()

    def open_report(self, report_id: str, reference: str) -> None:
        self.raise_dock(INTEL_DOCK)
        self.intel_panel.ask_and_open(report_id, reference)
        self.dialog = self.intel_panel.dialog

    def _open_custody(self, record_id: str) -> None:
        if not self.window.select_record_id(record_id):
            announce("That custody record is not open on this board (the person has been released).")
        else:
            self.window.focus_board()

    # Change feed -------------------------------------------------------------------------------------------
    def apply_events(self, events: list) -> None:
        for event in events:
            kind = event.get("type", "")
            if kind.startswith("investigations.action."):
                self.actions_panel.apply_event(event)
            elif kind.startswith("intelligence.report."):
                self.intel_panel.apply_event(event)
            elif kind.startswith("people.person.") and self.person_panel.person_id in (
                    event.get("entity_id"), (event.get("data") or {}).get("id")):
                self.person_panel.reload()


def install(window) -> PeopleController:
    window.people = PeopleController(window)
    return window.people
