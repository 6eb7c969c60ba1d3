"""The same documents as an ordered outline of headings and paragraphs, for screen readers.

reportlab cannot write a tagged PDF, so the client shows this in a read-in-order view. It is built
from the same DocumentContent as the PDF, so the two say the same things in the same order.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from desktop.printing.charge_sheet_content import charge_sheet_content
from desktop.printing.content import DocumentContent, Grid, LogPart, Rows, Signatures, Text
from desktop.printing.custody_record_content import custody_record_content, entry_notes, kind_label
from desktop.printing.documents import ChargeSheetDoc, CustodyRecordDoc
from desktop.printing.layout import clean, when
from desktop.printing.validation import charge_sheet_problems, custody_record_problems, raise_if_problems


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph"
    text: str  # plain text; may contain newlines (line breaks within a paragraph)
    level: int = 0  # headings: 1 document title, 2 section, 3 subsection
    indent: int = 0  # paragraphs: 1+ for a correction shown under the entry it corrects


_CLOCK = re.compile(r"^\d\d:\d\d [A-Z]{2,5}$")  # the time half of a date printed over its time


def _one_line(text: str) -> str:
    out = ""
    for part in (p.strip() for p in clean(text).splitlines()):
        if part:
            out += (" " if _CLOCK.match(part) else "; ") + part if out else part
    return out


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def outline(content: DocumentContent) -> list[Block]:
    blocks = [Block("paragraph", content.marking), Block("heading", content.title, 1),
              Block("paragraph", content.subtitle)]
    for section in content.sections:
        blocks.append(Block("heading", section.title, 2 + section.level))
        for part in section.parts:
            if isinstance(part, Grid):
                blocks += [Block("paragraph", f"{label}: {clean(value)}") for row in part.rows for label, value in row]
            elif isinstance(part, Rows):
                if not part.rows:
                    blocks.append(Block("paragraph", part.empty))
                for row in part.rows:
                    blocks.append(Block("paragraph", " ".join(
                        _sentence(f"{header}: {_one_line(value)}") for header, value in zip(part.header, row))))
            elif isinstance(part, Text):
                blocks.append(Block("paragraph", clean(part.text)))
            elif isinstance(part, Signatures):
                blocks += [Block("paragraph", f"{label}: to be signed or written on the printed copy.")
                           for label, _lines in part.boxes]
            elif isinstance(part, LogPart):
                for pe in part.entries:
                    e = pe.entry
                    before, after = entry_notes(pe)
                    head = f"Entry {pe.number}. {before + ' ' if before else ''}{kind_label(e.kind)}. " \
                           f"Observed {when(e.observed_at)}, recorded {when(e.recorded_at)}, by {e.author.label()}."
                    text = f"{head}\n{clean(e.text)}" + (f"\n{after}" if after else "")
                    blocks.append(Block("paragraph", text, indent=pe.depth))
    blocks += [Block("paragraph", content.closing), Block("paragraph", content.printed),
               Block("paragraph", content.marking)]
    return blocks


def custody_record_outline(doc: CustodyRecordDoc) -> list[Block]:
    raise_if_problems(custody_record_problems(doc))
    return outline(custody_record_content(doc))


def charge_sheet_outline(doc: ChargeSheetDoc) -> list[Block]:
    raise_if_problems(charge_sheet_problems(doc))
    return outline(charge_sheet_content(doc))


def to_text(blocks: list[Block]) -> str:
    """Plain text: headings underlined, paragraphs separated by blank lines, corrections indented."""
    out: list[str] = []
    for b in blocks:
        if b.kind == "heading":
            rule = {1: "=", 2: "-"}.get(b.level, "~")
            out.append(f"{b.text}\n{rule * len(b.text)}")
        else:
            pad = "    " * b.indent
            out.append("\n".join(pad + line for line in b.text.split("\n")))
    return "\n\n".join(out) + "\n"


def to_html(blocks: list[Block], lang: str = "en-GB") -> str:
    """Simple HTML (h1–h4, p, blockquote for corrections) that QTextBrowser renders and screen
    readers navigate by heading."""
    parts = [f'<html lang="{lang}"><body>']
    for b in blocks:
        text = html.escape(b.text).replace("\n", "<br/>")
        if b.kind == "heading":
            level = min(max(b.level, 1), 4)
            parts.append(f"<h{level}>{text}</h{level}>")
        elif b.indent:
            parts.append("<blockquote>" * b.indent + f"<p>{text}</p>" + "</blockquote>" * b.indent)
        else:
            parts.append(f"<p>{text}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
