"""The force view panel (issue 15): for inspectors, superintendents and sergeants looking across the force.

- Every suite in a table: detained, free places, checks and reviews overdue, detainees near their detention limit,
  juveniles, appropriate adults awaited, and its state in words. Enter on a suite drills down to its detainees
  (the suite's board); Enter on a detainee shows the record on the custody board where this workstation has it.
- The review queue: reviews due (overdue or within three hours) across the suites chosen in "Queue covers"
  (Space ticks a suite). Enter on a review opens the review of detention for that detainee.

Loaded on a worker from GET /custody/force-view (one answer, the feed position with it), then kept live from the
change feed: a record or suite event updates the suites it touches and moves its row in the queue; every 30 s
the time-dependent figures are recomputed. Nothing on the GUI thread touches the network."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from desktop.announcer import announce
from desktop.models.force.force_model import ForceSuitesModel, ReviewQueueModel, SuiteRecordsModel, record_name
from desktop.views.forms.tables import ENTER_KEYS, make_table
from domain.events import CUSTODY_RECORD_CHANGED, EventType
from domain.force_view import when

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.sync.hub import Event

FORCE_VIEW_PATH = "/custody/force-view"
LOOKERS = frozenset({"inspector", "superintendent", "custody_sergeant"})
SUITE_CHANGED = frozenset({EventType.CUSTODY_SUITE_CREATED, EventType.CUSTODY_SUITE_UPDATED})
HANDLES = CUSTODY_RECORD_CHANGED | SUITE_CHANGED
TICK_MS = 30_000


def _label(name: str, text: str, accessible: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                  | Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ForceViewPanel(QWidget):
    loaded = Signal()
    changed = Signal(set)  # the suites an update touched (tests)

    def __init__(self, ops: Operations, client: ApiClient, parent: QWidget | None = None, *,
                 roles: Callable[[], frozenset[str]] = frozenset,
                 show_record: Callable[[dict[str, Any]], object] | None = None,
                 review_record: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forceViewPanel")
        self.setAccessibleName("Force view")
        self.ops, self.client, self.roles = ops, client, roles
        self.show_record, self.review_record = show_record, review_record
        self.last_seq: int | None = None  # None: not loaded
        self.drilled: str | None = None  # the suite whose detainees are shown

        self.heading = _label("forceViewHeading", "The force view loads when opened.", "Force view: summary")
        self.heading.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.suites_model = ForceSuitesModel(self)
        self.suites_table = make_table("forceSuitesTable", "Suites of the force", self.suites_model, stretch=0)
        self.drill_label = _label("forceDrillHeading", "Enter on a suite shows its detainees here.",
                                  "Suite detainees: heading")
        self.drill_model = SuiteRecordsModel(self)
        self.drill_table = make_table("forceSuiteRecordsTable", "Detainees of the chosen suite", self.drill_model,
                                      stretch=1)
        self.cover_list = QListWidget()
        self.cover_list.setObjectName("forceQueueCovers")
        self.cover_list.setAccessibleName("Review queue covers these suites (Space ticks or unticks)")
        self.cover_list.setMaximumHeight(self.cover_list.fontMetrics().lineSpacing() * 6)
        self.cover_list.itemChanged.connect(lambda _item: self._cover_changed())
        self.queue_label = _label("forceQueueHeading", "", "Review queue: heading")
        self.queue_model = ReviewQueueModel(self)
        self.queue_table = make_table("forceReviewQueue", "Reviews due across the suites covered",
                                      self.queue_model, stretch=1)
        for table in (self.suites_table, self.drill_table, self.queue_table):
            table.installEventFilter(self)
            # Columns sized once by their headers, not measured over every row on every change: with 30 suites
            # and hundreds of reviews, "resize to contents" re-measured all rows on each feed event (50 ms).
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            header.setStretchLastSection(True)
            metrics = table.fontMetrics()
            for column in range(table.model().columnCount()):
                title = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
                header.resizeSection(column, max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(
                    "00/00 00:00 OVERDUE" if column == 0 else "0000")) + 24)
            table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.suites_table.horizontalHeader().resizeSection(0, self.fontMetrics().horizontalAdvance("M" * 16))

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.heading)
        top_layout.addWidget(self.suites_table, 1)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.drill_label)
        middle_layout.addWidget(self.drill_table, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        covers = QLabel("Review queue &covers:")
        covers.setBuddy(self.cover_list)
        bottom_layout.addWidget(covers)
        bottom_layout.addWidget(self.cover_list)
        bottom_layout.addWidget(self.queue_label)
        bottom_layout.addWidget(self.queue_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("forceViewSplitter")
        splitter.setChildrenCollapsible(False)
        for part in (top, middle, bottom):
            splitter.addWidget(part)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    # Loading -----------------------------------------------------------------------------------------------
    def allowed(self) -> bool:
        return bool(self.roles() & LOOKERS)

    def start(self) -> None:
        """Load (or load again) on a worker."""
        if not self.allowed():
            self.heading.setText("The force view is for inspectors, superintendents and custody sergeants.")
            return
        self.heading.setText("Loading the force view…")
        client = self.client
        self.ops.run(lambda: client.request("GET", FORCE_VIEW_PATH), on_done=self.show_view,
                     on_error=self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        message = f"Could not load the force view: {error}"
        self.heading.setText(message)
        announce(message, assertive=True)

    def show_view(self, view: dict[str, Any]) -> None:
        records = view.get("records") or []
        self.suites_model.load(view.get("suites") or [], records)
        self._fill_covers()
        self.queue_model.cover(self._covered(), self.suites_model.records.values())
        self.last_seq = int(view.get("last_seq") or 0)
        self._say()
        if self.suites_model.rowCount() and not self.suites_table.currentIndex().isValid():
            self.suites_table.selectRow(0)
        if self.drilled is not None:
            self.drill_down(self.drilled)
        self.timer.start()
        self.loaded.emit()

    def _fill_covers(self) -> None:
        ticked = self._covered()
        self.cover_list.blockSignals(True)
        self.cover_list.clear()
        for suite in self.suites_model.suites:
            item = QListWidgetItem(suite.get("name") or suite.get("code") or "")
            item.setData(Qt.ItemDataRole.UserRole, suite["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            covered = ticked is None or suite["id"] in ticked
            item.setCheckState(Qt.CheckState.Checked if covered else Qt.CheckState.Unchecked)
            self.cover_list.addItem(item)
        self.cover_list.blockSignals(False)

    def _covered(self) -> set[str] | None:
        """The suites ticked; None (every suite) before the list is filled."""
        if self.cover_list.count() == 0:
            return None
        return {str(self.cover_list.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.cover_list.count())
                if self.cover_list.item(n).checkState() == Qt.CheckState.Checked}

    def set_covered(self, suite_ids: set[str]) -> None:
        for n in range(self.cover_list.count()):
            item = self.cover_list.item(n)
            wanted = item.data(Qt.ItemDataRole.UserRole) in suite_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def _cover_changed(self) -> None:
        self.queue_model.cover(self._covered(), self.suites_model.records.values())
        self._say_queue()

    def _say(self) -> None:
        self.heading.setText("Force view: " + self.suites_model.totals())
        self._say_queue()

    def _say_queue(self) -> None:
        n = self.queue_model.rowCount()
        now = self.queue_model.clock()
        overdue = sum(1 for r in self.queue_model.rows if (due := when(r.get("next_review_due"))) and due < now)
        self.queue_label.setText(f"Review queue: {n} due within three hours" + (f", {overdue} overdue." if overdue
                                                                                 else "." if n else ", none overdue."))

    # Live --------------------------------------------------------------------------------------------------
    def apply(self, events: list[Event]) -> None:
        """A batch from the change feed: each record or suite event updates only what it touches."""
        if self.last_seq is None:
            return
        touched: set[str] = set()
        for event in events:
            if event.seq is not None and event.seq <= self.last_seq:
                continue  # already in the snapshot
            data = event.data if isinstance(event.data, dict) else None
            if not data or not data.get("id"):
                continue
            if event.type in SUITE_CHANGED:
                self.suites_model.upsert_suite(data)
                touched.add(data["id"])
            elif event.type in CUSTODY_RECORD_CHANGED:
                touched |= self.apply_record(data)
        if touched:
            self._say()
            self.changed.emit(touched)

    def apply_record(self, record: dict[str, Any]) -> set[str]:
        touched = self.suites_model.upsert_record(record)
        self.queue_model.upsert_record(record)
        if self.drilled is not None and (self.drilled in touched or self.drill_model.row_of(record["id"]) is not None):
            self.drill_model.set_rows(self.suites_model.suite_records(self.drilled))
        return touched

    def tick(self) -> None:
        self.suites_model.tick()
        self.queue_model.tick(self.suites_model.records.values())
        self._say()

    # Keyboard ----------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS:
            if watched is self.suites_table:
                suite = self.suites_model.suite(self.suites_table.currentIndex().row())
                if suite is not None:
                    self.drill_down(suite["id"])
                    self.drill_table.setFocus()
                return True
            if watched is self.drill_table:
                index = self.drill_table.currentIndex()
                if index.isValid() and self.show_record is not None:
                    self.show_record(self.drill_model.row(index.row()))
                return True
            if watched is self.queue_table:
                self.work_review()
                return True
        return super().eventFilter(watched, event)

    def drill_down(self, suite_id: str) -> None:
        """The suite's detainees (its board), in the middle table."""
        self.drilled = suite_id
        row = self.suites_model.row_of.get(suite_id)
        suite = self.suites_model.suite(row) if row is not None else None
        records = self.suites_model.suite_records(suite_id)
        self.drill_model.set_rows(records)
        name = (suite or {}).get("name") or "The suite"
        self.drill_label.setText(f"{name}: {len(records)} detained. Enter on a detainee shows the record.")
        if records:
            self.drill_table.selectRow(0)
        announce(f"{name}: {len(records)} detainees.")

    def work_review(self) -> dict[str, Any] | None:
        """Open the review of detention for the queue's current detainee."""
        record = self.queue_model.record(self.queue_table.currentIndex().row())
        if record is None:
            announce("No review chosen in the queue.")
            return None
        if self.review_record is not None:
            announce(f"Review of detention for {record_name(record)}.")
            self.review_record(record)
        return record

    def focus_panel(self) -> None:
        if self.last_seq is None:
            self.start()
        self.suites_table.setFocus()
