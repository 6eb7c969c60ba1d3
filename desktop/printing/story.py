"""DocumentContent → reportlab flowables (the PDF side of content.py)."""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from typing import Any, BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, Paragraph

from desktop.printing.content import DocumentContent, Grid, LogPart, Rows, Text
from desktop.printing.layout import (
    CELL_LEADING, CELL_PADDING, FONT_BOLD, NOTE_FILL, CellParagraph, Heading, RecordDocTemplate, column_widths, data_table,
    LINES_PER_ROW, chunk_lines, esc, gap, grid, none_recorded, styles, when_two_lines, wrap_plain,
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


LOG_WIDTHS = [10, 18, 18, 26, 23, 78]  # No., Observed, Recorded, Recorded by, Kind, Entry


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
            author_lines[author] = "\n".join(wrap_plain(author, inner[3]))
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
        out.append(gap(2))
    return out


def story_for(content: DocumentContent) -> list[Any]:
    s = styles()
    story: list[Any] = [Paragraph(esc(content.title), s.title), Paragraph(esc(content.subtitle), s.subtitle)]
    carried: list[Any] = []  # a short section waiting to go onto the page of its first subsection
    sections = content.sections
    for index, section in enumerate(sections):
        flowables = [*carried, Heading(section.title, section.level), *_part_flowables(section.parts)]
        carried = []
        short = all(isinstance(part, Grid | Text) for part in section.parts)
        if not short:
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
    story.append(Paragraph(esc(content.closing), s.end))
    return story


def build_pdf(content: DocumentContent, target: str | PathLike[str] | BinaryIO, *, title: str, author: str,
              subject: str, running_left: str, running_right: str) -> None:
    template = RecordDocTemplate(
        str(target) if not hasattr(target, "write") else target,
        marking=content.marking, title=title,
        author=author, subject=subject, running_left=running_left, running_right=running_right,
        footer_left=content.printed,
    )
    template.build_story(story_for(content))
