"""Forgiving search: spelling variants, phonetics, aliases, DOB transposition, partial DOB, PNC ID, paging."""

from __future__ import annotations

from tests.server.people.helpers import API, create_person, field_errors, headers


def _search(client, auth, **params):
    response = client.post(f"{API}/people/search", json=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _by_id(page, person_id):
    return next((r for r in page["results"] if r["person"]["id"] == person_id), None)


def test_spelling_variants_are_found_with_reasons(client, seeded):
    auth = headers(client, "investigator")
    stephen = create_person(client, auth, surname="MacDonald", forenames="Stephen", date_of_birth="1988-04-11")
    hit = _by_id(_search(client, auth, q="Steven Mcdonald"), stephen["id"])
    assert hit is not None, "Steven Mcdonald should find Stephen MacDonald"
    assert any("surname sounds like" in r for r in hit["reasons"]), hit["reasons"]
    assert any(r.startswith("forename sounds like") for r in hit["reasons"]), hit["reasons"]

    capitals_first = _by_id(_search(client, auth, q="MACDONALD Steven"), stephen["id"])
    assert capitals_first is not None and capitals_first["reasons"][0] == "surname the same"

    mohammed = create_person(client, auth, surname="Haddad", forenames="Mohammed")
    hit = _by_id(_search(client, auth, q="Haddad, Muhammad"), mohammed["id"])
    assert hit is not None and any("forename" in r for r in hit["reasons"])


def test_transposed_and_partial_dates_of_birth(client, seeded):
    auth = headers(client, "investigator")
    person = create_person(client, auth, surname="Wendeborn", forenames="Clara", date_of_birth="1990-03-07")
    swapped = _by_id(_search(client, auth, q="Clara Wendeborn", dob="03/07/1990"), person["id"])
    assert swapped is not None and "DOB day and month swapped" in swapped["reasons"]
    exact = _by_id(_search(client, auth, q="Clara Wendeborn", dob="07/03/1990"), person["id"])
    assert "DOB the same" in exact["reasons"] and exact["score"] > swapped["score"]
    year_only = _by_id(_search(client, auth, q="Wendeborn", dob="1990"), person["id"])
    assert year_only is not None and any("year the same" in r for r in year_only["reasons"])
    dob_alone = _by_id(_search(client, auth, dob="03/07/1990"), person["id"])
    assert dob_alone is not None and dob_alone["reasons"] == ["DOB day and month swapped"]
    # Narrowing: a date of birth that does not match rules the record out.
    assert _by_id(_search(client, auth, q="Clara Wendeborn", dob="12/12/1970"), person["id"]) is None


def test_aliases_and_pnc_id(client, seeded):
    auth = headers(client, "investigator")
    person = create_person(client, auth, surname="Oyelaran", forenames="Tunde", pnc_id="2012/0394773H",
                           aliases=[{"surname": "Dunmore", "forenames": "Tony"}])
    hit = _by_id(_search(client, auth, q="Tony Dunmore"), person["id"])
    assert hit is not None and hit["reasons"][0] == "matched alias Tony Dunmore"
    by_pnc = _search(client, auth, pnc="12/394773H")
    assert by_pnc["total"] == 1 and by_pnc["results"][0]["reasons"] == ["PNC ID the same"]
    assert by_pnc["results"][0]["score"] == 100
    bad = client.post(f"{API}/people/search", json={"pnc": "12/394773X"}, headers=auth)
    assert bad.status_code == 422 and "pnc" in field_errors(bad)
    assert "q" in field_errors(client.post(f"{API}/people/search", json={}, headers=auth))
    assert "dob" in field_errors(client.post(f"{API}/people/search", json={"dob": "31-31-31"}, headers=auth))


def test_results_are_ranked_and_paged(client, seeded):
    auth = headers(client, "investigator")
    made = [create_person(client, auth, surname=s, forenames="Ada", date_of_birth="1970-01-01")
            for s in ("Pemberton", "Pembertun", "Pemberten", "Pembarton", "Pemberton")]
    first = _search(client, auth, q="Ada Pemberton", page_size=2)
    assert first["total"] == 5 and len(first["results"]) == 2 and first["page"] == 1
    assert first["results"][0]["score"] >= first["results"][1]["score"]
    assert {r["person"]["surname"] for r in first["results"]} == {"Pemberton"}
    rest = _search(client, auth, q="Ada Pemberton", page_size=2, page=3)
    assert len(rest["results"]) == 1
    seen = {r["person"]["id"] for p in (1, 2, 3) for r in _search(client, auth, q="Ada Pemberton", page_size=2,
                                                                    page=p)["results"]}
    assert seen == {m["id"] for m in made}


def test_duplicate_check_before_creation(client, seeded):
    auth = headers(client, "sergeant")
    person = create_person(client, auth, surname="Fairlie", forenames="Morag", date_of_birth="1982-05-06",
                           cro_number="29906/12J")
    response = client.post(f"{API}/people/duplicates-check", headers=auth,
                           json={"surname": "Fairley", "forenames": "Morag", "date_of_birth": "1982-06-05"})
    assert response.status_code == 200
    candidates = response.json()["candidates"]
    assert candidates[0]["person"]["id"] == person["id"]
    assert "DOB day and month swapped" in candidates[0]["reasons"]
    by_cro = client.post(f"{API}/people/duplicates-check", headers=auth,
                         json={"surname": "Nobody", "cro_number": "29906/12J"}).json()["candidates"]
    assert by_cro[0]["person"]["id"] == person["id"] and by_cro[0]["score"] == 100
