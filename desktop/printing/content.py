"""A document as ordered sections of plain strings, rendered both to PDF and to a read-in-order
text/HTML outline, so the printed and the on-screen versions cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.printing.log_order import PrintedEntry


@dataclass(frozen=True)
class Grid:
    """Label/value pairs; a row holds one or two pairs (one pair spans the width: long values)."""

    rows: list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Rows:
    """A table. ``widths`` are relative column widths for print. Cells are plain strings; a newline
    is a line break."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    empty: str = "None recorded."
    highlight: set[int] = field(default_factory=set)  # row indexes to shade (e.g. overdue)


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class LogPart:
    entries: list[PrintedEntry]


@dataclass(frozen=True)
class Signatures:
    """Boxes to sign or write in by hand on the printed copy: (label, lines of room). The outline names them."""

    boxes: list[tuple[str, int]]


Part = Grid | Rows | Text | LogPart | Signatures


@dataclass(frozen=True)
class Section:
    title: str
    parts: list[Part]
    level: int = 0  # 0: a section; 1: a subsection of the section before it


@dataclass(frozen=True)
class DocumentContent:
    title: str  # e.g. "Custody record"
    subtitle: str  # e.g. "Custody number 01NT/1234/26 · Northtown Custody Suite"
    marking: str
    sections: list[Section]
    closing: str  # the end-of-document line (shows nothing was cut off)
    printed: str  # "Printed 21/11/2026 10:20 GMT by …"
