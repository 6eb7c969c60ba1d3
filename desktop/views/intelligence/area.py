"""The intelligence area: the Intelligence menu and the Intelligence grading dock (Alt+4). Declared to the main
window through desktop/areas.py; other areas open a report through `Links.open_report`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from desktop.announcer import announce
from desktop.areas import AreaContext, DockPlace, DockSpec, MenuId, menu_actions
from desktop.sync.hub import Event
from desktop.views.intelligence.panel import IntelPanel
from domain.events import INTEL_REPORT_CHANGED

INTEL_DOCK = "intelligenceGradingDock"
# key: (text, objectName, shortcut)
MENU_ACTIONS = {
    "reports": ("Intelligence &reports", "intelReportsAction", "Ctrl+Shift+K"),
    "new_report": ("&New intelligence report…", "newReportAction", "Ctrl+Shift+I"),
    "open_report": ("&Open selected report…", "openReportAction", "Ctrl+Shift+G"),
    "person_reports": ("Reports about the open &person", "personReportsAction", "Ctrl+Shift+Y"),
}


class IntelligenceArea(QObject):
    name = "intelligence"
    handles = INTEL_REPORT_CHANGED

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.session, self.links = context, context.shell, context.session, context.links
        self.dialog: QDialog | None = None  # the dialog this area opened last (tests, closing)
        self.intel_panel = IntelPanel(context.ops, self.session.client, context.writes, context.parent)
        self.links.open_report = self.open_report
        self.intel_panel.choose_person = self._choose_person  # the people area's picker, looked up when used
        self.links.person_opened.append(self._update_enabled)

        self.actions = menu_actions(context.parent, MENU_ACTIONS, self.trigger)

        self._loaded = False
        self.session.user_changed.connect(lambda _u: self._user_changed())
        context.changes.subscribe(INTEL_REPORT_CHANGED, self._report_event, self)
        self._user_changed()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.INTELLIGENCE: list(self.actions.values())}

    def docks(self) -> list[DockSpec]:
        return [DockSpec(INTEL_DOCK, "Intelligence grading", "Alt+4", self.intel_panel, DockPlace.TABBED)]

    # Roles -------------------------------------------------------------------------------------------------
    def _open_person(self) -> dict[str, Any] | None:
        try:
            return self.links.open_person_record()
        except RuntimeError:  # no people area installed: there is never an open person
            return None

    def _user_changed(self) -> None:
        self.intel_panel.roles = self.session.roles
        self._update_enabled()
        if self.session.user is not None and not self._loaded:  # what this user may see, once signed in
            self._loaded = True
            self.intel_panel.reload()

    def _update_enabled(self) -> None:
        signed_in = self.session.user is not None
        for action in self.actions.values():
            action.setEnabled(signed_in)
        self.actions["person_reports"].setEnabled(signed_in and self._open_person() is not None)

    # Menu actions ------------------------------------------------------------------------------------------
    def trigger(self, key: str) -> QDialog | None:
        self.shell.raise_dock(INTEL_DOCK)
        if key == "reports":
            self.intel_panel.focus_panel()
            announce("Intelligence reports")
            return None
        if key == "new_report":
            self.dialog = self.intel_panel.new_report()
            return self.dialog
        if key == "open_report":
            self.intel_panel.open_current()
            return None
        if key == "person_reports":
            self.intel_panel.set_person(self._open_person())
            self.intel_panel.focus_panel()
        return None

    def open_report(self, report_id: str, reference: str) -> None:
        self.shell.raise_dock(INTEL_DOCK)
        self.intel_panel.ask_and_open(report_id, reference)
        self.dialog = self.intel_panel.dialog

    def _choose_person(self, parent: Any, chosen: Any) -> None:
        picker = self.links.person_picker(parent)
        picker.picked.connect(chosen)
        picker.start("")

    def _report_event(self, event: Event) -> None:
        self.intel_panel.apply_event(event)
