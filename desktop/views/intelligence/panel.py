"""Intelligence grading dock: the reports this role may see (intelligence roles: all; others: disseminated P
reports only), filtered by status, by a linked person, or by words in the reference, title or grading. Opening
a report asks the reason first (DPA 2018 s.62); new reports, re-grading, QA and dissemination start here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from desktop.sync.hub import Event
from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.models.intelligence.intel_model import STATUS_TITLES, ReportsModel
from desktop.models.person_text import full_name
from desktop.models.record_table import ROW_ROLE
from desktop.views.forms.access_reason_dialog import access_reason_dialog
from desktop.views.forms.refusal import NO_STORE, OFFLINE, is_conflict, refusal_text
from desktop.views.intelligence.link_dialogs import AddEventDialog, AddPlaceDialog, AddReportPersonDialog
from desktop.views.intelligence.report_dialog import QaDialog, ReportFormDialog, ReportViewDialog
from desktop.views.forms.fields import name_choice_lists
from desktop.views.forms.tables import ENTER_KEYS, make_table
from domain.events import EventType

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes

RESTRICTED_MESSAGE = ("Restricted: this report is not available to your role (handling code C or not yet "
                      "disseminated). Ask an intelligence officer.")


class IntelPanel(QWidget):
    loaded = Signal(int)
    report_opened = Signal(object)  # ReportViewDialog
    report_changed = Signal(dict)

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intelligenceGradingPanel")
        self.ops, self.client, self.writes = ops, client, writes
        self.roles: frozenset[str] = frozenset()
        self.person: dict[str, Any] | None = None  # filter: reports linked to this person
        self.dialog: QDialog | None = None  # the last dialog opened (tests and the area use it)
        self.viewer: ReportViewDialog | None = None
        self.choose_person: Callable[[QWidget, Callable[[dict[str, Any]], None]], None] | None = None
        self._serial = 0

        self.status_combo = QComboBox()
        self.status_combo.setObjectName("intelStatusCombo")
        self.status_combo.addItem("Any status", "")
        for key, title in STATUS_TITLES.items():
            self.status_combo.addItem(title, key)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("intelFilterEdit")
        self.filter_edit.setPlaceholderText("Reference, title or grading")
        self.filter_edit.setClearButtonEnabled(True)
        # Issue 14: reports about a place (description or postcode) or an event (its reference), asked of the server.
        self.place_edit = QLineEdit()
        self.place_edit.setObjectName("intelPlaceEdit")
        self.place_edit.setPlaceholderText("Address, description or postcode")
        self.place_edit.setClearButtonEnabled(True)
        self.event_edit = QLineEdit()
        self.event_edit.setObjectName("intelEventEdit")
        self.event_edit.setPlaceholderText("Custody number, investigation or incident reference")
        self.event_edit.setClearButtonEnabled(True)
        for edit in (self.place_edit, self.event_edit):
            edit.setAccessibleDescription("Return searches the reports.")
            edit.returnPressed.connect(self.reload)
        self.person_label = QLabel("Linked to: anyone")
        self.person_label.setObjectName("intelPersonLabel")
        self.clear_person_button = QPushButton("&All people")
        self.clear_person_button.setObjectName("intelClearPersonButton")
        self.clear_person_button.clicked.connect(lambda: self.set_person(None))
        self.heading = QLabel("Intelligence reports: not loaded yet.")
        self.heading.setObjectName("intelHeading")
        self.heading.setWordWrap(True)

        self.model = ReportsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter_edit.textChanged.connect(self._filter)
        self.table = make_table("intelReportsTable", "Intelligence reports", self.proxy, stretch=1)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.installEventFilter(self)

        self.new_button = QPushButton("&New report…")
        self.new_button.setObjectName("intelNewButton")
        self.open_button = QPushButton("&Read report…")
        self.open_button.setObjectName("intelOpenButton")
        self.refresh_button = QPushButton("Reloa&d")
        self.refresh_button.setObjectName("intelRefreshButton")
        self.new_button.clicked.connect(self.new_report)
        self.open_button.clicked.connect(self.open_current)
        self.refresh_button.clicked.connect(self.reload)

        filters = QHBoxLayout()
        for text, field in (("Stat&us:", self.status_combo), ("Searc&h reports:", self.filter_edit)):
            label = QLabel(text)
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, 1)
        where = QHBoxLayout()
        for text, field in (("&Where (place):", self.place_edit), ("&Event:", self.event_edit)):
            label = QLabel(text)
            label.setBuddy(field)
            where.addWidget(label)
            where.addWidget(field, 1)
        person_row = QHBoxLayout()
        person_row.addWidget(self.person_label, 1)
        person_row.addWidget(self.clear_person_button)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(where)
        layout.addLayout(person_row)
        layout.addWidget(self.heading)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.clear_person_button.setEnabled(False)
        name_choice_lists(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in ENTER_KEYS):
            self.open_current()
            return True
        return super().eventFilter(watched, event)

    # Loading -----------------------------------------------------------------------------------------------
    def set_person(self, person: dict[str, Any] | None) -> None:
        self.person = person
        self.person_label.setText(f"Linked to: {full_name(person)}" if person else "Linked to: anyone")
        self.clear_person_button.setEnabled(person is not None)
        self.reload()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_heading()

    def _update_heading(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{total} report{'s' if total != 1 else ''} you may see"
        if self.person:
            text += f" about {full_name(self.person)}"
        if self.place_edit.text().strip():
            text += f" at a place matching “{self.place_edit.text().strip()}”"
        if self.event_edit.text().strip():
            text += f" linked to an event matching “{self.event_edit.text().strip()}”"
        if shown != total:
            text += f", {shown} shown"
        self.heading.setText(text)

    def reload(self) -> None:
        self._serial += 1
        serial, client = self._serial, self.client
        status, person_id = self.status_combo.currentData() or "", (self.person or {}).get("id") or ""
        place, event_ref = self.place_edit.text().strip(), self.event_edit.text().strip()

        def done(reports: list[dict[str, Any]]) -> None:
            if serial != self._serial:
                return
            self.model.set_rows(reports)
            self._update_heading()
            if self.proxy.rowCount() and not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.loaded.emit(len(reports))

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self.heading.setText(f"Reports could not be loaded: {exc}")
                announce(f"Intelligence reports could not be loaded: {exc}", assertive=True)

        self.ops.run(lambda: client.intel_reports(status, person_id, place=place, event_ref=event_ref), on_done=done,
                     on_error=failed, owner=self)

    def apply_event(self, event: Event) -> None:
        """Change feed (through the hub): a report created or re-graded."""
        data = event.data
        at = self.model.row_of(data["id"]) if data.get("id") else None
        if at is not None:
            row = self.model.row(at)
            self.model.upsert({**row, **{k: v for k, v in data.items() if k in row}})
        elif event.type is EventType.INTEL_REPORT_CREATED:
            self.reload()  # the feed carries no text; the list says what this role may see

    def current(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    # Opening -----------------------------------------------------------------------------------------------
    def open_current(self) -> None:
        report = self.current()
        if report is None:
            announce("Choose a report in the list first.", assertive=True)
            return
        self.ask_and_open(report["id"], report.get("reference") or "")

    def ask_and_open(self, report_id: str, reference: str) -> None:
        """The reason first; nothing is fetched until it is given."""
        dialog = access_reason_dialog(f"report {reference}".strip(), self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.fetch(report_id, dialog.reason))
        dialog.open()

    def fetch(self, report_id: str, reason: str) -> None:
        client = self.client

        def failed(exc: BaseException) -> None:
            message = (RESTRICTED_MESSAGE if isinstance(exc, ApiError) and exc.status in (403, 404)
                       else f"The report could not be opened: {exc}")
            self.heading.setText(message)
            announce(message, assertive=True)

        def opened(report: dict[str, Any]) -> None:
            self.show_report(report)

        self.ops.run(lambda: client.intel_report(report_id, reason), on_done=opened, on_error=failed, owner=self)

    def show_report(self, report: dict[str, Any]) -> ReportViewDialog:
        viewer = ReportViewDialog(report, self.roles, self)
        viewer.regrade_requested.connect(self.regrade)
        viewer.qa_requested.connect(self.qa)
        viewer.disseminate_requested.connect(self.disseminate)
        viewer.add_requested.connect(self.add_to_report)
        self.viewer = viewer
        viewer.open()
        announce(f"Report {report.get('reference')} opened")
        self.report_opened.emit(viewer)
        return viewer

    # Writing -----------------------------------------------------------------------------------------------
    def new_report(self, subject: dict[str, Any] | None = None) -> ReportFormDialog:
        dialog = ReportFormDialog(self.writes, self, subject=subject or self.person)
        def created(report: dict[str, Any]) -> None:
            self.reload()
            self.report_changed.emit(report)

        dialog.created.connect(created)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _step_done(self, updated: dict[str, Any], done_text: str) -> None:
        if self.viewer is not None:
            self.viewer.set_report(updated)
        announce(f"{done_text}: {updated.get('reference')}, graded {updated.get('grading')}")
        self.report_changed.emit(updated)
        self.reload()

    def _step_refused(self, exc: BaseException) -> None:
        """Changed meanwhile (412): the viewer and the list show the current copy."""
        if is_conflict(exc):
            current = getattr(exc, "current", None)
            if isinstance(current, dict) and self.viewer is not None \
                    and self.viewer.report.get("id") == current.get("id"):
                self.viewer.set_report(current)
            self.reload()

    def _versioned_dialog(self, dialog: ReportFormDialog | QaDialog, path: str, done_text: str) -> None:
        """A versioned step from a dialog on the forms base: it sends through the outbox with If-Match (offline
        it waits; a refusal, or a 412 with the current copy, comes back beside its field)."""
        dialog.writes = self.writes
        def send(body: dict[str, Any]) -> None:
            report = dialog.report  # read when sent: after a 412 it is the current copy
            assert report is not None, "a versioned step is on an existing report"
            dialog.send("POST", f"/intelligence/reports/{report['id']}{path}", body,
                        headers={"If-Match": str(int(report["version"]))})

        dialog.submitted.connect(send)
        dialog.saved_signal.connect(lambda updated: self._step_done(updated, done_text))
        dialog.refused_signal.connect(self._step_refused)
        self.dialog = dialog
        dialog.open()

    def regrade(self, report: dict[str, Any]) -> ReportFormDialog:
        dialog = ReportFormDialog(self.writes, self.viewer or self, report=report)
        self._versioned_dialog(dialog, "/grading", "Re-graded")
        return dialog

    def qa(self, report: dict[str, Any]) -> QaDialog:
        dialog = QaDialog(report, self.viewer or self)
        self._versioned_dialog(dialog, "/qa", "QA recorded")
        return dialog

    def add_to_report(self, what: str, report: dict[str, Any]) -> QDialog:
        """A person, place or event added after the report was made (issue 14); the viewer shows the answer."""
        parent = self.viewer or self
        dialog: AddReportPersonDialog | AddPlaceDialog | AddEventDialog
        if what == "person":
            dialog = AddReportPersonDialog(parent, self.writes, report, self._choose_person)
        elif what == "place":
            dialog = AddPlaceDialog(parent, self.writes, report)
        else:
            dialog = AddEventDialog(parent, self.writes, report)
        dialog.saved_signal.connect(lambda updated: self._step_done(updated, "Added"))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _choose_person(self, chosen: Callable[[dict[str, Any]], None]) -> None:
        if self.choose_person is None:
            announce("Choosing a person is not available here.", assertive=True)
            return
        self.choose_person(self.dialog or self, chosen)

    def disseminate(self, report: dict[str, Any]) -> None:
        """No dialog: through the outbox with If-Match; a refusal is read out in the one wording."""

        def refused(exc: BaseException) -> None:
            self._step_refused(exc)
            announce(refusal_text(exc, "report"), assertive=True)

        if self.writes is None:
            refused(RuntimeError(NO_STORE))
            return
        self.writes.queue("POST", f"/intelligence/reports/{report['id']}/disseminate", {},
                          headers={"If-Match": str(int(report["version"]))},
                          on_sent=lambda updated: self._step_done(updated, "Disseminated"), on_rejected=refused,
                          on_waiting=lambda _reason: announce(OFFLINE))

    def focus_panel(self) -> None:
        self.table.setFocus()
