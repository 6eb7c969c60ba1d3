"""The force view's figures (issue 15): for each custody suite, from its cells and its open custody records as
the API gives them (CustodyRecordOut and CellOut as dicts), how full it is and what needs attention now.

Computed where they are shown (the client, from the board's records and the change feed), so one detainee's
change updates one suite's figures without asking the server again. Pure: the standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

NEAR_LIMIT = timedelta(hours=2)  # a detention limit this close is shown as near
REVIEW_SOON = timedelta(hours=1)  # a review due this soon is in the queue as "due soon"
RELEASED = "released"


def when(value: Any) -> datetime | None:
    """An ISO 8601 time from the wire, or None."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def is_open(record: Mapping[str, Any]) -> bool:
    return record.get("status") != RELEASED


@dataclass(frozen=True)
class SuiteFigures:
    detainees: int
    places: int  # places in cells in use
    free_places: int
    cells_out_of_use: int
    overdue_checks: int
    reviews_overdue: int
    reviews_due_soon: int
    near_limit: int  # detention limit within NEAR_LIMIT (or passed)
    juveniles: int
    aa_awaited: int  # appropriate adults awaited
    incoming: int  # transfers on their way to this suite

    @property
    def attention(self) -> int:
        return self.overdue_checks + self.reviews_overdue + self.near_limit + self.aa_awaited


def suite_figures(suite: Mapping[str, Any], records: Iterable[Mapping[str, Any]], now: datetime,
                  incoming: int = 0) -> SuiteFigures:
    """`records`: the open records in the suite. Occupancy is counted from them, so it follows the feed."""
    cells = suite.get("cells") or []
    in_cell: dict[str, int] = {}
    detainees = overdue = reviews_overdue = due_soon = near = juveniles = aa = 0
    for r in records:
        if not is_open(r):
            continue
        detainees += 1
        if r.get("cell_id"):
            in_cell[r["cell_id"]] = in_cell.get(r["cell_id"], 0) + 1
        check = when(r.get("next_check_due"))
        if check is not None and check < now:
            overdue += 1
        review = when(r.get("next_review_due"))
        if review is not None:
            if review < now:
                reviews_overdue += 1
            elif review - now <= REVIEW_SOON:
                due_soon += 1
        limit = when(r.get("detention_limit_at"))
        if limit is not None and limit - now <= NEAR_LIMIT:
            near += 1
        juveniles += bool(r.get("juvenile"))
        aa += bool(r.get("appropriate_adult_awaited"))
    places = free = out_of_use = 0
    for c in cells:
        if c.get("out_of_use"):
            out_of_use += 1
            continue
        capacity = int(c.get("capacity") or 0)
        places += capacity
        free += max(0, capacity - in_cell.get(c.get("id", ""), 0))
    return SuiteFigures(detainees, places, free, out_of_use, overdue, reviews_overdue, due_soon, near, juveniles, aa,
                        incoming)


def figures_text(name: str, f: SuiteFigures) -> str:
    """The suite's state in words (screen readers, and the row's tooltip)."""
    parts = [f"{name}: {f.detainees} detained, {f.free_places} of {f.places} places free"]
    for count, what in ((f.overdue_checks, "check overdue", ), (f.reviews_overdue, "review overdue"),
                        (f.reviews_due_soon, "review due within the hour"), (f.near_limit, "near the detention limit"),
                        (f.juveniles, "juvenile"), (f.aa_awaited, "appropriate adult awaited"),
                        (f.incoming, "transfer on its way"), (f.cells_out_of_use, "cell out of use")):
        if count:
            parts.append(f"{count} {what}")
    if not f.attention:
        parts.append("nothing overdue")
    return ", ".join(parts) + "."


def review_due(record: Mapping[str, Any], now: datetime, within: timedelta = REVIEW_SOON) -> bool:
    """In the review queue: an open record whose next review is overdue or due within `within`."""
    due = when(record.get("next_review_due"))
    return is_open(record) and due is not None and due - now <= within
