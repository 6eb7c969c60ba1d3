"""The custody board: one row per open custody record, with its clocks counting down every second.

Due times (next check, next review, the current detention limit) are computed from the record with `domain/`
when a record arrives; each tick only turns "due at" into "time left" text, compares it with what the view has,
and emits dataChanged for the cells whose text changed (one range per run of rows in a column): never a reset.
A check or review that has just become overdue is reported once through `became_overdue`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette

from desktop.timefmt import format_local, format_short, parse_utc, spoken_elapsed, utc_now
from domain.observation import DEFAULT_CONFIG as OBS_DEFAULT, ObservationConfig, ObservationLevel, next_check_due
from domain.pace_clock import Authority, AuthorityKind, current_limit, next_review

# What a sergeant must see at a glance comes first, so it is on screen without scrolling at 1280x800 (issue 13):
# who is where, their flags and the three clocks; the rest follows.
COLUMNS = ("Cell", "Name", "Flags", "Next check", "Next review", "Detention limit", "Risk", "Observation",
           "Appropriate adult", "Time in custody", "Status")
(CELL, NAME, FLAGS, NEXT_CHECK, NEXT_REVIEW, LIMIT, RISK, OBSERVATION, AA, TIME, STATUS) = range(len(COLUMNS))
TICKING = (NEXT_CHECK, NEXT_REVIEW, LIMIT, TIME)
MINUTE_COLUMNS = (NEXT_CHECK, NEXT_REVIEW, LIMIT)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 3  # True when this row (any column) has an overdue check or review
_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole,
          Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, OVERDUE_ROLE]
WARN = {NEXT_CHECK: OBS_DEFAULT.warn_before, NEXT_REVIEW: timedelta(hours=1), LIMIT: timedelta(hours=1)}
WHAT = {NEXT_CHECK: "Cell check", NEXT_REVIEW: "Review", LIMIT: "Detention limit"}

STATUS_TEXT = {
    "awaiting_authorisation": "Awaiting authorisation",
    "in_custody": "In custody",
    "detained": "In custody",
    "charged": "Charged",
    "interview": "In interview",
    "hospital": "At hospital",
    "released": "Released",
}
RISK_TEXT = {"low": "Low", "medium": "Medium", "high": "High"}


def natural_key(text: str) -> str:
    """'C2' before 'C10': digits padded so a plain string sort orders them as numbers."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(8), text.lower())


def person_name(record: dict[str, Any]) -> str:
    person = record.get("person") or {}
    surname = (person.get("surname") or "").upper()
    forenames = person.get("forenames") or ""
    return f"{surname}, {forenames}".strip(", ") or "Name not recorded"


def status_text(record: dict[str, Any]) -> str:
    status = record.get("status") or ""
    if record.get("in_interview") and status != "released":
        text = STATUS_TEXT["interview"]  # "In interview": an interview started and not yet ended
    else:
        text = STATUS_TEXT.get(status, status.replace("_", " ").capitalize() or "Status not recorded")
    if transfer := record.get("transfer"):  # issue 15: sent to another suite, not yet accepted there
        text += f"; transfer to {transfer.get('to_suite_name') or 'another suite'} awaiting acceptance"
    return text


def flags_text(record: dict[str, Any]) -> str:
    flags = [name for key, name in (("juvenile", "Juvenile"), ("vulnerable", "Vulnerable")) if record.get(key)]
    return ", ".join(flags)


def aa_text(record: dict[str, Any]) -> str:
    if record.get("appropriate_adult_awaited"):
        return "AA awaited" + (" (requested)" if record.get("appropriate_adult_requested_at") else " (not requested)")
    if record.get("appropriate_adult_arrived_at"):
        return "AA present"
    return "Not needed" if not record.get("appropriate_adult_required") else "AA required"


OVERDUE_ON_LIGHT = QColor("#a00000")  # 8.4:1 on white
OVERDUE_ON_DARK = QColor("#ff9999")  # 10:1 on black (dark red on black was 2.5:1)


def overdue_colour(palette: QPalette | None = None) -> QColor:
    """The overdue text colour for the theme in use: at least 7:1 against the table's background."""
    base = (palette or QGuiApplication.palette()).color(QPalette.ColorRole.Base)
    return OVERDUE_ON_LIGHT if base.lightnessF() >= 0.5 else OVERDUE_ON_DARK


def overdue_text(seconds_late: float) -> str:
    """'OVERDUE now' in its first minute (never 'OVERDUE 0 min'), then 'OVERDUE 26 min', 'OVERDUE 1 h 05 min'."""
    return "OVERDUE now" if seconds_late < 60 else f"OVERDUE {_minutes(seconds_late)}"


def spoken_overdue(seconds_late: float) -> str:
    return "OVERDUE by less than a minute" if seconds_late < 60 else f"OVERDUE by {_spoken_minutes(seconds_late)}"


def _minutes(seconds: float, *, up: bool = False) -> str:
    """Whole minutes; rounded up while counting down, so '0 min' never shows before the time has come."""
    minutes = int(-(-seconds // 60)) if up else int(seconds // 60)
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def _spoken_minutes(seconds: float) -> str:
    return spoken_elapsed(timedelta(seconds=seconds))


@dataclass
class _Row:
    record: dict[str, Any]
    arrived: datetime | None = None
    due: dict[int, datetime | None] = field(default_factory=dict)  # ticking column -> due time
    review_number: int | None = None
    shown: dict[int, str] = field(default_factory=dict)  # ticking column -> text the view was last told
    overdue: set[int] = field(default_factory=set)
    # Worked out once per record, so a tick is arithmetic on floats (strftime per cell per second is not cheap).
    due_ts: dict[int, float] = field(default_factory=dict)
    due_label: dict[int, str] = field(default_factory=dict)  # "14:05", UK local
    arrived_ts: float | None = None
    recheck_ts: float = 0.0  # the minute-resolution cells cannot change before this

    def prepare(self) -> None:
        self.arrived_ts = self.arrived.timestamp() if self.arrived is not None else None
        for column, due in self.due.items():
            if due is not None:
                self.due_ts[column] = due.timestamp()
                self.due_label[column] = format_short(due)[-5:]


def due_times(record: dict[str, Any], now: datetime,
              config: ObservationConfig = OBS_DEFAULT) -> tuple[dict[int, datetime | None], int | None]:
    """Next check, next review and the current detention limit from the record, by the domain rules."""
    due: dict[int, datetime | None] = {NEXT_CHECK: None, NEXT_REVIEW: None, LIMIT: None}
    number = None
    open_record = not record.get("released_at")
    level, set_at = record.get("observation_level"), parse_utc(record.get("observation_level_set_at"))
    if open_record and level and set_at is not None:
        interval = record.get("observation_interval_minutes")
        cfg = config
        if interval:  # the force's interval, as the server reports it
            cfg = ObservationConfig({**config.intervals, ObservationLevel(level): timedelta(minutes=interval)},
                                    config.rousing_levels, config.warn_before)
        due[NEXT_CHECK] = next_check_due(ObservationLevel(level), level_set_at=set_at,
                                         last_check_at=parse_utc(record.get("last_check_at")), config=cfg)
    elif open_record:
        due[NEXT_CHECK] = parse_utc(record.get("next_check_due"))
    authorised = parse_utc(record.get("detention_authorised_at"))
    if open_record and authorised is not None:
        review = next_review(authorised, int(record.get("reviews_done") or 0), now)
        due[NEXT_REVIEW], number = review.due_at, review.number
    relevant = parse_utc(record.get("relevant_time"))
    if open_record and relevant is not None:
        authorities = []
        for a in record.get("authorities") or []:
            try:
                granted_at, expires_at = parse_utc(a["granted_at"]), parse_utc(a["expires_at"])
                if granted_at is None or expires_at is None:
                    continue  # an authority without its times cannot move the limit
                authorities.append(Authority(AuthorityKind(a["kind"]), granted_at, expires_at))
            except (KeyError, ValueError, TypeError):
                continue
        due[LIMIT] = current_limit(relevant, authorities)
    elif open_record:
        due[LIMIT] = parse_utc(record.get("detention_limit_at"))
    return due, number


class CustodyBoardModel(QAbstractTableModel):
    became_overdue = Signal(str, str, str)  # record id, "check" | "review", sentence to announce

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], datetime] = utc_now,
                 tick_ms: int = 1000) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._clock = clock
        self._now = clock()
        self._now_ts = self._now.timestamp()
        self._last_tick_ts = self._now_ts
        # The row whose "time in custody" text was the longest at the last tick (its header measures that cell
        # alone, not all of them: BoardHeader), or None before a tick.
        self.longest_time_row: int | None = None
        self._warning_icon: QIcon | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section in (NEXT_CHECK, NEXT_REVIEW, LIMIT):
                return f"{COLUMNS[section]}: UK local time and the time left; overdue items say OVERDUE"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(row, column)
        if role == RECORD_ROLE:
            return row.record
        if role == OVERDUE_ROLE:
            return 1 if row.overdue else 0  # an int: PySide mis-counts references to True/False returned here
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME:
                return f"Arrived {format_local(row.record.get('arrived_at')) or 'time not recorded'}"
            return self._spoken(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if column == CELL and row.overdue:
            # The first column carries the warning too: whatever the text size, the overdue row is marked on
            # screen (a shape and bold, not colour alone) and said ("Cell C5, OVERDUE").
            if role == Qt.ItemDataRole.DecorationRole:
                return self._icon()
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if column in row.overdue:
            if role == Qt.ItemDataRole.DecorationRole:
                return self._icon()
            if role == Qt.ItemDataRole.ForegroundRole:
                return overdue_colour()
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def _icon(self) -> QIcon:
        if self._warning_icon is None:
            from PySide6.QtWidgets import QApplication, QStyle
            self._warning_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

    def _sort_key(self, row: _Row, column: int) -> Any:
        record = row.record
        if column == TIME:
            return row.arrived.timestamp() if row.arrived else 0.0
        if column in (NEXT_CHECK, NEXT_REVIEW, LIMIT):
            due = row.due.get(column)
            return due.timestamp() if due else float("inf")  # nothing due sorts last
        if column == CELL:  # no cell (at the desk, or on the way from another suite) sorts after the cells
            return natural_key(record["cell"]) if record.get("cell") else "\uffff"
        if column == RISK:
            return {"high": 0, "medium": 1, "low": 2}.get(record.get("risk_level") or "", 3)
        if column == OBSERVATION:
            return -(record.get("observation_level") or 0)
        return self._display(row, column).lower()

    # Text -------------------------------------------------------------------------------------------------
    def _display(self, row: _Row, column: int) -> str:
        record = row.record
        if column in TICKING:
            return row.shown.get(column) or self._tick_text(row, column)
        if column == CELL:
            return record.get("cell") or "—"
        if column == NAME:
            return record.get("name") or person_name(record)
        if column == FLAGS:
            return flags_text(record) or "—"
        if column == AA:
            return aa_text(record)
        if column == RISK:
            return RISK_TEXT.get(record.get("risk_level") or "", "Not assessed")
        if column == OBSERVATION:
            return f"Level {record['observation_level']}" if record.get("observation_level") else "Not set"
        return status_text(record)

    def _tick_text(self, row: _Row, column: int) -> str:
        now = self._now_ts
        if column == TIME:
            if row.arrived_ts is None:
                return "—"
            total = max(0, int(now - row.arrived_ts))
            return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"  # as timefmt.format_elapsed
        due = row.due_ts.get(column)
        if due is None:
            return "—"
        seconds = due - now
        if seconds < 0:
            return overdue_text(-seconds)
        return f"{row.due_label[column]} (in {_minutes(seconds, up=True)})"

    def _spoken(self, row: _Row, column: int) -> str:
        record = row.record
        if column == CELL:
            cell = f"Cell {record['cell']}" if record.get("cell") else "No cell"
            late = [WHAT[c].lower() for c in MINUTE_COLUMNS if c in row.overdue]
            return f"{cell}, OVERDUE: {' and '.join(late)}" if late else cell
        if column == TIME:
            return ("Time in custody not known" if row.arrived is None
                    else f"In custody {spoken_elapsed(self._now - row.arrived)}")
        if column == FLAGS:
            return flags_text(record) or "Not juvenile, not vulnerable"
        if column == AA:
            return f"Appropriate adult: {aa_text(record)}"
        if column == RISK:
            return f"Risk: {self._display(row, column)}"
        if column == OBSERVATION:
            return f"Observation: {self._display(row, column)}"
        if column in (NEXT_CHECK, NEXT_REVIEW, LIMIT):
            due = row.due.get(column)
            what = WHAT[column]
            if due is None:
                return {NEXT_CHECK: "No cell check scheduled (no observation level set)",
                        NEXT_REVIEW: "No review due (detention not authorised)",
                        LIMIT: "Detention limit not known"}[column]
            seconds = (due - self._now).total_seconds()
            number = f" {row.review_number}" if column == NEXT_REVIEW and row.review_number else ""
            if seconds < 0:
                return f"{what}{number} {spoken_overdue(-seconds)}, was due {format_local(due)}"
            return f"{what}{number} due {format_local(due)}, in {_spoken_minutes(seconds)}"
        return self._display(row, column)

    # Updates ----------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """The clocks move on: recompute the ticking cells and tell views only about those that changed."""
        if not self._rows:
            return
        self._now = self._clock()
        self._now_ts = self._now.timestamp()
        now_ts = self._now_ts
        changed: dict[int, list[int]] = {column: [] for column in (CELL, *TICKING)}
        newly: list[tuple[str, str, str]] = []
        tick_text = self._tick_text
        backwards = now_ts < self._last_tick_ts  # the system clock was put back: recheck everything
        self._last_tick_ts = now_ts
        longest, longest_row = -1, None
        for r, row in enumerate(self._rows):
            shown = row.shown
            text = tick_text(row, TIME)
            if len(text) > longest:
                longest, longest_row = len(text), r
            if text != shown.get(TIME):
                shown[TIME] = text
                changed[TIME].append(r)
            if now_ts < row.recheck_ts and not backwards:
                continue  # "in 23 min" / "OVERDUE 4 min" cannot have changed yet
            soonest = float("inf")
            for column in MINUTE_COLUMNS:
                text = tick_text(row, column)
                if text != shown.get(column):
                    shown[column] = text
                    changed[column].append(r)
                due_ts = row.due_ts.get(column)
                if due_ts is not None:
                    left = due_ts - now_ts
                    soonest = min(soonest, (left % 60) or 60.0)  # the next whole minute before or after due
            row.recheck_ts = now_ts + soonest
            # Overdue state flips exactly at a due time, which is one of those minute boundaries.
            for column, due_ts in row.due_ts.items():
                late = now_ts > due_ts
                if late == (column in row.overdue):
                    continue
                if late:
                    row.overdue.add(column)
                    newly.append(self._overdue_sentence(row, column))
                else:
                    row.overdue.discard(column)
                for marked in (column, CELL):  # the clock's cell and the row's marker in the first column
                    if not changed[marked] or changed[marked][-1] != r:
                        changed[marked].append(r)
        self.longest_time_row = longest_row
        for column, rows in changed.items():
            if not rows:
                continue
            start = previous = rows[0]
            for following in (*rows[1:], None):  # None: the end of the last run
                if following is not None and following == previous + 1:
                    previous = following
                    continue
                self.dataChanged.emit(self.index(start, column), self.index(previous, column), _ROLES)
                if following is not None:
                    start = previous = following
        for record_id, kind, sentence in newly:
            self.became_overdue.emit(record_id, kind, sentence)

    def _overdue_sentence(self, row: _Row, column: int) -> tuple[str, str, str]:
        kind = {NEXT_CHECK: "check", NEXT_REVIEW: "review", LIMIT: "limit"}[column]
        name = row.record.get("name") or person_name(row.record)
        cell = f" in cell {row.record['cell']}" if row.record.get("cell") else ""
        return row.record.get("id", ""), kind, f"{self._spoken(row, column)}: {name}{cell}."

    def _make_row(self, record: dict[str, Any], previous: _Row | None = None) -> _Row:
        due, number = due_times(record, self._now)
        row = _Row(record, parse_utc(record.get("arrived_at")), due, number)
        row.prepare()
        if previous is not None:
            # Keep what was already announced as overdue if it is still the same lateness.
            row.overdue = {c for c in previous.overdue if due.get(c) == previous.due.get(c)}
        for column in TICKING:
            row.shown[column] = self._tick_text(row, column)
        return row

    def set_records(self, records: list[dict[str, Any]]) -> None:
        """The first load (and a full reload after reconnecting)."""
        self._now = self._clock()
        self._now_ts = self._now.timestamp()
        old = {row.record.get("id"): row for row in self._rows}
        self.beginResetModel()
        self._rows = [self._make_row(r, old.get(r.get("id"))) for r in records if not r.get("released_at")]
        self.endResetModel()

    def upsert(self, record: dict[str, Any]) -> None:
        """One record created or changed (from the change feed): insert, update in place, or remove."""
        row = self.row_of(record.get("id"))
        if record.get("released_at"):
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
            return
        if row is None:
            position = len(self._rows)
            self.beginInsertRows(QModelIndex(), position, position)
            self._rows.append(self._make_row(record))
            self.endInsertRows()
        else:
            self._rows[row] = self._make_row(record, self._rows[row])
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def remove(self, record_id: str | None) -> None:
        """A record that left this board (transferred to another suite)."""
        row = self.row_of(record_id)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def row_of(self, record_id: str | None) -> int | None:
        for row, item in enumerate(self._rows):
            if item.record.get("id") == record_id:
                return row
        return None

    def record(self, row: int) -> dict[str, Any]:
        return self._rows[row].record

    def overdue(self, row: int) -> set[int]:
        return set(self._rows[row].overdue)

    def overdue_rows(self) -> list[int]:
        return [r for r, row in enumerate(self._rows) if row.overdue]

    def stop(self) -> None:
        self._timer.stop()
