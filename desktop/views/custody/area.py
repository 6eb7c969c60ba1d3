"""The custody area: the custody board (the window's central view, Alt+0), the Custody menu, the Detainee log and
Risk assessment docks and the announcements of what falls overdue. Declared to the main window through
desktop/areas.py.

Actions: Book in… (Ctrl+B), Record cell check (Ctrl+K), Rights and entitlements… (Ctrl+Shift+E), Decide on
detention… (Ctrl+Shift+T), Set observation
level… (Ctrl+Shift+O), Re-assess risk… (Ctrl+Shift+A), Review of detention… (Ctrl+Shift+V), Superintendent's
extension… (Ctrl+Shift+X), Warrant of further detention… (Ctrl+Shift+W), Disposal… (Ctrl+Shift+D), Shift
handover… (Ctrl+Shift+U).
The client hides what a role may never do and disables what does not apply to the selected record; the server
enforces every rule. Newly overdue checks, reviews and limits are announced once (assertive), never per tick.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.areas import AreaContext, CentralSpec, DockPlace, DockSpec, MenuId
from desktop.sync.catalogue import CatalogueUnavailable, OffenceCatalogue, offence_catalogue, refresh_catalogue
from desktop.sync.hub import Event
from desktop.views.custody.booking_dialog import BookingDialog
from desktop.views.custody.cell_check_dialog import CellCheckDialog, medical_emergency_prompt
from desktop.views.custody.board import CustodyBoard
from desktop.views.custody.disposal_dialog import DisposalDialog
from desktop.views.custody.cell_flags_dialog import CellFlagsDialog
from desktop.views.custody.history_dialog import CustodyHistoryDialog
from desktop.views.custody.interview_dialog import EndInterviewDialog, InterviewDialog
from desktop.views.custody.property_dialog import PropertyDialog, ReturnPropertyDialog
from desktop.views.custody.transfer_dialogs import AcceptTransferDialog, TransferDialog
from desktop.views.custody.handover_view import AcknowledgeHandoverDialog, HandoverDialog, handed_over_text
from desktop.views.custody.log_controller import DetaineeLog
from desktop.views.custody.observation_dialog import ObservationDialog
from desktop.views.custody.review_dialog import (DetentionDecisionDialog, ExtensionDialog, ReviewDialog, WarrantDialog,
                                         reviewer_refusal)
from desktop.views.custody.rights_dialog import RightsDialog
from desktop.views.custody.risk_panel import RiskAssessmentDialog, RiskPanel
from desktop.views.forms.dialog import CustodyDialog
from domain.events import CUSTODY_RECORD_CHANGED, EventType
from domain.offences import Catalogue
from domain.roles import CUSTODY_STAFF, Role

SERGEANT = frozenset({Role.CUSTODY_SERGEANT})
REVIEWERS = frozenset({Role.CUSTODY_SERGEANT, Role.INSPECTOR, Role.SUPERINTENDENT})
HISTORY_READERS = frozenset({*CUSTODY_STAFF, Role.INVESTIGATOR, Role.SUPERVISOR})
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
    "handover": ("Shift &handover…", "handoverAction", "Ctrl+Shift+U", CUSTODY_STAFF, False),
    # Issue 14: Ctrl+Alt, so they stay clear of the Ctrl+Shift keys other areas take.
    "interview": ("&Interview: start or end…", "interviewAction", "Ctrl+Alt+I", CUSTODY_STAFF, True),
    "property": ("Record &property…", "propertyAction", "Ctrl+Alt+P", CUSTODY_STAFF, True),
    "property_return": ("Ret&urn property…", "returnPropertyAction", "Ctrl+Alt+R", CUSTODY_STAFF, True),
    "cell_flags": ("Move &cell or change flags…", "cellFlagsAction", "Ctrl+Alt+C", SERGEANT, True),
    "history": ("Custody hi&story…", "custodyHistoryAction", "Ctrl+Alt+H", HISTORY_READERS, False),
    # Issue 15: transfers between the force's suites (one custody record).
    "transfer": ("Trans&fer to another suite…", "transferAction", "Ctrl+Alt+T", SERGEANT, True),
    "accept_transfer": ("Accept trans&fer…", "acceptTransferAction", "Ctrl+Alt+A", SERGEANT, True),
}
LOG_DOCK, RISK_DOCK = "detaineeLogDock", "riskAssessmentDock"


class CustodyArea(QObject):
    name = "custody"
    handles = frozenset({*CUSTODY_RECORD_CHANGED, EventType.CUSTODY_MEDICAL_EMERGENCY,
                         EventType.CUSTODY_RISK_ASSESSMENT_CREATED, EventType.CUSTODY_HANDOVER_ACKNOWLEDGED})
    dialog_opened = Signal(object)

    def __init__(self, context: AreaContext):
        window = context.parent
        super().__init__(window)
        self.context, self.shell = context, context.shell
        self.window = window  # the parent of its dialogs
        self.session = context.session
        self.dialog: CustodyDialog | None = None
        # The offence catalogue last read (desktop.sync.catalogue), so booking opens at once.
        self.catalogue: Catalogue | None = None
        self._overdue_batch: list[str] = []
        self._own_checks: set[str] = set()
        self.actions: dict[str, QAction] = {}
        # The central view first, so its controls come first in the window's Tab order (before the docks').
        self.board = CustodyBoard(self.session, context.ops, self.shell.follow_changes)
        self.shell.set_central(CentralSpec(self.board, "Custody &board", "focusBoardAction", "Alt+0"))
        self.shell.add_background(self._start_board, self.board.stop)
        context.links.show_custody_record = self.show_record
        if self.session.user is not None:
            self.refresh_catalogue()  # signed in: take a copy now, for booking in offline later

        for key, (text, name, shortcut, _roles, _needs) in ACTIONS.items():
            action = QAction(text, window)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, k=key: self.open(k))
            self.actions[key] = action

        self.log = DetaineeLog(context)
        self.log_panel, self.log_loaded = self.log.panel, self.log.log_loaded
        self.risk_panel = RiskPanel(self.session, context.ops, window)
        self.risk_panel.reassess_requested.connect(lambda: self.open("risk"))
        self.risk_panel.set_record(self.session.selected_record)

        changes = context.changes
        self.board.model.became_overdue.connect(self._overdue)
        changes.record_selected.connect(self._switched)
        changes.selected_record_updated.connect(self._selected)
        self.session.user_changed.connect(self._update_enabled)
        # A check or review put something right: it leaves the 'overdue only' view (once per batch).
        changes.subscribe(CUSTODY_RECORD_CHANGED, lambda _events: self._refilter(), self, batch=True)
        changes.subscribe(EventType.CUSTODY_MEDICAL_EMERGENCY, self._emergency, self)
        changes.subscribe(EventType.CUSTODY_RISK_ASSESSMENT_CREATED, self._risk_assessed, self)
        # Any workstation's acknowledgement updates every board's "last handed over" line.
        changes.subscribe(EventType.CUSTODY_HANDOVER_ACKNOWLEDGED,
                          lambda event: self.board.set_handover(handed_over_text(event.data)), self)
        self.handover_dialog: HandoverDialog | None = None
        self._update_enabled()

    # What it declares to the main window --------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.CUSTODY: list(self.actions.values())}

    def docks(self) -> list[DockSpec]:
        return [DockSpec(LOG_DOCK, "Detainee log", "Alt+1", self.log_panel, DockPlace.RIGHT),
                DockSpec(RISK_DOCK, "Risk assessment", "Alt+2", self.risk_panel, DockPlace.BOTTOM)]

    # The board -------------------------------------------------------------------------------------------------
    def _start_board(self) -> None:
        if self.session.user is not None:
            self.board.load()
            client = self.session.client
            self.context.ops.run(lambda: client.request("GET", "/custody/handovers/last"),
                                 on_done=lambda last: self.board.set_handover(handed_over_text(last)),
                                 on_error=lambda _exc: None, owner=self.board)  # the line is a courtesy

    def open_handover(self) -> HandoverDialog:
        """The handover view: load it on a worker, show it, keep the board's line current on acknowledgement."""
        writes = self.context.writes
        dialog = HandoverDialog(self.session, self.context.ops, self.window, preview=self.context.links.preview_pdf,
                                acknowledge_form=lambda parent, data: AcknowledgeHandoverDialog(parent, writes, data))
        dialog.acknowledged.connect(lambda out: self.board.set_handover(handed_over_text(out)) if out else None)
        self.handover_dialog = dialog
        dialog.open()
        dialog.load()
        self.dialog_opened.emit(dialog)
        return dialog

    def show_record(self, record_id: str) -> bool:
        """Select a record on the board and focus the board (the people area's "open custody record")."""
        if not self.board.select_record_id(record_id):
            return False
        self.board.focus_panel()
        return True

    # Enabled state ----------------------------------------------------------------------------------------------
    def _selected(self, record: dict[str, Any] | None) -> None:
        """The chosen record changed (the hub keeps it current): a new risk assessment version is read."""
        self._update_enabled()
        self.risk_panel.set_record(record)

    def _switched(self, record: dict[str, Any] | None) -> None:
        """Another record chosen: its log and risk assessment in ONE request (each read audited as it is alone, one
        commit on the server), both docks filled in the same pass of the event loop, so they lay out once (issue 17).
        An answer for a record no longer selected (fast arrow keys) is dropped."""
        self._update_enabled()
        self.risk_panel.set_record(record, load=False)
        if record is None:
            return
        record_id, client = record["id"], self.session.client
        pending = self.log.pending_reader(record_id)

        def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
            log, versions = client.log_and_risk(record_id)
            return log, pending(), versions

        def loaded(value: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]) -> None:
            if (self.session.selected_record or {}).get("id") != record_id:
                return  # a newer selection's answer is on its way
            log, waiting, versions = value
            self.log.show_loaded(record_id, log, waiting)
            self.risk_panel.show_loaded(record_id, versions)

        def failed(exc: BaseException) -> None:
            if (self.session.selected_record or {}).get("id") == record_id:
                announce(f"The detainee log and risk assessment could not be loaded: {exc}", assertive=True)

        self.context.ops.run(read, on_done=loaded, on_error=failed, owner=self.log_panel)

    def _update_enabled(self, *_args: object) -> None:
        held = self.session.roles
        record = self.session.selected_record
        open_record = record is not None and record.get("status") != "released" and not record.get("released_at")
        for key, (_text, _name, _shortcut, roles, needs) in ACTIONS.items():
            action = self.actions[key]
            allowed = bool(held & roles)
            action.setVisible(allowed)
            why = ""
            if needs and record is None:
                why = "Select a detainee on the custody board first."
            elif needs and not open_record:
                why = "This custody record is closed (read-only)."
            elif key == "review" and record is not None and (refusal := reviewer_refusal(
                    record, (self.session.user or {}).get("id"), self.session.roles)):
                why = refusal
            elif key == "detention" and record is not None and record.get("detention_decision"):
                why = "Detention has already been decided for this detainee."
            elif key == "extension" and record is not None and not record.get("offence_indictable"):
                why = "Detention can only be extended for an indictable offence."
            elif key == "transfer" and record is not None and record.get("transfer"):
                why = "A transfer of this detainee is already awaiting acceptance."
            elif key == "transfer" and record is not None and not record.get("suite_id"):
                why = "This custody record is not in a suite of the force."
            elif key == "accept_transfer" and record is not None and not record.get("transfer"):
                why = "This detainee has no transfer awaiting acceptance."
            elif key == "accept_transfer" and record is not None and self.session.suite_id and \
                    (record.get("transfer") or {}).get("to_suite_id") != self.session.suite_id:
                why = "The transfer is to another suite; it is accepted there."
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
        if key == "handover":
            self.open_handover()
            return
        if key == "history":
            self.open_history()
            return
        record = self.session.selected_record
        assert record is not None  # every action but booking in needs a record, and is disabled without one
        user = self.session.user
        window, writes = self.window, self.context.writes
        dialog: CustodyDialog
        if key == "cell_check":
            dialog = CellCheckDialog(window, record, user, writes=writes)
        elif key == "rights":
            dialog = RightsDialog(window, record, self.session.roles, writes=writes)
        elif key == "detention":
            dialog = DetentionDecisionDialog(window, record, writes=writes)
        elif key == "observation":
            versions = self.risk_panel.versions
            suggested = versions[-1].get("suggested_level") if versions else None
            dialog = ObservationDialog(window, record, suggested, writes=writes)
        elif key == "risk":
            self._open_risk(record)
            return
        elif key in ("interview", "property_return", "cell_flags"):
            self._open_loaded(key, record)
            return
        elif key == "property":
            dialog = PropertyDialog(window, record, writes=writes)
        elif key == "review":
            dialog = ReviewDialog(window, record, user, writes=writes)
        elif key == "extension":
            dialog = ExtensionDialog(window, record, writes=writes)
        elif key == "warrant":
            dialog = WarrantDialog(window, record, writes=writes)
        elif key == "transfer":
            dialog = self._transfer_dialog(record)
        elif key == "accept_transfer":
            dialog = self._accept_dialog(record)
        else:
            dialog = DisposalDialog(window, record, writes=writes)
            dialog.saved_signal.connect(lambda _r: announce("Disposal recorded: the custody record is now closed "
                                                            "and read-only."))
        self._show(dialog)

    def _open_risk(self, record: dict[str, Any]) -> None:
        """The risk assessment, with what earlier custody episodes recorded as prompts (read on a worker first;
        without them, e.g. offline, the assessment opens all the same)."""
        versions = self.risk_panel.versions
        client, record_id = self.session.client, record["id"]
        person_id = (record.get("person") or {}).get("id")

        def show(carried: dict[str, Any] | None) -> None:
            if not isValid(self.window) or (self.session.selected_record or {}).get("id") != record_id:
                return
            self._show(RiskAssessmentDialog(self.window, record, versions[-1] if versions else None,
                                            writes=self.context.writes, carried=carried,
                                            latest=lambda: next(reversed(client.risk_assessments(record_id)), None)))

        if not person_id:
            show(None)
            return
        self.context.ops.run(lambda: client.request("GET", f"/custody/people/{person_id}/history"), on_done=show,
                             on_error=lambda _exc: show(None), owner=self.board)

    def _open_loaded(self, key: str, record: dict[str, Any]) -> None:
        """Interview (start, or end the one running) and return of property: read what the record holds on a
        worker, then open the dialog that fits. Moving cell reads the record itself, so its If-Match is the version
        the server has now (not one the feed has yet to bring)."""
        client, record_id = self.session.client, record["id"]
        what = {"interview": "interviews", "property_return": "property", "cell_flags": ""}[key]

        def show(rows: Any) -> None:
            if not isValid(self.window) or (self.session.selected_record or {}).get("id") != record_id:
                return
            current = self.session.selected_record or record
            dialog: CustodyDialog
            if key == "cell_flags":
                dialog = CellFlagsDialog(self.window, rows, writes=self.context.writes)
            elif key == "interview":
                running = next((i for i in rows if not i.get("ended_at")), None)
                dialog = (EndInterviewDialog(self.window, current, running, writes=self.context.writes) if running
                          else InterviewDialog(self.window, current, writes=self.context.writes))
            else:
                dialog = ReturnPropertyDialog(self.window, current, rows, writes=self.context.writes)
            self._show(dialog)

        path = f"/custody/records/{record_id}" + (f"/{what}" if what else "")
        self.context.ops.run(lambda: client.request("GET", path), on_done=show,
                             on_error=lambda exc: announce(f"The {what or 'record'} could not be read: {exc}",
                                                           assertive=True),
                             owner=self.board)

    def open_history(self) -> CustodyHistoryDialog:
        selected = self.session.selected_record
        dialog = CustodyHistoryDialog(self.window, self.session.client, self.context.ops,
                                      person=(selected or {}).get("person"), open_record=self.open_closed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def open_closed(self, record: dict[str, Any]) -> None:
        """A closed record chosen in the custody history: selected, so the log (read-only), the risk assessment
        and printing all show it; focus to the log."""
        self.session.select_record(record)
        self.shell.raise_dock(LOG_DOCK)
        self.log_panel.focus_panel()
        announce(f"Opened custody record {record.get('custody_number')} read-only in the Detainee log. "
                 "Print preview: Ctrl+Shift+P.")
    def _transfer_dialog(self, record: dict[str, Any]) -> TransferDialog:
        """Open at once; the suites and the handover arrive from a worker."""
        client, ops, record_id = self.session.client, self.context.ops, record["id"]
        dialog = TransferDialog(self.window, record, [], writes=self.context.writes)

        def suites_loaded(suites: list[dict[str, Any]]) -> None:
            fresh = dialog.suite_items(suites)
            if not fresh:
                announce("No other open suite can take the detainee.", assertive=True)

        ops.run(client.suites, on_done=suites_loaded,
                on_error=lambda exc: announce(f"The suites could not be read: {exc}", assertive=True), owner=dialog)
        ops.run(lambda: client.transfer_summary(record_id), on_done=dialog.set_summary,
                on_error=lambda _exc: dialog.set_summary(None), owner=dialog)
        return dialog

    def _accept_dialog(self, record: dict[str, Any]) -> AcceptTransferDialog:
        client, ops = self.session.client, self.context.ops
        dialog = AcceptTransferDialog(self.window, record, writes=self.context.writes)
        transfer = record.get("transfer") or {}
        to_suite, transfer_id = transfer.get("to_suite_id"), transfer.get("id")

        def read() -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
            pending = client.pending_transfers(to_suite)
            cells = client.suite(to_suite).get("cells", []) if to_suite else []
            return next((t for t in pending if t.get("id") == transfer_id), None), cells

        def loaded(value: tuple[dict[str, Any] | None, list[dict[str, Any]]]) -> None:
            dialog.set_transfer(value[0])
            dialog.set_cells(value[1])

        def failed(_exc: BaseException) -> None:
            dialog.set_transfer(None)
            dialog.set_cells(None)

        ops.run(read, on_done=loaded, on_error=failed, owner=dialog)
        return dialog

    def _open_booking(self) -> None:
        if self.catalogue is not None:
            self._show(self._booking(self.catalogue))
            self.refresh_catalogue()  # for the next booking
            return

        def loaded(offered: OffenceCatalogue) -> None:
            self.catalogue = offered.catalogue
            if isValid(self.window):
                self._show(self._booking(offered.catalogue))
            if not offered.confirmed:
                self.refresh_catalogue()

        def failed(exc: BaseException) -> None:
            unavailable = isinstance(exc, CatalogueUnavailable)  # its message already says what to do
            announce(str(exc) if unavailable else f"The offence catalogue could not be read: {exc}", assertive=True)

        client, store = self.session.client, self.context.store
        # The workstation's copy (disk), else the server's (network): a worker, never the GUI thread.
        self.context.ops.run(lambda: offence_catalogue(client, store), on_done=loaded, on_error=failed)

    def _booking(self, catalogue: Catalogue) -> BookingDialog:
        suite = self.session.suite
        dialog = BookingDialog(self.window, catalogue, writes=self.context.writes, roles=self.session.roles,
                               person_picker=self.context.links.person_picker, suite=suite)
        if suite is not None and suite.get("id"):
            client, suite_id = self.session.client, suite["id"]
            # The free cells as they are now (a worker); unreachable: the form says so and offers 'No cell yet'.
            self.context.ops.run(lambda: client.suite(suite_id).get("cells", []), on_done=dialog.set_cells,
                                 on_error=lambda _exc: dialog.set_cells(None), owner=dialog)
        dialog.saved_signal.connect(self._booked)
        return dialog

    def _booked(self, record: Any) -> None:
        """A known person booked in: say how many earlier custody episodes they have, and where their earlier
        markers and concerns are shown as prompts (the risk assessment), read on a worker."""
        person_id = ((record or {}).get("person") or {}).get("id") if isinstance(record, dict) else None
        if not person_id:
            return
        client, record_id = self.session.client, record.get("id")

        def said(history: dict[str, Any]) -> None:
            earlier = [e for e in history.get("episodes") or [] if e.get("id") != record_id]
            if earlier:
                prompts = len(history.get("prompts") or [])
                announce(f"{len(earlier)} earlier custody episode{'s' if len(earlier) != 1 else ''}, latest "
                         f"{earlier[0].get('custody_number')}; {prompts} earlier marker{'s' if prompts != 1 else ''} "
                         "or concern" + ("s" if prompts != 1 else "") + " to ask about again: Re-assess risk "
                         "(Ctrl+Shift+A) lists them.")

        self.context.ops.run(lambda: client.request("GET", f"/custody/people/{person_id}/history"), on_done=said,
                             on_error=lambda _exc: None, owner=self.board)  # a courtesy: booking is done

    def refresh_catalogue(self) -> None:
        """Fetch a newer catalogue if the server has one (304 when not) and keep it in the local store, so
        booking in works offline with the last version seen. Run at sign-in and after each booking opens."""
        client, store = self.session.client, self.context.store

        def refreshed(offered: OffenceCatalogue) -> None:
            self.catalogue = offered.catalogue

        # Unreachable: keep the copy already held; the next refresh tries again.
        self.context.ops.run(lambda: refresh_catalogue(client, store), on_done=refreshed, on_error=lambda _e: None)

    def _show(self, dialog: CustodyDialog) -> None:
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
        proxy = self.board.proxy
        if proxy.overdue_only:
            proxy.refilter()
            self.board.refresh_heading()

    def _emergency(self, event: Event) -> None:
        if self._ours(event.data):
            return
        model = self.board.model
        row = model.row_of(event.data.get("record_id"))
        name = model.record(row).get("name") if row is not None else "A detainee"
        medical_emergency_prompt(self.window, name or "A detainee")

    def _risk_assessed(self, event: Event) -> None:
        selected = self.session.selected_record
        if selected and event.data.get("record_id") == selected.get("id"):
            self.risk_panel.load(selected["id"])

    def _ours(self, check: dict[str, Any]) -> bool:
        """A failed rousing typed here was already prompted for when it was saved."""
        return check.get("id") in self._own_checks
