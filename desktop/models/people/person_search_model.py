"""Search and duplicate-check results: one row per candidate, with the reasons it matched as text."""

from __future__ import annotations

from typing import Any

from desktop.models.person_text import dob_text, full_name, gender_text, marker_titles
from desktop.models.record_table import Column, RecordTable


def _person(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("person") or {}


def why(row: dict[str, Any]) -> str:
    return "; ".join(row.get("reasons") or []) or "matched"


class PersonResultsModel(RecordTable):
    """Rows are `{person: PersonSummary, score, reasons}`; the row id is the person's id."""

    columns = (
        Column("Name", lambda r: full_name(_person(r))),
        Column("Date of birth", lambda r: dob_text(_person(r).get("date_of_birth")),
               spoken=lambda r: f"Born {dob_text(_person(r).get('date_of_birth'))}"),
        Column("PNC ID", lambda r: _person(r).get("pnc_id_short") or "none",
               spoken=lambda r: f"PNC ID {_person(r).get('pnc_id_short') or 'none'}"),
        Column("Gender", lambda r: gender_text(_person(r).get("gender"))),
        Column("Warning markers", lambda r: marker_titles(_person(r).get("warning_codes")) or "none",
               spoken=lambda r: "Warning markers: " + (marker_titles(_person(r).get("warning_codes")) or "none")),
        Column("Match", lambda r: f"{r.get('score', 0)}%", spoken=lambda r: f"Match score {r.get('score', 0)} out of 100"),
        Column("Why it matched", why, spoken=lambda r: f"Why it matched: {why(r)}"),
    )

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        super().set_rows([{**r, "id": _person(r).get("id")} for r in rows])
