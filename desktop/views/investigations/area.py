"""The investigations area: the Investigations menu, the Investigations dock (Alt+7) and its full view (a window,
Ctrl+Alt+W), and the Investigation actions dock (Alt+3). Declared to the main window through desktop/areas.py;
other areas show an investigation through `Links.show_investigation`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.announcer import announce
from desktop.areas import AreaContext, DockPlace, DockSpec, MenuId, menu_actions
from desktop.sync.hub import Event
from desktop.views.investigations.action_dialogs import ActionDialog
from desktop.views.investigations.actions_panel import MINE, ActionsPanel
from desktop.views.investigations.investigations_panel import CASEWORK_ROLES, InvestigationsPanel
from domain.events import ACTION_CHANGED, EventType

INVESTIGATION_CHANGED = frozenset({EventType.INVESTIGATION_CREATED, EventType.INVESTIGATION_UPDATED})

ACTIONS_DOCK = "investigationActionsDock"
INVESTIGATIONS_DOCK = "investigationsDock"
# key: (text, objectName, shortcut); the investigation's steps work on the one chosen in the dock, or in the
# full view when that window is the active one.
CASE_ACTIONS = {
    "investigations": ("&Investigations", "investigationsAction", "Ctrl+Alt+V"),
    "window": ("Investigations &window", "investigationsWindowAction", "Ctrl+Alt+W"),
    "new": ("&New investigation…", "newInvestigationAction", "Ctrl+Alt+N"),
    "edit": ("&Edit investigation…", "editInvestigationAction", "Ctrl+Alt+E"),
    "person": ("Link a &person…", "linkInvestigationPersonAction", "Ctrl+Alt+L"),
    "line": ("Line of en&quiry…", "lineOfEnquiryAction", "Ctrl+Alt+Q"),
    "action": ("&Raise action…", "raiseInvestigationAction", "Ctrl+Alt+K"),
    "print": ("Print investigation &summary…", "printInvestigationSummaryAction", "Ctrl+Alt+M"),
}
CASE_WRITES = ("new", "edit", "person", "line", "action")
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
    handles = ACTION_CHANGED | INVESTIGATION_CHANGED

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.session = context, context.shell, context.session
        self.dialog: ActionDialog | None = None  # the dialog this area opened last (tests, closing)
        self.actions_panel = ActionsPanel(context.ops, self.session.client, context.writes, context.parent)
        context.links.show_investigation = self.show_investigation

        self.actions = menu_actions(context.parent, MENU_ACTIONS, self.trigger)
        self.case_actions = menu_actions(context.parent, CASE_ACTIONS, self.trigger_case)
        self.panel = self._make_panel(context.parent, "investigationsPanel")
        self.window: InvestigationsWindow | None = None
        context.changes.subscribe(INVESTIGATION_CHANGED, self._investigation_event, self.panel)

        self._loaded = False
        self.session.user_changed.connect(lambda _u: self._user_changed())
        context.changes.subscribe(ACTION_CHANGED, self._action_event, self)
        self._user_changed()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.INVESTIGATIONS: [*self.case_actions.values(), None, *self.actions.values()]}

    def docks(self) -> list[DockSpec]:
        return [DockSpec(ACTIONS_DOCK, "Investigation actions", "Alt+3", self.actions_panel, DockPlace.TABBED),
                DockSpec(INVESTIGATIONS_DOCK, "Investigations", "Alt+7", self.panel, DockPlace.TABBED)]

    def _make_panel(self, parent: QWidget, name: str) -> InvestigationsPanel:
        context = self.context
        panel = InvestigationsPanel(context.ops, self.session.client, context.writes, context.store, parent,
                                    name=name)
        # Links are looked up when used: the people and records areas are installed after this one.
        panel.choose_person = self._choose_person
        panel.preview_pdf = lambda title, pdf, widget: context.links.preview_pdf(title, pdf, widget)
        panel.show_actions = self.show_investigation
        panel.set_user(self.session.user)
        return panel

    def _choose_person(self, parent: QWidget, chosen: Any) -> None:
        picker = self.context.links.person_picker(parent)
        picker.picked.connect(chosen)
        picker.start("")

    def panels(self) -> list[InvestigationsPanel]:
        return [self.panel] + ([self.window.panel] if self.window is not None else [])

    # Roles -------------------------------------------------------------------------------------------------
    def _user_changed(self) -> None:
        user = self.session.user
        self.actions_panel.set_user(user)
        signed_in = user is not None
        manager = "supervisor" in self.session.roles
        for key, action in self.actions.items():
            action.setEnabled(signed_in and (manager or key not in MANAGER_ONLY))
        writer = bool(self.session.roles & CASEWORK_ROLES)
        for key, action in self.case_actions.items():
            action.setEnabled(signed_in and (writer or key not in CASE_WRITES))
        for panel in self.panels():
            panel.set_user(user)
        if signed_in and not self._loaded:  # what this user may see, once signed in
            self._loaded = True
            self.actions_panel.load_investigations()
            self.actions_panel.reload()
            for panel in self.panels():
                panel.reload()

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

    def active_panel(self) -> InvestigationsPanel:
        """The full view when it is the active window, else the dock."""
        if self.window is not None and self.window.isVisible() and self.window.isActiveWindow():
            return self.window.panel
        return self.panel

    def trigger_case(self, key: str) -> InvestigationsWindow | None:
        if key == "window":
            return self.open_window()
        panel = self.active_panel()
        if panel is self.panel:
            self.shell.raise_dock(INVESTIGATIONS_DOCK)
        if key == "investigations":
            panel.focus_panel()
            announce(f"Investigations: {panel.heading.text()}")
            return None
        panel.start(key)
        return None

    def open_window(self) -> InvestigationsWindow:
        if self.window is None:
            self.window = InvestigationsWindow(self._make_panel(self.context.parent, "investigationsWindowPanel"),
                                               self.context.parent)
            self.context.changes.subscribe(INVESTIGATION_CHANGED, self._investigation_event, self.window.panel)
            self.window.panel.set_scope(self.panel.scope_combo.currentData() or "all")
            current = self.panel.current()
            if current is not None:
                self.window.panel._want = current["id"]
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.window.panel.focus_panel()
        announce("Investigations window")
        return self.window

    def show_investigation(self, investigation_id: str) -> None:
        self.shell.raise_dock(ACTIONS_DOCK)
        self.actions_panel.show_investigation(investigation_id)
        self.actions_panel.focus_panel()

    def _action_event(self, event: Event) -> None:
        self.actions_panel.apply_event(event)
        for panel in self.panels():
            panel.action_changed(event.data)

    def _investigation_event(self, event: Event) -> None:
        for panel in self.panels():
            panel.apply_change(event.data)


class InvestigationsWindow(QWidget):
    """The full view: the same panel in a window of its own, as large as the officer wants (Escape closes it)."""

    def __init__(self, panel: InvestigationsPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("investigationsWindow")
        self.setWindowTitle("Investigations")
        self.setAccessibleName("Investigations")
        self.panel = panel
        panel.setParent(self)
        layout = QVBoxLayout(self)
        layout.addWidget(panel)
        self.resize(1100, 760)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        close.activated.connect(self.close)
