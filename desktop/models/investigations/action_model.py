"""Investigation actions (a table) and one action's history. Overdue is text, an icon and a colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from desktop.models.person_text import officer
from desktop.models.record_table import Column, RecordTable
from desktop.timefmt import format_local, format_short
from domain.actions import STATE_TITLES, ActionState

OVERDUE_COLOUR = QColor("#b00020")
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def status_title(a: dict[str, Any]) -> str:
    try:
        return a.get("status_title") or STATE_TITLES[ActionState(a.get("status") or "")]
    except ValueError:
        return a.get("status") or ""


def due_text(a: dict[str, Any]) -> str:
    if not a.get("due_at"):
        return "no due date"
    return ("OVERDUE " if a.get("overdue") else "") + format_short(a["due_at"])


def due_spoken(a: dict[str, Any]) -> str:
    if not a.get("due_at"):
        return "No due date"
    return ("Overdue: was due " if a.get("overdue") else "Due ") + format_local(a["due_at"])


def _overdue_icon(a: dict[str, Any]) -> QIcon | None:
    if not a.get("overdue"):
        return None
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def sort_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overdue first (earliest due first), then by due date, then priority (what GET /actions does too)."""
    return sorted(actions, key=lambda a: (not a.get("overdue"), a.get("due_at") or "9999",
                                          PRIORITY_ORDER.get(a.get("priority", ""), 3), a.get("number") or ""))


class ActionsModel(RecordTable):
    columns = (
        Column("Action", lambda a: f"{a.get('investigation_reference', '')} {a.get('number', '')}".strip(),
               spoken=lambda a: f"Action {a.get('number', '')} of {a.get('investigation_reference', '')}"),
        Column("Title", lambda a: a.get("title") or ""),
        Column("Priority", lambda a: (a.get("priority") or "").capitalize(),
               spoken=lambda a: f"{(a.get('priority') or '').capitalize()} priority"),
        Column("Status", status_title, spoken=lambda a: f"Status: {status_title(a)}"),
        Column("Allocated to", lambda a: officer(a.get("allocated_to")) if a.get("allocated_to") else "not allocated"),
        Column("Due", due_text, spoken=due_spoken, icon=_overdue_icon,
               colour=lambda a: OVERDUE_COLOUR if a.get("overdue") else None),
    )


EVENT_TITLES = {"raise": "Raised", "allocate": "Allocated", "submit_result": "Result submitted", "file": "Filed",
                "further_action": "Filed with further action", "return": "Returned", "refer": "Referred",
                "cancel": "Cancelled"}


class ActionHistoryModel(RecordTable):
    columns = (
        Column("When", lambda h: format_short(h.get("at")), spoken=lambda h: format_local(h.get("at"))),
        Column("What", lambda h: EVENT_TITLES.get(h.get("event", ""), h.get("event") or "")),
        Column("By", lambda h: officer(h.get("by"))),
        Column("Status after", lambda h: _state(h.get("to_status"))),
        Column("Reason or note", lambda h: h.get("reason") or h.get("note") or "none"),
    )

    def set_history(self, action: dict[str, Any] | None) -> None:
        history = (action or {}).get("history") or []
        self.set_rows([{**h, "id": f"{i}"} for i, h in enumerate(history)])


def _state(value: str | None) -> str:
    try:
        return STATE_TITLES[ActionState(value or "")]
    except ValueError:
        return value or ""
