"""The custody record PDF, read back with poppler as a court or a solicitor would read it."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.documents import CustodyRecordDoc, DocumentError, Person
from tests.printing import pdf_tools
from tests.printing.sample_docs import (
    ARRIVED, DETAINEE, DETENTION_OFFICER, SERGEANT, custody_record, log_entry, long_log, sample_log,
)


@pytest.fixture(scope="module")
def record_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "record.pdf"
    build_custody_record_pdf(custody_record(), path)
    return path


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    build_custody_record_pdf(custody_record(long_log(300)), path)
    return path


def test_every_required_field_is_printed(record_pdf: Path) -> None:
    flat = pdf_tools.flat(record_pdf)
    required = [
        "Custody record", "01NT/2611/26", "Northtown Custody Suite",
        # detainee
        "ÅNGSTRÖM-ŁUKASIEWICZ, Zoë", "07/03/1994", "Female", "94/123456X", "012345/94L",
        "Flat 3, 17 Quillfeather Row, Northtown, NT4 9ZX",
        # arrest, arrival, relevant time and its basis
        "21/11/2026 09:45 GMT", "Outside 40 Tallow Lane, Northtown", "Callum Ibekwe (PC, 6183)",
        "Arrived at station", "21/11/2026 10:20 GMT", "Relevant time",
        "Arrival at the first police station after arrest (PACE s.41(2)(d))",
        # detention authorised: by, at, grounds
        "Detention authorised", "21/11/2026 10:32 GMT", "Priya Okonkwo-Hale (Sergeant, 4471)",
        "To secure and preserve evidence and to obtain evidence by questioning.",
        # rights: times, notice language, requests and delay authority
        "21/11/2026 10:30 GMT", "Notice language English", "2023-08", "Free legal advice",
        "Duty solicitor via DSCC", "Sister, Maja Ångström", "Fenella Marsh (Inspector, 902)",
        "Reasonable grounds to believe informing would alert an outstanding suspect.",
        # risk assessments: each version with result, answers, markers
        "Risk assessment version 1", "Risk assessment version 2", "Low risk — level 1 observations",
        "Medium risk — level 2 observations", "Disclosed low mood after interview.", "Self-harm (historic)",
        # observation levels set
        "Level 2 — intermittent observation (every 30 minutes, roused)", "Initial risk assessment",
        # checks: observed and recorded
        "Rousing", "Responded; no concerns.",
        # reviews: due, done, by, decision, postponement and its reason
        "Continued detention authorised", "Interview not yet complete.", "Detainee in interview.",
        "Not yet done",
        # disposal and release
        "Charged", "One charge; bailed to court.", "Released", "21/11/2026 17:50 GMT",
        "Conditional bail to Northtown Magistrates' Court",
        # who printed it, and the end marker that shows nothing is missing
        "Printed 21/11/2026 18:20 GMT by Priya Okonkwo-Hale (Sergeant, 4471)",
        "End of custody record 01NT/2611/26: 5 log entries, 4 checks.",
    ]
    missing = [item for item in required if item not in flat]
    assert not missing, f"not in the PDF text: {missing}"


def test_accented_greek_and_cyrillic_names_extract_exactly(record_pdf: Path) -> None:
    text = pdf_tools.text(record_pdf)
    assert "ÅNGSTRÖM-ŁUKASIEWICZ, Zoë" in text
    assert "Ζωή Λουκάσεβιτς" in text
    assert "Зоя Лукасевич" in text
    embedded = pdf_tools.fonts(record_pdf)
    assert embedded and all(f["emb"] == "yes" and "DejaVuSans" in f["name"] for f in embedded), embedded


def test_metadata_language_and_outline(record_pdf: Path) -> None:
    meta = pdf_tools.info(record_pdf)
    assert meta["Title"] == "Custody record 01NT/2611/26 — ÅNGSTRÖM-ŁUKASIEWICZ, Zoë"
    assert meta["Author"] == "Priya Okonkwo-Hale (Sergeant, 4471)"
    assert "Custody record of ÅNGSTRÖM-ŁUKASIEWICZ, Zoë" in meta["Subject"]
    assert b"/Lang (en-GB)" in record_pdf.read_bytes()
    outline = pdf_tools.outline(record_pdf)
    top = [title for depth, title in outline if depth == 0]
    assert top == ["Detainee", "Arrest and arrival", "Authorisation of detention", "Rights and entitlements",
                   "Risk assessments", "Observation levels", "Cell visits and rousing checks",
                   "Reviews and extensions", "Interviews", "Property (PACE s.54)", "Custody log",
                   "Disposal and release"]
    assert (1, "Risk assessment version 2 — 21/11/2026 13:20 GMT") in outline


def test_log_is_in_observed_order_with_corrections_under_their_entry(record_pdf: Path) -> None:
    flat = pdf_tools.flat(record_pdf)
    log = flat[flat.index("Custody log In order"):]
    # entry 3 was keyed late but happened before entry 2; entry 5 corrects entry 2
    texts = ["Detainee booked in; calm and cooperative.", "Cell visit: awake, sitting on bench, responded verbally.",
             "Meal offered: vegetarian all-day breakfast. Refused.", "Corrected by entry 5.",
             "Correction of entry 2.", "Entry 2 is wrong: the meal was accepted and eaten in full.",
             "Drink of water provided."]
    positions = [log.index(t) for t in texts]
    assert positions == sorted(positions), list(zip(texts, positions))


def test_each_entry_shows_observed_and_recorded_time_and_author(record_pdf: Path) -> None:
    lines = pdf_tools.text(record_pdf).splitlines()
    # the late-keyed cell check: observed 10:50, recorded 11:15, by the detention officer
    row = next(i for i, line in enumerate(lines) if "Cell visit: awake" in line)
    assert re.match(r"^\s*3\s+21/11/2026\s+21/11/2026\s+Tomasz Wren\s+Cell check", lines[row])
    assert re.search(r"10:50 GMT\s+11:15 GMT\s+Detention officer", lines[row + 1])


def test_multi_page_record_numbers_pages_and_marks_every_page(long_pdf: Path) -> None:
    total = pdf_tools.pages(long_pdf)
    assert total >= 10
    for page in range(1, total + 1):
        text = pdf_tools.text(long_pdf, page=page)
        assert f"Page {page} of {total}" in text, page
        assert text.count("OFFICIAL-SENSITIVE") == 2, page  # top and bottom
        assert "Printed 21/11/2026 18:20 GMT" in text, page
        if page > 1:  # a loose page says which record it belongs to
            assert "Custody record 01NT/2611/26" in text and "ÅNGSTRÖM-ŁUKASIEWICZ, Zoë" in text, page
    # the log's header row repeats on each page of the log
    log_pages = [p for p in range(1, total + 1) if "Entry 150:" in pdf_tools.text(long_pdf, page=p)]
    assert "Recorded by" in pdf_tools.text(long_pdf, page=log_pages[0])
    last = pdf_tools.text(long_pdf, page=total - 1)
    assert re.search(r"No\.\s+Observed\s+Recorded\s+Recorded by\s+Kind\s+Entry", last)


def test_all_log_entries_print_once_in_order(long_pdf: Path) -> None:
    flat = pdf_tools.flat(long_pdf)
    numbers = [int(n) for n in re.findall(r"Entry (\d+): detainee checked", flat)]
    assert numbers == list(range(1, 301))


def test_an_entry_longer_than_a_page_continues_without_losing_text(tmp_path: Path) -> None:
    words = [f"word{i:04d}" for i in range(1100)]  # ~10,000 characters, several pages of one entry
    unbroken = "X" * 400  # a 'word' wider than the column must wrap, not run over the next column
    log = (log_entry(1, ARRIVED, " ".join(words) + " " + unbroken),
           log_entry(2, ARRIVED + timedelta(minutes=1), "After the long one."))
    path = tmp_path / "long-entry.pdf"
    build_custody_record_pdf(custody_record(log), path)
    flat = pdf_tools.flat(path)
    found = re.findall(r"word\d{4}", flat)
    assert found == words
    assert sum(len(token) for token in flat.split() if set(token) == {"X"}) == 400
    assert "cont." in flat
    assert flat.index("word1099") < flat.index("After the long one.")


def test_british_summer_time_is_shown_as_bst(tmp_path: Path) -> None:
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
    doc = dataclasses.replace(custody_record(log=()), arrived_at=summer, relevant_time=summer)
    path = tmp_path / "bst.pdf"
    build_custody_record_pdf(doc, path)
    assert "01/07/2026 10:00 BST" in pdf_tools.flat(path)


def test_a_bare_record_prints_what_is_missing(tmp_path: Path) -> None:
    doc = CustodyRecordDoc(custody_number="01NT/0001/26", station="Northtown Custody Suite",
                           detainee=Person("Quill", "Ottoline"), arrived_at=ARRIVED)
    out = io.BytesIO()
    build_custody_record_pdf(doc, out)
    path = tmp_path / "bare.pdf"
    path.write_bytes(out.getvalue())
    flat = pdf_tools.flat(path)
    for expected in ("QUILL, Ottoline", "No decision on detention recorded.", "Rights and entitlements not recorded.",
                     "No log entries.", "Still in custody: no disposal or release recorded.", "PNC ID None known"):
        assert expected in flat


def test_markup_in_user_text_is_printed_literally(tmp_path: Path) -> None:
    log = (log_entry(1, ARRIVED, "Said: <b>not bold</b> & \"quoted\" — 5 < 6\tend"),)
    path = tmp_path / "markup.pdf"
    build_custody_record_pdf(custody_record(log), path)
    assert 'Said: <b>not bold</b> & "quoted" — 5 < 6 end' in pdf_tools.flat(path)


def test_correction_of_an_entry_not_in_the_record_is_still_printed(tmp_path: Path) -> None:
    log = (*sample_log(), log_entry(6, ARRIVED + timedelta(hours=2), "Amends an archived entry.", corrects=99))
    path = tmp_path / "orphan.pdf"
    build_custody_record_pdf(custody_record(log), path)
    flat = pdf_tools.flat(path)
    assert "Correction of an entry not in this record" in flat
    assert "Amends an archived entry." in flat


def test_a_time_without_zone_is_refused_naming_the_field(tmp_path: Path) -> None:
    bad = dataclasses.replace(log_entry(1, ARRIVED, "x"), observed_at=datetime(2026, 11, 21, 10, 0))
    path = tmp_path / "naive.pdf"
    with pytest.raises(DocumentError) as caught:
        build_custody_record_pdf(custody_record((bad,)), path)
    assert ("log_entries.0.observed_at" in dict(caught.value.problems))
    assert "no time zone" in str(caught.value)
    assert not path.exists()


def test_officer_identified_by_number_only_under_code_c_2_6a(tmp_path: Path) -> None:
    from desktop.printing.documents import Officer

    hidden = Officer("", "", "W 7781", "Northtown")
    log = (dataclasses.replace(log_entry(1, ARRIVED, "Entry by a protected officer."), author=hidden),)
    path = tmp_path / "26a.pdf"
    build_custody_record_pdf(custody_record(log), path)
    lines = pdf_tools.text(path).splitlines()
    row = next(i for i, line in enumerate(lines) if "Entry by a protected officer." in line)
    author = " ".join(re.sub(r".*GMT|Note.*", "", line).strip() for line in lines[row:row + 3])
    author = re.sub(r"^1\s+21/11/2026\s+21/11/2026\s+", "", author)
    assert " ".join(author.split()) == "Warrant/collar W 7781, Northtown (Code C 2.6A)"


def test_sample_people_are_fictional_markers() -> None:
    # guard against someone pasting real data into the fixtures: the sample uses invented places
    assert "Northtown" in DETAINEE.address and SERGEANT.name and DETENTION_OFFICER.name
