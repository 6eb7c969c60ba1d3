"""DocumentContent → reportlab flowables (the PDF side of content.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from desktop.printing.content import DocumentContent, Grid, LogPart, Rows, Section, Signatures, Text
from desktop.printing.layout import (
    CELL_LEADING, CELL_PADDING, FONT_BOLD, NOTE_FILL, CellParagraph, Heading, RecordDocTemplate, column_widths, data_table,
    LINES_PER_ROW, chunk_lines, esc, gap, grid, none_recorded, signature_boxes, styles, when_two_lines, wrap_plain,
)
from desktop.printing.log_order import PrintedEntry

LogRenderer = Callable[[list[PrintedEntry]], list[Any]]


def render_rows(part: Rows) -> list[Any]:
    if not part.rows:
        return [none_recorded(part.empty)]
    cell = styles().cell
    inner = [w - 2 * CELL_PADDING for w in column_widths(part.widths)]
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for index, row in enumerate(part.rows):
        pieces = [chunk_lines(value, width) for value, width in zip(row, inner)]
        first = len(rows) + 1
        for p in range(max(len(cell_pieces) for cell_pieces in pieces)):
            rows.append([CellParagraph(esc(cell_pieces[p]), cell) if p < len(cell_pieces) else ""
                         for cell_pieces in pieces])
        if index in part.highlight:
            extra.append(("BACKGROUND", (0, first), (-1, len(rows)), NOTE_FILL))
    return [data_table(part.header, rows, part.widths, extra)]


# No., Observed, Recorded, Recorded by, Kind, Entry. "Recorded by" is wide enough for a name on one line and
# "Detention officer, DO7731" on the next: never four lines of a name broken up.
LOG_WIDTHS = [10, 18, 18, 39, 22, 66]


def log_table(entries: list[PrintedEntry]) -> list[Any]:
    """The custody log as one table of plain pre-wrapped strings: 2,000 entries must print in
    well under two seconds, and Paragraphs cost ~4x as much. Rows carrying a correction link use
    a Paragraph so the link is bold."""
    from desktop.printing.custody_record_content import entry_notes, kind_label

    s = styles()
    widths = column_widths(LOG_WIDTHS)
    inner = [w - 2 * CELL_PADDING for w in widths]
    author_lines: dict[str, str] = {}
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = [("FONT", (4, 1), (4, -1), FONT_BOLD, 8, CELL_LEADING)]
    for pe in entries:
        e = pe.entry
        before, after = entry_notes(pe)
        author = e.author.label()
        if author not in author_lines:
            author_lines[author] = "\n".join(line for part in e.author.lines() for line in wrap_plain(part, inner[3]))
        indent = 8 * min(pe.depth, 4)
        lines = wrap_plain(e.text, inner[5] - indent)
        chunks = [lines[i:i + LINES_PER_ROW] for i in range(0, len(lines), LINES_PER_ROW)]
        number = f"↳ {pe.number}" if pe.depth else str(pe.number)
        first_row = len(rows) + 1
        for c, chunk in enumerate(chunks):
            text: Any
            if before or after or indent:
                markup = "<br/>".join(esc(line) for line in chunk)
                if c == 0 and before:
                    markup = f"<b>↳ {esc(before)}</b><br/>{markup}"
                if c == len(chunks) - 1 and after:
                    markup = f"{markup}<br/><b>{esc(after)}</b>"
                text = CellParagraph(markup, ParagraphStyle("LogIndent", parent=s.cell, leftIndent=indent)
                                     if indent else s.cell)
            else:
                text = "\n".join(chunk)
            if c == 0:
                kind = "\n".join(wrap_plain(kind_label(e.kind), inner[4], FONT_BOLD))
                rows.append([number, when_two_lines(e.observed_at), when_two_lines(e.recorded_at),
                             author_lines[author], kind, text])
            else:
                rows.append([f"{pe.number}\ncont.", "", "", "", "", text])
        if pe.depth:
            extra.append(("BACKGROUND", (0, first_row), (-1, len(rows)), NOTE_FILL))
    return [data_table(["No.", "Observed", "Recorded", "Recorded by", "Kind", "Entry"], rows, LOG_WIDTHS, extra,
                       stripes=False)]


def _part_flowables(parts: list[Any]) -> list[Any]:
    s = styles()
    out: list[Any] = []
    for index, part in enumerate(parts):
        followed = index + 1 < len(parts)
        if isinstance(part, Grid):
            out.append(grid(part.rows))
        elif isinstance(part, Rows):
            out += render_rows(part)
        elif isinstance(part, Text):
            style = s.cell_bold if part.bold else s.note
            if followed:  # an introduction stays on the page of what it introduces: no spacer between
                out.append(Paragraph(esc(part.text), ParagraphStyle("Intro", parent=style, keepWithNext=1,
                                                                    spaceAfter=4)))
                continue
            out.append(Paragraph(esc(part.text), style))
        elif isinstance(part, LogPart):
            out += log_table(part.entries)
        elif isinstance(part, Signatures):
            out.append(signature_boxes(part.boxes))
        out.append(gap(2))
    return out


class Mark(Flowable):
    """A zero-size flowable whose page the template notes (afterFlowable): where a block started and ended."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.mark_name = name

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        return None


BEFORE_LAST, END = "before-last", "end"
TAIL_ROWS = 3  # rows of the section before that go with a last block onto its page


def _short(section: Section) -> bool:
    return all(isinstance(part, Grid | Text | Signatures) for part in section.parts)


def _split_tail(section: Section) -> tuple[Section | None, list[Any]]:
    """``section`` without its last few rows, and the flowables of those rows (with the table header again), so a
    last block never stands alone on the last page. A short section goes over whole."""
    if _short(section) or not section.parts:
        return None, [Heading(section.title, section.level), *_part_flowables(section.parts)]
    *first, last = section.parts
    if isinstance(last, Rows) and len(last.rows) > TAIL_ROWS:
        cut = len(last.rows) - TAIL_ROWS
        head = replace(last, rows=last.rows[:cut], highlight={i for i in last.highlight if i < cut})
        tail = replace(last, rows=last.rows[cut:], highlight={i - cut for i in last.highlight if i >= cut})
        return replace(section, parts=[*first, head]), _part_flowables([tail])
    if isinstance(last, LogPart) and len(last.entries) > TAIL_ROWS:
        cut = len(last.entries) - TAIL_ROWS
        return (replace(section, parts=[*first, LogPart(last.entries[:cut])]),
                _part_flowables([LogPart(last.entries[cut:])]))
    return None, [Heading(section.title, section.level), *_part_flowables(section.parts)]


def story_for(content: DocumentContent, *, glue_last: bool = False) -> list[Any]:
    """The document's flowables. ``glue_last``: the last block takes the last rows of what comes before it onto
    its page (used when, built without it, the last block stood alone on the last page)."""
    s = styles()
    story: list[Any] = [Paragraph(esc(content.title), s.title), Paragraph(esc(content.subtitle), s.subtitle)]
    carried: list[Any] = []  # a short section waiting to go onto the page of its first subsection
    sections = list(content.sections)
    glued: list[Any] = []
    if glue_last and len(sections) >= 2 and _short(sections[-1]):
        head, glued = _split_tail(sections[-2])
        sections = [*sections[:-2], *([head] if head is not None else []), sections[-1]]
    for index, section in enumerate(sections):
        last = index == len(sections) - 1
        if last:
            story.append(Mark(BEFORE_LAST))
        flowables = [*carried, *(glued if last else []), Heading(section.title, section.level),
                     *_part_flowables(section.parts)]
        if last:
            flowables.append(Paragraph(esc(content.closing), s.end))  # the end line stays with the last block
        carried = []
        if not _short(section):
            story += flowables
            continue
        following = sections[index + 1] if index + 1 < len(sections) else None
        if following is not None and following.level > section.level:
            carried = flowables
        else:
            # label/value sections are short: keep each on one page (a charge, an assessment) with
            # any parent heading; KeepTogether still splits one that is longer than a page
            story.append(KeepTogether(flowables))
    story += carried
    if not sections:
        story.append(Paragraph(esc(content.closing), s.end))
    story.append(Mark(END))
    return story


def build_pdf(content: DocumentContent, target: str | PathLike[str] | BinaryIO, *, title: str, author: str,
              subject: str, running_left: str, running_right: str) -> None:
    def build(into: Any, glue_last: bool) -> RecordDocTemplate:
        template = RecordDocTemplate(
            into, marking=content.marking, title=title, author=author, subject=subject, running_left=running_left,
            running_right=running_right, footer_left=content.printed,
        )
        template.build_story(story_for(content, glue_last=glue_last))
        return template

    first = io.BytesIO()
    template = build(first, glue_last=False)
    data = first.getvalue()
    if template.marks.get(BEFORE_LAST, 0) < template.marks.get(END, 0):
        # the last block began a page of its own: build again with the rows before it taken along
        again = io.BytesIO()
        build(again, glue_last=True)
        data = again.getvalue()
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
