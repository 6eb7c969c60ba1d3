"""The Custody menu (issue 3) and the custody board's extras, installed on the main window by `install(window)`.

Actions: Book in… (Ctrl+B), Record cell check (Ctrl+K), Rights and entitlements… (Ctrl+Shift+E), Decide on
detention… (Ctrl+Shift+T), Set observation
level… (Ctrl+Shift+O), Re-assess risk… (Ctrl+Shift+A), Review of detention… (Ctrl+Shift+V), Superintendent's
extension… (Ctrl+Shift+X), Warrant of further detention… (Ctrl+Shift+W), Disposal… (Ctrl+Shift+D).
The client hides what a role may never do and disables what does not apply to the selected record; the server
enforces every rule. Newly overdue checks, reviews and limits are announced once (assertive), never per tick.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHeaderView, QMenu
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.models.custody.board_model import NAME
from desktop.sync.catalogue import CatalogueUnavailable, OffenceCatalogue, offence_catalogue, refresh_catalogue
from desktop.views.custody.booking_dialog import BookingDialog
from desktop.views.custody.cell_check_dialog import CellCheckDialog, medical_emergency_prompt
from desktop.views.custody.board import BoardProxy, overdue_only_check
from desktop.views.custody.disposal_dialog import DisposalDialog
from desktop.views.custody.observation_dialog import ObservationDialog
from desktop.views.custody.review_dialog import (DetentionDecisionDialog, ExtensionDialog, ReviewDialog, WarrantDialog,
                                         reviewer_refusal)
from desktop.views.custody.rights_dialog import RightsDialog
from desktop.views.custody.risk_panel import RiskAssessmentDialog, RiskPanel
from domain.roles import CUSTODY_STAFF, Role

SERGEANT = frozenset({Role.CUSTODY_SERGEANT})
REVIEWERS = frozenset({Role.CUSTODY_SERGEANT, Role.INSPECTOR, Role.SUPERINTENDENT})
# key: (menu text, objectName, shortcut, roles that see it, needs a selected open record)
ACTIONS = {
    "book_in": ("&Book in…", "bookInAction", "Ctrl+B", CUSTODY_STAFF, False),
    "cell_check": ("Record cell chec&k…", "cellCheckAction", "Ctrl+K", CUSTODY_STAFF, True),
    "rights": ("&Rights and entitlements…", "rightsAction", "Ctrl+Shift+E", CUSTODY_STAFF, True),
    "detention": ("Decide on de&tention…", "detentionDecisionAction", "Ctrl+Shift+T", SERGEANT, True),
    "observation": ("Set &observation level…", "observationAction", "Ctrl+Shift+O", SERGEANT, True),
    "risk": ("Re-&assess risk…", "riskAction", "Ctrl+Shift+A", SERGEANT, True),
    "review": ("Re&view of detention…", "reviewAction", "Ctrl+Shift+V", REVIEWERS, True),
    "extension": ("Superintendent's e&xtension…", "extensionAction", "Ctrl+Shift+X",
                  frozenset({Role.SUPERINTENDENT}), True),
    "warrant": ("&Warrant of further detention…", "warrantAction", "Ctrl+Shift+W", SERGEANT, True),
    "disposal": ("&Disposal…", "disposalAction", "Ctrl+Shift+D", SERGEANT, True),
}
EMERGENCY_EVENT = "custody.medical_emergency"
RISK_EVENT = "custody.risk_assessment.created"


def custody_menu(window) -> QMenu:
    bar = window.menuBar()
    for action in bar.actions():
        if action.menu() is not None and action.text().replace("&", "") == "Custody":
            return action.menu()
    menu = QMenu("&Custody", window)
    menu.setObjectName("custodyMenu")
    anchor = next((a for a in bar.actions() if a.text().replace("&", "") == "View"), None)
    bar.insertMenu(anchor, menu) if anchor else bar.addMenu(menu)
    return menu


class CustodyController(QObject):
    dialog_opened = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.dialog = None
        self.catalogue = None  # the offence catalogue last read (desktop.sync.catalogue), so booking opens at once
        self._overdue_batch: list[str] = []
        self._own_checks: set[str] = set()
        self.actions: dict[str, QAction] = {}

        window.records_loaded.connect(self.refresh_catalogue)  # signed in and online: take a copy for offline use
        menu = custody_menu(window)
        first = menu.actions()[0] if menu.actions() else None
        for key, (text, name, shortcut, _roles, _needs) in ACTIONS.items():
            action = QAction(text, window, objectName=name, shortcut=QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, k=key: self.open(k))
            menu.insertAction(first, action)
            self.actions[key] = action
        if first is not None:
            menu.insertSeparator(first)

        self._install_board_extras()
        self._install_risk_panel()
        window.board_model.became_overdue.connect(self._overdue)
        self.session.record_selected.connect(self._selected)
        self.session.user_changed.connect(self._update_enabled)
        window.feed.events.connect(self._events)
        self._update_enabled()

    # Board and docks -----------------------------------------------------------------------------------------
    def _install_board_extras(self) -> None:
        window = self.window
        # Eleven columns: names must not be squeezed to "AB…" by the stretch; the status column takes what is left.
        header = window.board.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        proxy = window.board_proxy
        if isinstance(proxy, BoardProxy):
            self.overdue_check = overdue_only_check(proxy, window._update_board_heading)
            form = window.filter_edit.parentWidget().layout().itemAt(1).layout()
            form.addRow("", self.overdue_check)

    def _install_risk_panel(self) -> None:
        window = self.window
        dock = window.docks.get("riskAssessmentDock")
        if dock is None:
            return
        self.risk_panel = RiskPanel(window)
        window.set_dock_panel("riskAssessmentDock", self.risk_panel)
        self.risk_panel.reassess_requested.connect(lambda: self.open("risk"))
        self.risk_panel.set_record(self.session.selected_record)

    # Enabled state ----------------------------------------------------------------------------------------------
    def _selected(self, record) -> None:
        self._update_enabled()
        if hasattr(self, "risk_panel"):
            self.risk_panel.set_record(record)

    def _update_enabled(self, *_args) -> None:
        role = self.session.role
        record = self.session.selected_record
        open_record = record is not None and record.get("status") != "released" and not record.get("released_at")
        for key, (_text, _name, _shortcut, roles, needs) in ACTIONS.items():
            action = self.actions[key]
            allowed = role in roles
            action.setVisible(allowed)
            why = ""
            if needs and record is None:
                why = "Select a detainee on the custody board first."
            elif needs and not open_record:
                why = "This custody record is closed (read-only)."
            elif key == "review" and record is not None and (refusal := reviewer_refusal(record, self.session.user)):
                why = refusal
            elif key == "detention" and record is not None and record.get("detention_decision"):
                why = "Detention has already been decided for this detainee."
            elif key == "extension" and record is not None and not record.get("offence_indictable"):
                why = "Detention can only be extended for an indictable offence."
            action.setEnabled(allowed and not why)
            tip = why or action.text().replace("&", "").rstrip("…")
            action.setToolTip(tip)
            action.setStatusTip(tip)

    # Opening dialogs -----------------------------------------------------------------------------------------
    def open(self, key: str) -> None:
        action = self.actions[key]
        if not action.isEnabled() or not action.isVisible():
            announce(action.toolTip() or "Not available.", assertive=True)
            return
        if key == "book_in":
            self._open_booking()
            return
        record = self.session.selected_record
        user = self.session.user
        window = self.window
        if key == "cell_check":
            dialog = CellCheckDialog(window, record, user)
        elif key == "rights":
            dialog = RightsDialog(window, record, self.session.role)
        elif key == "detention":
            dialog = DetentionDecisionDialog(window, record)
        elif key == "observation":
            versions = getattr(self, "risk_panel", None) and self.risk_panel.versions
            suggested = versions[-1].get("suggested_level") if versions else None
            dialog = ObservationDialog(window, record, suggested)
        elif key == "risk":
            versions = getattr(self, "risk_panel", None) and self.risk_panel.versions
            dialog = RiskAssessmentDialog(window, record, versions[-1] if versions else None)
        elif key == "review":
            dialog = ReviewDialog(window, record, user)
        elif key == "extension":
            dialog = ExtensionDialog(window, record)
        elif key == "warrant":
            dialog = WarrantDialog(window, record)
        else:
            dialog = DisposalDialog(window, record)
            dialog.saved_signal.connect(lambda _r: announce("Disposal recorded: the custody record is now closed "
                                                            "and read-only."))
        self._show(dialog)

    def _open_booking(self) -> None:
        if self.catalogue is not None:
            self._show(BookingDialog(self.window, self.catalogue, role=self.session.role))
            self.refresh_catalogue()  # for the next booking
            return

        def loaded(offered: OffenceCatalogue) -> None:
            self.catalogue = offered.catalogue
            if isValid(self.window):
                self._show(BookingDialog(self.window, offered.catalogue, role=self.session.role))
            if not offered.confirmed:
                self.refresh_catalogue()

        def failed(exc: BaseException) -> None:
            unavailable = isinstance(exc, CatalogueUnavailable)  # its message already says what to do
            announce(str(exc) if unavailable else f"The offence catalogue could not be read: {exc}", assertive=True)

        client, store = self.session.client, self.window.store
        # The workstation's copy (disk), else the server's (network): a worker, never the GUI thread.
        self.window.ops.run(lambda: offence_catalogue(client, store), on_done=loaded, on_error=failed)

    def refresh_catalogue(self, *_args) -> None:
        """Fetch a newer catalogue if the server has one (304 when not) and keep it in the local store, so
        booking in works offline with the last version seen. Run after sign-in and after each booking opens."""
        client, store = self.session.client, self.window.store

        def refreshed(offered: OffenceCatalogue) -> None:
            self.catalogue = offered.catalogue

        # Unreachable: keep the copy already held; the next refresh tries again.
        self.window.ops.run(lambda: refresh_catalogue(client, store), on_done=refreshed, on_error=lambda _e: None)

    def _show(self, dialog) -> None:
        self.dialog = dialog
        if isinstance(dialog, CellCheckDialog):
            self._own_checks.add(dialog.check_id)
        dialog.setModal(True)
        dialog.open()
        self.dialog_opened.emit(dialog)

    # Overdue and events --------------------------------------------------------------------------------------
    def _overdue(self, _record_id: str, _kind: str, sentence: str) -> None:
        # Several can fall due in one tick: one announcement for the batch, so none is cut off by the next.
        self._overdue_batch.append(sentence)
        if len(self._overdue_batch) == 1:
            QTimer.singleShot(0, self._announce_overdue)

    def _announce_overdue(self) -> None:
        batch, self._overdue_batch = self._overdue_batch, []
        if not batch:
            return
        announce(" ".join(batch), assertive=True)
        self._refilter()

    def _refilter(self) -> None:
        proxy = self.window.board_proxy
        if isinstance(proxy, BoardProxy) and proxy.overdue_only:
            proxy.refilter()
            self.window._update_board_heading()

    def _events(self, events: list) -> None:
        selected = self.session.selected_record
        if any(e.get("type", "").startswith("custody.record.") for e in events):
            self._refilter()  # a check or review put something right: it leaves the 'overdue only' view
        for event in events:
            kind, data = event.get("type", ""), event.get("data") or {}
            if kind.startswith("custody.record.") and selected and data.get("id") == selected.get("id"):
                self.session.selected_record = selected = data
                self._update_enabled()
                if hasattr(self, "risk_panel"):
                    self.risk_panel.set_record(data)
            elif kind == EMERGENCY_EVENT and not self._ours(data):
                row = self.window.board_model.row_of(data.get("record_id"))
                name = self.window.board_model.record(row).get("name") if row is not None else "A detainee"
                medical_emergency_prompt(self.window, name or "A detainee")
            elif kind == RISK_EVENT and selected and data.get("record_id") == selected.get("id"):
                if hasattr(self, "risk_panel"):
                    self.risk_panel.load(selected["id"])

    def _ours(self, check: dict) -> bool:
        """A failed rousing typed here was already prompted for when it was saved."""
        return check.get("id") in self._own_checks


def install(window) -> CustodyController:
    window.custody = CustodyController(window)
    return window.custody
