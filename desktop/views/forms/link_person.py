"""Link a known person to a record with a role — an investigation's suspect, an intelligence report's subject. The
person comes from the people area's picker (given as `choose_person`); the role is the officer's to choose, never
pre-selected. One form for every area that links people (issue 14 added two)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.models.person_text import person_line
from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import nothing_chosen

if TYPE_CHECKING:
    from desktop.writes import Writes


class LinkPersonForm(FormDialog):
    """Subclasses give the roles (key, title), what to say when no role is chosen, and the request."""

    roles: tuple[tuple[str, str], ...] = ()
    role_problem = "Choose the person's role."
    person_problem = "Choose the person (Alt+H)."

    def __init__(self, parent: QWidget | None, writes: Writes | None, title: str, name: str,
                 choose_person: Callable[[Callable[[dict[str, Any]], None]], None]) -> None:
        super().__init__(parent, writes, title, f"{name}Dialog")
        self.person: dict[str, Any] | None = None
        self.link_id = str(uuid.uuid4())
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.person_label = QLabel("No one chosen yet.")
        self.person_label.setObjectName(f"{name}Chosen")
        self.person_label.setWordWrap(True)
        self.choose_button = QPushButton("C&hoose person…")
        self.choose_button.setObjectName(f"{name}ChooseButton")
        self.choose_button.setAccessibleName("Person: no one chosen yet. Choose person")
        row_layout.addWidget(self.person_label, 1)
        row_layout.addWidget(self.choose_button)
        self.form.addRow("Person:", row)
        self.form.addRow("", self.field_error("person_id", self.choose_button))
        self.choose_button.clicked.connect(lambda: choose_person(self.set_person))
        self.role_combo = QComboBox()
        for key, title_text in self.roles:
            self.role_combo.addItem(title_text, key)
        nothing_chosen(self.role_combo, "Choose the role")
        self.add_row("&Role:", self.role_combo, "role", name=f"{name}RoleCombo")
        self.main_field = "person_id"
        self.choose_button.setFocus()

    def set_person(self, person: dict[str, Any]) -> None:
        self.person = person
        self.person_label.setText(person_line(person))
        self.choose_button.setAccessibleName(f"Person: {person_line(person)}. Choose another person")
        self.errors["person_id"].clear_problem()
        self.dirty = True
        self.raise_()
        self.activateWindow()
        self.role_combo.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        if self.person is None:
            problems.append(("person_id", self.person_problem))
        if self.role_combo.currentIndex() < 0:
            problems.append(("role", self.role_problem))
        return problems

    def link_body(self) -> dict[str, Any]:
        assert self.person is not None
        return {"id": self.link_id, "person_id": self.person["id"], "role": self.role_combo.currentData()}
