"""Offence codes, catalogue and particulars (domain.md §1.12, §3.2–3.4)."""

import json
from datetime import date
from decimal import Decimal

import pytest

from domain.charging import DEFAULT_CAUTION_ON_CHARGE, DateRange, caution_on_charge, render_particulars
from domain.offences import CatalogueError, ModeOfTrial, code_problem, load_catalogue, packaged_catalogue, qualifier


@pytest.mark.parametrize("code", ["TH68010", "TH68010A", "MD71131C", "COML017", "COML030", "XX00123", "th68010",
                                  "CJ88001I", "OF61102B"])
def test_valid_codes(code):
    assert code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "part"),
    [("", "Enter"), ("TH6801", "7 characters"), ("TH680100A", "7 characters"), ("TH68010X", "qualifier"),
     ("T168010", "two letters"), ("COM0017", "two letters"), ("TH6A010", "two letters")],
)
def test_invalid_codes(code, part):
    assert part in code_problem(code)


def test_qualifier_meaning():
    assert qualifier("MD71131C") == "Conspiring" and qualifier("TH68010") is None


def test_packaged_catalogue_has_the_section_3_4_codes_with_sources():
    cat = packaged_catalogue()
    assert len(cat) == 28
    shop = cat.lookup("th68010", date(2026, 3, 1))
    assert shop.title == "Theft from a shop"
    assert shop.statement == "Contrary to section 1(1) and 7 of the Theft Act 1968."
    assert shop.mode_of_trial is ModeOfTrial.EITHER_WAY and shop.indictable
    assert "[c4]" in shop.source and not shop.statement_unverified
    assert cat.lookup("PL96001", date(2026, 3, 1)).statement_unverified  # marked [U] in §3.4
    assert not cat.lookup("CJ88001", date(2026, 3, 1)).indictable  # summary only: no s.42 extension
    assert cat.lookup("TH68023", date(2026, 3, 1)).mode_of_trial is ModeOfTrial.INDICTABLE_ONLY
    assert cat.lookup("ZZ99999", date(2026, 3, 1)) is None


def _force_file(tmp_path, doc):
    p = tmp_path / "force_offences.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


NEW_WORDING = {"code": "TH68010", "title": "Theft from a shop (new wording)", "offence_type": "CE",
               "statement": "Contrary to section 1(1) and 7 of the Theft Act 1968.",
               "particulars_template": "{date} at {place} stole {property}.",
               "effective_from": "2026-06-01", "source": "Force reference list"}


def test_force_file_extends_with_dated_version(tmp_path):
    old = dict(NEW_WORDING, title="Theft from a shop (old)", effective_from=None, effective_to="2026-05-31")
    cat = load_catalogue(_force_file(tmp_path, {"mode": "extend", "offences": [old, NEW_WORDING]}))
    assert cat.lookup("TH68010", date(2026, 5, 31)).title == "Theft from a shop (old)"
    assert cat.lookup("TH68010", date(2026, 6, 1)).title == "Theft from a shop (new wording)"
    assert cat.lookup("CJ88001", date(2026, 6, 1)) is not None  # packaged codes kept


def test_force_file_replaces(tmp_path):
    cat = load_catalogue(_force_file(tmp_path, {"mode": "replace", "offences": [NEW_WORDING]}))
    assert len(cat) == 1 and cat.lookup("CJ88001", date(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("doc", "part"),
    [({"offences": [dict(NEW_WORDING, code="BAD")]}, "offences[0]"),
     ({"offences": [{"code": "TH68010"}]}, "missing field"),
     ({"mode": "merge", "offences": []}, "mode must be"),
     ({"offences": [dict(NEW_WORDING, effective_to="2026-01-01")]}, "before effective_from")],
)
def test_bad_force_file_is_a_clear_error(tmp_path, doc, part):
    with pytest.raises(CatalogueError, match=part.replace("[", r"\[").replace("]", r"\]")):
        load_catalogue(_force_file(tmp_path, doc))


def test_particulars_single_date():
    shop = packaged_catalogue().lookup("TH68010", date(2026, 3, 1))
    text, errors = render_particulars(shop.particulars_template, {
        "date": date(2026, 3, 3), "place": "Eastfield", "property": "three bottles of perfume",
        "value": Decimal("89.97"), "owner": "Harrowgate Pharmacy Ltd"})
    assert errors == []
    assert text == ("On 3 March 2026 at Eastfield stole three bottles of perfume to the value of £89.97 "
                    "belonging to Harrowgate Pharmacy Ltd.")


def test_particulars_range_and_missing_fields():
    tpl = "{date} at {place} stole {property} to the value of {value} belonging to {owner}."
    text, errors = render_particulars(tpl, {"date": DateRange(date(2026, 3, 1), date(2026, 3, 4)), "place": "Eastfield",
                                            "property": "tools", "value": 1200, "owner": "Pell Hire"})
    assert text.startswith("Between 1 March 2026 and 4 March 2026 at Eastfield") and "£1,200.00" in text
    text, errors = render_particulars(tpl, {"date": DateRange(date(2026, 3, 4), date(2026, 3, 1)), "place": " ",
                                            "value": "lots"})
    assert text is None
    assert [e.field for e in errors] == ["particulars.date", "particulars.place", "particulars.property",
                                         "particulars.value", "particulars.owner"]


def test_caution_on_charge_configurable():
    assert "mention now" in caution_on_charge() and caution_on_charge() == DEFAULT_CAUTION_ON_CHARGE
    assert caution_on_charge({"caution_on_charge": "Force wording."}) == "Force wording."
