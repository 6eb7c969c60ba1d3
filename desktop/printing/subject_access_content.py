"""The subject access export (the server's JSON: POST /people/{id}/subject-access) as a document: each section and
record as label/value grids and tables, and what was withheld marked where it was left out and listed at the end.

The same DocumentContent the custody record uses, so the PDF and a read-in-order outline come from one source."""

from __future__ import annotations

import re
from typing import Any

from desktop.printing.content import DocumentContent, Grid, Part, Rows, Section, Text
from desktop.printing.layout import now_utc, when
from desktop.timefmt import format_local, parse_utc

MARKING = "OFFICIAL-SENSITIVE: PERSONAL DATA (subject access)"
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TABLE_COLUMNS = 5  # wider nested rows are printed as a grid each, so no column is too narrow to read


ACRONYMS = {"pnc": "PNC", "cro": "CRO", "id": "ID", "aa": "AA", "hcp": "HCP", "cjs": "CJS", "urn": "URN"}


def label(key: str) -> str:
    """'arrest_place' -> 'Arrest place'; 'pnc_id' -> 'PNC ID'."""
    words = [ACRONYMS.get(w, w) for w in key.split("_") if w]
    text = " ".join(words)
    return (text[:1].upper() + text[1:]) or key


def value_text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if _ISO_TIME.match(value):
            try:
                return format_local(parse_utc(value))
            except ValueError:
                return value
        if _ISO_DAY.match(value):
            return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
        return value
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {value_text(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value)
    return str(value)


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _pairs(fields: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """Two short pairs to a row; a long value gets a row of its own."""
    rows: list[list[tuple[str, str]]] = []
    pending: list[tuple[str, str]] = []
    for key, value in fields.items():
        if key == "id" or _is_rows(value):
            continue
        pair = (label(key), value_text(value))
        if len(pair[1]) > 40:
            rows.append([pair])
        else:
            pending.append(pair)
            if len(pending) == 2:
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending)
    return rows


def _nested(key: str, rows: list[dict[str, Any]]) -> list[Part]:
    keys = [k for k in dict.fromkeys(k for r in rows for k in r) if k != "id" and not _is_rows(rows[0].get(k))]
    title = f"{label(key)} ({len(rows)})"
    if len(keys) <= MAX_TABLE_COLUMNS:
        return [Text(title, bold=True),
                Rows(header=[label(k) for k in keys], rows=[[value_text(r.get(k)) for k in keys] for r in rows],
                     widths=[1.0] * len(keys))]
    parts: list[Part] = [Text(title, bold=True)]
    for n, row in enumerate(rows, start=1):
        parts += [Text(f"{label(key)} {n} of {len(rows)}"), Grid(_pairs({k: row.get(k) for k in keys}))]
    return parts


def withheld_text(what: str, reason: str) -> str:
    return f"WITHHELD: {what}. Reason: {reason}"


def _item_parts(item: dict[str, Any]) -> list[Part]:
    fields: dict[str, Any] = item.get("fields") or {}
    parts: list[Part] = []
    grid = _pairs(fields)
    if grid:
        parts.append(Grid(grid))
    for key, value in fields.items():
        if _is_rows(value):
            parts += _nested(key, value)
    for w in item.get("withheld") or []:
        parts.append(Text(withheld_text(w["what"], w["reason"]), bold=True))
    return parts or [Text("Nothing further recorded.")]


def subject_access_content(data: dict[str, Any]) -> DocumentContent:
    sections: list[Section] = [Section("About this export", [Grid([
        [("Request", data.get("request_reference", "")), ("Person", data.get("person_name", ""))],
        [("Prepared", value_text(data.get("generated_at"))),
         ("Prepared by", _officer(data.get("generated_by") or {}))],
    ]), Text("Everything the force holds on this person in Bridewell, except what is marked WITHHELD, with the "
             "reason it is withheld.")])]
    for section in data.get("sections") or []:
        items = section.get("items") or []
        sections.append(Section(section["title"], [] if items else [Text("None held.")]))
        for item in items:
            sections.append(Section(item.get("heading") or section["title"], _item_parts(item), level=1))
    withheld = data.get("withheld") or []
    sections.append(Section("What was withheld and why", [
        Rows(header=["What", "Reason"], rows=[[w["what"], w["reason"]] for w in withheld], widths=[1.0, 1.6],
             empty="Nothing was withheld.")]))
    return DocumentContent(
        title="Subject access export", subtitle=f"{data.get('person_name', '')} · request "
                                                f"{data.get('request_reference', '')}",
        marking=MARKING, sections=sections, closing="End of the subject access export.",
        printed=f"Printed {when(now_utc())}")


def _officer(user: dict[str, Any]) -> str:
    name = " ".join(p for p in (user.get("rank"), user.get("display_name")) if p)
    return f"{name} ({user['collar_number']})" if user.get("collar_number") else name or "Not recorded"
