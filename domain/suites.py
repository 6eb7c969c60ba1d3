"""Custody suites and their cells (issue 15): the kinds of cell, a suite's opening state, and whether a cell can
take one more detainee. Pure rules; the server enforces them in the database (server/custody/suites.py)."""

from __future__ import annotations

from enum import StrEnum


class CellType(StrEnum):
    ADULT = "adult"
    JUVENILE = "juvenile"
    CONSTANT_WATCH = "constant_watch"
    DETENTION_ROOM = "detention_room"


CELL_TYPE_TITLES: dict[CellType, str] = {
    CellType.ADULT: "Adult cell",
    CellType.JUVENILE: "Juvenile detention room",
    CellType.CONSTANT_WATCH: "Constant watch cell",
    CellType.DETENTION_ROOM: "Detention room",
}


class SuiteState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # not taking detainees (refurbishment, contingency); its open records stay on its board


SUITE_STATE_TITLES: dict[SuiteState, str] = {SuiteState.OPEN: "Open", SuiteState.CLOSED: "Closed"}

MAX_CELL_CAPACITY = 6


def cell_refusal(*, out_of_use: bool, out_of_use_reason: str | None, capacity: int, occupants: int,
                 number: str) -> str | None:
    """Why cell `number` cannot take one more detainee now, or None when it can."""
    if out_of_use:
        return f"Cell {number} is out of use" + (f" ({out_of_use_reason})." if out_of_use_reason else ".")
    if occupants >= capacity:
        held = "a detainee" if capacity == 1 else f"{occupants} detainees (its capacity)"
        return f"Cell {number} already holds {held}; choose another cell."
    return None
