"""Investigations: my, my team's or all investigations (the scopes a role has), and the chosen one's summary,
people, lines of enquiry and timeline. From here an investigator opens or edits an investigation, links people,
adds lines of enquiry, raises actions and prints the summary. The same panel is the dock (Alt+7) and the full
view (Investigations > Investigations window, Ctrl+Alt+W).

Reads run on workers (Operations); writes go through the forms base and the outbox; the change feed (through the
area) keeps the list and the open investigation current."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTabWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.models.investigations.investigation_model import (InvestigationsModel, TimelineModel, offences_text,
                                                               open_actions)
from desktop.models.person_text import officer, person_line
from desktop.models.record_table import ROW_ROLE
from desktop.session import roles_of
from desktop.timefmt import format_local
from desktop.views.forms.fields import name_choice_lists, set_plain_text
from desktop.views.forms.tables import make_table
from desktop.views.investigations.investigation_dialogs import (InvestigationDialog, LineOfEnquiryDialog,
                                                                LinkPersonDialog, RaiseActionDialog,
                                                                investigation_line)

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.sync.local_store import LocalStore
    from desktop.views.forms.dialog import FormDialog
    from desktop.writes import Writes

SCOPES = (("mine", "My investigations"), ("team", "My team's investigations"), ("all", "All investigations"))
CASEWORK_ROLES = {"investigator", "supervisor"}  # who may open and change investigations (the server decides)
ROLE_TITLES = {"suspect": "Suspect", "victim": "Victim", "witness": "Witness", "other": "Other"}


def scopes_for(roles: frozenset[str]) -> list[tuple[str, str]]:
    """An investigator or supervisor has their own and their team's; every role may list all."""
    return list(SCOPES) if roles & CASEWORK_ROLES else [SCOPES[-1]]


def summary_text(inv: dict[str, Any]) -> str:
    lines = [investigation_line(inv), f"Status: {inv.get('status') or 'not known'}",
             f"Type: {inv.get('kind') or 'not recorded'}", f"Opened {format_local(inv.get('opened_at'))}",
             f"Officer in the case: {officer(inv['officer_in_charge']) if inv.get('officer_in_charge') else 'none'}",
             f"Supervisor: {officer(inv['supervisor']) if inv.get('supervisor') else 'none named'}",
             f"Offences: {offences_text(inv)}",
             f"Open actions: {open_actions(inv)}", "", f"Summary: {inv.get('summary') or 'none written'}", ""]
    people = inv.get("people") or []
    lines.append(f"People ({len(people)}):" if people else "People: no one linked yet.")
    lines += [f"  {ROLE_TITLES.get(p.get('role') or '', p.get('role'))}: {person_line(p.get('person'))}"
              for p in people]
    lines.append("")
    enquiries = inv.get("lines_of_enquiry") or []
    lines.append(f"Lines of enquiry ({len(enquiries)}):" if enquiries else "Lines of enquiry: none recorded.")
    lines += [f"  {line.get('title')}{': ' + line['objective'] if line.get('objective') else ''} "
              f"({line.get('status')})" for line in enquiries]
    return "\n".join(lines)


class InvestigationsPanel(QWidget):
    loaded = Signal(int)
    timeline_loaded = Signal(int)
    printed = Signal(bytes)  # the summary PDF handed to the preview

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes, store: LocalStore | None,
                 parent: QWidget | None = None, *, name: str = "investigationsPanel") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.ops, self.client, self.writes, self.store = ops, client, writes, store
        self.roles: frozenset[str] = frozenset()
        self.user: dict[str, Any] | None = None
        self.dialog: FormDialog | None = None
        self.officers: list[dict[str, Any]] | None = None
        self.choose_person: Callable[[QWidget, Callable[[dict[str, Any]], None]], None] | None = None
        self.show_actions: Callable[[str], None] | None = None
        self.preview_pdf: Callable[[str, bytes, QWidget | None], None] | None = None
        self._serial = self._timeline_serial = 0
        self._want: str | None = None  # an investigation to select once the list is in

        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName(f"{name}ScopeCombo")
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName(f"{name}FilterEdit")
        self.filter_edit.setPlaceholderText("Reference, title, type or officer")
        self.filter_edit.setClearButtonEnabled(True)
        self.heading = QLabel("Investigations: not loaded yet.")
        self.heading.setObjectName(f"{name}Heading")
        self.heading.setWordWrap(True)

        self.model = InvestigationsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter_edit.textChanged.connect(self._filter)
        self.table = make_table(f"{name}Table", "Investigations", self.proxy, stretch=1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._current_changed())

        self.summary = QTextBrowser()
        self.summary.setObjectName(f"{name}Summary")
        self.summary.setAccessibleName("Investigation summary, people and lines of enquiry")
        self.timeline_model = TimelineModel(self)
        self.timeline_table = make_table(f"{name}Timeline", "Investigation timeline", self.timeline_model, stretch=2)
        self.tabs = QTabWidget()
        self.tabs.setObjectName(f"{name}Tabs")
        self.tabs.setAccessibleName("The chosen investigation")
        self.tabs.addTab(self.summary, "S&ummary and people")
        self.tabs.addTab(self.timeline_table, "Ti&meline")

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        # Mnemonics clear of the menu bar's (File, Custody, People, Investigations, Intelligence, ...).
        for key, text in (("new", "&New…"), ("edit", "&Edit…"), ("person", "Lin&k person…"),
                          ("line", "Line of en&quiry…"), ("action", "Raise &action…"), ("actions", "Show action&s"),
                          ("print", "Print summar&y…"), ("refresh", "Rel&oad")):
            button = QPushButton(text)
            button.setObjectName(f"{name}{key.title()}Button")
            button.clicked.connect(lambda _c=False, k=key: self.start(k))
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)

        filters = QHBoxLayout()
        for text, field in (("S&how:", self.scope_combo), ("Filte&r:", self.filter_edit)):
            label = QLabel(text)
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName(f"{name}Splitter")
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self.set_user(None)
        name_choice_lists(self)

    # Roles and loading ---------------------------------------------------------------------------------------
    def set_user(self, user: dict[str, Any] | None) -> None:
        # A new sign-in starts on the first scope the role has (an investigator's own); the same user keeps theirs.
        current = self.scope_combo.currentData() if user is not None and self.user is not None else None
        self.user, self.roles = user, roles_of(user)
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        for key, title in scopes_for(self.roles):
            self.scope_combo.addItem(title, key)
        index = self.scope_combo.findData(current)
        self.scope_combo.setCurrentIndex(max(index, 0))
        self.scope_combo.blockSignals(False)
        self._update_buttons()

    def set_scope(self, scope: str) -> bool:
        index = self.scope_combo.findData(scope)
        if index < 0:
            return False
        if index == self.scope_combo.currentIndex():
            self.reload()
        else:
            self.scope_combo.setCurrentIndex(index)
        return True

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        writer = bool(self.roles & CASEWORK_ROLES)
        self.buttons["new"].setEnabled(writer)
        for key in ("edit", "person", "line", "action"):
            self.buttons[key].setEnabled(writer and chosen)
            self.buttons[key].setToolTip("" if writer else "Only investigators and supervisors can do this.")
        for key in ("actions", "print"):
            self.buttons[key].setEnabled(chosen)

    def reload(self) -> None:
        if self.user is None:
            return
        self._serial += 1
        serial, client, scope = self._serial, self.client, self.scope_combo.currentData() or "all"
        self.heading.setText("Loading investigations…")

        def done(rows: list[dict[str, Any]]) -> None:
            if serial != self._serial:
                return
            current = self._want or (self.current() or {}).get("id")
            self.model.set_rows(rows)
            self._heading()
            if not self.select(current) and self.proxy.rowCount():
                self.table.setCurrentIndex(self.proxy.index(0, 0))
            self._want = None
            self._current_changed()
            self.loaded.emit(len(rows))

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self.heading.setText(f"Investigations could not be loaded: {exc}")
                announce(f"Investigations could not be loaded: {exc}", assertive=True)

        self.ops.run(lambda: client.investigations(scope), on_done=done, on_error=failed, owner=self)

    def _heading(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        count = f"{total} investigation{'' if total == 1 else 's'}"
        if shown != total:
            count += f", {shown} shown by the filter"
        self.heading.setText(f"{self.scope_combo.currentText()}: {count}.")

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._heading()

    def current(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def select(self, investigation_id: str | None) -> bool:
        row = self.model.row_of(investigation_id)
        if row is None:
            return False
        self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
        return True

    def show_investigation(self, investigation_id: str) -> None:
        """Select it, loading all investigations first if it is not in this list."""
        if self.select(investigation_id):
            return
        self._want = investigation_id
        if not self.set_scope("all"):
            self.reload()

    def _current_changed(self) -> None:
        inv = self.current()
        self._update_buttons()
        if inv is None:
            set_plain_text(self.summary,
                "Investigations are the crimes and other matters under enquiry: who is in the case, the people "
                "in it, the lines of enquiry and the actions raised. "
                + ("Choose one in the list, or open a new one (New…, Ctrl+Alt+N)." if self.roles & CASEWORK_ROLES
                   else "Choose one in the list."))
            self.timeline_model.set_timeline(None)
            return
        set_plain_text(self.summary, summary_text(inv))
        self.load_timeline(inv["id"])

    def load_timeline(self, investigation_id: str) -> None:
        self._timeline_serial += 1
        serial, client = self._timeline_serial, self.client

        def done(timeline: dict[str, Any]) -> None:
            if serial == self._timeline_serial:
                self.timeline_model.set_timeline(timeline)
                self.timeline_loaded.emit(self.timeline_model.rowCount())

        self.ops.run(lambda: client.investigation_timeline(investigation_id), on_done=done,
                     on_error=lambda exc: announce(f"The timeline could not be loaded: {exc}", assertive=True),
                     owner=self)

    def apply_change(self, data: dict[str, Any]) -> None:
        """An investigation changed (this workstation's write answered, or the change feed)."""
        if not data.get("id"):
            return
        scope = self.scope_combo.currentData()
        me = (self.user or {}).get("id")
        mine = me in ((data.get("officer_in_charge") or {}).get("id"), (data.get("supervisor") or {}).get("id"))
        if self.model.row_of(data["id"]) is None and scope in ("mine", "team") and not mine:
            return  # a new one that is not ours: the list stays what it says (Reload asks the server again)
        self.model.upsert(data)
        self._heading()
        if (self.current() or {}).get("id") == data["id"]:
            self._current_changed()

    def action_changed(self, data: dict[str, Any]) -> None:
        """An action of the open investigation changed: its timeline has a new step."""
        inv = self.current()
        if inv is not None and data.get("investigation_id") == inv["id"]:
            self.load_timeline(inv["id"])

    # Starting work ------------------------------------------------------------------------------------------
    def start(self, key: str) -> None:
        if key == "refresh":
            self.reload()
            return
        if key == "new":
            self._with_choices(lambda offences, officers: self._open(InvestigationDialog(
                self, self.writes, offences, officers)))
            return
        inv = self.current()
        if inv is None:
            announce("Choose an investigation in the list first.", assertive=True)
            self.table.setFocus()
            return
        if key == "edit":
            self._with_choices(lambda offences, officers: self._open(InvestigationDialog(
                self, self.writes, offences, officers, inv)))
        elif key == "person":
            self._open(LinkPersonDialog(self, self.writes, inv, self._choose_person))
        elif key == "line":
            self._open(LineOfEnquiryDialog(self, self.writes, inv))
        elif key == "action":
            self._open(RaiseActionDialog(self, self.writes, inv))
        elif key == "actions" and self.show_actions is not None:
            self.show_actions(inv["id"])
        elif key == "print":
            self.print_summary(inv)

    def _open(self, dialog: FormDialog) -> None:
        dialog.saved_signal.connect(self._saved)
        self.dialog = dialog
        dialog.open()

    def _saved(self, response: Any) -> None:
        if isinstance(response, dict) and "reference" in response and "people" in response:
            self.apply_change(response)
            self.select(response.get("id"))
        elif isinstance(response, dict) and response.get("investigation_id"):
            self.action_changed(response)

    def _choose_person(self, chosen: Callable[[dict[str, Any]], None]) -> None:
        if self.choose_person is None:
            announce("Choosing a person is not available here.", assertive=True)
            return
        self.choose_person(self.dialog or self, chosen)

    def _with_choices(self, then: Callable[[list[dict[str, Any]], list[dict[str, Any]]], None]) -> None:
        """The offence catalogue (the workstation's copy, else the server's) and the officers, on a worker."""
        client, store, known = self.client, self.store, self.officers

        def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            from desktop.sync.catalogue import CatalogueUnavailable, offence_catalogue
            try:
                offences = offence_catalogue(client, store).offences
            except CatalogueUnavailable:
                offences = []
            officers = known if known is not None else client.request("GET", "/officers") or []
            return offences, officers

        def done(result: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
            offences, officers = result
            self.officers = officers
            if not offences:
                announce("The offence catalogue is not on this workstation yet: offences can be added later.")
            then(offences, officers)

        self.ops.run(load, on_done=done, on_error=lambda exc: announce(
            f"The form could not be opened: {exc}", assertive=True), owner=self)

    # Printing ------------------------------------------------------------------------------------------------
    def print_summary(self, inv: dict[str, Any]) -> None:
        client, printed_by = self.client, officer(self.user) if self.user else ""
        announce(f"Preparing the summary of {inv.get('reference')}…")

        def build() -> bytes:
            from desktop.printing.investigation_summary import build_investigation_summary_pdf  # reportlab: first use
            current = client.investigation(inv["id"])
            actions = client.investigation_actions(inv["id"])
            timeline = client.investigation_timeline(inv["id"])
            target = io.BytesIO()
            build_investigation_summary_pdf(current, actions, timeline, target, printed_by=printed_by)
            return target.getvalue()

        def done(pdf: bytes) -> None:
            self.printed.emit(pdf)
            if self.preview_pdf is not None:
                self.preview_pdf(f"Investigation summary {inv.get('reference')}", pdf, self.window())

        self.ops.run(build, on_done=done, on_error=lambda exc: announce(
            f"The summary could not be prepared: {exc}", assertive=True), owner=self)

    def focus_panel(self) -> None:
        self.table.setFocus()
