"""Shared page layout for printed documents: fonts, styles, page furniture, "Page x of y", outline.

Pattern from pretix's invoice renderer: a BaseDocTemplate with named page templates ("First",
"Later"), a two-pass canvas that draws the page totals once the page count is known, and
bookmarks added from an afterFlowable hook. One frame per page and story order == reading order,
because open-source reportlab cannot write a tagged PDF.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from desktop.printing.documents import Officer
from desktop.timefmt import format_local

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
# Fallback when running from a tree without resources/fonts (Debian/Ubuntu fonts-dejavu-core).
_SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"))

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 22 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

GRID_GREY = colors.HexColor("#8C8C8C")
HEADER_FILL = colors.HexColor("#E4E4E4")
STRIPE_FILL = colors.HexColor("#F4F4F4")
NOTE_FILL = colors.HexColor("#FFF6D6")  # corrections: pale, still legible in greyscale

_registered = False
_covered: frozenset[int] = frozenset()
_font_lock = threading.Lock()


def font_path(filename: str) -> Path:
    """The packaged copy first (so a PyInstaller build finds it), then the system's."""
    packaged = resources.files("resources.fonts").joinpath(filename)
    if packaged.is_file():
        return Path(str(packaged))
    for directory in _SYSTEM_FONT_DIRS:
        if (directory / filename).is_file():
            return directory / filename
    raise FileNotFoundError(f"Font {filename} not found in resources/fonts or {', '.join(map(str, _SYSTEM_FONT_DIRS))}")


def register_fonts() -> None:
    """Embed DejaVu Sans: the base-14 PDF fonts cannot show Ł, Greek or Cyrillic names. Safe to
    call from several worker threads at once (the client prints off the GUI thread)."""
    global _registered, _covered
    if _registered:
        return
    with _font_lock:
        if _registered:
            return
        fonts = [TTFont(name, str(font_path(filename))) for name, filename in _FONT_FILES.items()]
        for font in fonts:
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        # characters both weights can draw (glyph 0 is "missing")
        _covered = frozenset.intersection(*(frozenset(c for c, g in f.face.charToGlyph.items() if g)
                                            for f in fonts))
        _registered = True


# --- text ---------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """NFC (so decomposed accents print as one glyph) and no control characters. Not NFKC: the
    record must stay verbatim."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).replace("\t", "    ")


def printable(text: str) -> str:
    """``clean(text)`` with every character the embedded font cannot draw written as [U+XXXX]:
    reportlab would otherwise print an empty box, silently losing part of a name. (The on-screen
    outline keeps the real characters; Qt has fallback fonts.)"""
    text = clean(text)
    if text.isascii():
        return text
    register_fonts()
    return "".join(c if ord(c) in _covered or c in "\n\r " else f"[U+{ord(c):04X}]" for c in text)


def fit(text: str, width: float, font: str = FONT, size: float = 8) -> str:
    """One line of page furniture cut to ``width`` with an ellipsis, so it cannot run into the
    page number or the text beside it."""
    text = printable(" ".join(text.split()))
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def esc(text: str) -> str:
    """User text made safe for Paragraph markup, keeping its line breaks."""
    return html.escape(printable(text), quote=False).replace("\r\n", "\n").replace("\n", "<br/>")


_word_widths: dict[tuple[str, float], dict[str, float]] = {}


def wrap_plain(text: str, width: float, font: str = FONT, size: float = 8) -> list[str]:
    """Greedy line-breaking for plain table cells, much cheaper than a Paragraph for thousands of
    rows. Keeps the writer's line breaks; breaks a word wider than the column (a URL, a long
    reference) rather than letting it run over the next column."""
    widths = _word_widths.setdefault((font, size), {})
    if len(widths) > 100_000:  # bounded: a long-running client prints many records
        widths.clear()

    def width_of(word: str, font: str, size: float) -> float:
        # logs repeat their words ("checked", "responded", times): measure each once
        found = widths.get(word)
        if found is None:
            found = widths[word] = pdfmetrics.stringWidth(word, font, size)
        return found

    space = width_of(" ", font, size)
    out: list[str] = []
    for para in printable(text).splitlines() or [""]:
        line: list[str] = []
        used = 0.0
        for word in para.split():
            wide = width_of(word, font, size)
            while wide > width:  # cut the overlong word at the last character that fits
                if line:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                cut = len(word) - 1
                while cut > 1 and width_of(word[:cut], font, size) > width:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
                wide = width_of(word, font, size)
            if line and used + space + wide > width:
                out.append(" ".join(line))
                line, used = [word], wide
            else:
                used = used + space + wide if line else wide
                line.append(word)
        out.append(" ".join(line))
    return out


def when(value: datetime | None, missing: str = "Not recorded") -> str:
    """Europe/London with the zone shown: '21/11/2026 10:20 GMT'."""
    return format_local(value) if value is not None else missing


def when_two_lines(value: datetime | None) -> str:
    """Date over time, for narrow table columns."""
    if value is None:
        return "—"
    day, clock = format_local(value).split(" ", 1)
    return f"{day}\n{clock}"


def day(value: date | None, missing: str = "Not recorded") -> str:
    return value.strftime("%d/%m/%Y") if value is not None else missing


def who(officer: Officer | None, missing: str = "Not recorded") -> str:
    return officer.label() if officer is not None else missing


def or_missing(text: str, missing: str = "Not recorded") -> str:
    return text if text and text.strip() else missing


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- styles -------------------------------------------------------------------------------------


class Styles:
    """Named paragraph styles (built after the fonts are registered)."""

    def __init__(self) -> None:
        register_fonts()
        base = ParagraphStyle("Body", fontName=FONT, fontSize=9, leading=11.5)
        self.body = base
        self.title = ParagraphStyle("Title", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21,
                                    spaceAfter=2)
        self.subtitle = ParagraphStyle("Subtitle", parent=base, fontSize=10, leading=13, spaceAfter=6)
        self.h1 = ParagraphStyle("Heading1", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15,
                                 spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.h2 = ParagraphStyle("Heading2", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13,
                                 spaceBefore=6, spaceAfter=3, keepWithNext=1)
        self.label = ParagraphStyle("Label", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=10.5)
        self.value = ParagraphStyle("Value", parent=base, fontSize=9, leading=11.5)
        self.cell = ParagraphStyle("Cell", parent=base, fontSize=8, leading=10)
        self.cell_bold = ParagraphStyle("CellBold", parent=self.cell, fontName=FONT_BOLD)
        self.correction = ParagraphStyle("Correction", parent=self.cell, leftIndent=10)
        self.note = ParagraphStyle("Note", parent=base, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333"))
        self.end = ParagraphStyle("End", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER, spaceBefore=12)


_styles: Styles | None = None


def styles() -> Styles:
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles


# --- flowables ----------------------------------------------------------------------------------


class CellParagraph(Paragraph):
    """A Paragraph that remembers its last wrap. A long table is re-measured each time it is split
    across a page; line-breaking depends only on the width, so re-use it (halves build time)."""

    _last_wrap: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._last_wrap is not None and self._last_wrap[0] == availWidth:
            return self._last_wrap[1]
        result = super().wrap(availWidth, availHeight)
        self._last_wrap = (availWidth, result)
        return result

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        self._last_wrap = None  # split re-wraps internally and may change our state
        return super().split(availWidth, availHeight)


class Heading(Paragraph):
    """A section heading that also becomes a PDF bookmark (outline entry) at ``level``."""

    def __init__(self, text: str, level: int = 0):
        super().__init__(esc(text), styles().h1 if level == 0 else styles().h2)
        self.outline_text = clean(text)
        self.outline_level = level


LINES_PER_ROW = 15  # a table row cannot break across pages; longer text continues in further rows


def chunk_lines(text: str, width: float, font: str = FONT, size: float = 8) -> list[str]:
    """``text`` in pieces short enough for one table row each (usually just one piece)."""
    lines = wrap_plain(text, width, font, size)
    if len(lines) <= LINES_PER_ROW:
        return [text]
    return ["\n".join(lines[i:i + LINES_PER_ROW]) for i in range(0, len(lines), LINES_PER_ROW)]


def grid(rows: Sequence[Sequence[tuple[str, str]]], label_width: float = 34 * mm) -> Table:
    """Label/value pairs, two pairs per row; a row with one pair spans the full width.
    Values are plain text (escaped here)."""
    s = styles()
    value_width = BODY_WIDTH / 2 - label_width
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = []
    for row in rows:
        if len(row) == 1:
            label, value = row[0]
            wide = BODY_WIDTH - label_width - 8
            for piece, text in enumerate(chunk_lines(value, wide, size=s.value.fontSize)):
                r = len(data)
                data.append([Paragraph(esc(label if piece == 0 else f"{label} (continued)"), s.label),
                             Paragraph(esc(text), s.value), "", ""])
                commands += [("SPAN", (1, r), (3, r)), ("BACKGROUND", (0, r), (0, r), HEADER_FILL)]
        else:
            r = len(data)
            cells: list[Any] = []
            for label, value in row:
                cells += [Paragraph(esc(label), s.label), Paragraph(esc(value), s.value)]
            data.append(cells)
            commands += [("BACKGROUND", (0, r), (0, r), HEADER_FILL), ("BACKGROUND", (2, r), (2, r), HEADER_FILL)]
    table = Table(data, colWidths=[label_width, value_width, label_width, value_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),  # empty cells too: no base-14 font in the file
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, GRID_GREY),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, GRID_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *commands,
    ]))
    return table


def signature_boxes(boxes: Sequence[tuple[str, int]], label_width: float = 52 * mm) -> Table:
    """Room to sign or write by hand on the printed copy. A box of one line is a signature: a ruled space with
    "Date and time" beside it. A box of several is written text (a reply in the person's own words): that many
    ruled lines across the width."""
    s = styles()
    line_height = 10 * mm
    data: list[list[Any]] = []
    heights: list[float] = []
    commands: list[tuple[Any, ...]] = []
    for label, lines in boxes:
        first = len(data)
        if lines <= 1:
            data.append([Paragraph(esc(label), s.label), "", Paragraph("Date and time", s.label), ""])
            heights.append(line_height + 2 * mm)
            commands += [("LINEBELOW", (1, first), (1, first), 0.75, colors.black),
                         ("LINEBELOW", (3, first), (3, first), 0.75, colors.black)]
        else:
            for _ in range(lines):
                r = len(data)
                data.append([Paragraph(esc(label), s.label) if r == first else "", "", "", ""])
                heights.append(line_height)
                commands += [("SPAN", (1, r), (3, r)), ("LINEBELOW", (1, r), (3, r), 0.5, colors.black)]
            commands.append(("SPAN", (0, first), (0, len(data) - 1)))
        commands += [("BACKGROUND", (0, first), (0, len(data) - 1), HEADER_FILL),
                     ("LINEBELOW", (0, len(data) - 1), (0, len(data) - 1), 0.25, GRID_GREY)]
    date_label, date_width = 30 * mm, 34 * mm
    table = Table(data, colWidths=[label_width, BODY_WIDTH - label_width - date_label - date_width, date_label,
                                   date_width], rowHeights=heights, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, GRID_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        *commands,
    ]))
    return table


CELL_PADDING = 3


class FastTable(Table):
    """A Table that draws each multi-line plain-string cell as one PDF text object instead of one
    per line (reportlab's default): the custody log is mostly such cells, and per-line drawing was
    the largest single cost of a 2,000-entry record. Everything else is Table's own drawing."""

    _curcellstyle: Any  # Table's drawing state, which the stubs do not declare

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if (not isinstance(cellval, str) or "\n" not in cellval or cellstyle.alignment != "LEFT"
                or cellstyle.valign != "TOP" or cellstyle.direction or cellstyle.shaping
                or cellstyle.href or cellstyle.destination):
            super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]  # the stubs omit this private method
            return None
        colpos, rowpos = pos
        rowheight = size[1]
        if self._curcellstyle is not cellstyle:
            cur = self._curcellstyle
            if cur is None or cellstyle.color != cur.color:
                self.canv.setFillColor(cellstyle.color)
            if (cur is None or cellstyle.leading != cur.leading or cellstyle.fontname != cur.fontname
                    or cellstyle.fontsize != cur.fontsize):
                self.canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            self._curcellstyle = cellstyle
        # the text object takes the canvas's font, so canvas and PDF state stay in step
        text = self.canv.beginText(colpos + cellstyle.leftPadding,
                                   rowpos + rowheight - cellstyle.topPadding - cellstyle.fontsize)
        text.textLines(cellval, trim=0)
        self.canv.drawText(text)
        return None


def column_widths(relative: Sequence[float]) -> list[float]:
    """Relative widths scaled to the body width."""
    scale = BODY_WIDTH / sum(relative)
    return [w * scale for w in relative]


CELL_LEADING = 10
CELL_TOP, CELL_BOTTOM = 2, 3


def row_heights(data: Sequence[Sequence[Any]], widths: Sequence[float]) -> list[float]:
    """Every row's height, measured as Table would (lines x leading, or the flowable's wrapped
    height, plus padding). Given up front, Table skips its own per-split measuring, which is
    quadratic in the number of rows: the difference between 2,000 log entries printing in about
    one second or three."""
    heights = []
    for row in data:
        tallest = 0.0
        for cell, width in zip(row, widths):
            if isinstance(cell, Paragraph):
                height = cell.wrap(width - 2 * CELL_PADDING, 1e6)[1]
            else:
                height = CELL_LEADING * (cell.count("\n") + 1) if cell else CELL_LEADING
            tallest = max(tallest, height)
        heights.append(tallest + CELL_TOP + CELL_BOTTOM)
    return heights


def data_table(header: Sequence[str], rows: Sequence[list[Any] | tuple[Any, ...]], widths: Sequence[float],
               extra: Sequence[tuple[Any, ...]] = (), stripes: bool = True) -> Table:
    """A table whose header row repeats on every page. Cells may be str (no wrapping: wrap them
    first with wrap_plain) or CellParagraphs (wrap). ``widths`` are relative."""
    s = styles()
    data = [[CellParagraph(esc(h), s.cell_bold) for h in header], *rows]
    absolute = column_widths(widths)
    table = FastTable(data, colWidths=absolute, rowHeights=row_heights(data, absolute), repeatRows=1,
                      hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8, CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID_GREY),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        *([("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_FILL])] if stripes else []),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_BOTTOM),
        *extra,
    ]))
    return table


def none_recorded(what: str = "None recorded.") -> Paragraph:
    return Paragraph(esc(what), styles().note)


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


# --- page furniture -----------------------------------------------------------------------------


class NumberedCanvas(Canvas):
    """Two-pass canvas: keeps every page's drawing state, then writes "Page x of y" on each once
    the total is known (pretix invoice pattern)."""

    _pageNumber: int  # Canvas's page counter, which the stubs do not declare

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._page_states.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # the stubs omit Canvas's private _startPage

    def save(self) -> None:
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 8)
        self.drawRightString(PAGE_WIDTH - MARGIN_X, 12 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()


class RecordDocTemplate(BaseDocTemplate):
    """A4 portrait, one body frame, page templates "First" and "Later"; headings become bookmarks.

    ``running_left``/``running_right`` are shown at the top of later pages so a loose page can be
    put back in its document; ``footer_left`` (who printed it, when) on every page.
    """

    def __init__(self, target: Any, *, marking: str, title: str, author: str, subject: str,
                 running_left: str, running_right: str, footer_left: str) -> None:
        register_fonts()
        # binary (Flate-only) streams: ASCII85 on top only makes files larger and, without the
        # C accelerator, costs a sixth of a long record's build time
        rl_config.useA85 = 0
        super().__init__(
            target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=title, author=author, subject=subject, creator="Bridewell",
            lang="en-GB", displayDocTitle=True, initialFontName=FONT, pageCompression=1,
        )
        self.marking = marking
        self.running_left = running_left
        self.running_right = running_right
        self.footer_left = footer_left
        self._bookmarks = 0
        self.marks: dict[str, int] = {}  # a story mark's name -> the page it was placed on
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([
            PageTemplate("First", frames=[frame], onPage=self._first_page, autoNextPageTemplate="Later"),
            PageTemplate("Later", frames=[frame], onPage=self._later_page),
        ])

    def _furniture(self, canv: Canvas) -> None:
        canv.saveState()
        canv.setFont(FONT_BOLD, 10)
        canv.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, self.marking)
        canv.drawCentredString(PAGE_WIDTH / 2, 6 * mm, self.marking)
        canv.setStrokeColor(GRID_GREY)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, 16 * mm, PAGE_WIDTH - MARGIN_X, 16 * mm)
        canv.setFont(FONT, 8)
        room = BODY_WIDTH - pdfmetrics.stringWidth("Page 9999 of 9999", FONT, 8) - 6 * mm
        canv.drawString(MARGIN_X, 12 * mm, fit(self.footer_left, room))
        canv.restoreState()

    def _first_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._furniture(canv)

    def _later_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._furniture(canv)
        canv.saveState()
        canv.setFont(FONT, 8)
        y = PAGE_HEIGHT - 17 * mm
        half = BODY_WIDTH / 2 - 3 * mm
        canv.drawString(MARGIN_X, y, fit(self.running_left, half))
        canv.drawRightString(PAGE_WIDTH - MARGIN_X, y, fit(self.running_right, half))
        canv.setStrokeColor(GRID_GREY)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, y - 2.5 * mm, PAGE_WIDTH - MARGIN_X, y - 2.5 * mm)
        canv.restoreState()

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 (reportlab's name)
        name = getattr(flowable, "mark_name", None)
        if name is not None:
            self.marks[name] = self.page
        if isinstance(flowable, Heading):
            self._bookmarks += 1
            key = f"section-{self._bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=flowable.outline_level, closed=False)

    def build_story(self, story: list[Any]) -> None:
        self.build(story, canvasmaker=NumberedCanvas)
