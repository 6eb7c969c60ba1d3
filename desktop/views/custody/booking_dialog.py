"""Custody > Book in… (Ctrl+B): the person, the arrest, the offences, the s.41 relevant time (computed live, with
its basis in words) and, for a custody sergeant, the decision to authorise or refuse detention.

Keyboard only: fields in the order the form is read, mnemonics on every label, Return books in (Return in the
offence field adds the offence instead), Escape asks before throwing typed work away. Problems appear beside
their field, are read out, and focus moves to the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QWidget)

from desktop.announcer import announce
from desktop.areas import PersonPicking
from desktop.models.person_text import marker_summary, person_line
from desktop.timefmt import format_local, local, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, parse_day, set_utc, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.offences import Catalogue, Offence, code_problem, normalise_code
from domain.pace_clock import ArrivalRoute, booking_time_errors, relevant_time
from domain.people import GENDERS, dob_problem
from domain.roles import Role

ROUTES = ((ArrivalRoute.ARRESTED_ELSEWHERE, "Arrested and brought to the station"),
          (ArrivalRoute.VOLUNTARY_ATTENDER, "Voluntary attender arrested at the station"),
          (ArrivalRoute.FROM_ANOTHER_AREA, "Arrested here while held in another police area (s.41(5))"))
DECISIONS: tuple[tuple[str | None, str], ...] = (
    (None, "Not decided yet"), ("authorised", "Detention authorised"), ("refused", "Detention refused"))


def offence_text(o: Offence) -> str:
    return f"{o.code} — {o.title}"


def person_card(person: dict[str, Any]) -> str:
    """What booking in shows of a known person: identity, addresses and warning markers (for the risk
    assessment), as text a screen reader reads in one go."""
    addresses = "; ".join(", ".join(x for x in (a.get("line1"), a.get("line2"), a.get("town"), a.get("postcode")) if x)
                          for a in person.get("addresses") or [] if not a.get("to_date")) or "none recorded"
    return f"Existing person: {person_line(person)}. Addresses: {addresses}. {marker_summary(person)}"


class _ReturnAdds(QObject):
    """Return in the offence field adds the offence (when something is typed) instead of booking in."""

    def __init__(self, dialog: "BookingDialog"):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.dialog.offence_edit.text().strip()):
            popup = self.dialog.completer.popup()
            if popup is not None and popup.isVisible():
                current = popup.currentIndex()
                text = current.data() if current.isValid() else self.dialog.completer.currentCompletion()
                popup.hide()
                if text:
                    self.dialog.offence_edit.setText(text)
            self.dialog.add_offence()
            return True
        return False


class _DeleteRemoves(QObject):
    def __init__(self, dialog: "BookingDialog"):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            self.dialog.remove_offence()
            return True
        return False


class BookingDialog(CustodyDialog):
    save_text = "Book in"  # the default button: Return

    def __init__(self, window: QWidget, catalogue: Catalogue, *, writes: Writes,
                 person_picker: Callable[[QWidget], PersonPicking],
                 roles: frozenset[str] = frozenset(), suite: dict[str, Any] | None = None):
        super().__init__(window, None, "Book in a detainee", "bookingDialog", scroll=True, writes=writes)
        # Issue 15: the workstation's suite; its free cells are offered (set_cells), none chosen for the officer.
        self.suite = suite
        self.catalogue = catalogue
        self.roles = roles
        self.record_id = str(uuid.uuid4())
        self.person_id = str(uuid.uuid4())
        self.existing_person: dict[str, Any] | None = None
        self.chosen: list[Offence] = []
        by_text = sorted(catalogue.all(), key=lambda o: (o.code, o.effective_from or date.min))
        self.offence_choices = {offence_text(o): o for o in by_text}

        # The person ------------------------------------------------------------------------------------------
        self.person_box = QGroupBox("Person")
        self.person_box.setObjectName("bookingPersonBox")
        self.existing_label = QLabel()
        self.existing_label.setObjectName("bookingExistingPerson")
        self.existing_label.setWordWrap(True)
        self.existing_label.setVisible(False)
        self.form.addRow(self.existing_label)
        # "Enter once": choose a known person from the people records (the people area's picker, via Links).
        # Made before the fields it fills, so it is first on screen, in the Tab order and in the reader's tree.
        self._add_picker(person_picker)
        self.surname_edit = QLineEdit()
        self.forenames_edit = QLineEdit()
        # Typed, never pre-filled: a made-up 01/01/2000 would be saved as this person's date of birth.
        self.dob_edit = QLineEdit()
        self.dob_edit.setPlaceholderText("DD/MM/YYYY")
        self.dob_edit.setAccessibleDescription("Date of birth, day/month/year, for example 11/04/1988.")
        self.gender_combo = QComboBox()
        for key, title in GENDERS.items():
            self.gender_combo.addItem(title, key)
        self.gender_combo.setCurrentIndex(list(GENDERS).index("not_known"))
        self.add_row("&Surname:", self.surname_edit, "person.surname", name="bookingSurname")
        self.add_row("&Forenames:", self.forenames_edit, "person.forenames", name="bookingForenames")
        self.add_row("Date of &birth:", self.dob_edit, "person.date_of_birth", name="bookingDateOfBirth")
        self.add_row("&Gender:", self.gender_combo, "person.gender", name="bookingGender")
        self.errors["person"] = self.errors["person.surname"]
        self.errors["person_id"] = self.errors["person.surname"]

        # The arrest --------------------------------------------------------------------------------------------
        self.route_combo = QComboBox()
        for route, title in ROUTES:
            self.route_combo.addItem(title, route.value)
        self.arrested_edit = datetime_edit("bookingArrestedAt", "When the person was arrested.")
        self.place_edit = QLineEdit()
        self.place_edit.setMaxLength(300)
        self.officer_edit = QLineEdit()
        self.officer_edit.setMaxLength(200)
        self.officer_edit.setPlaceholderText("e.g. PC 1234 Ambrose Teller")
        self.arrived_edit = datetime_edit("bookingArrivedAt", "When the person arrived at the first station.")
        self.left_area_edit = datetime_edit("bookingLeftFirstArea", "When the person left detention in the "
                                            "first police area.")
        self.add_row("Arrival ro&ute:", self.route_combo, "arrival_route", name="bookingRoute")
        self.add_row("&Time of arrest:", self.arrested_edit, "arrested_at")
        self.add_row("&Place of arrest:", self.place_edit, "arrest_place", name="bookingArrestPlace")
        self.add_row("Arresting &officer:", self.officer_edit, "arresting_officer", name="bookingArrestingOfficer")
        self.add_row("Arrival at stat&ion:", self.arrived_edit, "arrived_at")
        self.add_row("&When they left the first area:", self.left_area_edit, "left_first_area_at")

        # Offences ------------------------------------------------------------------------------------------------
        self.offence_edit = QLineEdit()
        self.offence_edit.setPlaceholderText("Type a code or words of the title, then Return to add")
        self.offence_edit.setAccessibleDescription("Type to search the offence catalogue; Down lists matches; "
                                                   "Return adds the offence to the list below.")
        self.completer = QCompleter(list(self.offence_choices), self)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        matches = self.completer.popup()
        assert matches is not None  # Qt makes the list when first asked for it
        matches.setObjectName("bookingOffenceMatches")
        matches.setAccessibleName("Matching offences")
        self.offence_edit.setCompleter(self.completer)
        self.offence_edit.installEventFilter(_ReturnAdds(self))
        # With the matches open, QCompleter hands Return to the field past event filters: add it then too (issue 6)
        self.offence_edit.returnPressed.connect(self.add_offence)
        self.add_button = QPushButton("&Add offence")
        self.add_button.setObjectName("bookingAddOffence")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_offence)
        row = QWidget()
        row.setObjectName("bookingOffenceRow")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.offence_edit, 1)
        line.addWidget(self.add_button)
        caption = QLabel("Off&ence:")
        caption.setBuddy(self.offence_edit)
        self.offence_edit.setObjectName("bookingOffenceSearch")
        self.offence_edit.setAccessibleName("Offence")
        self.form.addRow(caption, row)
        self.offence_list = QListWidget()
        self.offence_list.setAccessibleDescription("Offences for this arrest. Delete removes the selected one.")
        self.offence_list.installEventFilter(_DeleteRemoves(self))
        self.offence_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.add_row("Offences &chosen:", self.offence_list, "offences", name="bookingOffences")
        self.errors["offence_search"] = self.errors["offences"]

        self.reason_edit = text_edit("bookingArrestReason", "Why the person was arrested.")
        self.necessity_edit = text_edit("bookingNecessity", "Why the arrest was necessary (PACE Code G).")
        self.add_row("&Reason for arrest:", self.reason_edit, "arrest_reason")
        self.add_row("&Necessity of arrest:", self.necessity_edit, "arrest_necessity")
        self.vulnerable_check = QCheckBox("&Vulnerable adult (needs an appropriate adult)")
        self.under18_check = QCheckBox("Appears under 1&8 (no clear evidence of age)")
        self.add_row("", self.vulnerable_check, "vulnerable", name="bookingVulnerable")
        self.add_row("", self.under18_check, "appears_under_18", name="bookingUnder18")
        self.cell_edit = QLineEdit()
        self.cell_edit.setMaxLength(20)
        self.cell_combo = QComboBox()
        if suite is None:
            self.add_row("Ce&ll:", self.cell_edit, "cell", name="bookingCell")
        else:
            self.cell_edit.setVisible(False)
            self.cell_combo.setAccessibleDescription(f"The free cells of {suite.get('name')}; each says its type.")
            self.add_row("Ce&ll:", self.cell_combo, "cell_id", name="bookingCellCombo")
            self.errors["cell"] = self.errors["cell_id"]
            self.cell_combo.addItem("Loading the free cells…", None)

        self.relevant_label = QLabel()
        self.relevant_label.setObjectName("bookingRelevantTime")
        self.relevant_label.setWordWrap(True)
        self.relevant_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                    | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.relevant_label.setAccessibleName("Relevant time")
        self.form.addRow("Relevant time:", self.relevant_label)

        # Detention decision (custody sergeant only) ------------------------------------------------------------------
        self.decision_combo = QComboBox()
        for decision, title in DECISIONS:
            self.decision_combo.addItem(title, decision)
        self.grounds_edit = text_edit("bookingGrounds", "The grounds for authorising or refusing detention.")
        self.decided_edit = datetime_edit("bookingDecidedAt", "When detention was authorised or refused.")
        self.add_row("&Detention:", self.decision_combo, "detention.decision", name="bookingDecision")
        self.add_row("Grounds for t&he decision:", self.grounds_edit, "detention.grounds")
        self.add_row("Decision ti&me:", self.decided_edit, "detention.decided_at")
        self.errors["detention"] = self.errors["detention.decision"]
        self.sergeant = Role.CUSTODY_SERGEANT in roles
        for widget in (self.decision_combo, self.grounds_edit, self.decided_edit):
            self.set_row_visible(widget, self.sergeant)

        for widget in (self.route_combo, self.arrested_edit, self.arrived_edit, self.left_area_edit):
            self.watch(widget)
            (widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.dateTimeChanged).connect(
                self.update_relevant_time)
        self.decision_combo.currentIndexChanged.connect(self._decision_changed)
        self._decision_changed()
        self.update_relevant_time()
        self.fix_tab_order()
        self.dirty = False
        self.surname_edit.setFocus()

    # Hook for the people engineer ("enter once") ---------------------------------------------------------------
    def _add_picker(self, make_picker: Callable[[QWidget], PersonPicking]) -> None:
        """A 'Choose a known person…' button at the top of the form. Choosing fills the form (`set_person`) and
        shows the person's addresses and warning markers (active markers are what the risk assessment must
        consider)."""
        button = QPushButton("Choose a &known person…")
        button.setObjectName("bookingChoosePersonButton")
        button.setAutoDefault(False)
        button.setAccessibleDescription("Find the person in the people records, so their details are not typed "
                                        "again.")
        self.person_picker = make_picker(self)

        def picked(person: dict[str, Any]) -> None:
            self.set_person(person)
            card = person_card(person)
            self.existing_label.setText(card)
            self.existing_label.setVisible(True)
            self.existing_label.setAccessibleName(card)

        self.person_picker.picked.connect(picked)
        button.clicked.connect(lambda: self.person_picker.start(" ".join(
            x for x in (self.forenames_edit.text().strip(), self.surname_edit.text().strip()) if x)))
        self.form.addRow(button)
        self.choose_person_button = button

    def set_person(self, person: dict[str, Any] | None) -> None:
        """Book in an existing person (a dict with at least id, surname, forenames, date_of_birth) chosen by a
        person picker; None goes back to typing a new person."""
        self.existing_person = person
        existing = person is not None and bool(person.get("id"))
        for widget in (self.surname_edit, self.forenames_edit, self.dob_edit, self.gender_combo):
            widget.setEnabled(not existing)
        if person is not None:
            self.surname_edit.setText(person.get("surname") or "")
            self.forenames_edit.setText(person.get("forenames") or "")
            if person.get("date_of_birth"):
                self.dob_edit.setText(date.fromisoformat(person["date_of_birth"]).strftime("%d/%m/%Y"))
            if person.get("gender") in GENDERS:
                self.gender_combo.setCurrentIndex(list(GENDERS).index(person["gender"]))
        self.existing_label.setText(f"Existing person: {(person or {}).get('surname', '').upper()}, "
                                    f"{(person or {}).get('forenames', '')}" if existing else "")
        self.existing_label.setVisible(existing)

    # Live pieces ---------------------------------------------------------------------------------------------
    @property
    def route(self) -> ArrivalRoute:
        return ArrivalRoute(self.route_combo.currentData())

    @property
    def date_of_birth(self) -> date | None:
        return parse_day(self.dob_edit.text())

    def update_relevant_time(self, *_args: object) -> None:
        route = self.route
        self.set_row_visible(self.left_area_edit, route is ArrivalRoute.FROM_ANOTHER_AREA)
        self.set_row_visible(self.arrived_edit, True)
        try:
            rt = relevant_time(route=route, arrested_at=to_utc(self.arrested_edit),
                               arrived_at=to_utc(self.arrived_edit),
                               left_first_area_at=to_utc(self.left_area_edit))
        except ValueError as exc:
            self.relevant_label.setText(str(exc))
            return
        self.relevant_label.setText(f"{format_local(rt.at)} — basis: {rt.basis}")
        self.relevant_label.setAccessibleDescription(f"Relevant time {format_local(rt.at)}, basis: {rt.basis}")

    def _decision_changed(self, *_args: object) -> None:
        deciding = self.sergeant and self.decision_combo.currentData() is not None
        self.grounds_edit.setEnabled(deciding)
        self.decided_edit.setEnabled(deciding)

    def add_offence(self) -> None:
        text = self.offence_edit.text().strip()
        offence = self.offence_choices.get(text)
        if offence is None:
            matches = [o for t, o in self.offence_choices.items() if text.lower() in t.lower()]
            code = normalise_code(text.split(" ")[0]) if text else ""
            exact = [o for o in matches if o.code == code]
            offence = exact[0] if exact else matches[0] if len(matches) == 1 else None
        if offence is None:
            problem = code_problem(text.split(" ")[0]) if text else "Type an offence code or words of its title."
            self.errors["offences"].show_problem(problem or f"'{text}' is not in the offence catalogue; type a code "
                                                 "or words of the title and choose from the list.", focus=False)
            self.offence_edit.setFocus()
            return
        if offence.code in (o.code for o in self.chosen):
            announce(f"{offence.code} is already in the list.")
            self.offence_edit.clear()
            return
        self.chosen.append(offence)
        item = QListWidgetItem(offence_text(offence))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, offence_text(offence))
        self.offence_list.addItem(item)
        self.offence_edit.clear()
        self.errors["offences"].clear_problem()
        self.dirty = True
        announce(f"Added {offence_text(offence)}. {len(self.chosen)} offence{'s' if len(self.chosen) != 1 else ''}.")

    def remove_offence(self) -> None:
        row = self.offence_list.currentRow()
        if row < 0:
            return
        removed = self.chosen.pop(row)
        self.offence_list.takeItem(row)
        announce(f"Removed {removed.code}.")

    def fix_tab_order(self) -> None:
        order = [self.choose_person_button, self.surname_edit, self.forenames_edit, self.dob_edit, self.gender_combo,
                 self.route_combo,
                 self.arrested_edit, self.place_edit, self.officer_edit, self.arrived_edit, self.left_area_edit,
                 self.offence_edit, self.add_button, self.offence_list, self.reason_edit, self.necessity_edit,
                 self.vulnerable_check, self.under18_check,
                 self.cell_edit if self.suite is None else self.cell_combo, self.decision_combo, self.grounds_edit,
                 self.decided_edit, self.save_button, self.cancel_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    # Checks and body -------------------------------------------------------------------------------------------
    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.existing_person is None or not self.existing_person.get("id"):
            if not self.surname_edit.text().strip():
                out.append(("person.surname", "Enter the surname."))
            if not self.forenames_edit.text().strip():
                out.append(("person.forenames", "Enter the forenames."))
            dob = self.date_of_birth
            if not self.dob_edit.text().strip():
                out.append(("person.date_of_birth", "Enter the date of birth as DD/MM/YYYY."))
            elif dob is None:
                out.append(("person.date_of_birth", "Write the date of birth as DD/MM/YYYY, for example 11/04/1988."))
            elif problem := dob_problem(dob, local(utc_now()).date()):
                out.append(("person.date_of_birth", problem))
        route = self.route
        times = booking_time_errors(now=utc_now(), arrested_at=to_utc(self.arrested_edit),
                                    arrived_at=to_utc(self.arrived_edit), route=route)
        out.extend((e.field, e.message) for e in times)
        if route is ArrivalRoute.FROM_ANOTHER_AREA and to_utc(self.left_area_edit) > utc_now():
            out.append(("left_first_area_at", "This time is in the future; check the date and time."))
        if not self.place_edit.text().strip():
            out.append(("arrest_place", "Enter where the person was arrested."))
        if not self.officer_edit.text().strip():
            out.append(("arresting_officer", "Enter the arresting officer (rank, number and name)."))
        if self.offence_edit.text().strip():
            out.append(("offences", f"'{self.offence_edit.text().strip()}' has not been added: press Return in the "
                                    "offence field to add it, or clear the field."))
        elif not self.chosen:
            out.append(("offences", "Add at least one offence from the catalogue."))
        arrest_day = to_utc(self.arrested_edit).date()
        for o in self.chosen:
            if self.catalogue.lookup(o.code, arrest_day) is None:
                out.append(("offences", f"{o.code} was not in force on the day of arrest."))
        if not self.reason_edit.toPlainText().strip():
            out.append(("arrest_reason", "Give the reason for the arrest."))
        if not self.necessity_edit.toPlainText().strip():
            out.append(("arrest_necessity", "Say why the arrest was necessary."))
        if self.suite is not None and self.cell_combo.currentData() is None:
            out.append(("cell_id", "Choose a free cell, or 'No cell yet' if the detainee is still at the desk."))
        if self.sergeant and self.decision_combo.currentData() is not None:
            if not self.grounds_edit.toPlainText().strip():
                out.append(("detention.grounds", "Give the grounds for the decision on detention."))
            if to_utc(self.decided_edit) < to_utc(self.arrived_edit):
                out.append(("detention.decided_at", "The decision cannot be before arrival at the station."))
            elif to_utc(self.decided_edit) > utc_now():
                out.append(("detention.decided_at", "This time is in the future; check the date and time."))
        order = list(self.errors)
        return sorted(out, key=lambda p: order.index(p[0]) if p[0] in order else len(order))

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"id": self.record_id}
        if self.existing_person is not None and self.existing_person.get("id"):
            body["person_id"] = self.existing_person["id"]
        else:
            body["person"] = {"id": self.person_id, "surname": value_of(self.surname_edit),
                              "forenames": value_of(self.forenames_edit),
                              "date_of_birth": dob.isoformat() if (dob := self.date_of_birth) else None,
                              "gender": self.gender_combo.currentData()}
        body.update({
            "arrived_at": to_utc(self.arrived_edit).isoformat(), "arrested_at": to_utc(self.arrested_edit).isoformat(),
            "arrest_place": value_of(self.place_edit), "arresting_officer": value_of(self.officer_edit),
            "offences": [o.code for o in self.chosen], "arrest_reason": value_of(self.reason_edit),
            "arrest_necessity": value_of(self.necessity_edit), "arrival_route": self.route.value,
            "vulnerable": self.vulnerable_check.isChecked(), "appears_under_18": self.under18_check.isChecked(),
            "cell": value_of(self.cell_edit) or None,
        })
        if self.suite is not None:
            body.pop("cell")
            body["suite_id"] = self.suite.get("id")
            if self.cell_combo.currentData():
                body["cell_id"] = self.cell_combo.currentData()
        if self.route is ArrivalRoute.FROM_ANOTHER_AREA:
            body["left_first_area_at"] = to_utc(self.left_area_edit).isoformat()
        if self.sergeant and self.decision_combo.currentData() is not None:
            body["detention"] = {"decision": self.decision_combo.currentData(),
                                 "grounds": value_of(self.grounds_edit),
                                 "decided_at": to_utc(self.decided_edit).isoformat()}
        return "POST", "/custody/records", body

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        problems = super().refusal_problems(error)
        status = getattr(error, "status", None)
        body = getattr(error, "body", {}) or {}
        cell_problems = [(e.get("field"), e.get("message")) for e in body.get("errors") or []
                         if e.get("field") in ("cell_id", "cell", "suite_id")]
        if status == 409 and cell_problems:
            # The cell was taken (another sergeant booked into it) or went out of use: the suite's cells as they
            # are now come with the refusal, so the choice is offered again with what is free.
            if (current := body.get("current")) and isinstance(current.get("cells"), list):
                self.set_cells(current["cells"])
            return [("cell_id", str(message)) for _field, message in cell_problems]
        if status == 409:
            current = body.get("current") or {}
            number = current.get("custody_number") or "an open record"
            return [("person", f"This person already has an open custody record ({number}); find them on the "
                               "custody board instead of booking them in again.")]
        return problems

    def set_cells(self, cells: list[dict[str, Any]] | None) -> None:
        """The suite's cells as read: the free ones are offered, each with its type; nothing is chosen for the
        officer (a choice already made stays if that cell is still free)."""
        if self.suite is None:
            return
        combo, kept = self.cell_combo, self.cell_combo.currentData()
        combo.clear()
        if cells is None:
            combo.addItem("The cells could not be read: choose 'No cell yet' or try again", None)
            combo.addItem("No cell yet (at the desk)", "")
            return
        free = [c for c in cells if c.get("free_places", 0) > 0]
        combo.addItem(f"Choose a free cell ({len(free)} free)…" if free else "No cell is free", None)
        for cell in free:
            kind = str(cell.get("type") or "").replace("_", " ")
            places = cell.get("free_places", 0)
            extra = f", {places} places free" if cell.get("capacity", 1) > 1 else ""
            combo.addItem(f"{cell.get('number')} — {kind}{extra}", cell.get("id"))
        combo.addItem("No cell yet (at the desk)", "")
        index = combo.findData(kept) if kept else -1
        combo.setCurrentIndex(index if index > 0 else 0)

    def saved(self, response: dict[str, Any]) -> None:
        where = f" at {response.get('suite_name')}, cell {response.get('cell')}" if response.get("cell") and \
            response.get("suite_name") else ""
        announce(f"Booked in{where}: {response.get('name') or ''}, custody number {response.get('custody_number')}. "
                 f"Relevant time {format_local(response.get('relevant_time'))} "
                 f"({response.get('relevant_time_basis')}).")

    def set_times(self, *, arrested_at: datetime | None = None, arrived_at: datetime | None = None) -> None:
        """Tests and the person picker may preset times."""
        if arrested_at is not None:
            set_utc(self.arrested_edit, arrested_at)
        if arrived_at is not None:
            set_utc(self.arrived_edit, arrived_at)
