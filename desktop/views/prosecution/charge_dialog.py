"""Custody > Charge…: numbered charges from the offence catalogue, the caution on charge and the reply, the
bail or remand decision and the first hearing. Keyboard only: type to search the offence, Tab through the
fields the offence's wording needs, Return charges, Escape cancels. Problems appear beside their field, are
read out, and focus moves to the first; a refusal from the server re-opens the dialog with everything typed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QDateEdit, QDateTimeEdit,
                               QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLayout, QLineEdit,
                               QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from domain.charging import FIELD_LABELS, DateRange, render_particulars
from desktop.announcer import announce
from desktop.views.forms.dialog import WriteDialog, fit_on_screen
from desktop.views.forms.field_error import FieldError
from desktop.views.forms.fields import LONDON, MINUTES_AND_ZONE, DateEdit, datetime_edit, nothing_chosen, to_utc

BAIL_CHOICES = (("unconditional_bail", "Unconditional bail"), ("conditional_bail", "Conditional bail"),
                ("remanded_in_custody", "Remanded in custody"))
MODE_TITLES = {"summary": "Summary only", "either_way": "Either way", "indictable_only": "Indictable only"}


def _label(field: str) -> str:
    text = FIELD_LABELS.get(field, field.replace("_", " "))
    return text[0].upper() + text[1:]


def offence_label(o: dict[str, Any]) -> str:
    text = f"{o['code']} — {o['title']}"
    if o.get("effective_from") or o.get("effective_to"):
        text += f" (in force {o.get('effective_from') or '…'} to {o.get('effective_to') or 'now'})"
    return text


def _utc(edit: QDateTimeEdit) -> datetime:
    return to_utc(edit)


def _set_utc(edit: QDateTimeEdit, at: datetime) -> None:
    edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(at.timestamp() * 1000), LONDON))


def _date(edit: QDateEdit) -> date:
    day = edit.date().toPython()
    assert isinstance(day, date)  # QDate.toPython() gives a date; the stubs say object
    return day


def _plain(edit: QPlainTextEdit, name: str, description: str) -> QPlainTextEdit:
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setAccessibleDescription(description)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 3)
    edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * 6)
    return edit


class ChargeEditor(QGroupBox):
    """One charge: the offence, its date or date range, and the particulars its wording needs."""

    def __init__(self, dialog: ChargeDialog, number: int):
        super().__init__()
        self.dialog = dialog
        self.values: dict[str, str] = {}  # every particular typed, kept when the offence changes
        self.fields: dict[str, QLineEdit] = {}
        self.field_errors: dict[str, FieldError] = {}

        self.offence_combo = QComboBox()
        self.offence_combo.setEditable(True)
        self.offence_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Not as wide as the longest title: the dialog must fit a 200% font without scrolling sideways.
        self.offence_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.offence_combo.setMinimumContentsLength(24)
        for o in dialog.offences:
            self.offence_combo.addItem(offence_label(o), o)
        self.offence_combo.setCurrentIndex(-1)
        self.offence_combo.setEditText("")
        typed = self.offence_combo.lineEdit()
        assert typed is not None  # an editable combo box has its line edit
        typed.setPlaceholderText("Type a code or words of the title, e.g. theft shop")
        typed.setObjectName("chargeOffenceText")
        completer = QCompleter(self.offence_combo.model(), self.offence_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.offence_combo.setCompleter(completer)
        self.offence_combo.currentIndexChanged.connect(self._offence_changed)
        completer.activated[str].connect(self._completed)  # type: ignore[index]  # stubs lack overload selection
        typed.editingFinished.connect(self._code_typed)

        self.statement_label = QLabel("Choose an offence to see its statement and the particulars it needs.")
        self.statement_label.setWordWrap(True)
        self.statement_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                     | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.date_edit = DateEdit(QDate.currentDate())  # the one date field: Tab leaves it in one press
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.range_check = QCheckBox("Over a ran&ge of dates")
        self.end_edit = DateEdit(QDate.currentDate())
        self.end_edit.setCalendarPopup(True)
        self.end_edit.setDisplayFormat("dd/MM/yyyy")
        self.end_edit.setEnabled(False)
        self.range_check.toggled.connect(self.end_edit.setEnabled)
        for w in (self.date_edit, self.end_edit, self.range_check):
            (w.dateChanged if isinstance(w, QDateEdit) else w.toggled).connect(self._update_wording)
        self.wording_label = QLabel()
        self.wording_label.setWordWrap(True)
        self.wording_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                   | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remove_button = QPushButton()
        self.remove_button.setAutoDefault(False)  # Return anywhere charges; it never removes a charge
        self.remove_button.clicked.connect(lambda: dialog.remove_charge(self))

        self.offence_error = FieldError(self.offence_combo, "")
        self.date_error = FieldError(self.date_edit, "")
        self.end_error = FieldError(self.end_edit, "")
        self.particulars_error = FieldError(self.offence_combo, "")

        form = QFormLayout(self)
        self.form = form
        self.offence_label = QLabel("&Offence:")
        self.offence_label.setBuddy(self.offence_combo)
        form.addRow(self.offence_label, self.offence_combo)
        form.addRow("", self.offence_error)
        form.addRow("Statement:", self.statement_label)
        self.date_label = QLabel("Offence &date:")
        self.date_label.setBuddy(self.date_edit)
        dates = QHBoxLayout()
        dates.addWidget(self.date_edit)
        dates.addWidget(self.range_check)
        form.addRow(self.date_label, dates)
        form.addRow("", self.date_error)
        self.end_label = QLabel("Last date of the range:")
        self.end_label.setBuddy(self.end_edit)
        form.addRow(self.end_label, self.end_edit)
        form.addRow("", self.end_error)
        form.addRow("", self.particulars_error)
        form.addRow("Wording:", self.wording_label)
        form.addRow("", self.remove_button)
        self.renumber(number)

    # Numbering and names ------------------------------------------------------------------------------------
    def renumber(self, number: int) -> None:
        self.number = number
        self.setTitle(f"Charge {number}")
        self.setObjectName(f"chargeEditor{number}")
        self.offence_combo.setObjectName(f"chargeOffence{number}")
        self.offence_combo.setAccessibleName(f"Charge {number}: offence")
        self.offence_combo.setAccessibleDescription("Type a code or words of the title; Down lists the matches.")
        typed = self.offence_combo.lineEdit()
        if typed is not None:  # the line edit inside is what has the focus: a reader names it, not the combo
            typed.setAccessibleName(f"Charge {number}: offence")
            typed.setAccessibleDescription("Type a code or words of the title; Down lists the matches.")
        self.offence_combo.view().setAccessibleName(f"Charge {number}: offences")
        self.date_edit.setObjectName(f"chargeDate{number}")
        self.date_edit.setAccessibleName(f"Charge {number}: offence date")
        self.range_check.setObjectName(f"chargeRange{number}")
        self.range_check.setAccessibleName(f"Charge {number}: over a range of dates")
        self.end_edit.setObjectName(f"chargeDateEnd{number}")
        self.end_edit.setAccessibleName(f"Charge {number}: last date of the range")
        self.statement_label.setObjectName(f"chargeStatement{number}")
        self.wording_label.setObjectName(f"chargeWording{number}")
        self.wording_label.setAccessibleName(f"Charge {number}: wording")
        self.remove_button.setText(f"Remove charge {number}")
        self.remove_button.setObjectName(f"chargeRemove{number}")
        for name, error in (("Offence", self.offence_error), ("Date", self.date_error), ("DateEnd", self.end_error),
                            ("Particulars", self.particulars_error)):
            error.setObjectName(f"charge{name}Error{number}")
        for field, edit in self.fields.items():
            edit.setObjectName(f"chargeParticular{number}_{field}")
            edit.setAccessibleName(f"Charge {number}: {FIELD_LABELS.get(field, field.replace('_', ' '))}")
            self.field_errors[field].setObjectName(f"chargeParticularError{number}_{field}")

    # The offence and its particulars -----------------------------------------------------------------------
    @property
    def offence(self) -> dict[str, Any] | None:
        data: dict[str, Any] | None = self.offence_combo.currentData()
        if data is not None and self.offence_combo.currentText() == self.offence_combo.itemText(
                self.offence_combo.currentIndex()):
            return data
        return None

    def _completed(self, text: str) -> None:
        index = self.offence_combo.findText(text)
        if index >= 0:
            self.offence_combo.setCurrentIndex(index)

    def _code_typed(self) -> None:
        """A whole code typed and left (e.g. th68010 then Tab) chooses that offence, as picking it would."""
        text = self.offence_combo.currentText().strip().upper()
        if self.offence is None and text:
            self.choose(text)

    def choose(self, code: str) -> bool:
        for i in range(self.offence_combo.count()):
            if self.offence_combo.itemData(i)["code"] == code:
                self.offence_combo.setCurrentIndex(i)
                return True
        return False

    def _offence_changed(self, index: int) -> None:
        self._keep_values()
        # From the index: the edit text of an editable combo may not have caught up when this signal comes.
        o = self.offence_combo.itemData(index) if index >= 0 else None
        for field, edit in self.fields.items():
            # In the editor's own form (a nested form kept its first, empty height when a charge was added).
            self.form.removeRow(self.field_errors[field])
            self.form.removeRow(edit)
        self.fields.clear()
        self.field_errors.clear()
        if o is None:
            self.statement_label.setText("Choose an offence to see its statement and the particulars it needs.")
            self._update_wording()
            return
        unverified = " (statute wording unverified: check it)" if o.get("statement_unverified") else ""
        self.statement_label.setText(f"{o['statement']}{unverified} {o.get('mode_of_trial_title') or ''}.")
        for field in o.get("particulars_fields") or []:
            if field == "date":
                continue
            edit = QLineEdit(self.values.get(field, ""))
            edit.textChanged.connect(self._update_wording)
            if field == "value":
                edit.setPlaceholderText("pounds, e.g. 45.99")
            error = FieldError(edit, "")
            self.fields[field] = edit
            self.field_errors[field] = error
            label = QLabel(f"{_label(field)}:")
            label.setBuddy(edit)
            row = self.form.getWidgetPosition(self.particulars_error)[0]  # type: ignore[index]  # stubs: object
            self.form.insertRow(row, label, edit)
            self.form.insertRow(row + 1, QLabel(), error)
            # Shown now, not on the next event-loop turn, so a Tab pressed straight after choosing reaches it.
            label.setVisible(self.isVisible())
            edit.setVisible(self.isVisible())
        self.renumber(self.number)
        self._update_wording()
        self.dialog.fix_tab_order()

    def _keep_values(self) -> None:
        for field, edit in self.fields.items():
            self.values[field] = edit.text()

    def particulars(self) -> dict[str, str]:
        self._keep_values()
        return {f: e.text().strip() for f, e in self.fields.items()}

    def date_range(self) -> DateRange:
        return DateRange(_date(self.date_edit), _date(self.end_edit) if self.range_check.isChecked() else None)

    def _update_wording(self, *_args: object) -> None:
        o = self.offence
        if o is None:
            self.wording_label.setText("")
            return
        values: dict[str, object] = {k: v for k, v in self.particulars().items() if v}
        values["date"] = self.date_range()
        text, problems = render_particulars(o["particulars_template"], values)
        self.wording_label.setText(text or "Fill in the particulars to see the wording.")

    # Body and checks ---------------------------------------------------------------------------------------
    def body(self) -> dict[str, Any]:
        o = self.offence
        body = {"offence_code": o["code"] if o else self.offence_combo.currentText().split(" ")[0].strip(),
                "offence_date": _date(self.date_edit).isoformat(),
                "particulars": {k: v for k, v in self.particulars().items() if v}}
        if self.range_check.isChecked():
            body["offence_date_end"] = _date(self.end_edit).isoformat()
        return body

    def set_body(self, body: dict[str, Any]) -> None:
        self.values.update(body.get("particulars") or {})
        if not self.choose(body.get("offence_code", "")):
            self.offence_combo.setEditText(body.get("offence_code", ""))
        self.date_edit.setDate(QDate.fromString(body.get("offence_date", ""), Qt.DateFormat.ISODate))
        end = body.get("offence_date_end")
        self.range_check.setChecked(bool(end))
        if end:
            self.end_edit.setDate(QDate.fromString(end, Qt.DateFormat.ISODate))
        for field, edit in self.fields.items():
            edit.setText(self.values.get(field, ""))

    def problems(self, charged: date) -> list[tuple[FieldError, str]]:
        o = self.offence
        if o is None:
            return [(self.offence_error, f"Charge {self.number}: choose the offence from the list (type a code "
                                         "or words of the title).")]
        out: list[tuple[FieldError, str]] = []
        start, end = _date(self.date_edit), self.date_range().end
        if start > charged:
            out.append((self.date_error, "The offence date is after the charge; check the date."))
        if end is not None and end < start:
            out.append((self.end_error, "The last date of the range is before the first."))
        if not (o.get("effective_from") or "") <= start.isoformat() <= (o.get("effective_to") or "9999"):
            out.append((self.offence_error, f"{o['code']} was not in force on {start:%d/%m/%Y}; choose the "
                                            "version in force then."))
        for field, edit in self.fields.items():
            text = edit.text().strip()
            if not text:
                out.append((self.field_errors[field], f"Enter the {FIELD_LABELS.get(field, field)}; the charge "
                                                      "wording needs it."))
            elif field == "value":
                try:
                    ok = Decimal(text.lstrip("£").replace(",", "")) >= 0
                except InvalidOperation:
                    ok = False
                if not ok:
                    out.append((self.field_errors[field], "Give the value in pounds, e.g. 45.99."))
        return out

    def error_for(self, rest: str) -> FieldError:
        """The FieldError for a server field name below charges.N (offence_code, particulars.place, …)."""
        if rest.startswith("particulars."):
            return self.field_errors.get(rest.split(".", 1)[1], self.particulars_error)
        return {"offence_code": self.offence_error, "offence_date": self.date_error,
                "offence_date_end": self.end_error}.get(rest, self.particulars_error)

    def all_errors(self) -> list[FieldError]:
        return [self.offence_error, self.date_error, self.end_error, *self.field_errors.values(),
                self.particulars_error]


class ChargeDialog(WriteDialog):
    """On the forms base: problems beside their fields the one way. It closes when the charge is queued; the
    menu re-opens it with a 422's field errors (`show_server_errors`)."""

    problems_context = " before charging"
    noun = "charge"

    def __init__(self, record: dict[str, Any], offences: list[dict[str, Any]], caution_wording: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.record = record
        self.offences = sorted(offences, key=lambda o: (o["code"], o.get("effective_from") or ""))
        self.charge_id = str(uuid.uuid4())
        self.setObjectName("chargeDialog")
        name = (record.get("name") or
                f"{(record.get('person') or {}).get('surname', '').upper()}, "
                f"{(record.get('person') or {}).get('forenames', '')}")
        self.setWindowTitle(f"Charge {name} ({record.get('custody_number', '')})")
        self.editors: list[ChargeEditor] = []

        self.general_error.setObjectName("chargeGeneralError")

        # Follows now until set: an untouched time of charge is the moment Charge is pressed.
        self.charged_edit = datetime_edit("chargeChargedAt", None, display_format=MINUTES_AND_ZONE)
        self.charged_edit.setAccessibleDescription("When the charge was made, UK time. Defaults to now.")
        self.charged_error = FieldError(self.charged_edit, "chargeChargedAtError")

        self.charges_box = QWidget()
        self.charges_box.setObjectName("chargeList")
        self.charges_layout = QVBoxLayout(self.charges_box)
        self.add_button = QPushButton("&Add another charge")
        self.add_button.setObjectName("chargeAddButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_charge(focus=True))
        self.charges_error = FieldError(self.add_button, "chargeChargesError")

        caution = QGroupBox("Caution on charge and reply")
        caution.setObjectName("chargeCautionGroup")
        self.caution_text = QLabel(f"“{caution_wording}”")
        self.caution_text.setObjectName("chargeCautionWording")
        self.caution_text.setWordWrap(True)
        self.caution_check = QCheckBox("Caution on charge gi&ven")
        self.caution_check.setObjectName("chargeCautionGiven")
        self.caution_error = FieldError(self.caution_check, "chargeCautionError")
        self.reply_edit = _plain(QPlainTextEdit(), "chargeReply",
                                 "Exactly what the person said after charge, in their words. Leave empty if they "
                                 "made no reply.")
        self.reply_error = FieldError(self.reply_edit, "chargeReplyError")
        cf = QFormLayout(caution)
        cf.addRow(self.caution_text)
        cf.addRow(self.caution_check)
        cf.addRow("", self.caution_error)
        cf.addRow("&Reply after charge (verbatim; empty if none):", self.reply_edit)
        cf.addRow("", self.reply_error)

        bail = QGroupBox("Bail or remand")
        bail.setObjectName("chargeBailGroup")
        self.bail_combo = QComboBox()
        self.bail_combo.setObjectName("chargeBailDecision")
        for key, title in BAIL_CHOICES:
            self.bail_combo.addItem(title, key)
        # Nothing chosen until the sergeant chooses: a pre-selected release is an unsafe default (issue 13).
        nothing_chosen(self.bail_combo, "Choose bail or remand…")
        self.bail_combo.view().setAccessibleName("Bail decisions")
        self.bail_combo.currentIndexChanged.connect(self._bail_changed)
        self.bail_error = FieldError(self.bail_combo, "chargeBailDecisionError")
        self.conditions_edit = _plain(QPlainTextEdit(), "chargeBailConditions", "One condition per line.")
        self.conditions_error = FieldError(self.conditions_edit, "chargeBailConditionsError")
        self.reasons_edit = _plain(QPlainTextEdit(), "chargeBailReasons",
                                   "Why the conditions are needed, or the grounds for refusing bail (PACE s.38).")
        self.reasons_error = FieldError(self.reasons_edit, "chargeBailReasonsError")
        bf = QFormLayout(bail)
        bf.addRow("D&ecision:", self.bail_combo)
        bf.addRow("", self.bail_error)
        bf.addRow("Co&nditions (one per line):", self.conditions_edit)
        bf.addRow("", self.conditions_error)
        bf.addRow("Rea&sons:", self.reasons_edit)
        bf.addRow("", self.reasons_error)

        hearing = QGroupBox("First court hearing")
        hearing.setObjectName("chargeHearingGroup")
        self.court_edit = QLineEdit()
        self.court_edit.setObjectName("chargeCourt")
        self.court_edit.setPlaceholderText("e.g. Portharrow Magistrates' Court")
        self.court_error = FieldError(self.court_edit, "chargeCourtError")
        self.court_code_edit = QLineEdit()
        self.court_code_edit.setObjectName("chargeCourtCode")
        self.court_code_edit.setMaxLength(16)
        self.hearing_edit = datetime_edit("chargeHearingAt", None, display_format=MINUTES_AND_ZONE)
        day = QDate.currentDate().addDays(1)
        while day.dayOfWeek() > 5:
            day = day.addDays(1)
        self.hearing_edit.setDateTime(QDateTime(day, QTime(10, 0), LONDON))
        self.hearing_error = FieldError(self.hearing_edit, "chargeHearingAtError")
        hf = QFormLayout(hearing)
        hf.addRow("Co&urt:", self.court_edit)
        hf.addRow("", self.court_error)
        hf.addRow("Court code (o&ptional):", self.court_code_edit)
        hf.addRow("&Hearing date and time:", self.hearing_edit)
        hf.addRow("", self.hearing_error)

        content = QWidget()
        content.setObjectName("chargeContent")
        col = QVBoxLayout(content)
        # The content never shrinks below what its charges need: the scroll area scrolls instead of squeezing.
        col.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        top = QFormLayout()
        top.addRow("Charged a&t:", self.charged_edit)
        top.addRow("", self.charged_error)
        col.addWidget(self.general_error)
        col.addLayout(top)
        col.addWidget(self.charges_box)
        col.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        col.addWidget(self.charges_error)
        col.addWidget(caution)
        col.addWidget(bail)
        col.addWidget(hearing)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("chargeScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("chargeButtons")
        self.charge_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.charge_button.setText("&Charge")
        self.charge_button.setObjectName("chargeSubmitButton")
        self.charge_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("chargeCancelButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)

        self.add_charge()
        self._bail_changed()
        em, line = self.fontMetrics().horizontalAdvance("x"), self.fontMetrics().height()
        self.resize(em * 100, line * 48)
        self.editors[0].offence_combo.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.charge_button.setDefault(True)
        if not getattr(self, "_fitted", False):  # the form scrolls: the dialog itself stays on the screen
            self._fitted = True
            fit_on_screen(self, self.width(), self.height())

    # Charges ------------------------------------------------------------------------------------------------
    def add_charge(self, focus: bool = False) -> ChargeEditor:
        editor = ChargeEditor(self, len(self.editors) + 1)
        self.editors.append(editor)
        self.charges_layout.addWidget(editor)
        self._update_remove()
        self.fix_tab_order()
        if focus:
            editor.offence_combo.setFocus()
            announce(f"Charge {editor.number} added")
        return editor

    def remove_charge(self, editor: ChargeEditor) -> None:
        if len(self.editors) == 1:
            return
        index = self.editors.index(editor)
        self.editors.remove(editor)
        self.charges_layout.removeWidget(editor)
        editor.deleteLater()
        for n, e in enumerate(self.editors, 1):
            e.renumber(n)
        self._update_remove()
        self.fix_tab_order()
        self.editors[min(index, len(self.editors) - 1)].offence_combo.setFocus()
        announce(f"Charge removed; {len(self.editors)} charge{'s' if len(self.editors) != 1 else ''} left")

    def _update_remove(self) -> None:
        for e in self.editors:
            e.remove_button.setVisible(len(self.editors) > 1)

    def fix_tab_order(self) -> None:
        """Tab follows the page: each charge's fields in order, then the rest of the form."""
        chain: list[QWidget] = [self.charged_edit]
        for e in self.editors:
            chain += [e.offence_combo, e.date_edit, e.range_check, e.end_edit, *e.fields.values(), e.remove_button]
        chain += [self.add_button, self.caution_check, self.reply_edit, self.bail_combo, self.conditions_edit,
                  self.reasons_edit, self.court_edit, self.court_code_edit, self.hearing_edit]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _bail_changed(self, *_args: object) -> None:
        decision = self.bail_combo.currentData()
        self.conditions_edit.setEnabled(decision == "conditional_bail")

    # Body ---------------------------------------------------------------------------------------------------
    def body(self) -> dict[str, Any]:
        conditions = [c.strip() for c in self.conditions_edit.toPlainText().splitlines() if c.strip()]
        decision = self.bail_combo.currentData()
        return {
            "id": self.charge_id,
            "charged_at": _utc(self.charged_edit).isoformat(),
            "charges": [e.body() for e in self.editors],
            "caution_given": self.caution_check.isChecked(),
            "reply": self.reply_edit.toPlainText(),
            "bail": {"decision": decision, "conditions": conditions if decision == "conditional_bail" else [],
                     "reasons": self.reasons_edit.toPlainText().strip()},
            "hearing": {"court": self.court_edit.text().strip(), "court_code": self.court_code_edit.text().strip(),
                        "at": _utc(self.hearing_edit).isoformat()},
        }

    def set_body(self, body: dict[str, Any]) -> None:
        """Put a refused charge back exactly as typed (the same id, so a resend is the same request)."""
        self.charge_id = body.get("id", self.charge_id)
        charged = body.get("charged_at")
        if charged:
            _set_utc(self.charged_edit, datetime.fromisoformat(charged))
        wanted = body.get("charges") or [{}]
        while len(self.editors) < len(wanted):
            self.add_charge()
        for editor, item in zip(self.editors, wanted, strict=False):
            editor.set_body(item)
        self.caution_check.setChecked(bool(body.get("caution_given")))
        self.reply_edit.setPlainText(body.get("reply") or "")
        bail = body.get("bail") or {}
        index = self.bail_combo.findData(bail.get("decision"))
        if index >= 0:
            self.bail_combo.setCurrentIndex(index)
        self.conditions_edit.setPlainText("\n".join(bail.get("conditions") or []))
        self.reasons_edit.setPlainText(bail.get("reasons") or "")
        hearing = body.get("hearing") or {}
        self.court_edit.setText(hearing.get("court") or "")
        self.court_code_edit.setText(hearing.get("court_code") or "")
        if hearing.get("at"):
            _set_utc(self.hearing_edit, datetime.fromisoformat(hearing["at"]))

    # Problems -----------------------------------------------------------------------------------------------
    def all_errors(self) -> list[FieldError]:
        """In the order the fields appear, so the first problem gets the focus."""
        out = [self.charged_error]
        for e in self.editors:
            out += e.all_errors()
        return out + [self.charges_error, self.caution_error, self.reply_error, self.bail_error,
                      self.conditions_error, self.reasons_error, self.court_error, self.hearing_error]

    def clear_problems(self) -> None:
        super().clear_problems()
        for error in self.all_errors():
            error.clear_problem()

    def problems(self) -> list[tuple[FieldError, str]]:
        now = datetime.now(UTC)
        charged = _utc(self.charged_edit)
        out: list[tuple[FieldError, str]] = []
        if charged > now + timedelta(minutes=2):
            out.append((self.charged_error, "The time of charge is in the future; give the time it happened."))
        for e in self.editors:
            out += e.problems(charged.date())
        if not self.caution_check.isChecked():
            out.append((self.caution_error, "Caution the person on charge (Code C 16.2) and tick that you did."))
        decision = self.bail_combo.currentData()
        body = self.body()
        if decision is None:
            out.append((self.bail_error, "Choose the bail decision: unconditional bail, conditional bail or "
                                         "remanded in custody."))
        elif decision == "conditional_bail" and not body["bail"]["conditions"]:
            out.append((self.conditions_error, "Give at least one condition, one per line, or choose "
                                               "unconditional bail."))
        if decision not in (None, "unconditional_bail") and not body["bail"]["reasons"]:
            out.append((self.reasons_error, "Give the grounds for refusing bail (PACE s.38)."
                        if decision == "remanded_in_custody" else "Give the reasons for the conditions."))
        if not body["hearing"]["court"]:
            out.append((self.court_error, "Name the court of the first hearing."))
        if _utc(self.hearing_edit) <= now:
            out.append((self.hearing_error, "The first hearing must be in the future; check the date and time."))
        return out

    def show_problems(self, problems: Sequence[tuple[str | FieldError, str]]) -> None:
        """The base's way, in the order the fields appear (the first gets the focus and is read out)."""
        order = {id(e): i for i, e in enumerate(self.all_errors())}
        super().show_problems(sorted(problems, key=lambda p: order.get(id(p[0]), len(order))))

    def show_server_errors(self, field_errors: dict[str, str], detail: str = "") -> None:
        """A 422 from the server: each message beside the field it names (charges.1.particulars.place …)."""
        self.clear_problems()
        problems: list[tuple[FieldError | str, str]] = []
        simple = {"charged_at": self.charged_error, "charges": self.charges_error, "caution_given": self.caution_error,
                  "reply": self.reply_error, "bail.decision": self.bail_error, "bail.conditions": self.conditions_error,
                  "bail.reasons": self.reasons_error, "hearing.court": self.court_error,
                  "hearing.court_code": self.court_error, "hearing.at": self.hearing_error}
        for field, message in field_errors.items():
            if field in simple:
                problems.append((simple[field], message))
            elif field.startswith("charges."):
                parts = field.split(".", 2)
                if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self.editors):
                    problems.append((self.editors[int(parts[1])].error_for(parts[2]), message))
                else:
                    problems.append(("", message))
            else:
                problems.append(("", message))
        self.show_problems(problems or [("", detail or "The server refused the charge.")])

    def accept(self) -> None:
        self.clear_problems()
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        super().accept()
