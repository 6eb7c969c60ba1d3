"""The selected detainee's log: server entries plus this client's entries still waiting to send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.timefmt import format_local, format_short, parse_utc
from domain.custody_log import LOG_KINDS

COLUMNS = ("Observed", "Recorded", "Kind", "Text", "Author", "State")
OBSERVED, RECORDED, KIND, TEXT, AUTHOR, STATE = range(6)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
# The roles data() answers, as plain ints: the view asks ~10 roles per cell per paint, and comparing with the enum
# members themselves was a visible part of switching detainee (docs/performance.md).
_DISPLAY, _ACCESSIBLE, _TOOLTIP = (int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.AccessibleTextRole),
                                   int(Qt.ItemDataRole.ToolTipRole))
_ENTRY = int(ENTRY_ROLE)

SAVED = "saved"
WAITING = "waiting to send"
REFUSED = "not saved"

STATE_TEXT = {SAVED: "Saved", WAITING: "Waiting to send", REFUSED: "Not saved: refused by the server"}


def author_text(entry: dict[str, Any], *, short: bool = False) -> str:
    """'Sgt Alys Penhallow (2231)'. The display name often carries the rank already ("Sgt …"): the rank is added
    only when it does not (never "Sergeant Sgt …"), and not at all in the table's short form."""
    author = entry.get("author") or {}
    name = author.get("display_name") or ""
    rank = author.get("rank") or ""
    collar = author.get("collar_number") or ""
    has_rank = not rank or not name or short or name.split()[0].lower().rstrip(".") in RANK_WORDS
    text = name if has_rank else f"{rank} {name}"
    return f"{text} ({collar})" if collar else text or rank or "—"


# Ranks and their abbreviations as they begin a display name.
RANK_WORDS = {"pc", "dc", "ps", "ds", "sgt", "sergeant", "insp", "inspector", "di", "ci", "supt", "superintendent",
              "detention", "do", "dco", "constable", "mr", "mrs", "ms", "dr"}


def _sort_key(entry: dict[str, Any]) -> tuple[float, float]:
    observed = parse_utc(entry.get("observed_at"))
    recorded = parse_utc(entry.get("recorded_at"))
    # Entries not yet recorded by the server sort after recorded ones with the same observed time.
    return (observed.timestamp() if observed else 0.0, recorded.timestamp() if recorded else float("inf"))


class LogModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.record_id: str | None = None
        self._entries: list[dict[str, Any]] = []  # each has a client-side "_state"

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section in (OBSERVED, RECORDED):
                return f"{COLUMNS[section]}: UK local time (GMT or BST)"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in (_DISPLAY, _ACCESSIBLE, _TOOLTIP, _ENTRY):
            return None  # before anything else: most of what the view asks
        row = index.row()
        if not index.isValid() or not (0 <= row < len(self._entries)):
            return None
        entry = self._entries[row]
        if role == _ENTRY:
            return entry
        column = index.column()
        if role == _DISPLAY:
            # Compact in the table; the zone is in the header tooltip and the spoken text.
            if column in (OBSERVED, RECORDED):
                stamp = entry.get("observed_at" if column == OBSERVED else "recorded_at")
                return format_short(stamp) if stamp else "—"
            if column == STATE:  # short on screen; the reason is in the tooltip and spoken text
                return self._text(entry, column).split(":")[0]
            if column == AUTHOR:
                return author_text(entry, short=True)
            return self._text(entry, column)
        if column == RECORDED and not entry.get("recorded_at"):
            return "Not yet recorded by the server"
        if column == TEXT:
            return entry.get("text") or "—"  # the whole text, line breaks and all
        return self._text(entry, column) or "—"

    def _text(self, entry: dict[str, Any], column: int) -> str:
        if column == OBSERVED:
            return format_local(entry.get("observed_at"))
        if column == RECORDED:
            return format_local(entry.get("recorded_at")) or "—"
        if column == KIND:
            kind = entry.get("kind") or ""
            return LOG_KINDS.get(kind, kind)
        if column == TEXT:
            # One line in the table; the full text is in the tooltip and the accessible text.
            return (entry.get("text") or "").replace("\n", " ")
        if column == AUTHOR:
            return author_text(entry)
        return STATE_TEXT.get(entry.get("_state", SAVED), "")

    # Updates ----------------------------------------------------------------------------------------------
    def set_entries(self, record_id: str | None, entries: list[dict[str, Any]],
                    pending: Sequence[dict[str, Any]] = ()) -> None:
        self.beginResetModel()
        self.record_id = record_id
        merged = {e["id"]: {**e, "_state": SAVED} for e in entries}
        for entry in pending:
            merged.setdefault(entry["id"], {**entry, "_state": WAITING})
        self._entries = sorted(merged.values(), key=_sort_key)
        self.endResetModel()

    def _row_of(self, entry_id: str) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.get("id") == entry_id:
                return row
        return None

    def add_or_update(self, entry: dict[str, Any], state: str = SAVED) -> None:
        """A new entry (ours waiting to send, or anyone's from the feed) or a confirmation of ours."""
        if entry.get("record_id") != self.record_id:
            return
        entry = {**entry, "_state": state}
        row = self._row_of(entry["id"])
        if row is not None:
            old_key = _sort_key(self._entries[row])
            self._entries[row] = entry
            if _sort_key(entry) == old_key:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            self.endRemoveRows()
        key = _sort_key(entry)
        position = len(self._entries)
        for i, existing in enumerate(self._entries):
            if _sort_key(existing) > key:
                position = i
                break
        self.beginInsertRows(QModelIndex(), position, position)
        self._entries.insert(position, entry)
        self.endInsertRows()

    def remove(self, entry_id: str) -> dict[str, Any] | None:
        row = self._row_of(entry_id)
        if row is None:
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        entry = self._entries.pop(row)
        self.endRemoveRows()
        return entry

    def entry(self, row: int) -> dict[str, Any]:
        return self._entries[row]

    def state_of(self, entry_id: str) -> str | None:
        row = self._row_of(entry_id)
        return None if row is None else self._entries[row]["_state"]
