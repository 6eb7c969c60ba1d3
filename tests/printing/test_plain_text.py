"""The read-in-order outline a screen-reader user gets instead of the (untagged) PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.plain_text import (
    Block, charge_sheet_outline, custody_record_outline, to_html, to_text,
)
from tests.printing import pdf_tools
from tests.printing.sample_docs import ARRIVED, charge_sheet, custody_record, log_entry


def test_headings_follow_the_pdf_bookmarks(tmp_path: Path) -> None:
    doc = custody_record()
    path = tmp_path / "record.pdf"
    build_custody_record_pdf(doc, path)
    headings = [(b.level - 2, b.text) for b in custody_record_outline(doc) if b.kind == "heading" and b.level >= 2]
    assert headings == pdf_tools.outline(path)


def test_log_reads_in_observed_order_with_each_correction_under_its_entry() -> None:
    blocks = custody_record_outline(custody_record())
    entries = [b for b in blocks if b.kind == "paragraph" and b.text.startswith("Entry ")]
    assert [re.match(r"Entry (\d+)", b.text).group(1) for b in entries] == ["1", "3", "2", "5", "4"]
    corrected, correction = entries[2], entries[3]
    assert corrected.text.endswith("Corrected by entry 5.") and corrected.indent == 0
    assert correction.text.startswith("Entry 5. Correction of entry 2.") and correction.indent == 1
    assert ("Observed 21/11/2026 10:50 GMT, recorded 21/11/2026 11:15 GMT, "
            "by Tomasz Wren (Detention officer, DO 5520).") in entries[1].text


def test_text_has_the_same_facts_as_the_pdf(tmp_path: Path) -> None:
    doc = custody_record()
    path = tmp_path / "record.pdf"
    build_custody_record_pdf(doc, path)
    pdf = pdf_tools.flat(path)
    text = to_text(custody_record_outline(doc))
    for fact in ("ÅNGSTRÖM-ŁUKASIEWICZ, Zoë", "Ζωή Λουκάσεβιτς", "Arrival at the first police station after arrest",
                 "Reasonable grounds to believe informing would alert an outstanding suspect.",
                 "Detainee in interview.", "End of custody record 01NT/2611/26: 5 log entries, 4 checks."):
        assert fact in pdf and fact in text, fact
    assert text.startswith("OFFICIAL-SENSITIVE\n\nCustody record\n==============")
    assert text.rstrip().endswith("OFFICIAL-SENSITIVE")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_escaped_and_structured_by_headings() -> None:
    log = (log_entry(1, ARRIVED, "Shouted <script>alert(1)</script> & left"),
           log_entry(2, ARRIVED, "Correction: he did not leave.", kind="correction", corrects=1))
    page = to_html(custody_record_outline(custody_record(log)))
    assert "<script>" not in page
    assert "Shouted &lt;script&gt;alert(1)&lt;/script&gt; &amp; left" in page
    parser = _Collect()
    parser.feed(page)
    assert parser.tags[:3] == ["html", "body", "p"]
    assert parser.tags.count("h1") == 1 and parser.tags.count("h2") == 12  # 12 sections (issue 14 added 2)
    assert "blockquote" in parser.tags  # the correction, nested under its entry
    assert '<html lang="en-GB">' in page


def test_charge_sheet_outline_numbers_charges_and_keeps_the_reply_verbatim() -> None:
    blocks = charge_sheet_outline(charge_sheet())
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[headings.index("Charges") + 1:][:2] == [
        "Charge 1 — TH68010 Theft from a shop", "Charge 2 — CJ88150 Common assault of an emergency worker"]
    assert Block("paragraph", "Reply after charge (verbatim): “I only took it because I was cold — I'm sorry, "
                              "ça va pas.”") in blocks


def test_printing_never_loads_qt() -> None:
    code = ("import sys, desktop.printing.custody_record_pdf, desktop.printing.charge_sheet_pdf, "
            "desktop.printing.plain_text; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert out == "[]"


def test_fonts_ship_with_the_application() -> None:
    from desktop.printing.layout import font_path

    root = Path(__file__).resolve().parents[2] / "resources" / "fonts"
    assert font_path("DejaVuSans.ttf") == root / "DejaVuSans.ttf"
    assert font_path("DejaVuSans-Bold.ttf") == root / "DejaVuSans-Bold.ttf"
    assert (root / "LICENSE-DejaVu.md").read_text(encoding="utf-8").count("Bitstream") >= 3
