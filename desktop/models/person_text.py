"""How people, officers and dates are written in every area's views (one place, so every table agrees)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.people import GENDERS, WARNING_MARKERS


def full_name(person: dict[str, Any] | None) -> str:
    """'MACDONALD, Stephen James' (surname first in capitals, as custody staff read names)."""
    person = person or {}
    surname = (person.get("surname") or "").upper()
    forenames = person.get("forenames") or ""
    return f"{surname}, {forenames}".strip(", ") or "Name not recorded"


def dob_text(value: str | None) -> str:
    """'11/04/1988' from '1988-04-11'; 'not known' when absent."""
    if not value:
        return "not known"
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def marker_titles(codes: list[str] | None) -> str:
    return ", ".join(WARNING_MARKERS.get(c, c) for c in codes or [])


def gender_text(code: str | None) -> str:
    return GENDERS.get(code or "", code or "not recorded")


def officer(user: dict[str, Any] | None) -> str:
    """'DS Caradoc Whitlow (DS1266)'; display names already carry the rank's short form where used."""
    user = user or {}
    name = user.get("display_name") or ""
    collar = user.get("collar_number") or ""
    return f"{name} ({collar})" if name and collar else name or "—"


def person_line(person: dict[str, Any] | None) -> str:
    """One line for lists and announcements: name, DOB, PNC ID."""
    person = person or {}
    text = f"{full_name(person)}, born {dob_text(person.get('date_of_birth'))}"
    if person.get("pnc_id_short") or person.get("pnc_id"):
        text += f", PNC ID {person.get('pnc_id_short') or person.get('pnc_id')}"
    return text


def marker_summary(person: dict[str, Any]) -> str:
    """The active warning markers, for the risk assessment: 'Violent (Assaulted staff 2024; set by …)'."""
    active = [m for m in person.get("warning_markers") or [] if not m.get("removed_at")]
    if not active:
        return "No warning markers."
    return "Warning markers: " + "; ".join(
        f"{m.get('title') or m.get('code')}" + (f" ({m['details']})" if m.get("details") else "")
        + f", set by {officer(m.get('set_by'))}" for m in active)
