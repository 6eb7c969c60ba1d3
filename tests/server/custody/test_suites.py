"""Suites and cells (issue 15): administrators make them (versioned, audited, on the feed); booking-in puts a
detainee into a free cell of the suite, and never two into a cell for one, however many sergeants book at once;
the board of a suite shows that suite's records."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.server.conftest import login
from tests.server.custody.conftest import API, book, booking, new_id


@pytest.fixture
def admin(client, users) -> dict[str, str]:
    return login(client, "admin")


def patch(client, url: str, **kwargs):
    return client.request("PATCH", url, **kwargs)


def make_suite(client, admin, code: str, cells: list[tuple[str, str, int]]) -> dict:
    suite_id = new_id()
    response = client.post(f"{API}/suites", headers=admin,
                           json={"id": suite_id, "code": code, "name": f"{code.title()} custody suite",
                                 "address": "1 Harbour Road, Portharrow"})
    assert response.status_code == 201, response.text
    suite = response.json()
    for number, kind, capacity in cells:
        response = client.post(f"{API}/suites/{suite_id}/cells", headers=admin,
                               json={"id": new_id(), "number": number, "type": kind, "capacity": capacity})
        assert response.status_code == 201, response.text
        suite = response.json()
    return suite


def test_suites_cells_and_the_board_of_one_suite(client, h, admin):
    north = make_suite(client, admin, "nth", [("C1", "adult", 1), ("C2", "adult", 2), ("J1", "juvenile", 1)])
    south = make_suite(client, admin, "sth", [("C1", "adult", 1)])
    assert [c["number"] for c in north["cells"]] == ["C1", "C2", "J1"] and north["code"] == "NTH"
    assert north["cells_free"] == 3 and north["version"] == 4  # made, then three cells added

    # Only an administrator edits suites; a stale version is refused with the current copy.
    refused = client.post(f"{API}/suites", headers=h["sergeant"], json={"id": new_id(), "code": "X", "name": "X"})
    assert refused.status_code == 403
    stale = patch(client, f"{API}/suites/{north['id']}", headers={**admin, "If-Match": "1"}, json={"name": "N"})
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 4

    record = book(client, h["sergeant"], suite_id=north["id"], cell_id=north["cells"][0]["id"], cell=None)
    assert (record["suite_name"], record["cell"], record["cell_id"]) == ("Nth custody suite", "C1",
                                                                         north["cells"][0]["id"])
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any("Booked in at Nth custody suite to cell C1" in e["text"] for e in log)
    # A cell number is looked up in the suite; a cell of another suite is refused beside the field.
    book(client, h["sergeant"], suite_id=south["id"], cell="C1")
    wrong = client.post(f"{API}/records", headers=h["sergeant"],
                        json=booking(suite_id=south["id"], cell_id=north["cells"][1]["id"], cell=None))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "cell_id"

    full = client.post(f"{API}/records", headers=h["sergeant"],
                       json=booking(suite_id=north["id"], cell_id=north["cells"][0]["id"], cell=None))
    assert full.status_code == 409 and full.json()["errors"][0]["field"] == "cell_id"
    assert "C1 already holds a detainee" in full.json()["detail"]

    board = client.get(f"{API}/records", params={"open": "true", "suite": north["id"]}, headers=h["sergeant"]).json()
    assert [r["id"] for r in board] == [record["id"]]
    # Moving within the suite goes through the same cell check (C2 holds two).
    moved = patch(client, f"{API}/records/{record['id']}", json={"cell_id": north["cells"][1]["id"]},
                  headers={**h["sergeant"], "If-Match": str(record["version"])})
    assert moved.status_code == 200 and moved.json()["cell"] == "C2", moved.text
    record = moved.json()
    now = client.get(f"{API}/suites/{north['id']}", headers=h["detention"]).json()
    assert [(c["number"], c["occupants"], c["free_places"]) for c in now["cells"]] == [("C1", 0, 1), ("C2", 1, 1),
                                                                                       ("J1", 0, 1)]
    assert now["detainees"] == 1 and now["cells_free"] == 3

    # Out of use needs a reason, and a cell with someone in it is not taken out of use.
    occupied = now["cells"][1]
    refused = patch(client, f"{API}/cells/{occupied['id']}", headers={**admin, "If-Match": str(occupied["version"])},
                    json={"out_of_use": True, "out_of_use_reason": "Flooded"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "out_of_use"
    cell = now["cells"][0]
    no_reason = patch(client, f"{API}/cells/{cell['id']}", headers={**admin, "If-Match": str(cell["version"])},
                             json={"out_of_use": True})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "out_of_use_reason"
    done = patch(client, f"{API}/cells/{cell['id']}", headers={**admin, "If-Match": str(cell["version"])},
                        json={"out_of_use": True, "out_of_use_reason": "Damaged toilet"})
    assert done.status_code == 200, done.text
    refused = client.post(f"{API}/records", headers=h["sergeant"],
                          json=booking(suite_id=north["id"], cell_id=cell["id"], cell=None))
    assert refused.status_code == 409 and "out of use (Damaged toilet)" in refused.json()["detail"]


def test_two_sergeants_one_last_free_cell_exactly_one_succeeds(client, h, admin):
    suite = make_suite(client, admin, "lst", [("C1", "adult", 1)])
    cell_id = suite["cells"][0]["id"]
    barrier = Barrier(4)

    def book_in(i: int) -> int:
        body = booking(suite_id=suite["id"], cell_id=cell_id, cell=None,
                       person={"id": new_id(), "surname": f"Penrose{chr(65 + i)}", "forenames": "Jago",
                               "date_of_birth": "1990-01-01", "gender": "male"})
        barrier.wait()
        return client.post(f"{API}/records", json=body,
                           headers={**h["sergeant"],
                                    "Idempotency-Key": body["id"]}).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(book_in, range(4)))
    assert statuses == [201, 409, 409, 409]
    board = client.get(f"{API}/records", params={"open": "true", "suite": suite["id"]}, headers=h["sergeant"]).json()
    assert len(board) == 1 and board[0]["cell_id"] == cell_id
