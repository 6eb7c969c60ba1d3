"""Investigations (a table) and one investigation's timeline (a table): rows are the API's dicts."""

from __future__ import annotations

from typing import Any

from desktop.models.person_text import officer
from desktop.models.record_table import Column, RecordTable
from desktop.timefmt import format_local, format_short

OPEN_ACTION_STATES = ("raised", "allocated", "resulted", "referred")


def open_actions(inv: dict[str, Any]) -> int:
    counts = inv.get("action_counts") or {}
    return sum(int(counts.get(state) or 0) for state in OPEN_ACTION_STATES)


def offences_text(inv: dict[str, Any]) -> str:
    return "; ".join(f"{o.get('code')} {o.get('title')}" for o in inv.get("offences") or []) or "none recorded"


def people_text(inv: dict[str, Any]) -> str:
    people = inv.get("people") or []
    return f"{len(people)} {'person' if len(people) == 1 else 'people'}"


class InvestigationsModel(RecordTable):
    columns = (
        Column("Reference", lambda i: i.get("reference") or "",
               spoken=lambda i: f"Investigation {i.get('reference') or ''}"),
        Column("Title", lambda i: i.get("title") or ""),
        Column("Type", lambda i: (i.get("kind") or "not recorded").capitalize()),
        Column("Status", lambda i: (i.get("status") or "").capitalize(),
               spoken=lambda i: f"Status: {i.get('status') or 'not known'}"),
        Column("Officer in the case", lambda i: officer(i["officer_in_charge"]) if i.get("officer_in_charge")
               else "none named"),
        Column("People", people_text),
        Column("Open actions", lambda i: str(open_actions(i)),
               spoken=lambda i: f"{open_actions(i)} open action{'' if open_actions(i) == 1 else 's'}"),
        Column("Opened", lambda i: format_short(i.get("opened_at")),
               spoken=lambda i: f"Opened {format_local(i.get('opened_at'))}"),
    )


TIMELINE_KINDS = {"opened": "Opened", "changed": "Details changed", "person": "Person linked",
                  "line": "Line of enquiry", "action": "Action"}


class TimelineModel(RecordTable):
    columns = (
        Column("When", lambda e: format_short(e.get("at")), spoken=lambda e: format_local(e.get("at"))),
        Column("What", lambda e: TIMELINE_KINDS.get(e.get("kind") or "", e.get("kind") or "")),
        Column("Detail", lambda e: e.get("text") or ""),
        Column("By", lambda e: officer(e.get("by")), spoken=lambda e: f"By {officer(e.get('by'))}"),
    )

    def set_timeline(self, timeline: dict[str, Any] | None) -> None:
        entries = (timeline or {}).get("entries") or []
        self.set_rows([{**e, "id": f"{n}"} for n, e in enumerate(entries)])
