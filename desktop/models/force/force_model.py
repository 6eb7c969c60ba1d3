"""The force view's models (issue 15): one row per custody suite with its figures, the queue of reviews due across
the suites an inspector covers, and one suite's detainees (the drill-down).

`ForceState` holds the open records by suite. A record from the change feed changes at most two suites (the one
it left and the one it is in): only their rows are recomputed and signalled (`dataChanged`), and the review
queue moves only that record's row (`beginRemoveRows`/`beginInsertRows`); nothing is ever reset after the first
load. Each cell says its state in words (AccessibleTextRole), not only in figures."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.models.person_text import full_name
from desktop.models.record_table import EMPTY, ROW_ROLE, Column, HeadedTable, RecordTable
from desktop.timefmt import format_short, spoken_elapsed, utc_now
from domain.force_view import SuiteFigures, figures_text, is_open, review_due, suite_figures, when

QUEUE_WINDOW = timedelta(hours=3)  # reviews due within this (or overdue) are in the queue


def record_name(record: dict[str, Any]) -> str:
    person = record.get("person") or {}
    return full_name(person) if person else str(record.get("name") or "")


def _due_words(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "no review due"
    if due < now:
        return f"overdue by {spoken_elapsed(now - due)}"
    return f"due in {spoken_elapsed(due - now)}"


class ForceSuitesModel(HeadedTable):
    """Every suite: detained, free places, and what needs attention, in figures and in words."""

    HEADERS = ("Suite", "Detained", "Free places", "Checks overdue", "Reviews overdue", "Near limit",
               "Juveniles", "Appropriate adult awaited", "State")

    def __init__(self, parent: QObject | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self.clock = clock
        self.suites: list[dict[str, Any]] = []
        self.row_of: dict[str, int] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.by_suite: dict[str, dict[str, dict[str, Any]]] = {}
        self.incoming: dict[str, set[str]] = {}  # suite id -> records on their way to it
        self.figures: dict[str, SuiteFigures] = {}

    # Qt ----------------------------------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self.suites)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.suites):
            return None
        suite = self.suites[index.row()]
        if role == ROW_ROLE:
            return suite
        f = self.figures.get(suite["id"])
        if f is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(suite, f, column)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self._spoken(suite, f, column)
        return None

    @staticmethod
    def _state(suite: dict[str, Any], f: SuiteFigures) -> str:
        if suite.get("state") not in (None, "open"):
            return str(suite.get("state")).replace("_", " ").capitalize()
        return f"Attention: {f.attention}" if f.attention else "Nothing overdue"

    def _text(self, suite: dict[str, Any], f: SuiteFigures, column: int) -> str:
        values = (suite.get("name") or suite.get("code") or "", str(f.detainees), f"{f.free_places} of {f.places}",
                  str(f.overdue_checks), str(f.reviews_overdue), str(f.near_limit), str(f.juveniles),
                  str(f.aa_awaited), self._state(suite, f))
        return values[column] if 0 <= column < len(values) else EMPTY

    def _spoken(self, suite: dict[str, Any], f: SuiteFigures, column: int) -> str:
        name = suite.get("name") or suite.get("code") or "Suite"
        if column == 0:
            return figures_text(name, f)
        words = ("", f"{f.detainees} detained", f"{f.free_places} of {f.places} places free",
                 f"{f.overdue_checks} checks overdue", f"{f.reviews_overdue} reviews overdue",
                 f"{f.near_limit} near the detention limit", f"{f.juveniles} juveniles",
                 f"{f.aa_awaited} appropriate adults awaited", self._state(suite, f))
        return words[column] if 0 <= column < len(words) else EMPTY

    # Loading and changes -----------------------------------------------------------------------------------
    def load(self, suites: list[dict[str, Any]], records: Iterable[dict[str, Any]]) -> None:
        """The snapshot of GET /custody/force-view: the one reset."""
        self.beginResetModel()
        self.suites = list(suites)
        self.row_of = {s["id"]: n for n, s in enumerate(self.suites)}
        self.records, self.by_suite, self.incoming = {}, {s["id"]: {} for s in self.suites}, {}
        for record in records:
            self._place(record)
        now = self.clock()
        self.figures = {s["id"]: self._figures(s, now) for s in self.suites}
        self.endResetModel()

    def _suite_of(self, record: dict[str, Any]) -> str | None:
        return record.get("suite_id") if is_open(record) else None

    def _target_of(self, record: dict[str, Any]) -> str | None:
        transfer = record.get("transfer") or {}
        return transfer.get("to_suite_id") if is_open(record) and isinstance(transfer, dict) else None

    def _place(self, record: dict[str, Any]) -> None:
        self.records[record["id"]] = record
        suite_id = self._suite_of(record)
        if suite_id is not None:
            self.by_suite.setdefault(suite_id, {})[record["id"]] = record
        target = self._target_of(record)
        if target is not None:
            self.incoming.setdefault(target, set()).add(record["id"])

    def _figures(self, suite: dict[str, Any], now: datetime) -> SuiteFigures:
        sid = suite["id"]
        return suite_figures(suite, self.by_suite.get(sid, {}).values(), now, len(self.incoming.get(sid, ())))

    def upsert_record(self, record: dict[str, Any]) -> set[str]:
        """A record from the feed: only the suites it left or is in are recomputed. Returns their ids."""
        old = self.records.pop(record["id"], None)
        touched: set[str] = set()
        if old is not None:
            for sid in (self._suite_of(old),):
                if sid is not None:
                    self.by_suite.get(sid, {}).pop(old["id"], None)
                    touched.add(sid)
            target = self._target_of(old)
            if target is not None:
                self.incoming.get(target, set()).discard(old["id"])
                touched.add(target)
        if is_open(record):
            self._place(record)
            touched.update(s for s in (self._suite_of(record), self._target_of(record)) if s is not None)
        else:
            self.records.pop(record["id"], None)
        self._refresh(touched)
        return touched

    def upsert_suite(self, suite: dict[str, Any]) -> None:
        """A suite created or changed (its cells, its state)."""
        at = self.row_of.get(suite["id"])
        if at is None:
            self.beginInsertRows(QModelIndex(), len(self.suites), len(self.suites))
            self.suites.append(suite)
            self.row_of[suite["id"]] = len(self.suites) - 1
            self.by_suite.setdefault(suite["id"], {})
            self.figures[suite["id"]] = self._figures(suite, self.clock())
            self.endInsertRows()
            return
        self.suites[at] = suite
        self._refresh({suite["id"]})

    def _refresh(self, suite_ids: Iterable[str]) -> None:
        now = self.clock()
        for sid in suite_ids:
            at = self.row_of.get(sid)
            if at is None:
                continue
            self.figures[sid] = self._figures(self.suites[at], now)
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.HEADERS) - 1))

    def tick(self) -> None:
        """Time moved on (overdue is a matter of time): every row recomputed and signalled, never reset."""
        if self.suites:
            self._refresh(list(self.row_of))

    def suite_records(self, suite_id: str) -> list[dict[str, Any]]:
        return sorted(self.by_suite.get(suite_id, {}).values(), key=lambda r: str(r.get("cell") or ""))

    def suite(self, row: int) -> dict[str, Any] | None:
        return self.suites[row] if 0 <= row < len(self.suites) else None

    def totals(self) -> str:
        f = list(self.figures.values())
        attention = sum(1 for x in f if x.attention)
        return (f"{len(self.suites)} suites, {sum(x.detainees for x in f)} detained, "
                f"{sum(x.free_places for x in f)} places free; "
                + (f"{attention} suites need attention." if attention else "nothing overdue anywhere."))


class ReviewQueueModel(HeadedTable):
    """Reviews of detention due (overdue, or within QUEUE_WINDOW) in the suites covered, soonest first."""

    HEADERS = ("Due", "Detainee", "Custody number", "Suite", "Review")

    def __init__(self, parent: QObject | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self.clock = clock
        self.covered: set[str] | None = None  # None: every suite
        self.rows: list[dict[str, Any]] = []
        self.keys: list[tuple[str, str]] = []  # (due ISO, id), sorted alongside rows

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        if role == ROW_ROLE:
            return r
        due = when(r.get("next_review_due"))
        now = self.clock()
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            texts = (f"{format_short(due)}{' OVERDUE' if due is not None and due < now else ''}", record_name(r),
                     str(r.get("custody_number") or ""), str(r.get("suite_name") or r.get("suite_code") or EMPTY),
                     str(r.get("review_number_due") or EMPTY))
            return texts[column] if 0 <= column < len(texts) else EMPTY
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            spoken = (f"Review {_due_words(due, now)}, {format_short(due)}", f"Detainee {record_name(r)}",
                      f"Custody number {r.get('custody_number') or 'none'}",
                      f"Suite {r.get('suite_name') or 'not recorded'}",
                      f"Review number {r.get('review_number_due') or 'not known'}")
            return spoken[column] if 0 <= column < len(spoken) else EMPTY
        return None

    def _wanted(self, record: dict[str, Any]) -> bool:
        return (review_due(record, self.clock(), QUEUE_WINDOW)
                and (self.covered is None or record.get("suite_id") in self.covered))

    @staticmethod
    def _key(record: dict[str, Any]) -> tuple[str, str]:
        due = when(record.get("next_review_due"))
        return (due.isoformat() if due is not None else "", str(record["id"]))

    def load(self, records: Iterable[dict[str, Any]]) -> None:
        self.beginResetModel()
        chosen = sorted((r for r in records if self._wanted(r)), key=self._key)
        self.rows, self.keys = chosen, [self._key(r) for r in chosen]
        self.endResetModel()

    def row_of(self, record_id: str) -> int | None:
        return next((n for n, r in enumerate(self.rows) if r.get("id") == record_id), None)

    def upsert_record(self, record: dict[str, Any]) -> None:
        """Only this record's row moves: removed, and put back in its place if still due."""
        at = self.row_of(record["id"])
        if at is not None:
            if self._wanted(record) and self.keys[at] == self._key(record):
                self.rows[at] = record
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.HEADERS) - 1))
                return
            self.beginRemoveRows(QModelIndex(), at, at)
            del self.rows[at], self.keys[at]
            self.endRemoveRows()
        if self._wanted(record):
            key = self._key(record)
            where = bisect.bisect_left(self.keys, key)
            self.beginInsertRows(QModelIndex(), where, where)
            self.rows.insert(where, record)
            self.keys.insert(where, key)
            self.endInsertRows()

    def record(self, row: int) -> dict[str, Any] | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def tick(self, records: Iterable[dict[str, Any]]) -> None:
        """Time moved on: reviews coming into the window join, every row's words are signalled; no reset."""
        present = {r.get("id") for r in self.rows}
        for record in records:
            if (record.get("id") in present) != self._wanted(record):
                self.upsert_record(record)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.HEADERS) - 1))

    def cover(self, suite_ids: set[str] | None, records: Iterable[dict[str, Any]]) -> None:
        """The suites the queue covers changed (the inspector chose): the queue is made again."""
        self.covered = suite_ids
        self.load(records)


class SuiteRecordsModel(RecordTable):
    """One suite's detainees (the drill-down from the force view): what its board would show first."""

    columns = (
        Column("Cell", lambda r: str(r.get("cell") or ""), spoken=lambda r: f"Cell {r.get('cell') or 'none'}"),
        Column("Detainee", record_name, spoken=lambda r: f"Detainee {record_name(r)}"),
        Column("Custody number", lambda r: str(r.get("custody_number") or "")),
        Column("Next check", lambda r: format_short(r.get("next_check_due")),
               spoken=lambda r: f"Next check {format_short(r.get('next_check_due')) or 'not set'}"),
        Column("Next review", lambda r: format_short(r.get("next_review_due")),
               spoken=lambda r: f"Next review {format_short(r.get('next_review_due')) or 'not due'}"),
        Column("Detention limit", lambda r: format_short(r.get("detention_limit_at")),
               spoken=lambda r: f"Detention limit {format_short(r.get('detention_limit_at')) or 'not set'}"),
        Column("Juvenile", lambda r: "Juvenile" if r.get("juvenile") else "Adult"),
        Column("Appropriate adult", lambda r: "Awaited" if r.get("appropriate_adult_awaited") else
               ("Here" if r.get("appropriate_adult_arrived_at") else "Not needed" if not
                r.get("appropriate_adult_required") else "Requested"),
               spoken=lambda r: "Appropriate adult " + ("awaited" if r.get("appropriate_adult_awaited") else
                                                        "not awaited")),
    )
