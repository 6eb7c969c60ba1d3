"""Issue 13, printouts: what a custody sergeant found wrong on the printed record and charge sheet. Each test reads
the printed words back (pdftotext) or the mapping from the server's JSON, and failed before the fix."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.documents import Officer
from desktop.printing.from_api import custody_record_doc
from desktop.printing.log_order import printed_order
from desktop.printing.story import log_table
from domain.officers import titled
from domain.wording import sentence
from tests.printing import pdf_tools
from tests.printing.sample_docs import ARRIVED, charge_sheet, custody_record, log_entry

PENHALLOW = {"id": "u1", "name": "Sgt Alys Penhallow", "rank": "Sergeant"}
AUTHOR = {"id": "u1", "display_name": "Sgt Alys Penhallow", "rank": "Sergeant", "collar_number": "CS2417"}
AT = "2026-11-21T10:30:00+00:00"


def _record(**extra: object) -> dict:
    record: dict = {
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "custody_number": "BW-2026-000042", "status": "in_custody",
        "person": {"surname": "Carbis", "forenames": "Wenna", "date_of_birth": "1992-06-01"},
        "arrived_at": "2026-11-21T10:20:00+00:00", "rights_notice": {"language": "cy", "given_at": AT},
        "rights": [], "observation_level": 1, "observation_level_set_at": "2026-11-21T10:40:00+00:00",
        "observation_reason": "Low risk at booking.", "observation_interval_minutes": 60.0,
    }
    record.update(extra)
    return record


LOG = [
    {"id": "00000000-0000-4000-8000-000000000001", "kind": "rights", "observed_at": AT, "recorded_at": AT,
     "text": "Written notice of rights and entitlements given (language: Welsh (Cymraeg)).", "author": AUTHOR},
    {"id": "00000000-0000-4000-8000-000000000002", "kind": "observation_level",
     "observed_at": "2026-11-21T10:40:00+00:00", "recorded_at": "2026-11-21T10:41:00+00:00",
     "text": "Level 1 – general observation set by Sgt Alys Penhallow. Reason: Low risk at booking.", "author": AUTHOR},
]
RISK = [{"version": 1, "assessed_at": "2026-11-21T10:35:00+00:00", "assessed_by": PENHALLOW, "risk_level": "low",
         "suggested_level": 1, "concerns": [], "warning_markers": None,
         "responses": [{"area": "self_harm_history", "answer": "no", "source": "detainee", "note": None},
                       {"area": "alcohol_drugs", "answer": "yes", "source": "officer_observation",
                        "note": "Smelt of alcohol"}]}]


def _text(doc) -> str:
    out = io.BytesIO()
    build_custody_record_pdf(doc, out)
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "record.pdf"
    path.write_bytes(out.getvalue())
    return pdf_tools.flat(path)


def test_the_record_prints_what_the_system_holds_instead_of_not_recorded() -> None:
    charged = _record(charged_at="2026-11-21T12:00:00+00:00", charge_summary="Theft from a shop.")
    case = {"charged_by": PENHALLOW, "charged_at": "2026-11-21T12:00:00+00:00"}
    doc = custody_record_doc(charged, LOG, risk=RISK, station="Northtown Custody Suite", case=case,
                             languages={"cy": "Welsh (Cymraeg)", "en": "English"})
    assert doc.rights is not None and doc.rights.given_by == Officer("Sgt Alys Penhallow", "Sergeant", "CS2417")
    assert [o.by.name for o in doc.observation_levels] == ["Sgt Alys Penhallow"]
    assert doc.disposal is not None and doc.disposal.decided_by is not None
    text = _text(doc)
    assert "Given by Sgt Alys Penhallow (CS2417)" in text
    assert "Notice language Welsh (Cymraeg)" in text and "Notice language cy" not in text
    assert "Level 1 (every 60 minutes) Sgt Alys Penhallow" in text and "60.0" not in text
    for words in ("Question Answer", "Have you ever tried to harm yourself", "Have you taken alcohol or drugs",
                  "Officer's observation", "Smelt of alcohol"):
        assert words in text, words  # the answers, each question as asked (table cells extract out of order)
    assert "Are you taking any medication" not in text  # only the questions asked are printed
    assert "Decided by Sgt Alys Penhallow" in text
    held = text.split("Rights and entitlements")[1].split("Cell visits")[0]
    assert "Not recorded" not in held.replace("Notice version Not recorded", ""), held
    assert "Custody number BW-2026-000042 · Northtown Custody Suite" in text


def test_a_rank_is_printed_once() -> None:
    assert Officer("Sgt Alys Penhallow", "Sergeant", "CS2417").label() == "Sgt Alys Penhallow (CS2417)"
    trask = Officer("Morwenna Trask", "Detention officer", "DO7731")
    assert trask.label() == "Morwenna Trask (Detention officer, DO7731)"
    assert titled("Sergeant", "Sgt Alys Penhallow") == "Sgt Alys Penhallow"
    assert titled("Inspector", "Tobias Quennell") == "Inspector Tobias Quennell"
    assert titled("Detective constable", "DC Rafe Illingsworth") == "DC Rafe Illingsworth"
    text = _text(custody_record_doc(_record(), LOG, risk=RISK))
    assert "Sergeant Sgt" not in text and "(Sergeant" not in text


def test_no_doubled_full_stop() -> None:
    assert sentence("left the premises.") == "left the premises."
    assert sentence("left the premises") == "left the premises."
    assert sentence("Are you well?") == "Are you well?"


def test_the_recorded_by_column_never_wraps_to_four_lines() -> None:
    officers = [Officer("Sgt Alys Penhallow", "Sergeant", "CS2417"), Officer("Morwenna Trask", "Detention officer",
                                                                            "DO7731"),
                Officer("Supt Hester Vantongeren", "Superintendent", "SU0107"),
                Officer("Priya Okonkwo-Hale", "Sergeant", "4471")]
    entries = tuple(log_entry(i + 1, ARRIVED + timedelta(minutes=i), "Checked.", author=o)
                    for i, o in enumerate(officers))
    [table] = log_table(printed_order(entries))
    cells = [row[3] for row in table._cellvalues[1:]]
    assert all(cell.count("\n") + 1 <= 2 for cell in cells), cells


def test_the_last_block_never_stands_alone_on_the_last_page(tmp_path: Path) -> None:
    """Log lengths either side of a page boundary: wherever disposal lands, log rows are printed with it."""
    seen_alone_before = False
    for count in range(18, 30, 2):
        entries = tuple(log_entry(i + 1, ARRIVED + timedelta(minutes=3 * i),
                                  f"Entry {i + 1}: checked through the hatch, breathing observed.")
                        for i in range(count))
        path = tmp_path / f"record-{count}.pdf"
        build_custody_record_pdf(custody_record(entries, checks=2), path)
        last = pdf_tools.text(path, page=pdf_tools.pages(path))
        assert "Disposal and release" in last
        body = last.split("Disposal and release")[0]
        assert "Recorded by" in body, f"{count} entries: the disposal block is alone on the last page"
        seen_alone_before = seen_alone_before or "Custody log" not in body
    assert seen_alone_before  # the range crossed a page boundary, so the rule was exercised


def test_the_charge_sheets_officers_are_not_alone_on_the_last_page(tmp_path: Path) -> None:
    for extra in range(1, 6, 2):
        sheet = charge_sheet()
        sheet = dataclasses.replace(sheet, charges=sheet.charges + tuple(
            dataclasses.replace(sheet.charges[0], number=len(sheet.charges) + i + 1) for i in range(extra)))
        path = tmp_path / f"sheet-{extra}.pdf"
        build_charge_sheet_pdf(sheet, path)
        last = pdf_tools.text(path, page=pdf_tools.pages(path))
        assert "Signatures" in last
        assert last.split("Signatures")[0].count("\n") > 8, f"{extra}: the signatures block stands alone"


def test_the_charge_sheet_has_lines_to_sign_refuse_and_reply(tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    build_charge_sheet_pdf(charge_sheet(), path)
    text = pdf_tools.flat(path)
    for words in ("Reply to charge", "Signature of the person charged", "Refused to sign: custody officer's signature",
                  "Signature of the charging officer", "Signature of the custody officer", "Date and time"):
        assert words in text, words


def test_the_detainee_is_printed_from_the_whole_person_record() -> None:
    whole = {"id": "p1", "surname": "Carbis", "forenames": "Wenna", "date_of_birth": "1992-06-01", "gender": "female",
             "pnc_id": "92/445566Q", "cro_number": None, "aliases": [{"surname": "Karbis", "forenames": "Wenna"}],
             "addresses": [{"kind": "previous", "line1": "2 Old Row", "line2": "", "town": "Portharrow",
                            "postcode": "PH1 1AA", "to_date": "2025-01-01"},
                           {"kind": "home", "line1": "9 Gannet Lane", "line2": "", "town": "Portharrow",
                            "postcode": "PH2 3BB", "to_date": None}]}
    doc = custody_record_doc(_record(person=whole), LOG)
    assert (doc.detainee.gender, doc.detainee.pnc_id) == ("Female", "92/445566Q")
    assert doc.detainee.address == "9 Gannet Lane, Portharrow, PH2 3BB"
    assert doc.detainee.aliases == ("KARBIS, Wenna",)
