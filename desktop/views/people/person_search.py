"""Forgiving person search: name, date of birth (partial), PNC ID, gender; ranked, with why each matched.

Typing searches after a short pause (debounced), on a worker; answers to older queries are dropped. Enter in a
field searches at once and moves to the results; Down moves to the results; Enter on a result opens it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QLineEdit, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.models.person_text import person_line
from desktop.models.people.person_search_model import PersonResultsModel
from desktop.models.record_table import ROW_ROLE
from desktop.views.forms.field_error import FieldError
from desktop.views.forms.fields import name_choice_lists
from desktop.views.forms.tables import ENTER_KEYS, make_table
from domain.people import GENDERS

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient

DEBOUNCE_MS = 350
PAGE_SIZE = 20


def page_text(total: int, page: int, page_size: int, shown: int) -> str:
    if total == 0:
        return "No one found. Try fewer letters, a partial date of birth (MM/YYYY or YYYY) or the PNC ID."
    first = (page - 1) * page_size + 1
    return f"Showing {first}–{first + shown - 1} of {total}"


class PersonSearchPanel(QWidget):
    chosen = Signal(dict)  # PersonSummary of the result opened
    searched = Signal(int)  # total, each time results arrive

    def __init__(self, ops: Operations, client: ApiClient, parent: QWidget | None = None, *,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.setObjectName("personSearchPanel")
        self.ops, self.client = ops, client
        self.page_size = page_size
        self.page, self.total = 1, 0
        self._serial = 0
        self._criteria: tuple[str, str, str, str] | None = None  # the criteria of the results shown

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("searchNameEdit")
        self.name_edit.setPlaceholderText("e.g. Steve McDonald or MACDONALD Stephen")
        self.name_edit.setAccessibleDescription("Forenames and surname in any order; spelling variants are found.")
        self.dob_edit = QLineEdit()
        self.dob_edit.setObjectName("searchDobEdit")
        self.dob_edit.setPlaceholderText("DD/MM/YYYY, MM/YYYY or YYYY")
        self.dob_edit.setAccessibleDescription("Date of birth; part of it is enough. Day and month swapped are found.")
        self.pnc_edit = QLineEdit()
        self.pnc_edit.setObjectName("searchPncEdit")
        self.pnc_edit.setPlaceholderText("e.g. 12/394773H")
        self.gender_combo = QComboBox()
        self.gender_combo.setObjectName("searchGenderCombo")
        self.gender_combo.addItem("Any", "")
        for code, title in GENDERS.items():
            self.gender_combo.addItem(title, code)
        self.errors = {"q": FieldError(self.name_edit, "searchNameError", self),
                       "dob": FieldError(self.dob_edit, "searchDobError", self),
                       "pnc": FieldError(self.pnc_edit, "searchPncError", self)}

        self.model = PersonResultsModel(self)
        self.table = make_table("personResultsTable", "People found", self.model, stretch=6)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.status = QLabel("Type a name, a date of birth or a PNC ID.")
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.prev_button = QPushButton("Pre&vious page")
        self.prev_button.setObjectName("searchPrevButton")
        self.next_button = QPushButton("Ne&xt page")
        self.next_button.setObjectName("searchNextButton")
        self.prev_button.clicked.connect(lambda: self.go_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.go_page(self.page + 1))
        self.prev_button.setAutoDefault(False)
        self.next_button.setAutoDefault(False)

        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(lambda: self.search(page=1))
        for edit in (self.name_edit, self.dob_edit, self.pnc_edit):
            edit.textChanged.connect(self._typed)
            edit.installEventFilter(self)
        self.gender_combo.currentIndexChanged.connect(self._typed)
        self.table.installEventFilter(self)

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("", self.errors["q"])
        form.addRow("Date of &birth:", self.dob_edit)
        form.addRow("", self.errors["dob"])
        form.addRow("&PNC ID:", self.pnc_edit)
        form.addRow("", self.errors["pnc"])
        form.addRow("&Gender:", self.gender_combo)
        pager = QHBoxLayout()
        pager.addWidget(self.status, 1)
        pager.addWidget(self.prev_button)
        pager.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(pager)
        layout.addWidget(self.table, 1)
        self._update_pager()
        name_choice_lists(self)

    # Criteria ----------------------------------------------------------------------------------------------
    def criteria(self) -> tuple[str, str, str, str]:
        return (self.name_edit.text().strip(), self.dob_edit.text().strip(), self.pnc_edit.text().strip(),
                self.gender_combo.currentData() or "")

    def _typed(self, *_args: object) -> None:
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in ENTER_KEYS:
                self.open_current()
                return True
            if watched is not self.table and key in ENTER_KEYS:
                self.activate()
                return True
            if watched is not self.table and key == Qt.Key.Key_Down and self.model.rowCount():
                self.focus_results()
                return True
        return super().eventFilter(watched, event)

    def activate(self) -> None:
        """Enter in a field: search now if the criteria changed, else go to the results."""
        if self.criteria() != self._criteria or self.timer.isActive():
            self.search(page=1, focus_results=True)
        elif self.model.rowCount():
            self.focus_results()

    def focus_results(self) -> None:
        if not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.setFocus()

    # Searching ---------------------------------------------------------------------------------------------
    def search(self, page: int = 1, *, focus_results: bool = False) -> None:
        self.timer.stop()
        q, dob, pnc, gender = criteria = self.criteria()
        for error in self.errors.values():
            error.clear_problem()
        if not (q or dob or pnc):
            self._serial += 1
            self._criteria = None
            self.model.set_rows([])
            self.total = 0
            self.status.setText("Type a name, a date of birth or a PNC ID.")
            self._update_pager()
            return
        self._serial += 1
        serial, client, size = self._serial, self.client, self.page_size
        self.status.setText("Searching…")

        def done(result: dict[str, Any]) -> None:
            if serial != self._serial:
                return  # the user typed on; a newer search is running
            self._criteria = criteria
            self.page, self.total = int(result.get("page") or page), int(result.get("total") or 0)
            self.model.set_rows(result.get("results") or [])
            text = page_text(self.total, self.page, size, self.model.rowCount())
            self.status.setText(text)
            self._update_pager()
            if self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(0, 0))
                if focus_results:
                    self.table.setFocus()
            announce(f"{self.total} found. {text}" if self.total else text)
            self.searched.emit(self.total)

        def failed(exc: BaseException) -> None:
            if serial != self._serial:
                return
            self.status.setText("The search did not run.")
            if isinstance(exc, ApiError) and exc.field_errors:
                field, message = next(iter(exc.field_errors.items()))
                self.errors.get(field, self.errors["q"]).show_problem(message)
            else:
                announce(f"The search did not run: {exc}", assertive=True)
            self.searched.emit(-1)

        self.ops.run(lambda: client.search_people(q, dob, pnc, gender, page=page, page_size=size),
                     on_done=done, on_error=failed, owner=self)

    def go_page(self, page: int) -> None:
        pages = max(1, -(-self.total // self.page_size))
        if 1 <= page <= pages and self._criteria is not None:
            self.search(page=page, focus_results=True)

    def _update_pager(self) -> None:
        self.prev_button.setEnabled(self.page > 1 and self.total > 0)
        self.next_button.setEnabled(self.page * self.page_size < self.total)

    # Choosing ----------------------------------------------------------------------------------------------
    def current(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        return (row or {}).get("person")

    def open_current(self) -> None:
        person = self.current()
        if person is None:
            announce("Choose a person in the results first.", assertive=True)
            return
        announce(f"Opening {person_line(person)}")
        self.chosen.emit(person)

    def focus_panel(self) -> None:
        self.name_edit.setFocus()


class PersonSearchDialog(QDialog):
    """People > Find person: Enter searches, Enter on a result opens it (and closes this), Escape closes."""

    chosen = Signal(dict)
    new_requested = Signal(str)  # the name typed, to start the new-person form with

    def __init__(self, ops: Operations, client: ApiClient, parent: QWidget | None = None, *,
                 open_text: str = "&Open person") -> None:
        super().__init__(parent)
        self.setObjectName("personSearchDialog")
        self.setWindowTitle("Find person")
        self.panel = PersonSearchPanel(ops, client, self)
        self.panel.chosen.connect(self._chosen)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = self.buttons.addButton(open_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("searchOpenButton")
        self.new_button = self.buttons.addButton("Ne&w person…", QDialogButtonBox.ButtonRole.ActionRole)
        self.new_button.setObjectName("searchNewButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("searchCloseButton")
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):  # every button of the box is
                button.setAutoDefault(False)
        self.open_button.clicked.connect(self.panel.open_current)
        self.new_button.clicked.connect(self._new)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)
        room = self.screen().availableGeometry()
        # Wide enough for the "why it matched" text; never wider or taller than the screen.
        self.resize(min(self.fontMetrics().averageCharWidth() * 150, room.width() - 40),
                    min(self.fontMetrics().lineSpacing() * 30, room.height() - 80))
        self.panel.focus_panel()

    def _chosen(self, person: dict[str, Any]) -> None:
        self.chosen.emit(person)
        self.accept()

    def _new(self) -> None:
        self.new_requested.emit(self.panel.name_edit.text().strip())
        self.reject()

