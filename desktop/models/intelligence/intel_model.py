"""Intelligence report lists and grading history, with each code's meaning as text."""

from __future__ import annotations

from typing import Any

from desktop.models.person_text import officer
from desktop.models.record_table import Column, RecordTable
from desktop.timefmt import format_local, format_short
from domain.grading import (HANDLING_MEANINGS, INTELLIGENCE_MEANINGS, SOURCE_MEANINGS, HandlingCode,
                            IntelligenceAssessment, SourceEvaluation)

STATUS_TITLES = {"submitted": "Submitted, awaiting QA", "returned": "Returned for changes", "approved": "Approved",
                 "disseminated": "Disseminated"}


def meaning(kind: str, code: str | None) -> str:
    try:
        if kind == "source":
            return SOURCE_MEANINGS[SourceEvaluation(code or "")]
        if kind == "assessment":
            return INTELLIGENCE_MEANINGS[IntelligenceAssessment((code or "").upper())]
        return HANDLING_MEANINGS[HandlingCode((code or "").upper())]
    except ValueError:
        return "not graded"


def grading_spoken(grading: str | None) -> str:
    """'2/B,C/P' → 'source 2 untested; items B known indirectly…, C …; handling P lawful sharing permitted'."""
    parts = (grading or "").split("/")
    if len(parts) != 3:
        return grading or "not graded"
    source, items, handling = parts
    item_text = ", ".join(f"{c} {meaning('assessment', c).lower()}" for c in items.split(",") if c)
    return (f"Grading {grading}: source {source} {meaning('source', source).lower()}; "
            f"intelligence {item_text}; handling {handling} {meaning('handling', handling).lower()}")


class ReportsModel(RecordTable):
    columns = (
        Column("Reference", lambda r: r.get("reference") or ""),
        Column("Title", lambda r: r.get("title") or "restricted"),
        Column("Status", lambda r: STATUS_TITLES.get(r.get("status", ""), r.get("status") or "")),
        Column("Grading", lambda r: r.get("grading") or "", spoken=lambda r: grading_spoken(r.get("grading"))),
        Column("Handling", lambda r: r.get("handling_code") or "",
               spoken=lambda r: f"Handling code {r.get('handling_code')}: {meaning('handling', r.get('handling_code'))}"),
        Column("Submitted", lambda r: format_short(r.get("submitted_at")),
               spoken=lambda r: f"Submitted {format_local(r.get('submitted_at'))}"),
    )


def _items_grading(entry: dict[str, Any]) -> str:
    items = ",".join((i.get("assessment") or "") for i in entry.get("items") or [])
    return f"{entry.get('source_evaluation')}/{items}/{entry.get('handling_code')}"


class GradingHistoryModel(RecordTable):
    columns = (
        Column("Replaced at", lambda h: format_short(h.get("at")), spoken=lambda h: f"Replaced {format_local(h.get('at'))}"),
        Column("Grading", _items_grading, spoken=lambda h: grading_spoken(_items_grading(h))),
        Column("Handling conditions", lambda h: h.get("handling_conditions") or "none"),
        Column("Replaced by", lambda h: officer(h.get("by"))),
        Column("Reason", lambda h: h.get("reason") or ""),
    )

    def set_history(self, report: dict[str, Any] | None) -> None:
        self.set_rows([{**h, "id": str(i)} for i, h in enumerate((report or {}).get("grading_history") or [])])
