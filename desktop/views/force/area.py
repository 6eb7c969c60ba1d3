"""The force area (issue 15): Custody > Force view (Ctrl+Alt+F) raises the Force view dock (Alt+8), for
inspectors, superintendents and custody sergeants: every suite of the force live, a suite's detainees on Enter,
and the queue of reviews due across the suites covered, worked from the queue.

It reaches the custody area only through `Links.show_custody_record` and the shell's Review of detention action
(found by its objectName, so no area imports another): a review is worked on the record the hub has selected."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from desktop.announcer import announce
from desktop.areas import AreaContext, DockPlace, DockSpec, MenuId, menu_actions
from desktop.sync.hub import Event
from desktop.views.force.panel import HANDLES, LOOKERS, ForceViewPanel

FORCE_DOCK = "forceViewDock"
MENU_ACTIONS = {"force_view": ("&Force view", "forceViewAction", "Ctrl+Alt+F")}
REVIEW_ACTION = "reviewAction"  # the custody area's Review of detention… (Ctrl+Shift+V)


class ForceArea(QObject):
    name = "force"
    handles = HANDLES

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.session, self.links = context, context.shell, context.session, context.links
        self.panel = ForceViewPanel(context.ops, self.session.client, context.parent,
                                    roles=lambda: frozenset(self.session.roles), show_record=self.show_record,
                                    review_record=self.review_record)
        self.actions = menu_actions(context.parent, MENU_ACTIONS, self.trigger)
        context.changes.subscribe(HANDLES, self.panel.apply, self.panel, batch=True)
        self.session.user_changed.connect(lambda _u: self._update_enabled())
        self._update_enabled()

    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.CUSTODY: [None, self.actions["force_view"]]}

    def docks(self) -> list[DockSpec]:
        return [DockSpec(FORCE_DOCK, "Force view", "Alt+8", self.panel, DockPlace.TABBED)]

    def _update_enabled(self) -> None:
        allowed = bool(frozenset(self.session.roles) & LOOKERS)
        self.actions["force_view"].setVisible(allowed)
        self.actions["force_view"].setEnabled(allowed)

    def trigger(self, _key: str) -> ForceViewPanel:
        self.shell.raise_dock(FORCE_DOCK)
        self.panel.start()
        self.panel.suites_table.setFocus()
        return self.panel

    def show_record(self, record: dict[str, Any]) -> bool:
        """The record on the custody board if this workstation's board has it; else it becomes the selected
        record (the log and the custody menu then act on it)."""
        try:
            shown = self.links.show_custody_record(record["id"])
        except RuntimeError:  # no custody area installed
            shown = False
        if not shown:
            self.session.select_record(record)
            announce(f"{record.get('suite_name') or 'Another suite'}'s record selected: not on this suite's board.")
        return shown

    def review_record(self, record: dict[str, Any]) -> None:
        self.show_record(record)
        action = self.context.parent.findChild(QAction, REVIEW_ACTION)
        if action is None or not action.isEnabled():
            announce("The review of detention cannot be opened here.", assertive=True)
            return
        action.trigger()

    def apply(self, events: list[Event]) -> None:  # the hub's batch (tests call it too)
        self.panel.apply(events)
