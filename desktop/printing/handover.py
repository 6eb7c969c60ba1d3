"""The shift handover (GET /custody/handover) as a document: one section per detainee with risk, observation level,
next check, next review, detention limit, outstanding rights, appropriate adult, interpreter and healthcare, then
everything flagged since the last handover. The same content is shown on screen (the handover view reads its
outline) and printed, so the two cannot drift apart."""

from __future__ import annotations

from datetime import datetime
from os import PathLike
from typing import Any, BinaryIO

from desktop.printing.content import DocumentContent, Grid, Part, Rows, Section, Signatures, Text
from desktop.printing.from_api import parse_time
from desktop.printing.layout import now_utc, when, when_two_lines
from desktop.printing.story import build_pdf

Json = dict[str, Any]
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
FLAG_KINDS = {"risk_assessment": "Risk assessment", "observation_level": "Observation level",
              "healthcare": "Healthcare", "detention_decision": "Detention decision", "review": "Review",
              "correction": "Correction", "cell_check": "Cell check"}


def _lines(items: list[str], none: str) -> str:
    return "\n".join(items) if items else none


def _risk(d: Json) -> str:
    level = (d.get("risk_level") or "").capitalize()
    text = f"{level} risk" if level else "Not assessed"
    if d.get("risk_concerns"):
        text += ". Concerns: " + " ".join(d["risk_concerns"])
    if d.get("warning_markers"):
        text += f". Warning markers: {d['warning_markers']}"
    return text


def _observation(d: Json) -> str:
    if d.get("observation_level") is None:
        return "Not set"
    title = d.get("observation_title") or f"Level {d['observation_level']}"
    minutes = d.get("observation_interval_minutes")
    return f"{title} (every {minutes} minutes)" if minutes else title


DUE_KEYS = ("next_check_due", "next_review_due", "detention_limit_at")


def _overdue(value: Any, now: datetime) -> bool:
    at = parse_time(value)
    return at is not None and at < now


def _due(value: Any, now: datetime, *, short: bool = False) -> str:
    """The time, and OVERDUE in words (the printout is greyscale; the screen reader hears it too)."""
    at = parse_time(value)
    if at is None:
        return "—"
    text = when_two_lines(at) if short else when(at)
    return text + ("\nOVERDUE" if short else " — OVERDUE") if at < now else text


def _attention(d: Json) -> str:
    """What this detainee needs from the next sergeant, in a few words."""
    needs = []
    if d.get("outstanding_rights"):
        needs.append(f"Rights ({len(d['outstanding_rights'])})")
    aa = d.get("appropriate_adult") or ""
    if aa and ": arrived" not in aa:
        needs.append("Appropriate adult")
    if d.get("interpreter"):
        needs.append("Interpreter")
    if d.get("healthcare"):
        needs.append("Healthcare")
    return ", ".join(needs) or "—"


def _flags(d: Json) -> str:
    flags = [word for key, word in (("juvenile", "Juvenile"), ("vulnerable", "Vulnerable")) if d.get(key)]
    return ", ".join(flags) or "None"


def handover_content(data: Json, *, printed_by: str = "", printed_at: datetime | None = None) -> DocumentContent:
    now = parse_time(data.get("prepared_at")) or now_utc()
    since = parse_time(data.get("since"))
    last = data.get("last")
    detainees = data.get("detainees") or []
    sections: list[Section] = []
    if last:
        handed = (f"Last handed over {when(parse_time(last.get('acknowledged_at')))} to {last.get('by_label')}"
                  + (f" by {last['outgoing']}" if last.get("outgoing") else "") + ".")
    else:
        handed = "Not handed over in Bridewell before: flagged items cover the last 12 hours."
    sections.append(Section("Summary", [Grid([
        [("Prepared", when(now)), ("Detainees", str(len(detainees)))],
        [("Last handover", handed)],
    ])]))
    glance = [[d.get("cell") or "—", f"{d.get('name')}\n{d.get('custody_number')}",
               (d.get("risk_level") or "not assessed").capitalize(),
               f"Level {d['observation_level']}" if d.get("observation_level") is not None else "Not set",
               _due(d.get("next_check_due"), now, short=True), _due(d.get("next_review_due"), now, short=True),
               _due(d.get("detention_limit_at"), now, short=True), _attention(d)] for d in detainees]
    overdue = {i for i, d in enumerate(detainees) if any(_overdue(d.get(k), now) for k in DUE_KEYS)}
    sections.append(Section("At a glance", [Rows(
        ["Cell", "Detainee", "Risk", "Obs. level", "Next check", "Next review", "Detention limit", "Needs"],
        glance, [8, 30, 11, 13, 17, 17, 17, 31], empty="No one is in custody.", highlight=overdue)]))
    for d in detainees:
        cell = d.get("cell") or "no cell"
        sections.append(Section(f"{d.get('name')} — cell {cell} — {d.get('custody_number')}", [Grid([
            [("Risk", _risk(d))],
            [("Observation level", _observation(d)), ("Juvenile or vulnerable", _flags(d))],
            [("Next check", _due(d.get("next_check_due"), now)), ("Next review", _due(d.get("next_review_due"), now))],
            [("Detention limit", _due(d.get("detention_limit_at"), now))],
            [("Outstanding rights", _lines(d.get("outstanding_rights") or [], "None outstanding"))],
            [("Appropriate adult", d.get("appropriate_adult") or "Not required"),
             ("Interpreter", d.get("interpreter") or "Not requested")],
            [("Healthcare", _lines(d.get("healthcare") or [], "No healthcare actions"))],
        ])]))
    if not detainees:
        sections.append(Section("Detainees", [Text("No one is in custody.")]))
    flags = data.get("flagged") or []
    since_text = when(since) if since else "the start of the shift"
    flagged: list[Part] = [Text(f"Everything flagged since {since_text}, in the order it happened.")]
    flagged.append(Rows(["When", "Detainee", "What", "Detail", "By"],
                        [[when_two_lines(parse_time(f.get("at"))), f"{f.get('name')}\n{f.get('custody_number')}",
                          FLAG_KINDS.get(f.get("kind") or "", (f.get("kind") or "").replace("_", " ").capitalize()),
                          f.get("text") or "", f.get("by") or "—"] for f in flags],
                        [17, 28, 18, 62, 28], empty="Nothing flagged since the last handover."))
    sections.append(Section("Flagged since the last handover", flagged))
    sections.append(Section("Acknowledgement", [Signatures([("Outgoing custody sergeant", 1),
                                                            ("Incoming custody sergeant", 1)])]))
    station = data.get("station") or "Station not named in the force configuration"
    printed_at = printed_at or now_utc()
    return DocumentContent(
        title="Custody handover", subtitle=f"{station} · prepared {when(now)}", marking=PROTECTIVE_MARKING,
        sections=sections,
        closing=f"End of handover: {len(detainees)} detainee{'' if len(detainees) == 1 else 's'}, "
                f"{len(flags)} flagged item{'' if len(flags) == 1 else 's'}.",
        printed=f"Printed {when(printed_at)}" + (f" by {printed_by}" if printed_by else ""))


def build_handover_pdf(data: Json, target: str | PathLike[str] | BinaryIO, *, printed_by: str = "") -> None:
    content = handover_content(data, printed_by=printed_by)
    build_pdf(content, target, title=content.title + " — " + content.subtitle, author=printed_by or "Bridewell",
              subject="Custody handover", running_left="Custody handover", running_right=content.subtitle)
