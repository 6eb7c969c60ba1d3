"""Custody > Custody history… (Ctrl+Alt+H): find closed custody records by custody number, date range or the
selected person, and open one read-only.

Opening selects the closed record, so everything about it is where it always is: the Detainee log (Alt+1, read
only, saying why), the risk assessment (Alt+2), and File > Print preview: custody record (Ctrl+Shift+P) with
interviews and property. The search runs on a worker; the server audits it (who looked, and at which records).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.operations import Operations
from desktop.timefmt import format_local
from desktop.views.forms.dialog import fit_on_screen
from desktop.views.forms.fields import parse_day

OUTCOMES = {"charged": "Charged", "pre_charge_bail": "Pre-charge bail",
            "released_under_investigation": "Released under investigation", "no_further_action": "No further action",
            "remanded_for_court": "Remanded for court", "transferred": "Transferred"}


def episode_text(record: dict[str, Any]) -> str:
    outcome = OUTCOMES.get((record.get("disposal") or {}).get("outcome") or "", "outcome not recorded")
    offences = ", ".join(o.get("code", "") for o in record.get("offences") or []) or "no offence recorded"
    return (f"{record.get('custody_number')}: {record.get('name') or ''}; arrived "
            f"{format_local(record.get('arrived_at'))}, released {format_local(record.get('released_at'))}; "
            f"{offences}; {outcome}")


class CustodyHistoryDialog(QDialog):
    """Searches closed records and hands the chosen one to `open_record` (it saves nothing)."""

    opened = Signal(dict)

    def __init__(self, window: QWidget, client: Any, ops: Operations, *, person: dict[str, Any] | None,
                 open_record: Callable[[dict[str, Any]], None]):
        super().__init__(window)
        self.setObjectName("custodyHistoryDialog")
        self.setWindowTitle("Custody history")
        self.client, self.ops, self.open_record = client, ops, open_record
        self.person = person
        self.results: list[dict[str, Any]] = []
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("historyCustodyNumber")
        self.number_edit.setAccessibleDescription("All or part of the custody number, e.g. 000123.")
        self.from_edit = QLineEdit()
        self.from_edit.setObjectName("historyFrom")
        self.from_edit.setPlaceholderText("dd/mm/yyyy")
        self.from_edit.setAccessibleDescription("Arrived on or after this day (day/month/year); blank for any.")
        self.to_edit = QLineEdit()
        self.to_edit.setObjectName("historyTo")
        self.to_edit.setPlaceholderText("dd/mm/yyyy")
        self.to_edit.setAccessibleDescription("Arrived on or before this day (day/month/year); blank for any.")
        self.person_label = QLabel()
        self.person_label.setObjectName("historyPerson")
        self.person_label.setWordWrap(True)
        self.only_person = QPushButton()
        self.only_person.setObjectName("historyOnlyPerson")
        self.only_person.setCheckable(True)
        self.only_person.setAutoDefault(False)
        self.only_person.toggled.connect(self._person_toggled)
        self.problem = QLabel()
        self.problem.setObjectName("historyProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("historySearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.list = QListWidget()
        self.list.setObjectName("historyResults")
        self.list.setAccessibleName("Closed custody records found")
        self.list.setAccessibleDescription("Return opens the chosen record read-only.")
        self.list.itemActivated.connect(lambda _item: self.open_chosen())
        self.status = QLabel("Search closed custody records.")
        self.status.setObjectName("historyStatus")
        self.status.setWordWrap(True)
        self.open_button = QPushButton("&Open read-only")
        self.open_button.setObjectName("historyOpen")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_chosen)

        form = QFormLayout()
        for caption, widget in (("Custody &number:", self.number_edit), ("Arrived &from:", self.from_edit),
                                ("Arrived &to:", self.to_edit)):
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
            widget.setAccessibleName(caption.replace("&", "").rstrip(":"))
        form.addRow(self.person_label)
        form.addRow(self.only_person)
        buttons = QDialogButtonBox()
        buttons.addButton(self.search_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("historyClose")
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._show_person()
        self.number_edit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True
            hint = self.sizeHint()
            fit_on_screen(self, max(720, hint.width()), max(480, hint.height()))

    def _show_person(self) -> None:
        person = self.person or {}
        name = f"{(person.get('surname') or '').upper()}, {person.get('forenames') or ''}".strip(", ")
        self.only_person.setVisible(bool(person.get("id")))
        self.person_label.setVisible(bool(person.get("id")))
        self.person_label.setText(f"Selected detainee: {name}" if name else "")
        self.only_person.setText("Only this &person's records" if name else "")
        self.only_person.setAccessibleName(f"Only {name}'s records")

    def _person_toggled(self, on: bool) -> None:
        announce(f"Searching {'only this person' if on else 'everyone'}'s closed records.")

    def say_problem(self, message: str, field: QWidget) -> None:
        self.problem.setText(f"Problem: {message}")
        self.problem.setVisible(True)
        field.setAccessibleDescription(message)
        field.setFocus()
        announce(message, assertive=True)

    def params(self) -> dict[str, str] | None:
        self.problem.setVisible(False)
        params: dict[str, str] = {}
        if number := self.number_edit.text().strip():
            params["custody_number"] = number
        for key, edit in (("from", self.from_edit), ("to", self.to_edit)):
            text = edit.text().strip()
            if text:
                day = parse_day(text)
                if day is None:
                    self.say_problem(f"'{text}' is not a date: type day/month/year, e.g. 21/11/2026.", edit)
                    return None
                params[key] = day.isoformat()
        if "from" in params and "to" in params and params["to"] < params["from"]:
            self.say_problem("The end of the date range is before its start.", self.to_edit)
            return None
        if self.only_person.isChecked() and self.person:
            params["person_id"] = self.person["id"]
        return params

    def search(self) -> None:
        params = self.params()
        if params is None:
            return
        client = self.client
        self.status.setText("Searching…")
        self.ops.run(lambda: client.request("GET", "/custody/history", params=params), on_done=self._found,
                     on_error=self._failed, owner=self)

    def _found(self, results: list[dict[str, Any]]) -> None:
        self.results = list(results or [])
        self.list.clear()
        for record in self.results:
            item = QListWidgetItem(episode_text(record))
            item.setData(Qt.ItemDataRole.UserRole, record["id"])
            self.list.addItem(item)
        count = len(self.results)
        text = (f"{count} closed custody record{'s' if count != 1 else ''} found." if count
                else "No closed custody records match.")
        self.status.setText(text)
        announce(text)
        if count:
            self.list.setCurrentRow(0)
            self.list.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"The search failed: {exc}")
        announce(f"The search failed: {exc}", assertive=True)

    def open_chosen(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.results):
            announce("Search, then choose a record to open.", assertive=True)
            return
        record = self.results[row]
        self.accept()  # closed first, so the focus can go to the main window's log
        self.open_record(record)
        self.opened.emit(record)
