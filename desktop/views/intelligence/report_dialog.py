"""Intelligence report dialogs: submit (3x5x2 grading, each code's meaning beside it and as the accessible
description), re-grade (history kept, reason required), view (sanitised text apart from the original, which
non-intelligence roles never see) and supervisor QA."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar


from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QTextBrowser, QVBoxLayout,
                               QWidget)

from desktop.announcer import announce
from desktop.models.intelligence.intel_model import STATUS_TITLES, GradingHistoryModel, grading_spoken, meaning
from desktop.models.person_text import full_name, officer
from desktop.timefmt import format_local
from desktop.views.forms.dialog import WriteDialog
from desktop.views.forms.field_error import FieldError
from desktop.views.forms.fields import name_choice_lists
from desktop.views.forms.tables import make_table
from domain.grading import (HANDLING_MEANINGS, INTELLIGENCE_MEANINGS, SOURCE_MEANINGS, validate_grading)
from domain.roles import INTELLIGENCE_ROLES

if TYPE_CHECKING:
    from desktop.writes import Writes

RESTRICTED_ORIGINAL = ("Restricted: the original text is seen only by intelligence officers and supervisors "
                       "(need to know). The sanitised text is shown above.")
MAX_ITEMS = 10
_Code = TypeVar("_Code", bound=StrEnum)  # one of the grading code lists


def _text_edit(name: str, lines: int = 4) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines)
    return edit


class CodeChoice(QComboBox):
    """A code list whose chosen code's meaning is shown in a label under it and is its accessible description."""

    def __init__(self, object_name: str, meanings: Mapping[_Code, str], prompt: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.addItem(prompt, None)
        for code, text in meanings.items():
            self.addItem(f"{code} – {text}", str(code))
        self.meaning = QLabel()
        self.meaning.setObjectName(f"{object_name}Meaning")
        self.meaning.setWordWrap(True)
        self.currentIndexChanged.connect(self._show_meaning)
        self._meanings = {str(k): v for k, v in meanings.items()}
        self._show_meaning()

    def _show_meaning(self, *_args: object) -> None:
        code = self.currentData()
        text = f"{code} means: {self._meanings[code]}" if code else "Not chosen yet."
        self.meaning.setText(text)
        self.setAccessibleDescription(text)

    def set_code(self, code: str | None) -> None:
        index = self.findData((code or "").upper() if code and not code.isdigit() else code)
        self.setCurrentIndex(max(index, 0))


class GradingForm(QWidget):
    """Source evaluation, one assessment per item of intelligence, handling code and conditions."""

    def __init__(self, parent: QWidget | None = None, *, with_item_text: bool = True):
        super().__init__(parent)
        self.setObjectName("gradingForm")
        self.source_combo = CodeChoice("sourceEvaluationCombo", SOURCE_MEANINGS, "Choose 1, 2 or 3", self)
        self.handling_combo = CodeChoice("handlingCodeCombo", HANDLING_MEANINGS, "Choose P or C", self)
        self.conditions_edit = _text_edit("handlingConditionsEdit", 2)
        self.conditions_edit.setAccessibleDescription("Who may receive it and how it must be handled. Required "
                                                      "for handling code C.")
        self.errors = {"source_evaluation": FieldError(self.source_combo, "sourceEvaluationError", self),
                       "handling_code": FieldError(self.handling_combo, "handlingCodeError", self),
                       "handling_conditions": FieldError(self.conditions_edit, "handlingConditionsError", self)}
        self.items: list[tuple[QLineEdit, CodeChoice, FieldError]] = []
        self.items_box = QGroupBox("Items of intelligence, each graded A to E")
        self.items_box.setObjectName("itemsBox")
        self.items_form = QFormLayout(self.items_box)
        self.items_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.add_item_button = QPushButton("Add &item")
        self.add_item_button.setObjectName("addItemButton")
        self.add_item_button.clicked.connect(lambda: self.add_item(focus=True))
        self.add_item_button.setAutoDefault(False)
        self.items_error = FieldError(self.add_item_button, "itemsError", self)
        self.errors["items"] = self.errors["intelligence"] = self.items_error
        self.with_item_text = with_item_text

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("&Source evaluation:", self.source_combo)
        form.addRow("", self.source_combo.meaning)
        form.addRow("", self.errors["source_evaluation"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.items_box)
        layout.addWidget(self.add_item_button)
        layout.addWidget(self.items_error)
        lower = QFormLayout()
        lower.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        lower.addRow("&Handling code:", self.handling_combo)
        lower.addRow("", self.handling_combo.meaning)
        lower.addRow("", self.errors["handling_code"])
        lower.addRow("Handling &conditions:", self.conditions_edit)
        lower.addRow("", self.errors["handling_conditions"])
        layout.addLayout(lower)
        self.add_item()

    def add_item(self, text: str = "", assessment: str | None = None, *, focus: bool = False) -> None:
        if len(self.items) >= MAX_ITEMS:
            self.items_error.show_problem(f"A report has at most {MAX_ITEMS} items; submit another report.")
            return
        n = len(self.items) + 1
        text_edit = QLineEdit(text)
        text_edit.setObjectName(f"itemText{n}Edit")
        combo = CodeChoice(f"itemAssessment{n}Combo", INTELLIGENCE_MEANINGS, "Choose A to E", self)
        combo.set_code(assessment)
        error = FieldError(combo, f"itemAssessment{n}Error", self)
        if self.with_item_text:
            self.items_form.addRow(f"Item {n} te&xt:" if n == 1 else f"Item {n} text:", text_edit)
        self.items_form.addRow(f"Item {n} &assessment:" if n == 1 else f"Item {n} assessment:", combo)
        self.items_form.addRow("", combo.meaning)
        self.items_form.addRow("", error)
        self.items.append((text_edit, combo, error))
        name_choice_lists(self)
        if self.window() is not self:
            owner = self.window()
            if hasattr(owner, "fix_tab_order"):
                owner.fix_tab_order()
        if focus:
            (text_edit if self.with_item_text else combo).setFocus()
            announce(f"Item {n} added")

    def tab_chain(self) -> list[QWidget]:
        """Its controls in reading order: source, each item's text then assessment, add item, handling."""
        chain: list[QWidget] = [self.source_combo]
        for text_edit, combo, _error in self.items:
            chain += [text_edit, combo] if self.with_item_text else [combo]
        return chain + [self.add_item_button, self.handling_combo, self.conditions_edit]

    def set_grading(self, report: dict[str, Any]) -> None:
        self.source_combo.set_code(report.get("source_evaluation"))
        for i, item in enumerate(report.get("items") or []):
            if i >= len(self.items):
                self.add_item(item.get("text", ""), item.get("assessment"))
            else:
                self.items[i][0].setText(item.get("text", ""))
                self.items[i][1].set_code(item.get("assessment"))
        self.handling_combo.set_code(report.get("handling_code"))
        self.conditions_edit.setPlainText(report.get("handling_conditions") or "")

    def values(self) -> dict[str, Any] | None:
        """The grading fields of a request, or None after showing the problem beside its field."""
        for error in [*self.errors.values(), *(e for _t, _c, e in self.items)]:
            error.clear_problem()
        items = [(t.text().strip(), c.currentData()) for t, c, _e in self.items]
        if self.with_item_text:
            items = [(t, a) for t, a in items if t or a]
        if not items:
            self.items_error.show_problem("Add at least one item of intelligence and grade it A to E.")
            return None
        for i, (text, _a) in enumerate(items):
            if self.with_item_text and not text:
                self.items[i][2].field = self.items[i][0]
                self.items[i][2].show_problem("Write the item of intelligence, or clear its assessment.")
                self.items[i][2].field = self.items[i][1]
                return None
        conditions = self.conditions_edit.toPlainText()
        _grading, problems = validate_grading(self.source_combo.currentData(), [a for _t, a in items],
                                              self.handling_combo.currentData(), conditions)
        if problems:
            self.show_field_error(problems[0].field, problems[0].message)
            return None
        return {"source_evaluation": self.source_combo.currentData(),
                "items": [{"text": t, "assessment": a} for t, a in items],
                "handling_code": self.handling_combo.currentData(), "handling_conditions": conditions.strip()}

    def error_for(self, field: str) -> FieldError | None:
        """The error line a (domain or server) field name points at; None when it is not a grading field."""
        parts = field.split(".")
        if parts[0] in ("items", "intelligence") and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.items):
                return self.items[index][2]
        return self.errors.get(parts[0])

    def show_field_error(self, field: str, message: str) -> bool:
        """Beside the field the (domain or server) field name points at; False when it is not a grading field."""
        error = self.error_for(field)
        if error is not None:
            error.show_problem(message)
            return True
        return False

class ReportFormDialog(WriteDialog):
    """Submit a new report (`send`, through the outbox), or re-grade one (`submitted` gives the panel the body,
    which it sends with If-Match)."""

    submitted = Signal(dict)  # the request body, for re-grading
    created = Signal(dict)  # ReportOut

    def __init__(self, writes: Writes | None, parent: QWidget | None = None, *,
                 report: dict[str, Any] | None = None, subject: dict[str, Any] | None = None) -> None:
        super().__init__(parent, writes)
        self.report, self.subject = report, subject
        self.regrade = report is not None
        self.setObjectName("regradeDialog" if self.regrade else "reportFormDialog")
        self.setWindowTitle(f"Re-grade {report.get('reference')}" if report else "New intelligence report")
        self.grading = GradingForm(self, with_item_text=True)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        if report is not None:  # re-grading
            self.grading.set_grading(report)
            for text_edit, _c, _e in self.grading.items:
                text_edit.setReadOnly(True)
            self.reason_edit = QLineEdit()
            self.reason_edit.setObjectName("regradeReasonEdit")
            self.field_error("reason", self.reason_edit, "regradeReasonError")
            current = QLabel(f"Current grading: {grading_spoken(report.get('grading'))}")
            current.setObjectName("currentGrading")
            current.setWordWrap(True)
            form.addRow(current)
            form.addRow("&Reason for re-grading:", self.reason_edit)
            form.addRow("", self.errors["reason"])
        else:
            self.title_edit = QLineEdit()
            self.title_edit.setObjectName("reportTitleEdit")
            self.source_edit = QLineEdit()
            self.source_edit.setObjectName("reportSourceEdit")
            self.source_edit.setPlaceholderText("e.g. SRC-0042")
            self.source_edit.setAccessibleDescription("The source's reference only. Never write who the source is.")
            self.original_edit = _text_edit("reportOriginalEdit", 4)
            self.original_edit.setAccessibleDescription("The intelligence as received. Seen only by intelligence "
                                                        "officers and supervisors.")
            self.sanitised_edit = _text_edit("reportSanitisedEdit", 3)
            self.sanitised_edit.setAccessibleDescription("The text others may see: nothing that could identify the "
                                                         "source. Can be written at QA.")
            self.place_edit = QLineEdit()
            self.place_edit.setObjectName("reportPlaceEdit")
            self.place_edit.setPlaceholderText("e.g. lock-up behind 3 Quillon Terrace, NM2 7QT")
            for field, widget in (("title", self.title_edit), ("source_reference", self.source_edit),
                                  ("original_text", self.original_edit), ("sanitised_text", self.sanitised_edit),
                                  ("locations", self.place_edit)):
                self.field_error(field, widget, f"{widget.objectName().removesuffix('Edit')}Error")
            form.addRow("&Title:", self.title_edit)
            form.addRow("", self.errors["title"])
            form.addRow("Source &reference:", self.source_edit)
            form.addRow("", self.errors["source_reference"])
            form.addRow("&Original text:", self.original_edit)
            form.addRow("", self.errors["original_text"])
            form.addRow("Sa&nitised text:", self.sanitised_edit)
            form.addRow("", self.errors["sanitised_text"])
            form.addRow("&Place (optional):", self.place_edit)
            form.addRow("", self.errors["locations"])
            if subject:
                subject_label = QLabel(f"Subject: {full_name(subject)}")
                subject_label.setObjectName("reportSubjectLabel")
                form.addRow(subject_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save &grading" if self.regrade else "Su&bmit report")
        self.ok_button.setObjectName("reportOkButton")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("reportCancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):  # every standard button is
                button.setAutoDefault(False)
        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        # The fields scroll (the buttons stay in view): at 200% text the grading rows do not fit a small screen.
        body = QWidget()
        body.setObjectName("reportFormBody")
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(form)
        body_layout.addWidget(self.grading)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("reportFormScroll")
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.general_error.setObjectName("reportGeneralError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        room = self.screen().availableGeometry()
        hint = body.sizeHint()
        self.resize(min(hint.width() + 40, room.width() - 40), min(hint.height() + 120, room.height() - 60))
        (self.reason_edit if self.regrade else self.title_edit).setFocus()
        name_choice_lists(self)
        self.fix_tab_order()

    def fix_tab_order(self) -> None:
        """Tab follows the page: the report's fields, the grading top to bottom, then the buttons (the grading
        form is built first, so creation order alone would put it before the title)."""
        if not hasattr(self, "buttons"):
            return  # still being built
        head = [self.reason_edit] if self.regrade else [self.title_edit, self.source_edit, self.original_edit,
                                                        self.sanitised_edit, self.place_edit]
        chain = head + self.grading.tab_chain() + [self.ok_button,
                                                   self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        present = [widget for widget in chain if widget is not None]
        for a, b in zip(present, present[1:]):
            QWidget.setTabOrder(a, b)

    noun = "report"

    @property
    def report_id(self) -> str:
        """The new report's id, which is also its Idempotency-Key (a corrected report after a refusal is new)."""
        return self.key

    def error_for(self, field: str) -> FieldError | None:
        return self.grading.error_for(field) or super().error_for(field)

    def clear_problems(self) -> None:
        super().clear_problems()
        for error in [*self.grading.errors.values(), *(e for _t, _c, e in self.grading.items)]:
            error.clear_problem()

    def submit(self) -> None:
        self.clear_problems()
        if not self.regrade:
            for field, edit in (("title", self.title_edit), ("source_reference", self.source_edit)):
                if not edit.text().strip():
                    self.errors[field].show_problem("This is needed.")
                    return
            if not self.original_edit.toPlainText().strip():
                self.errors["original_text"].show_problem("Write the intelligence as received.")
                return
        grading = self.grading.values()
        if grading is None:
            return
        if self.regrade:
            if not self.reason_edit.text().strip():
                self.errors["reason"].show_problem("Give the reason for re-grading; it is recorded.")
                return
            self.submitted.emit({**grading, "reason": self.reason_edit.text().strip()})
            return
        body = {"id": self.report_id, "title": self.title_edit.text().strip(),
                "source_reference": self.source_edit.text().strip(),
                "original_text": self.original_edit.toPlainText().strip(),
                "sanitised_text": self.sanitised_edit.toPlainText().strip(), **grading}
        if self.place_edit.text().strip():
            body["locations"] = [{"description": self.place_edit.text().strip()}]
        if self.subject:
            body["people"] = [{"person_id": self.subject["id"], "role": "subject"}]
        self.status.setText("Saving…")
        self.send("POST", "/intelligence/reports", body)

    def saved(self, report: dict[str, Any]) -> None:
        if self.regrade:
            return  # the panel says what changed
        announce(f"Report {report.get('reference')} submitted, graded {report.get('grading')}.")
        self.created.emit(report)

    def sending_ended(self) -> None:
        super().sending_ended()
        self.status.setText("")

    def conflict(self, current: dict[str, Any]) -> None:
        self.report = current  # a second try uses the current version


class QaDialog(WriteDialog):
    """Supervisor QA: approve (needs a sanitised text) or return, with notes. The panel sends it (If-Match)."""

    submitted = Signal(dict)
    noun = "report"

    def __init__(self, report: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.setObjectName("qaDialog")
        self.setWindowTitle(f"Quality assurance: {report.get('reference')}")
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("qaOutcomeCombo")
        self.outcome_combo.addItem("Approve", "approve")
        self.outcome_combo.addItem("Return for changes", "return")
        self.notes_edit = QLineEdit()
        self.notes_edit.setObjectName("qaNotesEdit")
        self.sanitised_edit = _text_edit("qaSanitisedEdit", 4)
        self.sanitised_edit.setPlainText(report.get("sanitised_text") or "")
        self.sanitised_edit.setAccessibleDescription("What others may see. Needed to approve.")
        self.field_error("outcome", self.outcome_combo, "qaOutcomeError")
        self.field_error("sanitised_text", self.sanitised_edit, "qaSanitisedError")
        self.main_field = "outcome"  # where a refusal that names no field goes
        form = QFormLayout()
        form.addRow("&Outcome:", self.outcome_combo)
        form.addRow("", self.errors["outcome"])
        form.addRow("&Notes:", self.notes_edit)
        form.addRow("&Sanitised text:", self.sanitised_edit)
        form.addRow("", self.errors["sanitised_text"])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Record QA")
        self.ok_button.setObjectName("qaOkButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("qaCancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        name_choice_lists(self)

    def submit(self) -> None:
        self.clear_problems()
        body = {"outcome": self.outcome_combo.currentData(), "notes": self.notes_edit.text().strip(),
                "sanitised_text": self.sanitised_edit.toPlainText().strip()}
        if body["outcome"] == "approve" and not body["sanitised_text"]:
            self.errors["sanitised_text"].show_problem("Write the sanitised text before approving.")
            return
        self.submitted.emit(body)

    def saved(self, response: Any) -> None:
        """The panel says what changed."""

    def conflict(self, current: dict[str, Any]) -> None:
        self.report = current  # a second try uses the current version


def report_html(report: dict[str, Any]) -> str:
    import html
    e = html.escape
    items = "".join(f"<li>{e(i.get('text') or '')} — <b>{e(i.get('assessment') or '')}</b>: "
                    f"{e(meaning('assessment', i.get('assessment')))}</li>" for i in report.get("items") or [])
    people = "; ".join(f"{full_name(p.get('person'))} ({p.get('role')})" for p in report.get("people") or []) or "none"
    places = "; ".join(" ".join(x for x in (loc.get("description"), loc.get("postcode")) if x)
                       for loc in report.get("locations") or []) or "none"
    events = "; ".join(f"{ev.get('kind')} {ev.get('ref')}" for ev in report.get("events") or []) or "none"
    rows = [("Reference", report.get("reference")),
            ("Status", STATUS_TITLES.get(report.get("status", ""), report.get("status"))),
            ("Source reference", report.get("source_reference")),
            ("Grading", grading_spoken(report.get("grading"))),
            ("Handling conditions", report.get("handling_conditions") or "none"),
            ("People", people), ("Places", places), ("Events", events),
            ("Submitted", f"{format_local(report.get('submitted_at'))} by {officer(report.get('submitted_by'))}")]
    if report.get("qa_by"):
        rows.append(("QA", f"{format_local(report.get('qa_at'))} by {officer(report.get('qa_by'))}: "
                           f"{report.get('qa_notes') or ''}"))
    table = "".join(f"<tr><th align='left' valign='top'>{e(k)}:</th><td>{e(str(v or ''))}</td></tr>" for k, v in rows)
    return f"<h3>{e(report.get('title') or '')}</h3><table cellspacing='4'>{table}</table><p>Items:</p><ul>{items}</ul>"


class ReportViewDialog(QDialog):
    """One report, opened after a reason was given. Actions offered by role; the server decides."""

    regrade_requested = Signal(dict)
    qa_requested = Signal(dict)
    disseminate_requested = Signal(dict)
    add_requested = Signal(str, dict)  # "person", "place" or "event"; the report (issue 14)

    def __init__(self, report: dict[str, Any], roles: frozenset[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportViewDialog")
        self.report = report
        self.roles = roles
        self.setWindowTitle(f"Intelligence report {report.get('reference')}")
        self.summary = QTextBrowser()
        self.summary.setObjectName("reportSummary")
        self.summary.setAccessibleName("Report summary and grading")
        self.sanitised = QTextBrowser()
        self.sanitised.setObjectName("reportSanitisedText")
        self.sanitised.setAccessibleName("Sanitised text")
        self.original = QTextBrowser()
        self.original.setObjectName("reportOriginalText")
        self.original.setAccessibleName("Original text")
        self.history_model = GradingHistoryModel(self)
        self.history_table = make_table("gradingHistoryTable", "Earlier gradings", self.history_model, stretch=4)
        self.regrade_button = QPushButton("&Re-grade…")
        self.regrade_button.setObjectName("reportRegradeButton")
        self.qa_button = QPushButton("&Quality assurance…")
        self.qa_button.setObjectName("reportQaButton")
        self.disseminate_button = QPushButton("&Disseminate")
        self.disseminate_button.setObjectName("reportDisseminateButton")
        self.add_buttons: dict[str, QPushButton] = {}
        for key, text in (("person", "Add &person…"), ("place", "Add p&lace…"), ("event", "Add e&vent…")):
            button = QPushButton(text)
            button.setObjectName(f"reportAdd{key.title()}Button")
            button.clicked.connect(lambda _c=False, k=key: self.add_requested.emit(k, self.report))
            self.add_buttons[key] = button
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("reportCloseButton")
        self.regrade_button.clicked.connect(lambda: self.regrade_requested.emit(self.report))
        self.qa_button.clicked.connect(lambda: self.qa_requested.emit(self.report))
        self.disseminate_button.clicked.connect(lambda: self.disseminate_requested.emit(self.report))
        self.close_button.clicked.connect(self.reject)
        self.close_button.setDefault(True)
        form = QFormLayout()
        form.addRow("Sanitised te&xt:", self.sanitised)
        form.addRow("&Original text:", self.original)
        form.addRow("Earlier &gradings:", self.history_table)
        buttons = QHBoxLayout()
        for button in (self.regrade_button, self.qa_button, self.disseminate_button, *self.add_buttons.values()):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 2)
        layout.addLayout(form, 3)
        layout.addLayout(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().lineSpacing() * 36)
        self.set_report(report)

    def set_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self.summary.setHtml(report_html(report))
        self.sanitised.setPlainText(report.get("sanitised_text") or "No sanitised text yet (written at QA).")
        original = report.get("original_text")
        self.original.setPlainText(original if original is not None else RESTRICTED_ORIGINAL)
        self.history_model.set_history(report)
        intel = bool(self.roles & {r.value for r in INTELLIGENCE_ROLES})
        self.regrade_button.setVisible(intel)
        self.qa_button.setVisible("supervisor" in self.roles)
        self.qa_button.setEnabled(report.get("status") in ("submitted", "returned"))
        self.disseminate_button.setVisible(intel)
        self.disseminate_button.setEnabled(report.get("status") == "approved")
        for button in self.add_buttons.values():
            button.setVisible(intel)  # the server adds people, places and events for intelligence roles only
        self.summary.setFocus(Qt.FocusReason.OtherFocusReason)
