"""Detainee log dock panel: the selected detainee's log and the form to add an entry."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHeaderView, QLabel, QPushButton,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget)

from desktop.announcer import announce
from desktop.models.custody.log_model import (AUTHOR, KIND, OBSERVED, RECORDED, REFUSED, SAVED, STATE, TEXT, WAITING,
                                              LogModel)
from desktop.timefmt import format_local, parse_utc, to_wire
from desktop.views.forms.fields import LONDON, MINUTES_AND_ZONE, datetime_edit, text_edit, to_utc
from domain.custody_log import LOG_KINDS, text_problem

LINE_BREAK = "\u2028"  # what an item view draws as a new line ("\n" it drops)
LINES_PER_ROW = 2  # every row the same height (cheap for a 5,000-entry log); text wraps at words within it


def elide_at_word(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """As much of `text` as fits in `lines` lines of `width`, cut after a whole word with "…" (never mid-word)."""
    wrapped: list[str] = []
    for word in text.split():
        trial = f"{wrapped[-1]} {word}" if wrapped else word
        if wrapped and metrics.horizontalAdvance(trial) <= width:
            wrapped[-1] = trial
        else:
            wrapped.append(word)
    if len(wrapped) <= lines:
        return LINE_BREAK.join(wrapped)
    kept, last = wrapped[:lines - 1], wrapped[lines - 1].split()
    while last and metrics.horizontalAdvance(" ".join(last) + " …") > width:
        last.pop()
    return LINE_BREAK.join([*kept, " ".join([*last, "…"])])


class LogCellDelegate(QStyledItemDelegate):
    """Text wrapped at words and, when longer than the row, cut after a whole word with "…" (Qt's own eliding
    cuts mid-word). The whole text stays in the tooltip and in what a screen reader reads.

    Each cut is kept (text, font, width): a switch of detainee paints the log several times, and measuring the
    words was a third of the GUI thread's time per switch (docs/performance.md)."""

    CACHE_SIZE = 4000  # cuts kept: a few screens of logs; all forgotten when full

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cuts: dict[tuple[str, str, int], str] = {}

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        # The room the style leaves for text: the cell less its text margins on both sides.
        margin = 2 * (style.pixelMetric(style.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1) if style else 6
        width = max(8, option.rect.width() - margin)
        key = (option.text, option.font.key(), width)
        cut = self._cuts.get(key)
        if cut is None:
            if len(self._cuts) >= self.CACHE_SIZE:
                self._cuts.clear()
            cut = self._cuts[key] = elide_at_word(option.text, option.fontMetrics, width, LINES_PER_ROW)
        option.text = cut


class LogTable(QTableView):
    """The log's table: Observed, Kind, Text, Author, State on screen in a narrow dock (Recorded after them);
    the Text column takes what the others leave."""

    def reset(self) -> None:
        """A new model content (another detainee's log): laid out now, not on the view's zero timer, so it is
        painted once. With the delayed layout every reset painted twice: once as reset, again after the layout
        (switching detainee resets twice, the emptied log then the loaded one: four paints of the log instead of
        two, ~40% of the log's paint time, issue 17)."""
        super().reset()
        self.executeDelayedItemsLayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_columns()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # The viewport narrows without the table resizing when the rows first need a vertical scroll bar: the
        # Text column gives up that room, so State and Author stay on screen.
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().viewportEvent(event)

    def fit_columns(self) -> None:
        fm = self.fontMetrics()
        pad = fm.horizontalAdvance("M")
        header = self.horizontalHeader()
        # Widths in the text's own units, so they grow with the text size: each fits its longest word.
        widths = {OBSERVED: fm.horizontalAdvance("Observed") + pad,  # day over time: two lines
                  RECORDED: fm.horizontalAdvance("29/11 12:24") + pad,
                  KIND: fm.horizontalAdvance("entitlements") + pad,
                  AUTHOR: fm.horizontalAdvance("Penhallow (0000)") + pad,
                  STATE: fm.horizontalAdvance("Waiting to") + pad}
        for column, width in widths.items():
            header.resizeSection(column, width)
        others = sum(w for c, w in widths.items() if c != RECORDED)
        header.resizeSection(TEXT, max(fm.horizontalAdvance("M" * 8), self.viewport().width() - others))
        self.verticalHeader().setDefaultSectionSize(fm.lineSpacing() * LINES_PER_ROW + fm.descent() + 6)


if TYPE_CHECKING:  # the controller imports this panel
    from desktop.views.custody.log_controller import DetaineeLog


class DetaineeLogPanel(QWidget):
    """Talks to the rest of the app through `controller` (the main window's LogController)."""

    def __init__(self, controller: DetaineeLog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detaineeLogPanel")
        self.controller = controller
        self.model = LogModel(self)

        self.heading = QLabel("Select a detainee on the custody board to see their log.")
        self.heading.setObjectName("logHeading")
        self.heading.setWordWrap(True)
        # Why nothing can be added once the record is closed (the server refuses with 409): said in text.
        self.read_only_label = QLabel()
        self.read_only_label.setObjectName("logReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setVisible(False)
        self.read_only_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.read_only_label.setAccessibleName("Read-only")
        self.read_only = False
        self.table = LogTable()
        self.table.setObjectName("logTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Detainee log entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        # The vertical scroll bar always shown: switching between a short log and a long one then never narrows
        # the viewport, so the columns are not refitted and the horizontal bar does not flash on and off (three
        # more repaints per switch of detainee, issue 17).
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Fixed widths from the font (LogTable.fit_columns), never from the rows: a 5,000-entry log opens at once.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.moveSection(header.visualIndex(RECORDED), self.model.columnCount() - 1)  # after Author and State
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(True)
        self.table.setItemDelegate(LogCellDelegate(self.table))
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)  # the delegate cuts at a word
        self.model.rowsInserted.connect(self._entry_added)
        self.table.fit_columns()

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("logKindCombo")
        for key, title in LOG_KINDS.items():
            self.kind_combo.addItem(title, key)
        self.kind_combo.view().setAccessibleName("Kinds of log entry")
        # The one date/time field: Tab leaves it in one press, as in every dialog.
        self.observed_edit = datetime_edit("logObservedEdit", None, display_format=MINUTES_AND_ZONE)
        self.observed_edit.setAccessibleDescription("When it happened, UK time. Defaults to now.")
        self.text_edit = text_edit("logTextEdit", "What happened. Ctrl+Return saves.", lines=4)
        self.text_error = QLabel()
        self.text_error.setObjectName("logTextError")
        self.observed_error = QLabel()
        self.observed_error.setObjectName("logObservedError")
        self.kind_error = QLabel()
        self.kind_error.setObjectName("logKindError")
        for label in (self.text_error, self.observed_error, self.kind_error):
            label.setWordWrap(True)
            label.setVisible(False)
        # Server field name -> (field widget, its error label, its usual description)
        self._fields = {
            "text": (self.text_edit, self.text_error, "What happened. Ctrl+Return saves."),
            "observed_at": (self.observed_edit, self.observed_error, "When it happened, UK time. Defaults to now."),
            "kind": (self.kind_combo, self.kind_error, ""),
        }
        self.save_button = QPushButton("&Save entry")
        self.save_button.setObjectName("logSaveButton")
        self.save_button.setToolTip("Save entry (Ctrl+Return)")
        self.save_button.clicked.connect(self.save)
        self.save_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self, self.save,
                                       context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut_enter = QShortcut(QKeySequence("Ctrl+Enter"), self, self.save,
                                             context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("", self.kind_error)
        form.addRow("&Observed at:", self.observed_edit)
        form.addRow("", self.observed_error)
        form.addRow("&Entry text:", self.text_edit)
        form.addRow("", self.text_error)
        form.addRow("", self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.read_only_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        self.reset_form()
        self.set_record(None)

    # Record selection -------------------------------------------------------------------------------------
    def set_record(self, record: dict[str, Any] | None) -> None:
        self.set_state(record)
        if record is None:
            self.heading.setText("Select a detainee on the custody board to see their log.")
            self.model.set_entries(None, [])
            return
        from desktop.models.custody.board_model import person_name
        self.heading.setText(f"Log for {person_name(record)}, custody number {record.get('custody_number') or '—'}")
        self.model.set_entries(record["id"], [])

    def set_state(self, record: dict[str, Any] | None) -> None:
        """Entry actions on for an open record; off, with the reason in text, for none or a closed one."""
        closed = record is not None and (record.get("status") == "released" or bool(record.get("released_at")))
        self.read_only = closed
        for widget in (self.kind_combo, self.observed_edit, self.text_edit, self.save_button):
            widget.setEnabled(record is not None and not closed)
        if closed:
            assert record is not None
            when = format_local(record.get("released_at")) if record.get("released_at") else "on release"
            why = (f"Read-only: custody record {record.get('custody_number') or ''} was closed when the detainee left "
                   f"custody ({when}). Nothing more can be added to its log.")
            self.read_only_label.setText(why)
            self.read_only_label.setAccessibleDescription(why)
        self.read_only_label.setVisible(closed)

    def record_changed(self, record: dict[str, Any]) -> None:
        """The selected record changed (e.g. disposed of here or elsewhere): closed, the form goes read-only."""
        was = self.read_only
        self.set_state(record)
        if self.read_only and not was:
            announce(self.read_only_label.text())

    # Saving -----------------------------------------------------------------------------------------------
    def reset_form(self) -> None:
        self.observed_edit.follow_now()  # untouched, it is the time the entry is saved
        self.clear_error()

    def clear_error(self) -> None:
        for widget, label, description in self._fields.values():
            label.clear()
            label.setVisible(False)
            widget.setAccessibleDescription(description)

    def show_error(self, message: str, field: str = "text") -> None:
        """Beside the field, as text, in the field's description, read out; focus goes to the field."""
        widget, label, _description = self._fields.get(field, self._fields["text"])
        label.setText(f"Problem: {message}")
        label.setVisible(True)
        widget.setAccessibleDescription(message)
        widget.setFocus()
        announce(message, assertive=True)

    def error_text(self, field: str = "text") -> str:
        label = self._fields[field][1]
        return label.text() if label.isVisible() else ""

    def save(self) -> None:
        record_id = self.model.record_id
        if record_id is None:
            announce("Select a detainee before adding a log entry.", assertive=True)
            return
        if self.read_only:
            announce(self.read_only_label.text(), assertive=True)
            return
        text = self.text_edit.toPlainText()
        problem = text_problem(text)
        if problem:
            self.show_error(problem)
            return
        self.clear_error()
        observed = to_utc(self.observed_edit)
        entry_id = str(uuid.uuid4())
        body = {"id": entry_id, "kind": self.kind_combo.currentData(), "text": text,
                "observed_at": to_wire(observed)}
        user = self.controller.user or {}
        local_entry = {**body, "record_id": record_id, "recorded_at": None,
                       "author": {"id": user.get("id"), "display_name": user.get("display_name", ""),
                                  "rank": user.get("rank"), "collar_number": user.get("collar_number")},
                       "corrects_id": None}
        self.model.add_or_update(local_entry, WAITING)
        self.text_edit.clear()
        self.reset_form()
        self.text_edit.setFocus()
        self.controller.queue_log_entry(record_id, body, local_entry)
        announce("Entry waiting to send")

    def _entry_added(self, _parent: QModelIndex, first: int, _last: int) -> None:
        """A new entry (ours, or one from the feed) is brought into view; the current row stays where it is."""
        self.table.scrollTo(self.model.index(first, OBSERVED), QAbstractItemView.ScrollHint.EnsureVisible)

    # Results from the sync worker and the change feed --------------------------------------------------------
    def entry_confirmed(self, entry: dict[str, Any]) -> None:
        self.model.add_or_update(entry, SAVED)

    def entry_refused(self, local_entry: dict[str, Any], message: str, field: str = "text") -> None:
        """The server refused our entry: put the text back in the form, say why beside the field."""
        if local_entry.get("record_id") != self.model.record_id:
            announce(f"A log entry was not saved: {message}", assertive=True)
            return
        self.model.remove(local_entry["id"])
        if not self.text_edit.toPlainText().strip():
            self.text_edit.setPlainText(local_entry.get("text", ""))
            index = self.kind_combo.findData(local_entry.get("kind"))
            if index >= 0:
                self.kind_combo.setCurrentIndex(index)
            observed = parse_utc(local_entry.get("observed_at"))
            if observed is not None:
                millis = int(observed.timestamp() * 1000)
                self.observed_edit.setDateTime(QDateTime.fromMSecsSinceEpoch(millis, LONDON))
        self.show_error(f"Not saved: {message}", field)  # the one wording of a refusal (forms/refusal.py)

    def focus_panel(self) -> None:
        (self.text_edit if self.text_edit.isEnabled() else self.table).setFocus()


__all__ = ["DetaineeLogPanel", "REFUSED"]
