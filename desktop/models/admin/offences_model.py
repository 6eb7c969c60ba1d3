"""The offence catalogue as an administrator edits it: every version of every offence, in force or not said in
words."""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.models.record_table import Column, RecordTable

MODES = {"summary": "Summary only", "either_way": "Either way", "indictable_only": "Indictable only"}


def offence_row(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of GET /admin/config/offences with the row id the table keys on (code and first day)."""
    return {**entry, "id": f"{entry.get('code')}@{entry.get('effective_from') or ''}"}


def _day(value: str | None, empty: str) -> str:
    if not value:
        return empty
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def in_force_text(entry: dict[str, Any], today: date | None = None) -> str:
    today = today or date.today()
    start = date.fromisoformat(entry["effective_from"]) if entry.get("effective_from") else date.min
    end = date.fromisoformat(entry["effective_to"]) if entry.get("effective_to") else date.max
    return "In force" if start <= today <= end else ("Not yet in force" if today < start else "No longer in force")


class OffencesModel(RecordTable):
    columns = (
        Column("Code", lambda o: o.get("code") or "", spoken=lambda o: f"Offence code {o.get('code', '')}"),
        Column("Title", lambda o: o.get("title") or ""),
        Column("Mode of trial", lambda o: MODES.get(o.get("mode_of_trial") or "", o.get("mode_of_trial") or "")),
        Column("From", lambda o: _day(o.get("effective_from"), "no start date"),
               spoken=lambda o: f"In force from {_day(o.get('effective_from'), 'no start date')}"),
        Column("To", lambda o: _day(o.get("effective_to"), "still in force"),
               spoken=lambda o: f"In force until {_day(o.get('effective_to'), 'now: still in force')}"),
        Column("Status", in_force_text),
    )
