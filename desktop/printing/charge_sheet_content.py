"""What a printed charge sheet says (MG4 / custody charge screen; domain.md §1.12, §3.1)."""

from __future__ import annotations

from desktop.printing.content import DocumentContent, Grid, Part, Section, Signatures, Text
from desktop.printing.documents import ChargeSheetDoc
from desktop.printing.layout import day, now_utc, or_missing, when, who


def reply_text(reply: str | None) -> str:
    if reply is None:
        return "Not recorded"
    return f"“{reply}”" if reply.strip() else "No reply"


def charge_sheet_content(doc: ChargeSheetDoc) -> DocumentContent:
    d = doc.defendant
    sections: list[Section] = []
    person = [
        [("Name", d.full_name())],
        [("Date of birth", day(d.date_of_birth)), ("Gender", or_missing(d.gender))],
        [("PNC ID", or_missing(d.pnc_id, "None known")), ("CRO number", or_missing(d.cro_number, "None known"))],
        [("Address", or_missing(d.address))],
    ]
    if d.aliases:
        person.append([("Also known as", "; ".join(d.aliases))])
    sections.append(Section("Defendant", [Grid(person)]))
    sections.append(Section("Case references", [Grid([
        [("Custody number", doc.custody_number), ("Station", doc.station)],
        [("URN", or_missing(doc.urn)), ("ASN", or_missing(doc.asn))],
        [("CPS authority", or_missing(doc.cps_authority, "Not applicable (police charge)"))],
    ])]))

    count = len(doc.charges)
    sections.append(Section("Charges", [Text(
        f"You are charged with the following offence{'s' if count != 1 else ''} ({count} in all).")]))
    for charge in doc.charges:
        sections.append(Section(f"Charge {charge.number} — {charge.cjs_code} {charge.title}", [Grid([
            [("CJS offence code", charge.cjs_code), ("Offence", charge.title)],
            [("Statement of offence", charge.statement)],
            [("Particulars of offence", charge.particulars)],
        ])], level=1))

    c = doc.caution
    sections.append(Section("Caution on charge and reply", [Grid([
        [("Caution given", "Yes" if c.given else "No"), ("At", when(c.at, "—"))],
        [("Given by", who(c.by, "—"))],
        [("Wording", doc.caution_wording)],
        [("Reply after charge (verbatim)", reply_text(doc.reply_after_charge))],
    ])]))

    b = doc.bail
    conditions = "\n".join(f"{i}. {text}" for i, text in enumerate(b.conditions, 1)) or "None"
    sections.append(Section("Bail or remand", [Grid([
        [("Decision", b.outcome), ("Decided", when(b.decided_at))],
        [("Decided by", who(b.decided_by))],
        [("Conditions", conditions)],
        [("Reasons", or_missing(b.reasons, "None given"))],
    ])]))

    h = doc.first_hearing
    if h is None:
        hearing: list[Part] = [Text("No first hearing recorded.")]
    else:
        local = when(h.at)
        date_part, time_part = local.split(" ", 1) if " " in local else (local, "")
        hearing = [Grid([
            [("Court", h.court + (f" (court code {h.court_code})" if h.court_code else ""))],
            [("Date", date_part), ("Time", time_part)],
        ])]
    sections.append(Section("First hearing", hearing))

    sections.append(Section("Officers", [Grid([
        [("Charged", when(doc.charged_at)), ("Charging officer", who(doc.charged_by))],
        [("Custody officer", who(doc.custody_officer))],
    ])]))

    # Signed on the printed copy (Code C 16.2-16.3): the person charged signs for the charge and the reply, or
    # refuses, which the custody officer records and signs; the charging officer signs.
    sections.append(Section("Signatures", [
        Text("Reply to charge, if not recorded above, written in the person's own words:"),
        Signatures([("Reply to charge", 3)]),
        Signatures([("Signature of the person charged", 1),
                    ("Refused to sign: custody officer's signature", 1),
                    ("Signature of the charging officer", 1),
                    ("Signature of the custody officer", 1)]),
    ]))

    printed_at = doc.printed_at or now_utc()
    printed = f"Printed {when(printed_at)}" + (f" by {doc.printed_by.label()}" if doc.printed_by else "")
    return DocumentContent(
        title="Charge sheet",
        subtitle=f"Custody number {doc.custody_number} · {doc.station}",
        marking=doc.protective_marking,
        sections=sections,
        closing=f"End of charge sheet {doc.custody_number}: {count} charge{'s' if count != 1 else ''}.",
        printed=printed,
    )
