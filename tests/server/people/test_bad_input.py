"""Bad input to the issue-4 endpoints is a clear problem+json answer (422/404/403/428), never a 500."""

from __future__ import annotations

import pytest

from tests.server.people.helpers import API, create_person, headers, new_id

CASES = [
    ("POST", "/people", {"id": "not-a-uuid", "surname": 5, "forenames": None, "aliases": "x"}, 422),
    ("POST", "/people", {"id": new_id(), "surname": "A\x00b", "forenames": "C", "gender": "robot",
                         "self_defined_ethnicity": "42", "date_of_birth": "31/02/1990"}, 422),
    ("POST", "/people/search", {"page": 0, "q": "Smith"}, 422),
    ("POST", "/people/search", {"q": "!!!"}, 422),
    ("GET", "/people/" + "x" * 300, None, 404),
    ("GET", f"/people/{new_id()}/picture", None, 404),
    ("POST", "/people/merges", {"id": new_id(), "survivor_id": new_id(), "merged_id": new_id(), "reason": "dup"}, 403),
    ("POST", "/investigations", {"id": new_id(), "title": "  "}, 422),
    ("GET", f"/investigations/{new_id()}", None, 404),
    ("POST", f"/actions/{new_id()}/transitions", {"event": "file"}, 404),
    ("POST", "/intelligence/reports", {"id": new_id(), "title": "t", "source_reference": "s", "original_text": "o",
                                       "items": "A", "source_evaluation": 1, "handling_code": "P"}, 422),
    ("GET", f"/intelligence/reports/{new_id()}", None, 422),  # no access reason
    ("POST", "/people/duplicates-check", {"surname": "Smith", "pnc_id": "nonsense"}, 422),
    # Found by schemathesis: a number was read as the date 1970-01-01; an unknown action status matched nothing.
    ("POST", "/people/duplicates-check", {"surname": "Smith", "date_of_birth": 0}, 422),
    ("GET", f"/investigations/{new_id()}/actions?status=false", None, 422),
    ("PATCH", "/investigations/" + new_id(), {"title": "   "}, 422),  # an investigation with no title
]


def test_duplicates_check_with_forenames_soundex_cannot_code(client, seeded):
    # Found by schemathesis: forenames holding no letter (only symbols) gave 500.
    response = client.post(f"{API}/people/duplicates-check", headers=headers(client, "investigator"),
                           json={"surname": "Smith", "forenames": "\u00a7\u00b6"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("method", "path", "body", "status"), CASES)
def test_bad_requests_get_problem_answers(client, seeded, method, path, body, status):
    auth = headers(client, "investigator")
    response = client.request(method, API + path, headers=auth, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_naive_due_date_and_missing_if_match(client, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    inv = client.post(f"{API}/investigations", headers=investigator, json={"id": new_id(), "title": "Theft"}).json()
    action = client.post(f"{API}/investigations/{inv['id']}/actions", headers=investigator,
                         json={"id": new_id(), "title": "Trace owner", "origin": "M1", "priority": "urgent"})
    assert action.status_code == 422 and action.json()["errors"][0]["field"] == "priority"
    action = client.post(f"{API}/investigations/{inv['id']}/actions", headers=investigator,
                         json={"id": new_id(), "title": "Trace owner", "origin": "M1"}).json()
    no_match = client.post(f"{API}/actions/{action['id']}/transitions", headers=supervisor, json={"event": "file"})
    assert no_match.status_code == 428
    naive = client.post(f"{API}/actions/{action['id']}/transitions", headers={**supervisor, "If-Match": "1"},
                        json={"event": "allocate", "allocated_to_id": new_id(), "due_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "due_at"
    person = create_person(client, investigator)
    assert client.post(f"{API}/people/{person['id']}/warning-markers/{new_id()}/remove", headers=investigator,
                       json={"reason": "wrong"}).status_code == 404
