"""New person: checked as typed (names, DOB, PNC ID, CRO number from domain/), and before anything is created
the likely duplicates are shown ("Is this one of these?"): the user picks one, or confirms a new record."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.views.forms.dialog import WriteDialog
from desktop.models.person_text import person_line
from desktop.models.people.person_search_model import PersonResultsModel
from desktop.models.record_table import ROW_ROLE
from desktop.views.forms.fields import name_choice_lists
from desktop.views.forms.tables import make_table
from domain.identifiers import validate_cro, validate_pnc_id
from domain.people import GENDERS, dob_problem, name_problem

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes


def parse_dob(text: str) -> tuple[date | None, str | None]:
    """'11/04/1988' (or 1988-04-11) → date; blank is allowed (not known); anything else is a problem."""
    text = text.strip()
    if not text:
        return None, None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    return None, "Write the date of birth as DD/MM/YYYY, for example 11/04/1988."


class PersonFormDialog(WriteDialog):
    """On the forms base: problems beside their fields, the one refusal wording, the new person's id as the
    Idempotency-Key (kept across retries of the same create, new after a refusal)."""

    created = Signal(dict)  # PersonOut of the new record
    chosen = Signal(dict)  # PersonSummary of an existing record picked from the duplicates

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes | None, parent: QWidget | None = None, *,
                 surname: str = "", forenames: str = "", today: date | None = None) -> None:
        super().__init__(parent, writes)
        self.setObjectName("personFormDialog")
        self.setWindowTitle("New person")
        self.ops, self.client = ops, client
        self.today = today
        self.checked_duplicates = False

        self.surname_edit = QLineEdit(surname)
        self.surname_edit.setObjectName("personSurnameEdit")
        self.forenames_edit = QLineEdit(forenames)
        self.forenames_edit.setObjectName("personForenamesEdit")
        self.dob_edit = QLineEdit()
        self.dob_edit.setObjectName("personDobEdit")
        self.dob_edit.setPlaceholderText("DD/MM/YYYY (leave blank if not known)")
        self.gender_combo = QComboBox()
        self.gender_combo.setObjectName("personGenderCombo")
        for code, title in GENDERS.items():
            self.gender_combo.addItem(title, code)
        self.gender_combo.setCurrentIndex(self.gender_combo.findData("not_known"))
        self.pnc_edit = QLineEdit()
        self.pnc_edit.setObjectName("personPncEdit")
        self.pnc_edit.setPlaceholderText("e.g. 2012/0394773H or 12/394773H")
        self.cro_edit = QLineEdit()
        self.cro_edit.setObjectName("personCroEdit")
        self.cro_edit.setPlaceholderText("e.g. 29906/12J")
        self.line1_edit = QLineEdit()
        self.line1_edit.setObjectName("personAddressLine1Edit")
        self.town_edit = QLineEdit()
        self.town_edit.setObjectName("personTownEdit")
        self.postcode_edit = QLineEdit()
        self.postcode_edit.setObjectName("personPostcodeEdit")
        for name, widget in (("surname", self.surname_edit), ("forenames", self.forenames_edit),
                             ("date_of_birth", self.dob_edit), ("pnc_id", self.pnc_edit),
                             ("cro_number", self.cro_edit), ("addresses", self.line1_edit)):
            self.field_error(name, widget, f"{widget.objectName().removesuffix('Edit')}Error")
        self.pnc_edit.textChanged.connect(lambda _t: self._inline("pnc_id"))
        self.cro_edit.textChanged.connect(lambda _t: self._inline("cro_number"))
        self.dob_edit.textChanged.connect(lambda _t: self._inline("date_of_birth"))
        for edit in (self.surname_edit, self.forenames_edit, self.dob_edit, self.pnc_edit, self.cro_edit):
            edit.textChanged.connect(self._criteria_changed)

        form = QFormLayout()
        form.addRow("&Surname:", self.surname_edit)
        form.addRow("", self.errors["surname"])
        form.addRow("&Forenames:", self.forenames_edit)
        form.addRow("", self.errors["forenames"])
        form.addRow("Date of &birth:", self.dob_edit)
        form.addRow("", self.errors["date_of_birth"])
        form.addRow("&Gender:", self.gender_combo)
        form.addRow("&PNC ID:", self.pnc_edit)
        form.addRow("", self.errors["pnc_id"])
        form.addRow("&CRO number:", self.cro_edit)
        form.addRow("", self.errors["cro_number"])
        form.addRow("Home address &line 1:", self.line1_edit)
        form.addRow("", self.errors["addresses"])
        form.addRow("&Town:", self.town_edit)
        form.addRow("Postco&de:", self.postcode_edit)

        self.duplicates_box = QGroupBox("Is this one of these?")
        self.duplicates_box.setObjectName("duplicatesBox")
        self.duplicates_text = QLabel()
        self.duplicates_text.setObjectName("duplicatesText")
        self.duplicates_text.setWordWrap(True)
        self.duplicates_model = PersonResultsModel(self)
        self.duplicates_table = make_table("duplicatesTable", "Possible existing records", self.duplicates_model,
                                           stretch=6)
        self.duplicates_table.doubleClicked.connect(lambda _i: self.use_selected())
        box_layout = QVBoxLayout(self.duplicates_box)
        box_layout.addWidget(self.duplicates_text)
        box_layout.addWidget(self.duplicates_table)
        self.duplicates_box.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Check and cre&ate", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("personCreateButton")
        self.create_button.setDefault(True)
        self.ok_button = self.create_button
        self.use_button = self.buttons.addButton("&Use selected record", QDialogButtonBox.ButtonRole.ActionRole)
        self.use_button.setObjectName("personUseExistingButton")
        self.use_button.setVisible(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("personCancelButton")
        self.create_button.clicked.connect(self.submit)
        self.use_button.clicked.connect(self.use_selected)
        self.buttons.rejected.connect(self.reject)
        self.status = QLabel()
        self.status.setObjectName("personFormStatus")
        self.status.setWordWrap(True)
        self.general_error.setObjectName("personFormGeneralError")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.duplicates_box, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.surname_edit.setFocus()
        name_choice_lists(self)

    # Checks as typed ---------------------------------------------------------------------------------------
    def _problem(self, field: str) -> str | None:
        if field == "surname":
            return name_problem(self.surname_edit.text(), "surname")
        if field == "forenames":
            return name_problem(self.forenames_edit.text(), "forenames")
        if field == "date_of_birth":
            dob, problem = parse_dob(self.dob_edit.text())
            return problem or (dob_problem(dob, self.today or date.today()) if dob else None)
        if field == "pnc_id":
            text = self.pnc_edit.text().strip()
            return validate_pnc_id(text).error if text else None
        if field == "cro_number":
            text = self.cro_edit.text().strip()
            return validate_cro(text).error if text else None
        return None

    def _inline(self, field: str) -> None:
        """Beside the field while typing, in its description too, without moving focus or interrupting
        speech on every key (the full announcement comes when the user tries to create)."""
        error, problem = self.errors[field], self._problem(field)
        if problem:
            error.setText(f"Problem: {problem}")
            error.setVisible(True)
            error.field.setAccessibleDescription(problem)
        else:
            error.clear_problem()

    def _criteria_changed(self, *_args: object) -> None:
        # New details need a new duplicate check before anything is created.
        self.checked_duplicates = False
        self.create_button.setText("Check and cre&ate")

    # Create ------------------------------------------------------------------------------------------------
    @property
    def person_id(self) -> str:
        """The new record's id, which is also its Idempotency-Key: the same create is never made twice."""
        return self.key

    def body(self) -> dict[str, Any]:
        dob, _ = parse_dob(self.dob_edit.text())
        body: dict[str, Any] = {"id": self.person_id, "surname": self.surname_edit.text().strip(),
                      "forenames": self.forenames_edit.text().strip(), "gender": self.gender_combo.currentData()}
        if dob:
            body["date_of_birth"] = dob.isoformat()
        if self.pnc_edit.text().strip():
            body["pnc_id"] = self.pnc_edit.text().strip()
        if self.cro_edit.text().strip():
            body["cro_number"] = self.cro_edit.text().strip()
        if self.line1_edit.text().strip():
            body["addresses"] = [{"kind": "home", "line1": self.line1_edit.text().strip(),
                                  "town": self.town_edit.text().strip(), "postcode": self.postcode_edit.text().strip()}]
        return body

    def submit(self) -> None:
        for field in ("surname", "forenames", "date_of_birth", "pnc_id", "cro_number"):
            problem = self._problem(field)
            if problem:
                self.errors[field].show_problem(problem)
                return
            self.errors[field].clear_problem()
        if self.sending:
            announce("This person is already being saved.")
            return
        if not self.checked_duplicates:
            self.check_duplicates()
        else:
            self.create_person()

    def check_duplicates(self) -> None:
        body = self.body()
        check: dict[str, Any] = {k: body[k] for k in ("surname", "forenames", "date_of_birth", "pnc_id", "cro_number")
                                 if k in body}
        client = self.client
        self.status.setText("Looking for existing records of this person…")
        self.create_button.setEnabled(False)
        self.ops.run(lambda: client.duplicates_check(check), on_done=self._duplicates, on_error=self.refused,
                     owner=self)

    def _duplicates(self, candidates: list[dict[str, Any]]) -> None:
        self.create_button.setEnabled(True)
        self.checked_duplicates = True
        self.create_button.setText("None of these: cre&ate new")
        if not candidates:
            self.status.setText("No existing record matches.")
            self.create_person()
            return
        self.duplicates_model.set_rows(candidates)
        text = (f"{len(candidates)} existing record{'s' if len(candidates) != 1 else ''} may be this person. "
                "Choose one and press Use selected record, or press None of these: create new.")
        self.duplicates_text.setText(text)
        self.status.setText(text)
        self.duplicates_box.setVisible(True)
        self.use_button.setVisible(True)
        self.duplicates_table.setCurrentIndex(self.duplicates_model.index(0, 0))
        self.duplicates_table.setFocus()
        announce(f"Is this one of these? {text}", assertive=True)

    def use_selected(self) -> None:
        index = self.duplicates_table.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        if row is None:
            announce("Choose a record in the list first.", assertive=True)
            return
        self.chosen.emit(row["person"])
        announce(f"Using the existing record: {person_line(row['person'])}")
        self.accept()

    def create_person(self) -> None:  # not `create`: that is QWidget's
        body = self.body()
        self.status.setText("Saving…")
        self.send("POST", "/people", body)

    def saved(self, person: dict[str, Any]) -> None:
        announce(f"Person created: {person_line(person)}")
        self.created.emit(person)

    def sending_ended(self) -> None:
        super().sending_ended()
        self.status.setText("")

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        current = self._existing(error)
        if current is not None:  # the identifier is already on another record
            field = "pnc_id" if self.pnc_edit.text().strip() else "cro_number"
            return [(field, f"{error} Existing record: {person_line(current)}.")]
        return super().refusal_problems(error)

    def refused(self, error: BaseException) -> None:
        super().refused(error)
        current = self._existing(error)
        if current is not None:  # offered as the record to use instead
            self.duplicates_model.set_rows([{"person": current, "score": 100, "reasons": ["identifier the same"]}])
            self.duplicates_box.setVisible(True)
            self.use_button.setVisible(True)
            self.duplicates_table.setCurrentIndex(self.duplicates_model.index(0, 0))

    @staticmethod
    def _existing(error: BaseException) -> dict[str, Any] | None:
        if isinstance(error, ApiError) and error.status == 409 and isinstance(error.body.get("current"), dict):
            current: dict[str, Any] = error.body["current"]
            return current
        return None
