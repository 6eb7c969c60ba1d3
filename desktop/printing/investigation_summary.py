"""An investigation's printable summary (issue 14): its details, offences, people by role, lines of enquiry,
actions, and the timeline of everything on it, timed and attributed. Built from what the API returned
(GET /investigations/{id}, /actions, /timeline); reportlab loads with this module, so views import it on first use."""

from __future__ import annotations

from datetime import datetime
from os import PathLike
from typing import Any, BinaryIO

from desktop.printing.content import DocumentContent, Grid, Rows, Section, Text
from desktop.printing.from_api import parse_time
from desktop.printing.layout import now_utc, when, when_two_lines
from desktop.printing.story import build_pdf

Json = dict[str, Any]
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
ROLE_ORDER = ("suspect", "victim", "witness", "other")
ROLE_TITLES = {"suspect": "Suspects", "victim": "Victims", "witness": "Witnesses", "other": "Others"}


def _officer(user: Json | None, missing: str = "Not recorded") -> str:
    if not user:
        return missing
    collar = f" {user['collar_number']}" if user.get("collar_number") else ""
    return f"{user.get('rank') or ''} {user.get('display_name') or ''}{collar}".strip()


def _person(link: Json) -> str:
    person = link.get("person") or {}
    name = f"{(person.get('surname') or '').upper()}, {person.get('forenames') or ''}".strip(", ")
    born = person.get("date_of_birth")
    return f"{name} (born {born})" if born else name


def investigation_summary_content(investigation: Json, actions: list[Json], timeline: Json | None, *,
                                  printed_by: str = "", printed_at: datetime | None = None) -> DocumentContent:
    inv = investigation
    offences = inv.get("offences") or []
    sections = [Section("Investigation", [Grid([
        [("Reference", inv.get("reference") or ""), ("Status", (inv.get("status") or "").capitalize())],
        [("Title", inv.get("title") or "")],
        [("Type", (inv.get("kind") or "not recorded").capitalize()),
         ("Opened", when(parse_time(inv.get("opened_at"))))],
        [("Officer in the case", _officer(inv.get("officer_in_charge"))),
         ("Supervisor", _officer(inv.get("supervisor"), "None named"))],
        [("Summary", inv.get("summary") or "No summary written.")],
    ])])]
    sections.append(Section("Offences under investigation", [Rows(
        ["Code", "Offence"], [[o.get("code") or "", o.get("title") or ""] for o in offences], [20, 100],
        empty="No offences recorded.")]))
    people = inv.get("people") or []
    by_role = sorted(people, key=lambda p: (ROLE_ORDER.index(p["role"]) if p.get("role") in ROLE_ORDER else 9))
    sections.append(Section("People", [Rows(
        ["Role", "Person", "Linked", "By"],
        [[(p.get("role") or "").capitalize(), _person(p), when_two_lines(parse_time(p.get("added_at"))),
          _officer(p.get("added_by"))] for p in by_role], [14, 52, 20, 34], empty="No one linked yet.")]))
    lines = inv.get("lines_of_enquiry") or []
    sections.append(Section("Lines of enquiry", [Rows(
        ["Line of enquiry", "Objective", "Status", "Raised"],
        [[line.get("title") or "", line.get("objective") or "—", (line.get("status") or "").capitalize(),
          f"{when_two_lines(parse_time(line.get('raised_at')))}\n{_officer(line.get('raised_by'))}"]
         for line in lines], [34, 46, 12, 28], empty="No lines of enquiry recorded.")]))
    overdue = {i for i, a in enumerate(actions) if a.get("overdue")}
    sections.append(Section("Actions", [Rows(
        ["No.", "Action", "Priority", "Status", "Allocated to", "Due"],
        [[a.get("number") or "", a.get("title") or "", (a.get("priority") or "").capitalize(),
          a.get("status_title") or a.get("status") or "", _officer(a.get("allocated_to"), "Not allocated"),
          (when_two_lines(parse_time(a.get("due_at"))) if a.get("due_at") else "No due date")
          + ("\nOVERDUE" if a.get("overdue") else "")] for a in actions],
        [8, 42, 12, 16, 24, 18], empty="No actions raised.", highlight=overdue)]))
    entries = (timeline or {}).get("entries") or []
    sections.append(Section("Timeline", [
        Text("Everything recorded on the investigation, in the order it happened."),
        Rows(["When", "What", "By"], [[when_two_lines(parse_time(e.get("at"))), e.get("text") or "",
                                       _officer(e.get("by"))] for e in entries], [20, 72, 28],
             empty="Nothing recorded yet.")]))
    printed_at = printed_at or now_utc()
    return DocumentContent(
        title="Investigation summary", subtitle=f"{inv.get('reference')} · {inv.get('title')}",
        marking=PROTECTIVE_MARKING, sections=sections,
        closing=f"End of summary: {len(people)} {'person' if len(people) == 1 else 'people'}, {len(lines)} "
                f"line{'' if len(lines) == 1 else 's'} of enquiry, {len(actions)} action"
                f"{'' if len(actions) == 1 else 's'}, {len(entries)} timeline "
                f"entr{'y' if len(entries) == 1 else 'ies'}.",
        printed=f"Printed {when(printed_at)}" + (f" by {printed_by}" if printed_by else ""))


def build_investigation_summary_pdf(investigation: Json, actions: list[Json], timeline: Json | None,
                                    target: str | PathLike[str] | BinaryIO, *, printed_by: str = "") -> None:
    content = investigation_summary_content(investigation, actions, timeline, printed_by=printed_by)
    build_pdf(content, target, title=f"{content.title} — {content.subtitle}", author=printed_by or "Bridewell",
              subject="Investigation summary", running_left="Investigation summary",
              running_right=str(investigation.get("reference") or ""))
