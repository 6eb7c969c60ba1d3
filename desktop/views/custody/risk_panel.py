"""The Risk assessment dock: the selected detainee's latest assessment (answers, officer observations and warning
markers kept apart), its result, every earlier version, and Re-assess… for the custody sergeant.

RiskAssessmentDialog records a new version (append-only on the server); the suggested minimum observation level
is computed live with domain.risk.assess as answers are chosen.
"""

from __future__ import annotations

import html
import uuid
from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableView, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.models.custody.risk_model import RiskResponsesModel
from desktop.operations import Operations
from desktop.session import Session
from desktop.timefmt import format_local, parse_utc, utc_now
from desktop.views.forms.dialog import RESEND, ConflictVersions, CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.pace_clock import event_time_error
from domain.risk import RISK_AREAS, WHY_NOW, Answer, RiskResponse, Source, Trigger, assess
from domain.roles import Role

TRIGGERS = (("booking_in", "Booking in"), *((t.value, WHY_NOW[t]) for t in Trigger), ("other", "Other change"))
ANSWERS: tuple[tuple[str | None, str], ...] = (
    (None, "Not asked"), ("no", "No"), ("yes", "Yes (concern)"), ("not_known", "Not known"),
    ("declined", "Declined to answer"))
AREA_SOURCE = {"warning_markers": Source.MARKERS, "arresting_officer_info": Source.ARRESTING_OFFICER,
               "demeanour": Source.OFFICER, "appropriate_adult": Source.OFFICER}
LEVELS = (("low", "Low"), ("medium", "Medium"), ("high", "High"))


def _read_only_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab so a screen reader can read it
    return label


def result_html(v: dict[str, Any]) -> str:
    """The result in separate sentences, the level first and in bold: 'Risk level: HIGH.' then the suggested
    observation level, the concerns and what was not asked, then each reason on a line of its own."""
    def sentence(text: str) -> str:
        text = text.strip()
        return html.escape(text if text.endswith((".", "!", "?")) else f"{text}.")
    concerns, unanswered = len(v.get("concerns") or []), len(v.get("unanswered") or [])
    level = str(v.get("risk_level") or "not given").upper()
    lines = [f"<b>Risk level: {html.escape(level)}.</b> "
             f"Suggested minimum observation level {v.get('suggested_level') or 1}.",
             f"{concerns} area{'s' if concerns != 1 else ''} of concern. "
             f"{unanswered} question{'s' if unanswered != 1 else ''} not answered."]
    lines += [sentence(r) for r in v.get("reasons") or [] if r.strip()]
    return "<br>".join(lines)


class WholeTable(QTableView):
    """A table as tall as its rows, without a scroll bar of its own: the dock scrolls the whole panel, so there
    is never a scroll bar inside a scroll bar (issue 13)."""

    HEIGHTS_KEPT = 500  # measured layouts kept (texts and widths); all forgotten when full

    def __init__(self) -> None:
        super().__init__()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._heights: dict[tuple[Any, ...], list[int]] = {}

    def fit(self) -> None:
        model = self.model()
        count = model.rowCount() if model else 0
        self._fit_rows(count)
        rows = sum(self.rowHeight(r) for r in range(count))
        height = self.horizontalHeader().height() + rows + 2 * self.frameWidth()
        self.setFixedHeight(max(height, self.horizontalHeader().height() + 2 * self.frameWidth()
                                + self.fontMetrics().lineSpacing() + 8))

    def _fit_rows(self, count: int) -> None:
        """Each row as tall as its wrapped text. Measuring every cell (resizeRowsToContents) was the largest part
        of the GUI thread's work when switching detainee (docs/performance.md), and the answers repeat from one
        detainee to the next: so the heights are kept per (texts, column widths, font)."""
        model, header = self.model(), self.horizontalHeader()
        columns = model.columnCount() if model else 0
        key = (self.font().key(), tuple(header.sectionSize(c) for c in range(columns)),
               tuple(tuple(model.data(model.index(r, c)) for c in range(columns)) for r in range(count)))
        heights = self._heights.get(key)
        if heights is None:
            self.resizeRowsToContents()
            if len(self._heights) >= self.HEIGHTS_KEPT:
                self._heights.clear()
            self._heights[key] = [self.rowHeight(r) for r in range(count)]
            return
        for row, height in enumerate(heights):
            self.setRowHeight(row, height)

    def reset(self) -> None:
        """Another detainee's answers: laid out now rather than on the view's zero timer, so they paint once
        (as the log's table, detainee_log.LogTable.reset)."""
        super().reset()
        self.executeDelayedItemsLayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():  # wrapped questions take more or fewer lines
            self.fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            getattr(self, "_heights", {}).clear()  # a new style can change the margins at the same font and widths
            self.fit()


class RiskPanel(QWidget):
    reassess_requested = Signal()
    loaded = Signal(str)  # record id

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("riskAssessmentPanel")
        self.session, self.ops = session, ops
        self.record: dict[str, Any] | None = None
        self.versions: list[dict[str, Any]] = []

        self.heading = QLabel("Select a detainee to see their risk assessment.")
        self.heading.setObjectName("riskHeading")
        self.heading.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("riskReassessReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setVisible(False)
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("riskVersion")
        self.version_combo.currentIndexChanged.connect(self._show_version)
        self.version_combo.view().setAccessibleName("Risk assessment versions")
        self.reassess_button = QPushButton("&Re-assess…")
        self.reassess_button.setObjectName("riskReassess")
        self.reassess_button.clicked.connect(self.reassess_requested)
        top = QHBoxLayout()
        version_label = QLabel("&Version:")
        version_label.setBuddy(self.version_combo)
        top.addWidget(version_label)
        top.addWidget(self.version_combo, 1)
        top.addWidget(self.reassess_button)

        self.result_label = _read_only_label("riskResult")
        self.result_label.setAccessibleName("Result")
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.model = RiskResponsesModel(self)
        self.table = WholeTable()
        self.table.setObjectName("riskResponses")
        self.table.setAccessibleName("Answers to the risk questions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.observations_label = _read_only_label("riskOfficerObservations")
        self.observations_label.setAccessibleName("Officer observations")
        self.markers_label = _read_only_label("riskWarningMarkers")
        self.markers_label.setAccessibleName("Warning markers")
        kept_apart = QGroupBox("Kept apart from the detainee's answers")
        kept_apart.setObjectName("riskApart")
        apart = QFormLayout(kept_apart)
        apart.addRow("Officer observations:", self.observations_label)
        apart.addRow("Warning markers:", self.markers_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.reason_label)
        layout.addLayout(top)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table)
        layout.addWidget(kept_apart)
        layout.addStretch(1)
        self.model.modelReset.connect(self.table.fit)
        self._update_button()

    def focus_panel(self) -> None:
        (self.version_combo if self.version_combo.count() else self.heading).setFocus()

    def _update_button(self) -> None:
        sergeant = Role.CUSTODY_SERGEANT in self.session.roles
        self.reassess_button.setVisible(sergeant)
        self.reassess_button.setEnabled(sergeant and self.record is not None
                                        and self.record.get("status") != "released")

    def set_record(self, record: dict[str, Any] | None, load: bool = True) -> None:
        """`load=False`: the caller reads the versions (switching detainee reads them with the log, issue 17)."""
        same = record is not None and self.record is not None and record.get("id") == self.record.get("id")
        self.record = record
        self._update_button()
        if record is None:
            self.versions = []
            self.version_combo.clear()
            self.model.set_responses([])
            self.heading.setText("Select a detainee to see their risk assessment.")
            self.result_label.clear()
            return
        self.heading.setText(f"Risk assessment: {record.get('name') or ''} ({record.get('custody_number') or ''})")
        reason = record.get("risk_reassessment_reason")
        self.reason_label.setText(f"Needs re-assessment: {reason}" if reason else "")
        self.reason_label.setVisible(bool(reason))
        if load and (not same or record.get("risk_assessment_version") != (self.versions[-1]["version"]
                                                                           if self.versions else None)):
            self.load(record["id"])

    def load(self, record_id: str) -> None:
        client = self.session.client
        self.ops.run(lambda: client.risk_assessments(record_id),
                             on_done=lambda versions: self.show_loaded(record_id, versions),
                             on_error=lambda exc: announce(f"The risk assessment could not be loaded: {exc}",
                                                           assertive=True), owner=self)

    def show_loaded(self, record_id: str, versions: list[dict[str, Any]]) -> None:
        if self.record is None or self.record.get("id") != record_id:
            return
        self.versions = list(versions or [])
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for v in self.versions:
            latest = " (current)" if v is self.versions[-1] else ""
            by = (v.get("assessed_by") or {}).get("name") or ""
            self.version_combo.addItem(f"Version {v.get('version')}: {format_local(v.get('assessed_at'))} "
                                       f"by {by}{latest}", v.get("version"))
        self.version_combo.blockSignals(False)
        if self.versions:
            self.version_combo.setCurrentIndex(len(self.versions) - 1)
        self._show_version()
        self.loaded.emit(record_id)

    def _show_version(self, *_args: object) -> None:
        index = self.version_combo.currentIndex()
        if not (0 <= index < len(self.versions)):
            self.model.set_responses([])
            self.result_label.setText("No risk assessment recorded." if self.record else "")
            self.observations_label.setText("—")
            self.markers_label.setText("—")
            return
        v = self.versions[index]
        self.model.set_responses(v.get("responses") or [])
        self.result_label.setText(result_html(v))
        self.observations_label.setText(v.get("officer_observations") or "None recorded")
        self.markers_label.setText(v.get("warning_markers") or "None recorded")


def carried_text(carried: dict[str, Any] | None, record_id: str | None) -> str:
    """Earlier custody episodes and what they recorded, as prompts for this assessment (empty if none)."""
    if not carried:
        return ""
    episodes = [e for e in carried.get("episodes") or [] if e.get("id") != record_id]
    prompts = carried.get("prompts") or []
    if not episodes and not prompts:
        return ""
    lines = [f"Earlier custody episodes: {len(episodes)}."]
    for e in episodes[:5]:
        codes = ", ".join(o.get("code", "") for o in e.get("offences") or [])
        lines.append(f"• {e.get('custody_number')}: arrived {format_local(e.get('arrived_at'))}"
                     + (f", {codes}" if codes else "") + (f", risk {e['risk_level']}" if e.get("risk_level") else ""))
    if prompts:
        lines.append("Ask about these again; they are prompts, not answers:")
        lines += [f"• {p.get('text')} ({p.get('source')})" for p in prompts[:12]]
    return "\n".join(lines)


class RiskAssessmentDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    noun = "risk assessment"

    def __init__(self, window: QWidget, record: dict[str, Any], previous: dict[str, Any] | None = None, *,
                 writes: Writes, latest: Callable[[], dict[str, Any] | None] | None = None,
                 carried: dict[str, Any] | None = None):
        super().__init__(window, record, "Risk assessment", "riskAssessmentDialog", scroll=True, writes=writes)
        self.carried_label: QLabel | None = None
        if text := carried_text(carried, record.get("id")):
            # Earlier episodes: prompts to ask about again, never answers (domain.md §2.1).
            self.carried_label = QLabel(text)
            self.carried_label.setObjectName("riskCarriedPrompts")
            self.carried_label.setWordWrap(True)
            self.carried_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                       | Qt.TextInteractionFlag.TextSelectableByMouse)
            self.carried_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.carried_label.setAccessibleName("From earlier custody episodes")
            self.form.addRow(self.carried_label)
        self.assessment_id = str(uuid.uuid4())
        # Conflicts: the record's version when opened (If-Match), the assessment it started from, and how to read
        # the latest one (on a worker) when the server says the record changed meanwhile.
        self.base_version = record.get("version")
        self.previous_id = (previous or {}).get("id")
        self.latest = latest
        self.trigger_combo = QComboBox()
        for key, title in TRIGGERS:
            self.trigger_combo.addItem(title, key)
        self.trigger_combo.setCurrentIndex(0 if previous is None else len(TRIGGERS) - 1)
        self.at_edit = datetime_edit("riskAssessedAt", "When the assessment was made.")
        self.add_row("&Why now:", self.trigger_combo, "trigger", name="riskTrigger")
        self.add_row("Assessed &at:", self.at_edit, "assessed_at")
        self.answer_combos: dict[str, QComboBox] = {}
        before = {r["area"]: r.get("answer") for r in (previous or {}).get("responses") or []}
        for n, area in enumerate(RISK_AREAS):
            combo = QComboBox()
            for answer, title in ANSWERS:
                combo.addItem(title, answer)
            if before.get(area.key):
                combo.setCurrentIndex([k for k, _ in ANSWERS].index(before[area.key]))
            combo.currentIndexChanged.connect(self._update_suggestion)
            self.add_row(f"{area.question}", combo, f"responses.{n}", name=f"riskAnswer_{area.key}")
            combo.setAccessibleName(area.question)
            self.answer_combos[area.key] = combo
        self.observations_edit = text_edit("riskObservationsEdit", "What officers saw (kept apart from answers).")
        self.markers_edit = text_edit("riskMarkersEdit", "PNC, PND and local warning markers checked.")
        self.add_row("Officer &observations:", self.observations_edit, "officer_observations")
        self.add_row("Warning &markers:", self.markers_edit, "warning_markers")
        self.suggestion_label = QLabel()
        self.suggestion_label.setObjectName("riskSuggestion")
        self.suggestion_label.setWordWrap(True)
        self.form.addRow("Suggested:", self.suggestion_label)
        self.level_combo = QComboBox()
        for key, title in LEVELS:
            self.level_combo.addItem(title, key)
        # The sergeant decides the level: a pre-selected "Low" would be saved by anyone who did not look.
        nothing_chosen(self.level_combo, "Choose the risk level…")
        self.add_row("Risk &level:", self.level_combo, "risk_level", name="riskLevelChoice")
        self.notes_edit = text_edit("riskNotesEdit", "Anything else about the assessment.", 2)
        self.add_row("&Notes:", self.notes_edit, "notes")
        self._update_suggestion()
        self.dirty = False
        self.trigger_combo.setFocus()

    def responses(self) -> list[dict[str, Any]]:
        out = []
        for key, combo in self.answer_combos.items():
            if combo.currentData() is not None:
                out.append({"area": key, "answer": combo.currentData(),
                            "source": AREA_SOURCE.get(key, Source.DETAINEE).value, "note": ""})
        return out

    def _update_suggestion(self, *_args: object) -> None:
        now = utc_now()
        outcome = assess([RiskResponse(r["area"], Answer(r["answer"]), Source(r["source"]), now)
                          for r in self.responses()])
        text = (f"At least observation level {int(outcome.suggested_level)}; {len(outcome.concerns)} concern(s), "
                f"{len(outcome.unanswered)} question(s) not asked.")
        self.suggestion_label.setText(text)
        self.suggestion_label.setAccessibleDescription(" ".join(outcome.reasons))

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("assessed_at", to_utc(self.at_edit), booked_in_at=booked,
                                             now=utc_now())):
            out.append((p.field, p.message))
        if not self.responses():
            out.append(("responses.0", "Record the answer to at least one question."))
        if self.level_combo.currentData() is None:
            out.append(("risk_level", "Choose the risk level: low, medium or high."))
        return out

    def headers(self) -> dict[str, str] | None:
        """Two sergeants re-assessing at once: the second is told, not silently made the newer version."""
        return {"If-Match": str(int(self.base_version))} if self.base_version is not None else None

    # Side by side (desktop/views/forms/conflict_dialog.py): each answer is a field of its own.
    FLAT = ("trigger", "risk_level", "officer_observations", "warning_markers", "notes")

    def _flat(self, assessment: dict[str, Any]) -> dict[str, Any]:
        flat = {key: assessment.get(key) for key in self.FLAT}
        answers = {r["area"]: r.get("answer") for r in assessment.get("responses") or []}
        flat.update({f"responses.{area.key}": answers.get(area.key) for area in RISK_AREAS})
        return flat

    def conflict_labels(self) -> dict[str, str]:
        labels = {"trigger": "Why now", "risk_level": "Risk level", "officer_observations": "Officer observations",
                  "warning_markers": "Warning markers", "notes": "Notes"}
        labels.update({f"responses.{area.key}": area.question for area in RISK_AREAS})
        return labels

    def conflict_versions(self, body: dict[str, Any], current: dict[str, Any],
                          done: Callable[[ConflictVersions], None]) -> None:
        """The 412 is about the custody record (any change bumps it): compare with the latest assessment, and
        send again when nobody re-assessed meanwhile (a cell check is no reason to ask)."""
        latest = self.latest
        if latest is None or self.writes is None:
            done(None)
            return

        def found(newest: dict[str, Any] | None) -> None:
            if newest is None or newest.get("id") == self.previous_id:
                done(RESEND)
            else:
                done((self._flat(body), self._flat(newest)))

        self.writes.ops.run(latest, on_done=found, on_error=lambda _exc: done(None), owner=self)

    def conflict_body(self, body: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
        out = {**body, **{key: chosen[key] for key in self.FLAT if key in chosen}}
        sources = {r["area"]: r for r in body.get("responses") or []}
        out["responses"] = [
            {**sources.get(area.key, {"area": area.key, "source": AREA_SOURCE.get(area.key, Source.DETAINEE).value,
                                      "note": ""}), "answer": chosen[f"responses.{area.key}"]}
            for area in RISK_AREAS if chosen.get(f"responses.{area.key}") is not None]
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/risk-assessments", {
            "id": self.assessment_id, "trigger": self.trigger_combo.currentData(),
            "assessed_at": to_utc(self.at_edit).isoformat(), "responses": self.responses(),
            "officer_observations": value_of(self.observations_edit), "warning_markers": value_of(self.markers_edit),
            "risk_level": self.level_combo.currentData(), "notes": value_of(self.notes_edit)}
