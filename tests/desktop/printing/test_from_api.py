"""Every demo custody record (with rights, risk, checks, reviews) maps from the
real API onto the printed documents and builds; the mapping keeps what matters."""
from __future__ import annotations

import io
import uuid

from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.printing.from_api import custody_record_doc, fetch_documents
from desktop.printing.plain_text import custody_record_outline, to_text


def test_every_demo_record_prints(api):
    records = api.request("GET", "/custody/records")
    assert len(records) >= 12
    for record in records:
        doc, sheet = fetch_documents(api, record["id"])
        assert doc.custody_number == record["custody_number"]
        assert doc.detainee.surname == record["person"]["surname"]
        # The printout names the detainee's own suite (issue 15), e.g. "Portharrow Central custody suite".
        assert doc.station == f"{record['suite_name']} custody suite"
        assert f"{record['suite_name']} custody suite" in to_text(custody_record_outline(doc))
        log = api.request("GET", f"/custody/records/{record['id']}/log")
        assert {e.id for e in doc.log_entries} == {e["id"] for e in log}
        if record.get("released_at"):
            assert doc.release is not None and doc.disposal is not None
        build_custody_record_pdf(doc, io.BytesIO())
        if sheet is not None:
            build_charge_sheet_pdf(sheet, io.BytesIO())


def test_fields_not_served_yet_print_as_not_recorded():
    record = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "custody_number": "BW-2026-000099",
              "person": {"surname": "Vantreece", "forenames": "Odile", "date_of_birth": None},
              "arrived_at": "2026-11-21T10:20:00+00:00", "status": "in_custody"}
    doc = custody_record_doc(record, [])
    text = to_text(custody_record_outline(doc))
    assert "VANTREECE, Odile" in text
    assert doc.arrest is None and doc.rights is None and doc.disposal is None
    build_custody_record_pdf(doc, io.BytesIO())


def test_a_charged_and_released_record_prints_its_outcome(api):
    from datetime import UTC, datetime

    from tests.desktop.printing.test_print_and_save import charge_through_api

    record = next(r for r in api.open_records() if r["status"] == "in_custody" and not r.get("charged_at"))
    case = charge_through_api(api, record)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    api.request("POST", f"/custody/records/{record['id']}/risk-assessments", json={  # before release (APP)
        "id": str(uuid.uuid4()), "trigger": "release_on_bail", "assessed_at": now, "risk_level": "low",
        "responses": [{"area": "self_harm_current", "answer": "no", "source": "detainee"}]})
    api.request("POST", f"/custody/records/{record['id']}/disposal", json={"outcome": "charged", "released_at": now})
    doc, sheet = fetch_documents(api, record["id"])
    assert doc.disposal.outcome == "Charged" and doc.release is not None and doc.release.kind == "Released"
    assert [c.cjs_code for c in sheet.charges] == [c["offence_code"] for c in case["charges"]]
    assert sheet.reply_after_charge == "It was a mistake."
    assert sheet.bail.outcome == "Unconditional bail" and sheet.first_hearing.court.startswith("Portharrow")
    out = io.BytesIO()
    build_charge_sheet_pdf(sheet, out)
    build_custody_record_pdf(doc, io.BytesIO())
    assert out.getvalue().startswith(b"%PDF")


def test_interviews_and_property_are_printed():
    record = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "custody_number": "BW-2026-000098",
              "person": {"surname": "Penwarden", "forenames": "Elowen", "date_of_birth": None},
              "arrived_at": "2026-11-21T10:20:00+00:00", "status": "in_custody"}
    sgt = {"id": "u1", "name": "Alys Penhallow", "rank": "Sergeant"}
    interview = {"started_at": "2026-11-21T13:00:00+00:00", "ended_at": "2026-11-21T14:10:00+00:00",
                 "location": "Interview room 2", "interviewing_officers": ["DC 4093 Rafe Illingsworth"],
                 "solicitor": "Perrin Oakes", "appropriate_adult": "Demelza Rowse", "others_present": [],
                 "breaks": [{"started_at": "2026-11-21T13:30:00+00:00", "ended_at": "2026-11-21T13:40:00+00:00",
                             "reason": "Solicitor consultation"}], "special_warnings": ["s36"],
                 "recording_reference": "BW-DIR-000417", "outcome": "no_comment",
                 "urgent_authority": {"grounds": "Risk to a missing child.",
                                      "authorised_by": {"name": "Morwenna Keast", "rank": "Superintendent"}}}
    wallet = {"description": "Brown leather wallet", "quantity": 1, "disposition": "retained",
              "bag_number": "PB-00912", "searched_at": "2026-11-21T10:30:00+00:00", "signature": "refused",
              "signature_note": "Would not sign.", "returned_at": "2026-11-21T18:00:00+00:00",
              "return_signature": "signed", "returned_by": sgt}
    phone = {"description": "Mobile phone", "quantity": 1, "disposition": "evidence", "bag_number": "EV-5521",
             "seal_number": "SEAL-77310", "searched_at": "2026-11-21T10:30:00+00:00", "signature": "signed"}
    doc = custody_record_doc(record, [], interviews=[interview], property_items=[wallet, phone])
    text = to_text(custody_record_outline(doc))
    for words in ("Interview 1", "Perrin Oakes", "Appropriate adult: Demelza Rowse", "Solicitor consultation",
                  "s.36 CJPOA", "BW-DIR-000417", "No comment", "Morwenna Keast", "Property (PACE s.54)",
                  "Seized as evidence", "SEAL-77310", "Refused to sign: Would not sign.", "PB-00912"):
        assert words in text, words
    build_custody_record_pdf(doc, io.BytesIO())
