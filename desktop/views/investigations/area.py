"""The investigations area: the Investigations menu and the Investigation actions dock (Alt+3). Declared to the
main window through desktop/areas.py; other areas show an investigation through `Links.show_investigation`."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from desktop.announcer import announce
from desktop.areas import AreaContext, DockPlace, DockSpec, MenuId, menu_actions
from desktop.sync.hub import Event
from desktop.views.investigations.action_dialogs import ActionDialog
from desktop.views.investigations.actions_panel import MINE, ActionsPanel
from domain.events import ACTION_CHANGED

ACTIONS_DOCK = "investigationActionsDock"
# key: (text, objectName, shortcut)
MENU_ACTIONS = {
    "my_actions": ("&My actions", "myActionsAction", "Ctrl+Shift+L"),
    "allocate": ("&Allocate action…", "allocateActionAction", "F6"),
    "submit_result": ("Submit &result…", "submitResultAction", "F7"),
    "review": ("Re&view result…", "reviewActionAction", "F8"),
    "refer": ("Re&fer action…", "referActionAction", "Shift+F6"),
    "cancel": ("&Cancel action…", "cancelActionAction", "Shift+F8"),
}
MANAGER_ONLY = ("allocate", "review", "refer", "cancel")


class InvestigationsArea(QObject):
    name = "investigations"
    handles = ACTION_CHANGED

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.session = context, context.shell, context.session
        self.dialog: ActionDialog | None = None  # the dialog this area opened last (tests, closing)
        self.actions_panel = ActionsPanel(context.ops, self.session.client, context.writes, context.parent)
        context.links.show_investigation = self.show_investigation

        self.actions = menu_actions(context.parent, MENU_ACTIONS, self.trigger)

        self._loaded = False
        self.session.user_changed.connect(lambda _u: self._user_changed())
        context.changes.subscribe(ACTION_CHANGED, self._action_event, self)
        self._user_changed()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.INVESTIGATIONS: list(self.actions.values())}

    def docks(self) -> list[DockSpec]:
        return [DockSpec(ACTIONS_DOCK, "Investigation actions", "Alt+3", self.actions_panel, DockPlace.TABBED)]

    # Roles -------------------------------------------------------------------------------------------------
    def _user_changed(self) -> None:
        user = self.session.user
        self.actions_panel.set_user(user)
        signed_in = user is not None
        manager = "supervisor" in self.session.roles
        for key, action in self.actions.items():
            action.setEnabled(signed_in and (manager or key not in MANAGER_ONLY))
        if signed_in and not self._loaded:  # what this user may see, once signed in
            self._loaded = True
            self.actions_panel.load_investigations()
            self.actions_panel.reload()

    # Menu actions ------------------------------------------------------------------------------------------
    def trigger(self, key: str) -> ActionDialog | None:
        self.shell.raise_dock(ACTIONS_DOCK)
        if key == "my_actions":
            index = self.actions_panel.scope_combo.findData(MINE)
            if self.actions_panel.scope_combo.currentIndex() != index:
                self.actions_panel.scope_combo.setCurrentIndex(index)
            else:
                self.actions_panel.reload()
            self.actions_panel.focus_panel()
            announce("My actions")
            return None
        self.dialog = self.actions_panel.start(key)
        return self.dialog

    def show_investigation(self, investigation_id: str) -> None:
        self.shell.raise_dock(ACTIONS_DOCK)
        self.actions_panel.show_investigation(investigation_id)
        self.actions_panel.focus_panel()

    def _action_event(self, event: Event) -> None:
        self.actions_panel.apply_event(event)
