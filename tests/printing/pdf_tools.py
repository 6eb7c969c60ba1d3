"""Read a PDF back the way a person or a court system would: poppler's pdftotext, pdfinfo, pdffonts
and the outline (bookmarks) from pdftohtml -xml."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, encoding="utf-8").stdout


def text(path: Path, *, layout: bool = True, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _run(*args, str(path), "-")


def flat(path: Path) -> str:
    """Reading-order text with all whitespace collapsed, so wrapped values can be matched whole."""
    return " ".join(text(path, layout=False).split())


def info(path: Path) -> dict[str, str]:
    out = {}
    for line in _run("pdfinfo", "-enc", "UTF-8", str(path)).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def pages(path: Path) -> int:
    return int(info(path)["Pages"])


def fonts(path: Path) -> list[dict[str, str]]:
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    return [dict(zip(("name", "type", "encoding", "emb", "sub", "uni"), re.split(r"\s{2,}|\s(?=yes|no)", line)))
            for line in lines if line.strip()]


def outline(path: Path) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark, in order."""
    xml = _run("pdftohtml", "-xml", "-stdout", "-i", "-q", str(path))
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    found: list[tuple[int, str]] = []

    def walk(node: ET.Element, depth: int) -> None:
        for child in node:
            if child.tag == "item":
                found.append((depth, "".join(child.itertext()).strip()))
            elif child.tag == "outline":
                walk(child, depth + 1)

    top = root.find("outline")
    if top is not None:
        walk(top, 0)
    return found
