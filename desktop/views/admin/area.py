"""The administration area: the Administration menu (Users… for administrators; Audit viewer… and Who has looked
at this custody record? for supervisors and administrators), and People > Who has looked at this person? and
Subject access export…. Declared to the main window through desktop/areas.py; it reaches the open person and the
selected custody record only through `Links` and the hub.

The server decides who may do what; this area hides what a role cannot use, so a sergeant's menus stay short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.areas import AreaContext, DockSpec, MenuId, menu_actions
from desktop.models.person_text import full_name
from desktop.sync.catalogue import refresh_catalogue
from desktop.views.admin.audit_viewer import AuditViewer
from desktop.views.admin.config_dialogs import ConfigForms
from desktop.views.admin.config_window import ConfigWindow
from desktop.views.admin.subject_access_dialog import SubjectAccessDialog
from desktop.views.admin.suite_dialogs import SuiteForms
from desktop.views.admin.suites_window import SuitesWindow
from desktop.views.admin.user_dialogs import UserForms
from desktop.views.admin.users_window import UsersWindow
from domain.events import EventType
from domain.roles import Role

# key: (text, objectName, shortcut)
MENU_ACTIONS = {
    "users": ("&Users…", "usersAction", "Ctrl+Alt+U"),
    "config": ("&Force configuration…", "forceConfigAction", "Ctrl+Alt+G"),
    "suites": ("&Suites and cells…", "suitesAction", "Ctrl+Alt+S"),  # issue 15
    "audit": ("&Audit viewer…", "auditViewerAction", "Ctrl+Shift+B"),
    "person_audit": ("&Who has looked at this person?", "personAuditAction", "F3"),
    "subject_access": ("Subject &access export…", "subjectAccessAction", "Ctrl+F3"),
    "record_audit": ("Who has &looked at this custody record?", "recordAuditAction", "Shift+F3"),
}
W = TypeVar("W", bound=QWidget)
ADMINS = {Role.ADMINISTRATOR.value}
AUDITORS = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


class AdminArea(QObject):
    name = "admin"
    # Reads on demand; follows the open person and record, the suites (issue 15: the suites window updates live)
    # and configuration changes (the offline offence catalogue and the configuration window follow them).
    SUITE_EVENTS = frozenset({EventType.CUSTODY_SUITE_CREATED, EventType.CUSTODY_SUITE_UPDATED})
    handles: frozenset[EventType] = SUITE_EVENTS | {EventType.ADMIN_CONFIG_UPDATED}

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.context, self.shell, self.session, self.links = context, context.shell, context.session, context.links
        self.window: QWidget = context.parent
        self.ops, self.writes = context.ops, context.writes
        self.dialog: QDialog | None = None  # the dialog opened last (tests, closing)
        self.users_window: UsersWindow | None = None
        self.config_window: ConfigWindow | None = None
        self.catalogue_version: str | None = None  # the offence catalogue this workstation last fetched
        self.suites_window: SuitesWindow | None = None
        self.actions = menu_actions(self.window, MENU_ACTIONS, self.trigger)
        self.links.person_opened.append(self._update_enabled)
        context.changes.record_selected.connect(lambda _r: self._update_enabled())
        self.session.user_changed.connect(lambda _u: self._update_enabled())
        context.changes.subscribe(EventType.ADMIN_CONFIG_UPDATED, self.config_changed, self.window)
        # A suite or cell changed at any workstation: the suites window (if open) shows it at once.
        context.changes.subscribe(self.SUITE_EVENTS, self._suite_changed, self)
        self._update_enabled()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        a = self.actions
        # "Who has looked at this custody record?" stays out of the Custody menu, which ends with Charge….
        return {MenuId.ADMIN: [a["users"], a["suites"], a["config"], a["audit"], None, a["record_audit"]],
                MenuId.PEOPLE: [a["person_audit"], a["subject_access"]]}

    def docks(self) -> list[DockSpec]:
        return []

    # Roles -------------------------------------------------------------------------------------------------
    def roles(self) -> frozenset[str]:
        return self.session.roles

    def _open_person(self) -> dict[str, Any] | None:
        try:
            return self.links.open_person_record()
        except RuntimeError:  # no people area installed: never an open person
            return None

    def _update_enabled(self) -> None:
        roles = self.roles()
        admin, auditor = bool(roles & ADMINS), bool(roles & AUDITORS)
        for key in ("users", "suites", "config"):
            self.actions[key].setVisible(admin)
            self.actions[key].setEnabled(admin)
        for key in ("audit", "person_audit", "subject_access", "record_audit"):
            self.actions[key].setVisible(auditor)
        self.actions["audit"].setEnabled(auditor)
        person = auditor and self._open_person() is not None
        self.actions["person_audit"].setEnabled(person)
        self.actions["subject_access"].setEnabled(person)
        self.actions["record_audit"].setEnabled(auditor and self.session.selected_record is not None)
        try:
            self.shell.menu(MenuId.ADMIN).menuAction().setVisible(admin or auditor)
        except (KeyError, AttributeError):  # a shell without the menu (built before the area is installed)
            pass

    # Menu actions ------------------------------------------------------------------------------------------
    def trigger(self, key: str) -> QWidget | None:
        handlers = {"users": self.open_users, "suites": self.open_suites, "config": self.open_config,
                    "audit": lambda: self.open_audit(None), "person_audit": self.person_audit,
                    "record_audit": self.record_audit, "subject_access": self.subject_access}
        result: QWidget | None = handlers[key]()
        return result

    def open_users(self) -> UsersWindow | None:
        return self._open_window("users_window", "manage users", lambda: UsersWindow(
            self.ops, self.session.client, UserForms(self.ops, self.session.client, self.writes), self.window))

    def open_config(self) -> ConfigWindow | None:
        return self._open_window("config_window", "change the force configuration", lambda: ConfigWindow(
            self.ops, self.session.client, ConfigForms(self.writes), self.window))

    def open_suites(self) -> SuitesWindow | None:
        return self._open_window("suites_window", "change suites and cells", lambda: SuitesWindow(
            self.ops, self.session.client, SuiteForms(self.writes), self.window), focus="focus_tree")

    def _open_window(self, attr: str, doing: str, make: Callable[[], W], focus: str = "focus_table") -> W | None:
        """An administration window: made once, then shown, raised, reloaded and focused on its list."""
        if not self.roles() & ADMINS:
            announce(f"Only an administrator may {doing}.", assertive=True)
            return None
        window: W | None = getattr(self, attr)
        if window is None:
            window = make()
            window.setWindowFlag(Qt.WindowType.Window, True)
            setattr(self, attr, window)
        shown: Any = window  # each window has reload() and its list's focus method
        shown.show()
        shown.raise_()
        shown.activateWindow()
        shown.reload()
        getattr(shown, focus)()
        return window

    def config_changed(self, event: Any) -> None:
        """admin.config.updated (any workstation's change): every workstation refreshes what it keeps of the
        configuration, whoever is signed in: the offence catalogue kept for booking in and charging offline."""
        if getattr(event, "entity_id", None) == "offences":
            client, store = self.session.client, self.context.store
            self.ops.run(lambda: refresh_catalogue(client, store), on_done=self.catalogue_refreshed,
                         on_error=lambda _e: None)  # unreachable: the next booking or charge asks again
        if self.config_window is not None and isValid(self.config_window):
            self.config_window.config_changed(event)

    def catalogue_refreshed(self, offered: Any) -> None:
        """The workstation's copy of the catalogue is now the server's (tests wait on it)."""
        self.catalogue_version = getattr(offered, "version", None)

    def _suite_changed(self, event: Any) -> None:
        if self.suites_window is not None and isinstance(event.data, dict):
            self.suites_window.apply_suite(event.data, announce_it=False)

    def open_audit(self, subject: dict[str, str] | None) -> AuditViewer | None:
        if not self.roles() & AUDITORS:
            announce("Only a supervisor or an administrator may read the audit.", assertive=True)
            return None
        viewer = AuditViewer(self.ops, self.session.client, self.window, subject=subject)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        viewer.setWindowFlag(Qt.WindowType.Window, True)
        self.dialog = viewer
        viewer.show()
        viewer.focus_filters()
        if subject is not None:
            viewer.search()  # opened to answer one question: answer it at once
        return viewer

    def person_audit(self) -> AuditViewer | None:
        person = self._open_person()
        if person is None:
            announce("Open a person in the Person dock first (People > Find person).", assertive=True)
            return None
        return self.open_audit({"person_id": person["id"], "label": f"{full_name(person)} (person record and "
                                                                    "custody records)"})

    def record_audit(self) -> AuditViewer | None:
        record = self.session.selected_record
        if record is None:
            announce("Select a detainee on the custody board first.", assertive=True)
            return None
        return self.open_audit({"entity_id": record["id"], "label": f"custody record "
                                                                   f"{record.get('custody_number', '')}"})

    def subject_access(self) -> SubjectAccessDialog | None:
        person = self._open_person()
        if person is None:
            announce("Open a person in the Person dock first (People > Find person).", assertive=True)
            return None
        dialog = SubjectAccessDialog(self.window, self.ops, self.session.client, person)
        self.dialog = dialog
        dialog.open()
        return dialog
