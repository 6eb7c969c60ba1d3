"""PNC ID / CRO (§6.3), 3x5x2 grading (§4.1), rights and appropriate adults (§1.6, §1.9)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.grading import HandlingCode, validate_grading
from domain.identifiers import (
    CHECK_LETTERS,
    pnc_check,
    short_pnc_id,
    validate_cro,
    validate_pnc_id,
)
from domain.rights import Right, age_on, appropriate_adult_reason, check_delay, is_juvenile
from domain.roles import Role

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("12/394773H", "2012/0394773H"),  # from the MoJ validator tests (§6.3)
        ("2012/0394773H", "2012/0394773H"),
        ("2012/394773H", "2012/0394773H"),  # long form without the zero padding (§6.3 lists it as valid)
        ("2009/231M", "2009/0000231M"),
        ("2009/0000231M", "2009/0000231M"),
        ("09/231m", "2009/0000231M"),  # lower case accepted
        (" 19/123456E ", "2019/0123456E"),  # fictional, check letter computed
        ("98/7Y", "1998/0000007Y"),  # 98 is in the last century
        ("03/1000001C", "2003/1000001C"),
    ],
)
def test_pnc_valid(text, canonical):
    v = validate_pnc_id(text, today=TODAY)
    assert v.ok and v.canonical == canonical


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "Enter the PNC ID"),
        ("12/394773J", "should be H"),
        ("2012/394773J", "should be H"),
        ("12-394773H", "looks like"),
        ("12/12345678H", "looks like"),
        ("90/570L", "should be N"),  # POLE's illustrative example does not pass the check (§6.3)
    ],
)
def test_pnc_invalid(text, message_part):
    v = validate_pnc_id(text, today=TODAY)
    assert not v.ok and v.canonical is None and message_part in v.error


def test_short_display():
    assert short_pnc_id("2009/0000231M") == "09/231M"


@given(year=st.integers(1970, 2026), serial=st.integers(1, 9_999_999))
def test_pnc_round_trip_and_single_typo_detected(year, serial):
    yy = f"{year % 100:02d}"
    letter = pnc_check(yy, str(serial))
    long_form = f"{year}/{serial:07d}{letter}"
    assert validate_pnc_id(long_form, today=TODAY).canonical == long_form
    assert validate_pnc_id(short_pnc_id(long_form), today=TODAY).canonical == long_form
    wrong = CHECK_LETTERS[(CHECK_LETTERS.index(letter) + 1) % 23]
    assert not validate_pnc_id(f"{year}/{serial:07d}{wrong}", today=TODAY).ok


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("29906/12J", "29906/12J"),  # MoJ validator example
        ("4821/19N", "4821/19N"),  # fictional
        ("000001/85E", "1/85E"),
        ("654321/02F", "654321/02F"),
        ("SF88/1234P", "SF88/1234P"),  # padded rule (POLE)
        ("SF88/1234M", "SF88/1234M"),  # unpadded rule (MoJ) – sources conflict, both accepted
        ("SF50/77H", "SF50/77H"),  # pre-1965: serial only
    ],
)
def test_cro_valid(text, canonical):
    v = validate_cro(text)
    assert v.ok, v.error
    assert v.canonical == canonical


@pytest.mark.parametrize(
    ("text", "message_part"),
    [("29906/12K", "should be J"), ("1234567/12J", "looks like"), ("SF99/12A", "between 39 and 95"),
     ("SF88/1234A", "does not match"), ("", "Enter the CRO")],
)
def test_cro_invalid(text, message_part):
    v = validate_cro(text)
    assert not v.ok and message_part in v.error


@pytest.mark.parametrize(
    ("source", "items", "handling", "conditions", "fields"),
    [
        ("1", ["B"], "P", "", []),
        ("2", ["c", "A"], "c", "Not to be shared outside the force", []),
        ("2", ["C"], "C", "   ", ["handling_conditions"]),
        ("4", ["A"], "P", "", ["source_evaluation"]),
        ("1", ["F", "A"], "P", "", ["intelligence.0"]),
        ("1", [], "P", "", ["intelligence"]),
        (None, ["A"], "X", "", ["source_evaluation", "handling_code"]),
    ],
)
def test_validate_grading(source, items, handling, conditions, fields):
    grading, errors = validate_grading(source, items, handling, conditions)
    assert [e.field for e in errors] == fields
    assert (grading is None) == bool(fields)


def test_grading_notation():
    g, _ = validate_grading("1", ["B"], "P")
    assert g.notation() == "1/B/P" and g.handling is HandlingCode.PERMITTED


RT = datetime(2026, 11, 21, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("right", "role", "indictable", "until_h", "grounds", "ok", "part"),
    [
        (Right.SOMEONE_INFORMED, Role.INSPECTOR, True, 12, "Would alert others", True, ""),
        (Right.SOMEONE_INFORMED, Role.CUSTODY_SERGEANT, True, 12, "x", False, "inspector or above"),
        (Right.LEGAL_ADVICE, Role.INSPECTOR, True, 12, "x", False, "superintendent or above"),
        (Right.LEGAL_ADVICE, Role.SUPERINTENDENT, True, 36, "Would harm evidence", True, ""),
        (Right.LEGAL_ADVICE, Role.SUPERINTENDENT, True, 37, "Would harm evidence", False, "36 hours"),
        (Right.LEGAL_ADVICE, Role.SUPERINTENDENT, False, 12, "x", False, "indictable"),
        (Right.SOMEONE_INFORMED, Role.INSPECTOR, True, 12, " ", False, "grounds"),
        (Right.CONSULT_CODES, Role.SUPERINTENDENT, True, 1, "x", False, "cannot be delayed"),
    ],
)
def test_rights_delay(right, role, indictable, until_h, grounds, ok, part):
    d = check_delay(right, authoriser_role=role, offence_indictable=indictable, relevant_time=RT,
                    delay_until=RT + timedelta(hours=until_h), grounds=grounds)
    assert d.ok is ok and part in d.reason


@pytest.mark.parametrize(
    ("dob", "rt", "juvenile"),
    [
        (date(2008, 11, 22), datetime(2026, 11, 21, 23, 30, tzinfo=UTC), True),  # 23:30 GMT on 21st: still 17
        (date(2008, 7, 2), datetime(2026, 7, 1, 23, 30, tzinfo=UTC), False),  # 00:30 BST on 2 July: 18 today
        (date(2008, 11, 21), datetime(2026, 11, 21, 0, 1, tzinfo=UTC), False),
    ],
)
def test_juvenile_at_relevant_time(dob, rt, juvenile):
    assert is_juvenile(dob, rt) is juvenile


def test_appropriate_adult_reasons():
    assert "juvenile" in appropriate_adult_reason(date_of_birth=date(2010, 1, 1), relevant_time=RT, vulnerable=False)
    assert "vulnerable" in appropriate_adult_reason(date_of_birth=date(1990, 1, 1), relevant_time=RT, vulnerable=True)
    assert appropriate_adult_reason(date_of_birth=date(1990, 1, 1), relevant_time=RT, vulnerable=False) is None
    assert appropriate_adult_reason(date_of_birth=None, relevant_time=RT, vulnerable=False, appears_under_18=True)
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17 and age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
