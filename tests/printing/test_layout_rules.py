"""The rules under the layout: line-breaking never overruns a column, every log entry is printed once
in the right place, and nothing the font cannot draw is silently lost."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.documents import Person
from desktop.printing.layout import FONT, FONT_BOLD, printable, register_fonts, wrap_plain
from desktop.printing.log_order import printed_order
from tests.printing import pdf_tools
from tests.printing.sample_docs import ARRIVED, custody_record, log_entry

register_fonts()

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, max_size=30), st.floats(min_value=20, max_value=300), st.sampled_from([FONT, FONT_BOLD]))
def test_wrapped_lines_fit_their_column_and_keep_every_character(parts: list[str], width: float, font: str) -> None:
    text = " ".join(parts)
    lines = wrap_plain(text, width, font, 8)
    for line in lines:
        assert stringWidth(line, font, 8) <= width + 1e-6 or len(line) == 1, (line, width)
    # only whitespace may change (runs collapse at line breaks), never the characters themselves
    assert "".join("".join(lines).split()) == "".join(printable(text).split())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.integers(0, 120), st.one_of(st.none(), st.integers(1, 12))),
                min_size=1, max_size=12))
def test_every_entry_printed_once_and_corrections_follow_their_entry(spec: list[tuple[int, int, int | None]]) -> None:
    entries = tuple(
        log_entry(n, ARRIVED + timedelta(minutes=observed), f"entry {n}", delay=timedelta(minutes=delay),
                  corrects=target if target != n else None)
        for n, (observed, delay, target) in enumerate(spec, start=1)
    )
    printed = printed_order(entries)
    assert sorted(p.entry.id for p in printed) == sorted(e.id for e in entries)
    position = {p.entry.id: i for i, p in enumerate(printed)}
    by_id = {e.id: e for e in entries}
    for i, p in enumerate(printed):
        if p.depth:  # a correction sits inside its target's block: after it, everything between deeper
            target = position[p.entry.corrects_id]
            assert target < i and all(printed[k].depth >= p.depth for k in range(target + 1, i))
            assert printed[target].depth == p.depth - 1
    top = [p.entry for p in printed if p.depth == 0 and p.entry.corrects_id not in by_id]
    assert top == sorted(top, key=lambda e: (e.observed_at, e.recorded_at))


def test_numbers_follow_recorded_order_so_late_entries_never_renumber_others() -> None:
    early_keyed = log_entry(1, ARRIVED + timedelta(minutes=50), "typed first")
    late_keyed = log_entry(2, ARRIVED + timedelta(minutes=10), "typed later", delay=timedelta(hours=1))
    printed = printed_order((early_keyed, late_keyed))
    assert [(p.number, p.entry.text) for p in printed] == [(2, "typed later"), (1, "typed first")]


def test_characters_the_font_lacks_are_spelled_out_not_dropped(tmp_path: Path) -> None:
    import dataclasses

    doc = custody_record(log=(log_entry(1, ARRIVED, "Gave name as 王小明 to the interpreter."),))
    doc = dataclasses.replace(doc, detainee=Person("王", "小明", aliases=("Ξένια",)))
    path = tmp_path / "cjk.pdf"
    build_custody_record_pdf(doc, path)
    flat = pdf_tools.flat(path)
    assert "Gave name as [U+738B][U+5C0F][U+660E] to the interpreter." in flat
    assert "[U+738B], [U+5C0F][U+660E]" in flat and "Ξένια" in flat
    assert pdf_tools.info(path)["Title"].endswith("王, 小明")  # metadata is drawn by the viewer


def test_page_furniture_is_cut_to_fit_not_overprinted(tmp_path: Path) -> None:
    import dataclasses

    from desktop.printing.documents import Officer

    long_name = "Maximilian-Bartholomew Fotheringham-Wolstenholme-Ashby-de-la-Zouch"
    doc = dataclasses.replace(
        custody_record(), printed_by=Officer(long_name, "Detective Chief Superintendent", "DCS 99999"),
        detainee=Person("Featherstonehaugh-Cholmondeley-Marjoribanks-Wolstenholme", "Aurelia Philippa Jacintha"),
    )
    path = tmp_path / "furniture.pdf"
    build_custody_record_pdf(doc, path)
    for page in (1, 2):
        lines = pdf_tools.text(path, page=page).splitlines()
        footer = next(line for line in lines if "Printed 21/11/2026" in line)
        assert "…" in footer and footer.rstrip().endswith(f"Page {page} of 3")
        assert "Page" not in footer.split("…")[0]
    header = next(line for line in pdf_tools.text(path, page=2).splitlines() if "Custody record 01NT" in line)
    assert "FEATHERSTONEHAUGH" in header and "…" in header


def test_every_log_kind_label_fits_its_column_without_breaking_a_word() -> None:
    from domain.custody_log import LOG_KINDS

    from desktop.printing.layout import CELL_PADDING, column_widths
    from desktop.printing.story import LOG_WIDTHS

    room = column_widths(LOG_WIDTHS)[4] - 2 * CELL_PADDING
    for label in LOG_KINDS.values():
        for word in label.split():
            assert stringWidth(word, FONT_BOLD, 8) <= room, word


def test_printing_from_several_worker_threads_at_once(tmp_path: Path) -> None:
    """The client prints on worker threads; the first prints of a session race to register fonts."""
    import subprocess
    import sys

    script = f"""
import io, threading
from tests.printing.sample_docs import custody_record, charge_sheet
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
errors = []
def work(i):
    try:
        out = io.BytesIO()
        (build_custody_record_pdf if i % 2 else build_charge_sheet_pdf)(
            custody_record() if i % 2 else charge_sheet(), out)
        open(r"{tmp_path}/t%d.pdf" % i, "wb").write(out.getvalue())
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors)
"""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    for i in range(6):
        flat = pdf_tools.flat(tmp_path / f"t{i}.pdf")
        assert "ÅNGSTRÖM-ŁUKASIEWICZ, Zoë" in flat
        assert ("End of custody record" if i % 2 else "End of charge sheet") in flat


SECTION_TITLES = {"Detainee", "Arrest and arrival", "Authorisation of detention", "Rights and entitlements",
                  "Risk assessments", "Observation levels", "Cell visits and rousing checks",
                  "Reviews and extensions", "Custody log", "Disposal and release"}


def test_no_heading_is_left_alone_at_the_foot_of_a_page(tmp_path: Path) -> None:
    # shift the content down a little at a time so every heading meets a page end somewhere
    for checks in range(0, 42, 3):
        path = tmp_path / f"c{checks}.pdf"
        build_custody_record_pdf(custody_record(checks=checks), path)
        for page in range(1, pdf_tools.pages(path) + 1):
            lines = [line.strip() for line in pdf_tools.text(path, page=page).splitlines() if line.strip()]
            body = lines[:next(i for i, line in enumerate(lines) if line.startswith("Printed 21/11/2026"))]
            assert body[-1] not in SECTION_TITLES, (checks, page, body[-3:])
            assert not body[-1].startswith("Risk assessment version"), (checks, page)
