"""Forgiving name and DOB matching (domain.md §6.4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.names import PartialDate, compare_dob, jaro_winkler, normalise, score_person, soundex


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("O’Brien", "obrien"), ("O'Brien", "obrien"), ("SMITH-JONES", "smith jones"), ("  Núñez ", "nunez"),
     ("Zoë  D'Arcy", "zoe darcy"), ("Strauß", "strauss")],
)
def test_normalise(raw, normal):
    assert normalise(raw) == normal


@pytest.mark.parametrize(
    ("name", "code"),
    # Published Soundex examples (US National Archives): Robert/Rupert R163, Ashcraft A261, Tymczak T522, Pfister P236.
    [("Robert", "R163"), ("Rupert", "R163"), ("Ashcraft", "A261"), ("Tymczak", "T522"), ("Pfister", "P236"),
     ("Honeyman", "H555"), ("McDonald", "M235"), ("MacDonald", "M235"), ("", "")],
)
def test_soundex(name, code):
    assert soundex(name) == code


def test_jaro_winkler_known_values():
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler("dwayne", "duane") == pytest.approx(0.84, abs=1e-2)
    assert jaro_winkler("abc", "abc") == 1.0 and jaro_winkler("abc", "xyz") == 0.0


# Fictional people. Each row: search, candidate, must be found (score >= 60), a reason that must appear.
@pytest.mark.parametrize(
    ("search", "candidate", "found", "reason"),
    [
        (("Thomson", "Carys", "14/07/1991"), ("Thompson", "Carys", "14/07/1991"), True, "surname"),
        (("Smyth", "Ewan", "03/11/1988"), ("Smith", "Ewan", "03/11/1988"), True, "surname sounds like"),
        (("Kowalski", "Ania", "05/09/1990"), ("Kowalsky", "Ania", "09/05/1990"), True, "DOB day and month swapped"),
        (("O'Neil", "Declan", "1979"), ("ONeill", "Declan", "22/02/1979"), True, "DOB year the same"),
        (("Fairweather-Lowe", "Imogen", ""), ("Lowe", "Imogen", ""), True, "shares a part"),
        (("Nuñez", "Mateo", "12/12/2001"), ("Nunez", "Mateo", "12/12/2001"), True, "surname the same"),
        (("Ashworth", "Bryony", "02/03/1985"), ("Ashworth", "B", "03/1985"), True, "month and year"),
        (("Pemberton", "Gareth", "01/01/1970"), ("Quilliam", "Rhodri", "30/06/1993"), False, ""),
        # Same name, unrelated DOB: still listed (the DOB given may be wrong) but well below a full match.
        (("Pemberton", "Gareth", "01/01/1970"), ("Pemberton", "Gareth", "30/06/1993"), True, "surname the same"),
    ],
)
def test_person_search_finds_variants(search, candidate, found, reason):
    (s, f, d), (cs, cf, cd) = search, candidate
    m = score_person(surname=s, forename=f, dob=PartialDate.parse(d) if d else None, candidate_surname=cs,
                     candidate_forename=cf, candidate_dob=PartialDate.parse(cd) if cd else None)
    assert (m.score >= 60) is found, m
    if found:
        assert m.score < 100 or "DOB the same" in m.reasons
        assert any(reason in r for r in m.reasons), m.reasons
    else:
        assert m.reasons == ()


def test_exact_beats_variant():
    dob = PartialDate.parse("14/07/1991")
    exact = score_person(surname="Thompson", forename="Carys", dob=dob, candidate_surname="Thompson",
                         candidate_forename="Carys", candidate_dob=dob)
    variant = score_person(surname="Thomson", forename="Carys", dob=dob, candidate_surname="Thompson",
                           candidate_forename="Carys", candidate_dob=PartialDate.parse("12/07/1991"))
    assert exact.score == 100 and variant.score < exact.score


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [("21/03/1985", "21/03/1985", "DOB the same"), ("04/03/1985", "03/04/1985", "DOB day and month swapped"),
     ("21/03/1985", "21/03/1986", "year differs by one"), ("1985", "21/03/1985", "year the same")],
)
def test_compare_dob(a, b, reason):
    assert reason in compare_dob(PartialDate.parse(a), PartialDate.parse(b)).reason


@pytest.mark.parametrize("bad", ["21-03-85", "13/1985", "32/01/1985", "yesterday"])
def test_bad_dob_text_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="(DD/MM/YYYY|month|day)"):
        PartialDate.parse(bad)


@given(st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12),
       st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12))
def test_similarity_is_symmetric_and_bounded(a, b):
    x, y = jaro_winkler(a, b), jaro_winkler(b, a)
    assert 0.0 <= x <= 1.0 + 1e-9 and x == pytest.approx(y)


def test_combine_matches_weighs_only_what_was_searched_for():
    from domain.names import DobMatch, NameMatch, combine_matches

    surname_only = combine_matches(NameMatch(1.0, "surname the same"), None, None)
    assert surname_only.score == 100 and surname_only.reasons == ("surname the same",)
    with_dob = combine_matches(NameMatch(1.0, "surname the same"), None, DobMatch(0.0, ""))
    assert with_dob.score == round(100 * 0.45 / 0.8) and with_dob.reasons == ("surname the same",)
