"""The Person dock: one person's whole picture across modules (identity, aliases, identifiers, addresses,
warning markers with who and when, custody records, investigations, intelligence this role may see,
prosecution cases) and the merge history, with undo for supervisors."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSplitter, QTabWidget, QTextBrowser, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.models.person_text import dob_text, full_name, gender_text, person_line
from desktop.models.people.person_picture_model import MarkersModel, MergesModel, PictureLinksModel, picture_links
from desktop.models.record_table import ROW_ROLE
from desktop.timefmt import format_local
from desktop.views.forms.access_reason_dialog import ReasonDialog
from desktop.views.forms.dialog import WriteDialog
from desktop.views.forms.fields import name_choice_lists
from desktop.views.forms.tables import ENTER_KEYS, make_table
from domain.people import WARNING_MARKERS

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes

SUPERVISOR = "supervisor"


EMPTY_HTML = (
    "<p><b>No person open.</b></p>"
    "<p>This dock shows one person's whole picture: name, date of birth, aliases, identifiers and addresses, "
    "warning markers (with who added them and when), and their custody records, investigations, the "
    "intelligence you may see and prosecution cases.</p>"
    "<p>To start:</p><ul>"
    "<li><b>Find person…</b> (Ctrl+F): search by name, date of birth, PNC ID or CRO number;</li>"
    "<li>on the custody board, select a detainee and choose <b>Open the selected detainee's person record</b> "
    "(Ctrl+Shift+J);</li>"
    "<li><b>New person…</b> (Ctrl+Shift+N) when they are not on record.</li></ul>")


def counted(n: int, noun: str) -> str:
    """'1 custody record', '2 custody records', 'no prosecution cases'."""
    return f"no {noun}s" if n == 0 else f"1 {noun}" if n == 1 else f"{n} {noun}s"


def details_html(picture: dict[str, Any]) -> str:
    p = picture.get("person") or {}
    e = html.escape
    rows = [("Name", full_name(p)), ("Date of birth", dob_text(p.get("date_of_birth"))),
            ("Gender", gender_text(p.get("gender"))),
            ("PNC ID", p.get("pnc_id") or "none recorded"), ("CRO number", p.get("cro_number") or "none recorded")]
    aliases = "; ".join(f"{full_name(a)}" + (f" (born {dob_text(a.get('date_of_birth'))})" if a.get("date_of_birth") else "")
                        for a in p.get("aliases") or []) or "none"
    rows.append(("Aliases", aliases))
    addresses = "; ".join(", ".join(x for x in (a.get("line1"), a.get("line2"), a.get("town"), a.get("postcode")) if x)
                          + f" ({a.get('kind')})" for a in p.get("addresses") or []) or "none recorded"
    rows.append(("Addresses", addresses))
    active = [m for m in p.get("warning_markers") or [] if not m.get("removed_at")]
    rows.append(("Warning markers", ", ".join(m.get("title") or m.get("code") for m in active) or "none"))
    merged_from = picture.get("merged_from") or []
    if merged_from:
        rows.append(("Merged from", "; ".join(person_line(m) for m in merged_from)))
    body = "".join(f"<tr><th align='left' valign='top'>{e(k)}:</th><td>{e(v)}</td></tr>" for k, v in rows)
    notice = ""
    if p.get("merged_into"):
        notice = ("<p><b>This record was merged into another record.</b> Use “Open the kept record”.</p>")
    return f"{notice}<table cellspacing='4'>{body}</table>"


class PersonPanel(QWidget):
    person_loaded = Signal(str)  # person id
    open_investigation = Signal(str)  # investigation id
    open_report = Signal(str, str)  # report id, reference
    open_custody = Signal(str)  # custody record id
    find_requested = Signal()
    new_requested = Signal()
    merge_requested = Signal()

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personPanel")
        self.ops, self.client, self.writes = ops, client, writes
        self.roles: frozenset[str] = frozenset()
        self.picture: dict[str, Any] | None = None
        self.person_id: str | None = None
        self.dialog: QDialog | None = None  # the dialog now open (tests and closing)
        self._serial = 0

        self.find_button = QPushButton("Fin&d person…")
        self.find_button.setObjectName("personFindButton")
        self.new_button = QPushButton("&New person…")
        self.new_button.setObjectName("personNewButton")
        self.merge_button = QPushButton("&Merge another record into this…")
        self.merge_button.setObjectName("personMergeButton")
        self.survivor_button = QPushButton("Open the kept &record")
        self.survivor_button.setObjectName("personOpenSurvivorButton")
        self.find_button.clicked.connect(self.find_requested)
        self.new_button.clicked.connect(self.new_requested)
        self.merge_button.clicked.connect(self.merge_requested)
        self.survivor_button.clicked.connect(self._open_survivor)
        self.survivor_button.setVisible(False)

        self.heading = QLabel("No person open. Find a person (Ctrl+F), or open the selected detainee's record.")
        self.heading.setObjectName("personHeading")
        self.heading.setWordWrap(True)
        self.details = QTextBrowser()
        self.details.setObjectName("personDetails")
        self.details.setAccessibleName("Person details")
        self.details.setOpenLinks(False)
        self.details.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.details.setHtml(EMPTY_HTML)  # with nobody open: what the dock is for and how to start

        self.links_model = PictureLinksModel(self)
        self.links_table = make_table("personLinksTable", "Linked records across custody, investigations, "
                                      "intelligence and prosecution", self.links_model, stretch=2)
        self.links_table.doubleClicked.connect(lambda _i: self.open_link())
        self.links_table.installEventFilter(self)
        self.markers_model = MarkersModel(self)
        self.markers_table = make_table("personMarkersTable", "Warning markers", self.markers_model, stretch=1)
        self.add_marker_button = QPushButton("&Add warning marker…")
        self.add_marker_button.setObjectName("personAddMarkerButton")
        self.remove_marker_button = QPushButton("Remove warnin&g marker…")
        self.remove_marker_button.setObjectName("personRemoveMarkerButton")
        self.add_marker_button.clicked.connect(self.add_marker)
        self.remove_marker_button.clicked.connect(self.remove_marker)
        self.merges_model = MergesModel(self)
        self.merges_table = make_table("personMergesTable", "Merge history", self.merges_model, stretch=4)
        self.undo_button = QPushButton("&Undo selected merge…")
        self.undo_button.setObjectName("personUndoMergeButton")
        self.undo_button.clicked.connect(self.undo_merge)

        merges = QWidget()
        merges.setObjectName("personMergesPage")
        merges_layout = QVBoxLayout(merges)
        merges_layout.addWidget(self.merges_table, 1)
        merges_layout.addWidget(self.undo_button)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("personTabs")
        self.tabs.setAccessibleName("Person sections")
        self.tabs.tabBar().setAccessibleName("Person sections")
        self.tabs.addTab(self.links_table, "&Linked records")
        markers = QWidget()
        markers.setObjectName("personMarkersPage")
        markers_layout = QVBoxLayout(markers)
        markers_layout.addWidget(self.markers_table, 1)
        marker_buttons = QHBoxLayout()
        marker_buttons.addWidget(self.add_marker_button)
        marker_buttons.addWidget(self.remove_marker_button)
        marker_buttons.addStretch(1)
        markers_layout.addLayout(marker_buttons)
        self.tabs.addTab(markers, "&Warning markers")
        self.tabs.addTab(merges, "Merge &history")

        buttons = QHBoxLayout()
        for button in (self.find_button, self.new_button, self.merge_button, self.survivor_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.heading)
        # Side by side: the dock usually sits below the board, wide and short.
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("personSplitter")
        split.addWidget(self.details)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.set_roles(frozenset())

    def set_roles(self, roles: frozenset[str]) -> None:
        self.roles = roles
        supervisor = SUPERVISOR in roles
        self.merge_button.setVisible(supervisor)
        self.undo_button.setVisible(supervisor)
        self._update_enabled()

    def _update_enabled(self) -> None:
        open_ = self.picture is not None
        merged = bool(((self.picture or {}).get("person") or {}).get("merged_into"))
        self.merge_button.setEnabled(open_ and not merged)
        self.survivor_button.setVisible(merged)
        self.undo_button.setEnabled(self.merges_model.rowCount() > 0)
        self.add_marker_button.setEnabled(open_ and not merged)
        self.remove_marker_button.setEnabled(open_ and not merged and self.markers_model.rowCount() > 0)

    # Loading -----------------------------------------------------------------------------------------------
    def open_person(self, person_id: str) -> None:
        self._serial += 1
        serial, client = self._serial, self.client
        self.heading.setText("Loading the person's record…")

        def load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
            picture = client.person_picture(person_id)
            merges = client.person_merges(person_id)
            names: dict[str, dict[str, Any]] = {person_id: picture["person"]}
            for merge in merges:
                for key in ("survivor_id", "merged_id"):
                    if merge[key] not in names:
                        names[merge[key]] = client.person(merge[key])
            return picture, [{**m, "survivor": names[m["survivor_id"]], "merged": names[m["merged_id"]]}
                             for m in merges]

        def done(value: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
            if serial == self._serial:
                self.show_picture(*value)

        def failed(exc: BaseException) -> None:
            if serial != self._serial:
                return
            message = ("You are not allowed to see this record." if isinstance(exc, ApiError) and exc.status == 403
                       else f"The person's record could not be loaded: {exc}")
            self.heading.setText(message)
            announce(message, assertive=True)

        self.ops.run(load, on_done=done, on_error=failed, owner=self)

    def show_picture(self, picture: dict[str, Any], merges: list[dict[str, Any]]) -> None:
        self.picture = picture
        person = picture.get("person") or {}
        self.person_id = person.get("id")
        active = [m for m in person.get("warning_markers") or [] if not m.get("removed_at")]
        heading = person_line(person)
        if active:
            heading += ". Warning markers: " + ", ".join(m.get("title") or m.get("code") for m in active)
        if person.get("merged_into"):
            heading += ". Merged into another record"
        self.heading.setText(heading)
        self.details.setHtml(details_html(picture))
        self.links_model.set_rows(picture_links(picture))
        self.markers_model.set_rows(person.get("warning_markers") or [])
        self.merges_model.set_rows(merges)
        self._update_enabled()
        counts = {k: len(picture.get(k) or []) for k in ("custody", "investigations", "intelligence", "prosecution")}
        announce(f"Person: {heading}. {counted(counts['custody'], 'custody record')}, "
                 f"{counted(counts['investigations'], 'investigation')}, "
                 f"{counted(counts['intelligence'], 'intelligence report')} you may see, "
                 f"{counted(counts['prosecution'], 'prosecution case')}.")
        self.person_loaded.emit(self.person_id or "")

    def reload(self) -> None:
        if self.person_id:
            self.open_person(self.person_id)

    def _open_survivor(self) -> None:
        survivor = ((self.picture or {}).get("person") or {}).get("merged_into")
        if survivor:
            self.open_person(survivor)

    # Links -------------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.links_table and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in ENTER_KEYS):
            self.open_link()
            return True
        return super().eventFilter(watched, event)

    def open_link(self) -> None:
        index = self.links_table.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        if row is None:
            return
        if row["area"] == "investigations":
            self.open_investigation.emit(row["target"])
        elif row["area"] == "intelligence":
            self.open_report.emit(row["target"], row.get("reference") or "")
        elif row["area"] == "custody":
            self.open_custody.emit(row["target"])
        else:
            announce(f"Prosecution case {row.get('reference')}: {row.get('status')}. Open it from the custody record.")

    # Undo a merge ------------------------------------------------------------------------------------------
    def undo_merge(self) -> None:
        index = self.merges_table.currentIndex()
        if not index.isValid() and self.merges_model.rowCount():
            index = self.merges_model.index(0, 0)
        merge = index.data(ROW_ROLE) if index.isValid() else None
        if merge is None:
            announce("There is no merge to undo.", assertive=True)
            return
        if merge.get("undone_at"):
            announce("That merge has already been undone.", assertive=True)
            return
        dialog = ReasonDialog("Undo merge", f"Undo the merge of {person_line(merge['merged'])} into "
                              f"{person_line(merge['survivor'])}, made {format_local(merge.get('merged_at'))}? "
                              "Every link moved by the merge goes back.", self, ok_text="&Undo merge",
                              object_name="undoMergeDialog", label="&Reason for undoing:", writes=self.writes,
                              path=f"/people/merges/{merge['id']}/undo", done_text="Merge undone.")
        self.dialog = dialog
        dialog.saved_signal.connect(lambda _merge: self.reload())
        dialog.open()

    # Warning markers ---------------------------------------------------------------------------------------
    def add_marker(self) -> None:
        if self.person_id is None:
            return
        dialog = MarkerDialog(self, self.writes, f"/people/{self.person_id}/warning-markers")
        self.dialog = dialog
        dialog.saved_signal.connect(lambda _person: self.reload())
        dialog.open()

    def remove_marker(self) -> None:
        index = self.markers_table.currentIndex()
        marker = index.data(ROW_ROLE) if index.isValid() else None
        if marker is None or marker.get("removed_at"):
            announce("Choose a marker that is still active.", assertive=True)
            return
        title = marker.get("title") or marker.get("code")
        dialog = ReasonDialog("Remove warning marker", f"Remove the warning marker '{title}'? It stays in the "
                              "record as removed, with your name and the reason.", self, ok_text="&Remove marker",
                              object_name="removeMarkerDialog", label="&Reason for removing:", writes=self.writes,
                              path=f"/people/{self.person_id}/warning-markers/{marker['id']}/remove",
                              done_text=f"Warning marker removed: {title}")
        self.dialog = dialog
        dialog.saved_signal.connect(lambda _person: self.reload())
        dialog.open()

    def focus_panel(self) -> None:
        (self.details if self.picture is not None else self.find_button).setFocus()


class MarkerDialog(WriteDialog):
    """Add a warning marker: the code (PNC warning signal) and the details that explain it. Saved through the
    forms base: the dialog stays open until the server has it; a refusal comes back beside the field."""

    noun = "person"

    def __init__(self, parent: QWidget | None = None, writes: Writes | None = None, path: str = "") -> None:
        super().__init__(parent, writes)
        self.path = path
        self.setObjectName("addMarkerDialog")
        self.setWindowTitle("Add warning marker")
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("markerCodeCombo")
        for code, title in WARNING_MARKERS.items():
            self.code_combo.addItem(title, code)
        self.details_edit = QLineEdit()
        self.details_edit.setObjectName("markerDetailsEdit")
        self.details_edit.setAccessibleDescription("What happened and when, so officers know why it is set.")
        self.details_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 45)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Add marker")
        self.ok_button.setObjectName("markerOkButton")
        self.ok_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("markerCancelButton")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Marker:", self.code_combo)
        form.addRow("", self.field_error("code", self.code_combo, "markerCodeError"))
        form.addRow("&Details:", self.details_edit)
        form.addRow("", self.field_error("details", self.details_edit, "markerDetailsError"))
        self.main_field = "details"
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        name_choice_lists(self)
        self.code_combo.setFocus()

    @property
    def code(self) -> str:
        code: str = self.code_combo.currentData()
        return code

    @property
    def details(self) -> str:
        return self.details_edit.text().strip()

    def submit(self) -> None:
        if self.sending:
            return
        self.clear_problems()
        # The marker's id is the Idempotency-Key (new after a refusal).
        self.send("POST", self.path, {"id": self.key, "code": self.code, "details": self.details})

    def saved(self, _person: Any) -> None:
        announce(f"Warning marker added: {WARNING_MARKERS.get(self.code, self.code)}")
