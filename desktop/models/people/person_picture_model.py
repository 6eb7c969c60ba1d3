"""The person dock's tables: everything linked to the person across modules, warning markers, merges."""

from __future__ import annotations

from typing import Any

from desktop.models.person_text import full_name, officer
from desktop.models.record_table import Column, RecordTable
from desktop.timefmt import format_local, format_short

AREAS = {"custody": "Custody", "investigations": "Investigation", "intelligence": "Intelligence",
         "prosecution": "Prosecution"}
RESTRICTED = "restricted"


def picture_links(picture: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per link, whatever the area: {id, area, reference, title, status, role, target id}."""
    rows = []
    for link in picture.get("custody") or []:
        rows.append({"id": f"custody:{link.get('record_id')}", "area": "custody", "target": link.get("record_id"),
                     "reference": link.get("custody_number"), "title": f"Arrived {format_short(link.get('arrived_at'))}",
                     "status": link.get("status"), "role": link.get("role")})
    for link in picture.get("investigations") or []:
        rows.append({"id": f"inv:{link.get('investigation_id')}", "area": "investigations",
                     "target": link.get("investigation_id"), "reference": link.get("reference"),
                     "title": link.get("title"), "status": link.get("status"), "role": link.get("role")})
    for link in picture.get("intelligence") or []:
        rows.append({"id": f"intel:{link.get('report_id')}", "area": "intelligence", "target": link.get("report_id"),
                     "reference": link.get("reference"),
                     # Need to know: the server leaves out what this role may not see; a missing title is
                     # said to be restricted rather than shown blank.
                     "title": link.get("title") or RESTRICTED, "status": link.get("status"),
                     "role": link.get("role"), "handling_code": link.get("handling_code")})
    for link in picture.get("prosecution") or []:
        rows.append({"id": f"case:{link.get('case_id')}", "area": "prosecution", "target": link.get("case_id"),
                     "reference": link.get("reference"), "title": "Prosecution case", "status": link.get("status"),
                     "role": link.get("role")})
    return rows


def _plain(value: str | None) -> str:
    return (value or "").replace("_", " ")


class PictureLinksModel(RecordTable):
    columns = (
        Column("Area", lambda r: AREAS.get(r["area"], r["area"])),
        Column("Reference", lambda r: r.get("reference") or ""),
        Column("Title", lambda r: r.get("title") or ""),
        # Capitalised as the custody board writes it ("In custody", not "in custody").
        Column("Status", lambda r: _plain(r.get("status")).capitalize()),
        Column("Role", lambda r: _plain(r.get("role")), spoken=lambda r: f"Role: {_plain(r.get('role'))}"),
    )


def _marker_state(m: dict[str, Any]) -> str:
    if m.get("removed_at"):
        return f"Removed {format_local(m.get('removed_at'))} by {officer(m.get('removed_by'))}: {m.get('removal_reason') or ''}"
    return "Active"


class MarkersModel(RecordTable):
    columns = (
        Column("Marker", lambda m: m.get("title") or m.get("code") or ""),
        Column("Details", lambda m: m.get("details") or ""),
        Column("Set by", lambda m: officer(m.get("set_by"))),
        Column("Set at", lambda m: format_short(m.get("set_at")), spoken=lambda m: f"Set {format_local(m.get('set_at'))}"),
        Column("State", _marker_state),
    )


def merge_state(m: dict[str, Any]) -> str:
    if m.get("undone_at"):
        return f"Undone {format_short(m.get('undone_at'))} by {officer(m.get('undone_by'))}"
    return "In force"


class MergesModel(RecordTable):
    """Rows are MergeOut plus the names of both records, filled in by the dock."""

    columns = (
        Column("Merged at", lambda m: format_short(m.get("merged_at")),
               spoken=lambda m: f"Merged {format_local(m.get('merged_at'))}"),
        Column("Kept record", lambda m: full_name(m.get("survivor"))),
        Column("Merged record", lambda m: full_name(m.get("merged"))),
        Column("By", lambda m: officer(m.get("merged_by"))),
        Column("Reason", lambda m: m.get("reason") or ""),
        Column("State", merge_state),
    )
