"""The charge sheet PDF and the checks that stop an incomplete one being printed."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from desktop.printing.charge_sheet_pdf import build_charge_sheet_pdf
from desktop.printing.documents import BailDecision, Charge, DocumentError, FirstHearing
from tests.printing import pdf_tools
from tests.printing.sample_docs import SERGEANT, charge_sheet


@pytest.fixture(scope="module")
def sheet_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "charge.pdf"
    build_charge_sheet_pdf(charge_sheet(), path)
    return path


def test_every_required_field_is_printed(sheet_pdf: Path) -> None:
    flat = pdf_tools.flat(sheet_pdf)
    required = [
        "Charge sheet", "01NT/2611/26", "Northtown Custody Suite",
        "ÅNGSTRÖM-ŁUKASIEWICZ, Zoë", "07/03/1994", "Flat 3, 17 Quillfeather Row, Northtown, NT4 9ZX", "94/123456X",
        "URN 01NT0457826", "ASN 2601NT0100000012345A",
        "Charge 1 — TH68010 Theft from a shop", "Contrary to section 1(1) and 7 of the Theft Act 1968.",
        "On 21/11/2026 at Northtown stole cosmetics to the value of £86.50 belonging to Marlowe & Finch Ltd.",
        "Charge 2 — CJ88150 Common assault of an emergency worker",
        "section 1 of the Assaults on Emergency Workers (Offences) Act 2018.",
        "by beating him.",
        "Caution given Yes", "21/11/2026 17:21 GMT",
        "it may harm your defence if you do not mention now something which you later rely on in court",
        "“I only took it because I was cold — I'm sorry, ça va pas.”",
        "Conditional bail", "1. Not to enter Marlowe & Finch, Tallow Lane, Northtown.",
        "2. To reside at Flat 3, 17 Quillfeather Row, Northtown.",
        "To prevent further offences at the same shop and to ensure surrender to court.",
        "Northtown Magistrates' Court (court code 2741)", "Date 03/12/2026", "Time 10:00 GMT",
        "Charging officer Callum Ibekwe (PC, 6183)", "Custody officer Priya Okonkwo-Hale (Sergeant, 4471)",
        "Charged 21/11/2026 17:20 GMT",
        "End of charge sheet 01NT/2611/26: 2 charges.",
    ]
    missing = [item for item in required if item not in flat]
    assert not missing, f"not in the PDF text: {missing}"


def test_charges_are_numbered_in_order_and_bookmarked(sheet_pdf: Path) -> None:
    flat = pdf_tools.flat(sheet_pdf)
    assert flat.index("Charge 1 — TH68010") < flat.index("Charge 2 — CJ88150") < flat.index("Caution on charge")
    assert pdf_tools.outline(sheet_pdf) == [
        (0, "Defendant"), (0, "Case references"), (0, "Charges"),
        (1, "Charge 1 — TH68010 Theft from a shop"),
        (1, "Charge 2 — CJ88150 Common assault of an emergency worker"),
        (0, "Caution on charge and reply"), (0, "Bail or remand"), (0, "First hearing"), (0, "Officers"),
        (0, "Signatures"),
    ]


def test_every_page_is_marked_numbered_and_titled(sheet_pdf: Path) -> None:
    total = pdf_tools.pages(sheet_pdf)
    for page in range(1, total + 1):
        text = pdf_tools.text(sheet_pdf, page=page)
        assert text.count("OFFICIAL-SENSITIVE") == 2 and f"Page {page} of {total}" in text
    meta = pdf_tools.info(sheet_pdf)
    assert meta["Title"] == "Charge sheet 01NT/2611/26 — ÅNGSTRÖM-ŁUKASIEWICZ, Zoë"
    assert meta["Author"] == "Callum Ibekwe (PC, 6183)"


def test_no_reply_is_printed_as_no_reply(tmp_path: Path) -> None:
    path = tmp_path / "no-reply.pdf"
    build_charge_sheet_pdf(charge_sheet(reply_after_charge=""), path)
    assert "Reply after charge (verbatim) No reply" in pdf_tools.flat(path)


def test_a_charge_without_particulars_is_refused_naming_the_charge(tmp_path: Path) -> None:
    doc = charge_sheet()
    second = dataclasses.replace(doc.charges[1], particulars="   ")
    path = tmp_path / "bad.pdf"
    with pytest.raises(DocumentError) as caught:
        build_charge_sheet_pdf(dataclasses.replace(doc, charges=(doc.charges[0], second)), path)
    assert caught.value.problems == [
        ("charges.1.particulars",
         "Charge 2 (CJ88150 Common assault of an emergency worker) has no particulars of offence.")
    ]
    assert "Charge 2 (CJ88150 Common assault of an emergency worker)" in str(caught.value)
    assert not path.exists()  # no half-written court document


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    charges = (Charge(1, "TH68010", "Theft from a shop", "", "On 21/11/2026 stole soap."),
               Charge(3, "THEFT", "", "Contrary to…", "On 21/11/2026 …"))
    doc = charge_sheet(
        charges=charges, reply_after_charge=None, first_hearing=None,
        bail=BailDecision("Conditional bail", SERGEANT, datetime.fromisoformat("2026-11-21T17:30:00+00:00")),
    )
    with pytest.raises(DocumentError) as caught:
        build_charge_sheet_pdf(doc, tmp_path / "bad.pdf")
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["charges.0.statement", "charges.1.number", "charges.1.cjs_code", "charges.1.title",
                      "reply_after_charge", "bail.conditions", "bail.reasons", "first_hearing"]
    messages = dict(caught.value.problems)
    assert "should be 2" in messages["charges.1.number"]
    assert "'THEFT'" in messages["charges.1.cjs_code"]


def test_remand_needs_grounds_and_accepts_qualified_codes(tmp_path: Path) -> None:
    remand = BailDecision("Remanded in custody", SERGEANT, datetime.fromisoformat("2026-11-21T17:30:00+00:00"))
    with pytest.raises(DocumentError, match=r"grounds for refusing bail"):
        build_charge_sheet_pdf(charge_sheet(bail=remand), tmp_path / "remand.pdf")
    conspire = Charge(1, "MD71131C", "Conspire to supply a Class A controlled drug – heroin",
                      "Contrary to section 1 of the Criminal Law Act 1977.", "Between 01/09/2026 and 20/11/2026 …")
    common_law = Charge(2, "COML030", "Pervert the course of justice", "Contrary to common law.", "On 21/11/2026 …")
    path = tmp_path / "codes.pdf"
    build_charge_sheet_pdf(charge_sheet(charges=(conspire, common_law),
                                        bail=dataclasses.replace(remand, reasons="Likely to fail to surrender.")),
                           path)
    flat = pdf_tools.flat(path)
    assert "MD71131C" in flat and "COML030" in flat and "Likely to fail to surrender." in flat


def test_hearing_in_summer_shows_bst(tmp_path: Path) -> None:
    hearing = FirstHearing("Northtown Magistrates' Court", datetime.fromisoformat("2027-06-14T08:30:00+00:00"))
    path = tmp_path / "bst.pdf"
    build_charge_sheet_pdf(charge_sheet(first_hearing=hearing), path)
    assert "Date 14/06/2027 Time 09:30 BST" in pdf_tools.flat(path)


def test_no_charge_is_split_across_pages(tmp_path: Path) -> None:
    charges = tuple(
        Charge(n, "TH68010", "Theft from a shop", "Contrary to section 1(1) and 7 of the Theft Act 1968.",
               f"On 21/11/2026 at Northtown stole goods worth £{n}0.00 from Marlowe & Finch Ltd (item {n}). "
               * (n % 3 + 1))
        for n in range(1, 10)
    )
    path = tmp_path / "nine.pdf"
    build_charge_sheet_pdf(charge_sheet(charges=charges), path)
    assert pdf_tools.pages(path) >= 2
    seen = set()
    for page in range(1, pdf_tools.pages(path) + 1):
        flat = " ".join(pdf_tools.text(path, page=page, layout=False).split())
        for n in range(1, 10):
            if f"Charge {n} — TH68010" in flat:
                seen.add(n)
                assert f"(item {n})" in flat and f"£{n}0.00" in flat, (n, page)
    assert seen == set(range(1, 10))


def test_no_heading_is_left_alone_at_the_foot_of_a_page(tmp_path: Path) -> None:
    from tests.printing.sample_docs import DETAINEE

    headings = {"Defendant", "Case references", "Charges", "Caution on charge and reply", "Bail or remand",
                "First hearing", "Officers"}
    charges = tuple(Charge(n, "TH68010", "Theft from a shop", "Contrary to section 1(1) and 7 of the Theft Act 1968.",
                           "On 21/11/2026 at Northtown stole goods. " * 4) for n in range(1, 4))
    for extra in range(0, 40, 4):  # push the content down a few lines at a time
        aliases = tuple(f"Alias number {i} with a long enough name to fill a line of the grid" for i in range(extra))
        doc = charge_sheet(charges=charges, defendant=dataclasses.replace(DETAINEE, aliases=aliases))
        path = tmp_path / f"a{extra}.pdf"
        build_charge_sheet_pdf(doc, path)
        for page in range(1, pdf_tools.pages(path) + 1):
            lines = [line.strip() for line in pdf_tools.text(path, page=page).splitlines() if line.strip()]
            body = lines[:next(i for i, line in enumerate(lines) if line.startswith("Printed 21/11/2026"))]
            assert body[-1] not in headings and not body[-1].startswith("You are charged"), (extra, page, body[-2:])
            assert not body[-1].startswith("Charge "), (extra, page)
