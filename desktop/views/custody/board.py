"""The custody board, the central view every role starts from (the custody area gives it to the main window):
the open custody records with their clocks, a text filter and "Overdue only", and the selected record.

Sorting and filtering: sort by the underlying time (SORT_ROLE), filter by text and, on request, overdue rows only.
The clocks tick every second, so the proxy is not dynamic (rows would jump under the cursor); it is re-filtered
when the overdue set changes and re-sorted when the user asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QAccessible, QAccessibleTableModelChangeEvent, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFormLayout, QHeaderView, QLabel, QLineEdit,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.models.custody.board_model import (CELL, NEXT_CHECK, NEXT_REVIEW, OVERDUE_ROLE, RECORD_ROLE,
                                                 SORT_ROLE, TICKING, TIME, CustodyBoardModel, person_name)
from domain.events import CUSTODY_RECORD_CHANGED

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.session import Session
    from desktop.sync.hub import Event


class BoardHeader(QHeaderView):
    """The board's column header: columns fitted to their contents (names are never squeezed), but not measured
    again for the clocks' changes unless a changed cell's new text no longer fits its column. Qt's header
    re-measures every cell of every column for any change to a fitted column; for the one-second tick that was
    ~20 ms of the GUI thread a second on the 14-row demo board, more on a full one (a switch of detainee that met
    a tick paid it, issue 17). "Time in custody" changes in every row every second, in plain text: its longest
    new text is measured. A clock's minute column changes in a few rows at a time: each is measured, as the
    header would (the view's size hint for the cell: an overdue cell's icon and bold included). Anything else (a
    row becoming overdue also changes its first column; a record's update, rows added or sorted) is fitted as
    before."""

    MEASURED_ROWS = 16  # a minute column's change in more rows than this is left to Qt's re-fit

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        # A re-fit is on its way (Qt runs it on a zero timer): until it has run, the view repaints its whole
        # viewport for a change rather than ask where the cells are (asking runs the re-fit at once, once per
        # changed band: hundreds of times for a tick of a full board).
        self.refit_pending = False

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,  # noqa: N802 - Qt's name
                    bottom_right: QModelIndex | QPersistentModelIndex, roles: Sequence[int] = ()) -> None:
        view, column = self.parent(), top_left.column()
        fitted = self.sectionResizeMode(column) == self.ResizeMode.ResizeToContents
        if (column == bottom_right.column() and column in TICKING and top_left.isValid() and bottom_right.isValid()
                and isinstance(view, QTableView) and fitted):
            model = top_left.model()
            rows = range(top_left.row(), bottom_right.row() + 1)
            if column == TIME:
                changed = [self._longest_time(model, rows)]
            else:
                changed = [model.index(row, column) for row in rows]
            if len(changed) <= self.MEASURED_ROWS:
                widest = max([view.sizeHintForIndex(index).width() for index in changed]
                             + [self.sectionSizeFromContents(column).width()])
                if widest <= self.sectionSize(column):
                    return
        if not self.refit_pending:
            self.refit_pending = True
            QTimer.singleShot(0, self, self._refitted)  # after Qt's own zero timer, started just below
        super().dataChanged(top_left, bottom_right, list(roles))

    @staticmethod
    def _longest_time(model: QAbstractItemModel, rows: range) -> QModelIndex:
        """The changed "time in custody" cell with the longest text (the digits are as wide as each other): the
        board's model noted its row as it ticked; reading every row's text through the proxy cost ~3 ms a tick
        on a board of 300."""
        source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
        row = source.longest_time_row if isinstance(source, CustodyBoardModel) else None
        if row is not None and 0 <= row < source.rowCount():
            index = source.index(row, TIME)
            mapped = model.mapFromSource(index) if isinstance(model, QSortFilterProxyModel) else index
            if mapped.isValid() and mapped.row() in rows:
                return mapped
        return max((model.index(r, TIME) for r in rows), key=lambda index: len(str(index.data() or "")))

    def _refitted(self) -> None:
        self.refit_pending = False


class BoardTable(QTableView):
    """The board's table. The clock tick changes a run of cells in a column (the time in custody: every row,
    every second); QAbstractItemView repaints the whole viewport for any change wider than one cell (~20 ms a
    tick), so here only the changed band is repainted. Nothing else of the base class's handling applies (the
    board has no editors) but the screen reader's notice, which is sent as it would be."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = BoardHeader(Qt.Orientation.Horizontal, self)
        self.setHorizontalHeader(header)
        header.setSectionsClickable(True)  # sorting by a column (a new header is not clickable)
        header.setHighlightSections(True)
        # Eleven columns: names must not be squeezed to "AB…" by a stretch; the status column takes what is left.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,
                    bottom_right: QModelIndex | QPersistentModelIndex, roles: Sequence[int] = ()) -> None:
        if top_left == bottom_right or not top_left.isValid() or not bottom_right.isValid():
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        header = self.horizontalHeader()
        if isinstance(header, BoardHeader) and header.refit_pending:
            self.viewport().update()  # the columns are about to be fitted again: everything moves
            self._notify_accessibility(top_left, bottom_right)
            return
        model = self.model()
        first, last = model.index(top_left.row(), top_left.column()), model.index(bottom_right.row(),
                                                                                    bottom_right.column())
        band = self.visualRect(first).united(self.visualRect(last)).intersected(self.viewport().rect())
        if not band.isEmpty():
            self.viewport().update(band)
        self._notify_accessibility(top_left, bottom_right)

    def _notify_accessibility(self, top_left: QModelIndex | QPersistentModelIndex,
                              bottom_right: QModelIndex | QPersistentModelIndex) -> None:
        if QAccessible.isActive():
            event = QAccessibleTableModelChangeEvent(self, QAccessibleTableModelChangeEvent.ModelChangeType.DataChanged)
            event.setFirstRow(top_left.row())
            event.setFirstColumn(top_left.column())
            event.setLastRow(bottom_right.row())
            event.setLastColumn(bottom_right.column())
            QAccessible.updateAccessibility(event)


class BoardProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._overdue_only = False
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    @property
    def overdue_only(self) -> bool:
        return self._overdue_only

    def set_overdue_only(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 deprecates invalidateFilter()
            self.beginFilterChange()
            self._overdue_only = on
            self.endFilterChange()
        else:
            self._overdue_only = on
            self.invalidateFilter()

    def refilter(self) -> None:
        """The overdue set changed while 'overdue only' is on (the proxy is not dynamic)."""
        if self._overdue_only:
            self.set_overdue_only(True)

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802 - Qt's name
        previous = self.sourceModel()
        if previous is not None:
            previous.dataChanged.disconnect(self._source_changed)
        super().setSourceModel(model)
        if model is not None:
            model.dataChanged.connect(self._source_changed)

    def _source_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()) -> None:
        # A row updated from the change feed (a check recorded elsewhere) or by the clock may leave or join the
        # 'overdue only' view. Checked here, as the model changes, so the view never lags behind the model
        # whichever feed handler happens to run first.
        if not self._overdue_only or (roles and OVERDUE_ROLE not in roles):
            return
        source = self.sourceModel()
        for row in range(top_left.row(), bottom_right.row() + 1):
            shown = self.mapFromSource(source.index(row, 0)).isValid()
            if shown != self.filterAcceptsRow(row, QModelIndex()):
                self.refilter()
                return

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._overdue_only:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if not index.data(OVERDUE_ROLE):
                return False
        return super().filterAcceptsRow(source_row, source_parent)


FOCUS_WIDTH = 3  # px: the focused row's frame, as thick as the focus ring elsewhere (desktop/theme.py)


class FocusRowDelegate(QStyledItemDelegate):
    """Frames the current row while the board has the focus: the row highlight alone also marks the selection
    when the focus is elsewhere, so it cannot say where the keyboard is."""

    def __init__(self, view: QTableView):
        super().__init__(view)
        self.view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
              ) -> None:
        super().paint(painter, option, index)
        current = self.view.currentIndex()
        if not (self.view.hasFocus() and current.isValid() and current.row() == index.row()):
            return
        header = self.view.horizontalHeader()
        visual = header.visualIndex(index.column())
        first = visual == 0
        last = visual == max(header.visualIndex(c) for c in range(header.count()) if not header.isSectionHidden(c))
        rect = option.rect
        painter.save()
        pen = QPen(option.palette.color(option.palette.ColorRole.Text))
        pen.setWidth(FOCUS_WIDTH)
        painter.setPen(pen)
        half = FOCUS_WIDTH // 2 + 1
        left, right = rect.left() + (half if first else 0), rect.right() - (half - 1 if last else 0)
        top, bottom = rect.top() + half - 1, rect.bottom() - half + 1
        painter.drawLine(left, top, right, top)
        painter.drawLine(left, bottom, right, bottom)
        if first:
            painter.drawLine(left, top, left, bottom)
        if last:
            painter.drawLine(right, top, right, bottom)
        painter.restore()


def overdue_only_check(proxy: BoardProxy, on_change: Callable[[], None] | None = None) -> QCheckBox:
    check = QCheckBox("Overdue onl&y")
    check.setObjectName("boardOverdueOnly")
    check.setToolTip("Show only detainees whose cell check, review or detention limit is overdue")
    check.setAccessibleDescription(check.toolTip())

    def toggled(on: bool) -> None:
        proxy.set_overdue_only(on)
        if on_change is not None:
            on_change()

    check.toggled.connect(toggled)
    check.setCheckState(Qt.CheckState.Unchecked)
    return check


class CustodyBoard(QWidget):
    """The board panel: heading, "Filter board" (text, "Overdue only") and the table of open custody records.

    `load()` takes the snapshot (skipping the change feed's history first) and then calls `follow_changes(seq)`,
    so the feed brings only what changed after it; the change hub's record events update the rows in place."""

    records_loaded = Signal(int)  # how many open records the snapshot held

    def __init__(self, session: Session, ops: Operations, follow_changes: Callable[[int], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("boardPanel")
        self.session, self.ops, self.follow_changes = session, ops, follow_changes
        self._stopped = False
        self._loaded_once = False
        self._summary_on_load = False  # focused before the first snapshot came: say the summary when it does

        self.model = CustodyBoardModel(self)
        self.proxy = BoardProxy(self)  # sorts by SORT_ROLE; text and 'overdue only' filters
        self.proxy.setSourceModel(self.model)
        # The clock column changes every second; re-sorting on each tick would make rows jump under the cursor.
        self.proxy.setDynamicSortFilter(False)

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("boardFilterEdit")
        self.filter_edit.setPlaceholderText("Cell, name or status")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.view = BoardTable()
        self.view.setObjectName("custodyBoard")
        self.view.setAccessibleName("Custody board")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setItemDelegate(FocusRowDelegate(self.view))
        self.view.verticalHeader().setVisible(False)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.heading = QLabel("Custody board: loading…")
        self.heading.setObjectName("boardHeading")
        # When the suite was last handed over and to whom (the custody area's handover view fills it in).
        self.handover_label = QLabel("")
        self.handover_label.setObjectName("boardHandoverLabel")
        self.handover_label.setVisible(False)
        self.overdue_check = overdue_only_check(self.proxy, self.refresh_heading)

        filters = QFormLayout()
        filters.addRow("&Filter board:", self.filter_edit)
        filters.addRow("", self.overdue_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.handover_label)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        # Tab in reading order: filter, "Overdue only", then the board (issue 13: from the docks Tab came back
        # to "Overdue only" above the board, after it).
        QWidget.setTabOrder(self.filter_edit, self.overdue_check)
        QWidget.setTabOrder(self.overdue_check, self.view)
        self.model.dataChanged.connect(self._overdue_maybe_changed)
        session.changes.subscribe(CUSTODY_RECORD_CHANGED, self._record_event, self)

    # Loading ----------------------------------------------------------------------------------------------
    def load(self) -> None:
        client, suite_id = self.session.client, self.session.suite_id

        def load() -> tuple[int, list[dict[str, Any]]]:
            # Where the feed stands before the snapshot, so the feed brings only what changes after it (a change
            # between the two calls comes again: applying it twice is harmless).
            return client.latest_event_seq(), client.open_records(suite_id)

        # first: the main window holds its other areas' first reads until this one is delivered (Operations)
        self.ops.run(load, on_done=self._loaded, on_error=self._load_failed, owner=self, first=True)

    def _loaded(self, value: tuple[int, list[dict[str, Any]]]) -> None:
        if self._stopped:
            return
        last_seq, records = value
        self.model.set_records(records)
        self.model.tick()  # the overdue state now, not a second later, so the summary counts it
        self.view.sortByColumn(self.view.horizontalHeader().sortIndicatorSection(),
                               self.view.horizontalHeader().sortIndicatorOrder())
        self.refresh_heading()
        self.follow_changes(last_seq)
        if self.proxy.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        self._loaded_once = True
        if self._summary_on_load:
            self._summary_on_load = False
            announce(self.summary())
        self.records_loaded.emit(len(records))

    def _load_failed(self, exc: BaseException) -> None:
        self.heading.setText("Custody board: could not load")
        announce(f"The custody board could not be loaded: {exc}", assertive=True)

    def stop(self) -> None:
        """The window is closing: the clocks stop, and a snapshot still on its way is dropped."""
        self._stopped = True
        self.model.stop()

    # Heading, filter, focus -------------------------------------------------------------------------------
    def refresh_heading(self) -> None:
        """'Custody board: 14 in custody, 1 OVERDUE (C5 ELSWORTH)': the overdue state in words above the rows,
        where it is seen at any text size whatever columns fit."""
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"Custody board{self._suite_words()}: {total} in custody"
        if shown != total:
            text += f", {shown} shown"
        late = self.model.overdue_rows()
        if late:
            records = [self.model.record(r) for r in late[:3]]
            who = [f"{r.get('cell') or 'no cell'} {person_name(r).split(',')[0]}" for r in records]
            more = f" and {len(late) - 3} more" if len(late) > 3 else ""
            text += f", {len(late)} OVERDUE ({', '.join(who)}{more})"
        self.heading.setText(text)
        self.heading.setAccessibleName(text)

    def _suite_words(self) -> str:
        suite = self.session.suite
        return f", {suite.get('name')}" if suite else ""

    def _overdue_maybe_changed(self, top_left: QModelIndex, _bottom_right: QModelIndex,
                               roles: Sequence[int] = ()) -> None:
        # The first column changes only when a row's overdue state does (or the record itself changed).
        if top_left.column() == CELL:
            self.refresh_heading()

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.refresh_heading()

    def set_handover(self, text: str) -> None:
        self.handover_label.setText(text)
        self.handover_label.setVisible(bool(text))

    def summary(self) -> str:
        """What a screen-reader user hears on arriving at the board: "Custody board, 14 in custody, 1 check
        overdue"."""
        model = self.model
        total = model.rowCount()
        late = [model.overdue(row) for row in range(total)]
        checks, reviews = sum(NEXT_CHECK in s for s in late), sum(NEXT_REVIEW in s for s in late)
        parts = [f"Custody board{self._suite_words()}, {total} in custody"]
        parts.append(f"{checks} check{'s' if checks != 1 else ''} overdue" if checks else "no checks overdue")
        if reviews:
            parts.append(f"{reviews} review{'s' if reviews != 1 else ''} overdue")
        return ", ".join(parts)

    def focus_panel(self) -> None:
        self.view.setFocus()
        if self._loaded_once:
            announce(self.summary())
        else:
            self._summary_on_load = True  # said when the snapshot is in, with the counts

    # Selection --------------------------------------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = current.data(RECORD_ROLE) if current.isValid() else None
        self.session.select_record(record)

    def select_record_id(self, record_id: str) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
        return True

    # Change feed (through the hub) ------------------------------------------------------------------------
    def _record_event(self, event: Event) -> None:
        if event.data.get("id"):
            if self.session.on_this_board(event.data):
                self.model.upsert(event.data)
            else:  # transferred to another suite, or booked in at one: not this workstation's board
                self.model.remove(event.data.get("id"))
            self.refresh_heading()
