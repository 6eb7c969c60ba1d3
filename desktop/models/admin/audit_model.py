"""Audit entries as the audit viewer shows them: when, who, what they did, to what, why, from where."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex

from desktop.models.person_text import officer
from desktop.models.record_table import Column, RecordTable
from desktop.timefmt import format_local

ACTION_TITLES = {
    "collection": "Recorded", "alteration": "Changed", "consultation": "Looked at", "disclosure": "Disclosed",
    "combination": "Combined", "erasure": "Erased",
}
ENTITY_TITLES = {
    "person": "person record", "custody_record": "custody record", "person_search": "person search",
    "intelligence_report": "intelligence report", "audit_log": "audit", "user": "user account",
}


def action_title(entry: dict[str, Any]) -> str:
    return ACTION_TITLES.get(entry.get("action") or "", entry.get("action") or "")


def what_text(entry: dict[str, Any]) -> str:
    entity = entry.get("entity") or ""
    title = ENTITY_TITLES.get(entity, entity.replace("_", " "))
    shown = entry.get("subjects") or []
    if not entry.get("entity_id") and shown:  # a list read: one row naming everything it showed
        return f"{title}: {len(shown)} in a list"
    return f"{title} {(entry.get('entity_id') or '')[:8]}".strip()


def ids_text(entry: dict[str, Any]) -> str:
    """The full id(s) the row names: its own, or a list read's subjects separated by spaces."""
    return entry.get("entity_id") or " ".join(entry.get("subjects") or [])


def who_text(entry: dict[str, Any]) -> str:
    return officer(entry.get("user")) if entry.get("user") else "the system"


def csv_row(entry: dict[str, Any]) -> list[str]:
    """One line of the CSV export: full ids and UTC times, so the file can be checked against the server."""
    user = entry.get("user") or {}
    return [str(entry.get("id", "")), entry.get("at") or "", user.get("username", ""), user.get("display_name", ""),
            user.get("collar_number", ""), entry.get("action") or "", entry.get("entity") or "",
            ids_text(entry), entry.get("justification") or "", entry.get("workstation") or ""]


CSV_HEADER = ["id", "at_utc", "username", "name", "collar_number", "action", "entity", "entity_id", "why",
              "workstation"]


class AuditModel(RecordTable):
    columns = (
        Column("When", lambda e: format_local(e.get("at")), spoken=lambda e: f"At {format_local(e.get('at'))}"),
        Column("Who", who_text),
        Column("Did", action_title),
        Column("What", what_text, spoken=lambda e: f"{what_text(e)}, id {e.get('entity_id') or 'none'}"),
        Column("Why", lambda e: e.get("justification") or "",
               spoken=lambda e: f"Why: {e.get('justification') or 'no reason recorded'}"),
        Column("Workstation", lambda e: e.get("workstation") or "",
               spoken=lambda e: f"Workstation: {e.get('workstation') or 'not known'}"),
    )

    def append_rows(self, rows: list[dict[str, Any]]) -> None:
        """The next (older) page, added below: rows inserted, never a reset."""
        if not rows:
            return
        start = self.rowCount()
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
