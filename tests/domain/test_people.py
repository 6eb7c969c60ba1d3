from datetime import date

import pytest

from domain.people import dob_problem, name_problem

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(("text", "ok"), [
    ("O'Brien", True), ("Smith-Jones", True), ("Núñez", True), ("Stephen James", True), ("Mc Donald", True),
    ("", False), ("Dr. Smith2", False), ("Unknown 1", False), ("Smith  Jones", False), ("-Smith", False),
    ("A" * 36, False), ("Zz?", False),
])
def test_name_rules(text, ok):
    assert (name_problem(text) is None) is ok


def test_blank_name_allowed_when_optional():
    assert name_problem("  ", required=False) is None


@pytest.mark.parametrize(("dob", "fragment"), [
    (date(2026, 11, 23), "future"), (TODAY, "today"), (date(1900, 1, 1), "120 years"),
    (date(1988, 4, 11), None), (date(1906, 11, 23), None),
])
def test_dob_rules(dob, fragment):
    problem = dob_problem(dob, TODAY)
    assert (problem is None) if fragment is None else (fragment in problem)
