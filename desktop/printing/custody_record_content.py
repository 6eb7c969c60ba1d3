"""What a printed custody record says, section by section (Code C 2; domain.md §1.7)."""

from __future__ import annotations

from domain.custody_log import LOG_KINDS

from desktop.printing.content import DocumentContent, Grid, LogPart, Part, Rows, Section, Text
from desktop.printing.documents import CustodyRecordDoc
from desktop.printing.layout import day, now_utc, or_missing, when, when_two_lines, who
from desktop.printing.log_order import PrintedEntry, printed_order


def kind_label(kind: str) -> str:
    return LOG_KINDS.get(kind, kind.replace("_", " ").capitalize())


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def entry_notes(pe: PrintedEntry) -> tuple[str, str]:
    """(before the text, after the text): the correction links a reader must not miss."""
    before = ""
    if pe.corrects_number is not None:
        before = f"Correction of entry {pe.corrects_number}."
    elif pe.target_missing:
        before = f"Correction of an entry not in this record ({pe.entry.corrects_id})."
    after = ""
    if pe.corrected_by:
        numbers = ", ".join(str(n) for n in pe.corrected_by)
        after = f"Corrected by entry {numbers}." if len(pe.corrected_by) == 1 else f"Corrected by entries {numbers}."
    return before, after


def custody_record_content(doc: CustodyRecordDoc) -> DocumentContent:
    d = doc.detainee
    sections: list[Section] = []

    person_rows: list[list[tuple[str, str]]] = [
        [("Name", d.full_name())],
        [("Date of birth", day(d.date_of_birth)), ("Gender", or_missing(d.gender))],
        [("PNC ID", or_missing(d.pnc_id, "None known")), ("CRO number", or_missing(d.cro_number, "None known"))],
        [("Address", or_missing(d.address))],
    ]
    if d.aliases:
        person_rows.append([("Also known as", "; ".join(d.aliases))])
    person_rows.append([("Juvenile", yes_no(doc.juvenile)), ("Vulnerable", yes_no(doc.vulnerable))])
    person_rows.append([("Appropriate adult", or_missing(doc.appropriate_adult, "None")),
                        ("Interpreter", or_missing(doc.interpreter, "None"))])
    sections.append(Section("Detainee", [Grid(person_rows)]))

    arrest_rows: list[list[tuple[str, str]]] = []
    if doc.arrest is not None:
        a = doc.arrest
        arrest_rows += [
            [("Arrested", when(a.arrested_at)), ("Arresting officer", who(a.officer))],
            [("Place of arrest", or_missing(a.place))],
            [("Offences", "; ".join(a.offences) if a.offences else "Not recorded")],
            [("Necessity", or_missing(a.necessity))],
        ]
    arrest_rows += [
        [("Arrived at station", when(doc.arrived_at)), ("Relevant time", when(doc.relevant_time))],
        [("Basis of relevant time", or_missing(doc.relevant_time_basis))],
    ]
    sections.append(Section("Arrest and arrival", [Grid(arrest_rows)]))

    if doc.detention is None:
        detention: list[Part] = [Text("No decision on detention recorded.")]
    else:
        det = doc.detention
        detention = [Grid([
            [("Decision", "Detention authorised" if det.authorised else "Detention refused"), ("At", when(det.at))],
            [("By", who(det.by))],
            [("Grounds", or_missing(det.grounds))],
        ])]
    sections.append(Section("Authorisation of detention", detention))

    if doc.rights is None:
        rights: list[Part] = [Text("Rights and entitlements not recorded.")]
    else:
        r = doc.rights
        rights = [
            Grid([
                [("Rights given", when(r.given_at)), ("Given by", who(r.given_by))],
                [("Notice language", or_missing(r.notice_language)), ("Notice version", or_missing(r.notice_version))],
            ]),
            Rows(["Right or entitlement", "Requested", "At", "Detail", "Delay: authorised by and reason"],
                 [[q.right, yes_no(q.requested), when_two_lines(q.at), q.detail or "—",
                   (f"{who(q.delay_authorised_by)}: {q.delay_reason}" if q.delay_authorised_by else "No delay")]
                  for q in r.requests],
                 [28, 15, 17, 30, 35], empty="No requests recorded."),
        ]
    sections.append(Section("Rights and entitlements", rights))

    sections.append(Section("Risk assessments", [] if doc.risk_assessments else [Text("None recorded.")]))
    for ra in sorted(doc.risk_assessments, key=lambda x: (x.version, x.at)):
        parts: list[Part] = [Grid([
            [("Assessed", when(ra.at)), ("By", who(ra.by))],
            [("Result", or_missing(ra.result))],
            [("Warning markers", "; ".join(ra.warning_markers) if ra.warning_markers else "None")],
            [("Concerns", or_missing(ra.answers_summary))],
        ])]
        if ra.answers:
            parts.append(Rows(["Question", "Answer", "Given by", "Note"],
                              [[a.question, a.answer, a.source or "—", a.note or "—"] for a in ra.answers],
                              [62, 16, 22, 40]))
        sections.append(Section(f"Risk assessment version {ra.version} — {when(ra.at)}", parts, level=1))

    sections.append(Section("Observation levels", [Rows(
        ["Set at", "Level", "By", "Reason"],
        [[when_two_lines(o.at), o.level, who(o.by), o.reason or "—"]
         for o in sorted(doc.observation_levels, key=lambda o: o.at)],
        [17, 35, 28, 45])]))

    sections.append(Section("Cell visits and rousing checks", [Rows(
        ["Done (observed)", "Recorded", "By", "Type", "Result"],
        [[when_two_lines(c.observed_at), when_two_lines(c.recorded_at), who(c.by), c.type, c.result or "—"]
         for c in sorted(doc.checks, key=lambda c: (c.observed_at, c.recorded_at))],
        [17, 17, 28, 14, 45])]))

    review_rows: list[list[str]] = []
    for rv in sorted(doc.reviews, key=lambda r: (r.due_at is None, r.due_at)):
        postponed = "\n".join(f"{when(p.at)}, {who(p.by)}: {p.reason}" for p in rv.postponements) or "None"
        decision = rv.decision or "Not yet done"
        if rv.grounds:
            decision += f"\nGrounds: {rv.grounds}"
        review_rows.append([rv.kind, when_two_lines(rv.due_at), when_two_lines(rv.done_at),
                            who(rv.by, "—"), decision, postponed])
    sections.append(Section("Reviews and extensions", [Rows(
        ["Kind", "Due", "Done", "By", "Decision", "Postponements"], review_rows, [15, 17, 17, 24, 38, 30])]))

    sections.append(Section("Interviews", [] if doc.interviews else [Text("None recorded.")]))
    for n, iv in enumerate(sorted(doc.interviews, key=lambda i: (i.started_at is None, i.started_at)), start=1):
        rows: list[list[tuple[str, str]]] = [
            [("Started", when(iv.started_at)), ("Ended", when(iv.ended_at) if iv.ended_at else "Not yet ended")],
            [("Location", or_missing(iv.location))],
            [("Present", or_missing(iv.present))],
            [("Breaks", or_missing(iv.breaks, "None"))],
            [("Special warnings", or_missing(iv.special_warnings, "None"))],
            [("Recording reference", or_missing(iv.recording_reference))],
            [("Outcome", or_missing(iv.outcome))],
        ]
        if iv.urgent_authority:
            rows.append([("Urgent interview without the appropriate adult, authorised by", iv.urgent_authority)])
        sections.append(Section(f"Interview {n} — {when(iv.started_at)}", [Grid(rows)], level=1))

    sections.append(Section("Property (PACE s.54)", [Rows(
        ["Item", "Qty", "Kept, retained or seized", "Bag and seal", "Recorded; signature", "Returned"],
        [[p.description, str(p.quantity), p.disposition, p.bag_seal or "—",
          f"{when_two_lines(p.searched_at)}\n{p.signature}", p.returned or "—"] for p in doc.property_items],
        [38, 8, 22, 22, 30, 30], empty="No property recorded.")]))

    entries = printed_order(doc.log_entries)
    log_parts: list[Part] = [Text(
        "In order of the time each event happened (observed). Each entry shows when it was recorded and "
        "who recorded it. Corrections appear directly under the entry they correct; both stay in full.")]
    log_parts.append(LogPart(entries) if entries else Text("No log entries."))
    sections.append(Section("Custody log", log_parts))

    outcome: list[list[tuple[str, str]]] = []
    if doc.disposal is not None:
        dp = doc.disposal
        outcome += [[("Outcome", dp.outcome), ("Decided", when(dp.decided_at))],
                    [("Decided by", who(dp.decided_by))],
                    [("Details", or_missing(dp.details, "None"))]]
    if doc.release is not None:
        rl = doc.release
        outcome += [[(rl.kind, when(rl.at)), ("By", who(rl.by))],
                    [("Destination", or_missing(rl.destination, "—"))],
                    [("Reason", or_missing(rl.reason, "—"))]]
    sections.append(Section("Disposal and release",
                            [Grid(outcome)] if outcome else [Text("Still in custody: no disposal or release recorded.")]))

    printed_at = doc.printed_at or now_utc()
    printed = f"Printed {when(printed_at)}" + (f" by {doc.printed_by.label()}" if doc.printed_by else "")
    return DocumentContent(
        title="Custody record",
        subtitle=f"Custody number {doc.custody_number} · {doc.station}",
        marking=doc.protective_marking,
        sections=sections,
        closing=(f"End of custody record {doc.custody_number}: {len(entries)} log "
                 f"entr{'y' if len(entries) == 1 else 'ies'}, {len(doc.checks)} "
                 f"check{'' if len(doc.checks) == 1 else 's'}."),
        printed=printed,
    )
