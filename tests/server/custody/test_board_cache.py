"""The board reuses each record's JSON while the record is unchanged (issue 9: CPU per board read), and is still
right: every change shows on the next read, a released detainee leaves it at once, its clocks do not go stale, and
every read is audited as one row naming every detainee shown. (A write through another server process: the
two-process test in tests/server/test_feed_processes.py.)"""

from __future__ import annotations

import json
from datetime import timedelta

from pydantic import TypeAdapter
from sqlalchemy import select

from server.audit import AuditEntry
from server.auth.models import User
from server.custody import service
from server.custody.schemas import CustodyRecordOut
from server.db import make_sessionmaker
from tests.server.conftest import login
from tests.server.custody.conftest import API, ago, book, iso, new_id, reassess
from tests.server.custody.test_suites import make_suite
from tests.support.queries import statements

_LIST = TypeAdapter(list[CustodyRecordOut])


def _board(client, headers) -> list[dict]:
    response = client.get(f"{API}/records", params={"open": "true"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _fresh(app) -> list[dict]:
    """The board computed from scratch (no reuse), as the wire would carry it."""
    with make_sessionmaker(app.state.engine)() as session:
        reader = session.scalars(select(User).where(User.username == "sergeant")).one()
        rows = service.list_records(session, reader, open_only=True)
        session.rollback()  # its audit row is not this test's business
    return json.loads(_LIST.dump_json(rows, by_alias=True))


def _list_reads(app) -> list[AuditEntry]:
    with make_sessionmaker(app.state.engine)() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.justification == "custody records list", AuditEntry.action == "consultation")
            .order_by(AuditEntry.id)))


def test_an_unchanged_board_is_reused_and_every_read_is_still_audited(client, app, h):
    ids = {book(client, h["sergeant"])["id"] for _ in range(3)}
    first = _board(client, h["sergeant"])
    with statements(app.state.engine) as cold:
        _board(client, h["detention"])  # another user: the reuse is not per user
    book(client, h["sergeant"])  # one record more; the other three are reused
    with statements(app.state.engine) as warm:
        again = _board(client, h["detention"])
    with statements(app.state.engine) as hot:
        third = _board(client, h["sergeant"])
    assert {r["id"] for r in first} == ids and len(again) == 4 and third == again
    assert [r for r in again if r["id"] in ids] == first
    # Nothing changed since the last read: no fact is read again (the rows, the sign-in check and the audit only).
    assert len(hot) < len(warm), f"{len(hot)} statements when nothing changed, {len(warm)} when one record was new"
    assert len(hot) <= len(cold)
    reads = _list_reads(app)
    assert len(reads) == 4
    assert set(reads[-1].names) == {r["id"] for r in third}


def test_every_kind_of_change_shows_on_the_next_read(client, app, h):
    sergeant = h["sergeant"]
    record = book(client, sergeant, arrived=ago(hours=3))
    other = book(client, sergeant, arrived=ago(hours=2))
    rid, url = record["id"], f"{API}/records/{record['id']}"
    _board(client, sergeant)

    def same_as_fresh() -> list[dict]:
        board = _board(client, sergeant)
        assert board == _fresh(app)
        return board

    # A log entry changes nothing the board shows (an entry is appended, the record keeps its version).
    noted = client.post(f"{url}/log", headers=sergeant, json={
        "id": new_id(), "kind": "note", "observed_at": iso(ago(minutes=5)), "text": "Asked for a blanket."})
    assert noted.status_code == 201, noted.text
    same_as_fresh()
    changes = [
        ("an observation level", lambda: client.post(f"{url}/observation-level", headers=sergeant, json={
            "level": 2, "reason": "Intoxicated on arrival.", "set_at": iso(ago(minutes=4))})),
        ("a cell check", lambda: client.post(f"{url}/checks", headers=sergeant, json={
            "id": new_id(), "observed_at": iso(ago(minutes=3)), "check_type": "rouse", "result": "responded"})),
        ("an interview", lambda: client.post(f"{url}/interviews", headers=sergeant, json={
            "id": new_id(), "started_at": iso(ago(minutes=2)), "interviewing_officers": ["DC 3318 Nessa Pollard"]})),
    ]
    for what, change in changes:
        before = {r["id"]: r for r in _board(client, sergeant)}[rid]
        response = change()
        assert response.status_code in (200, 201), f"{what}: {response.text}"
        after = {r["id"]: r for r in same_as_fresh()}[rid]
        assert after != before, f"{what} did not show on the board"
    assert {r["id"]: r for r in _board(client, sergeant)}[rid]["in_interview"] is True

    person = client.get(f"/api/v1/people/{record['person']['id']}", headers=sergeant).json()
    renamed = client.request("PATCH", f"/api/v1/people/{person['id']}", json={"forenames": "Tobias Anderson"},
                             headers={**sergeant, "If-Match": str(person["version"])})
    assert renamed.status_code == 200, renamed.text
    assert {r["id"]: r for r in same_as_fresh()}[rid]["person"]["forenames"] == "Tobias Anderson"

    # Released: off the open board on the next read, though its entry was reused a moment ago.
    reassess(client, sergeant, other["id"], "release")
    released = client.post(f"{API}/records/{other['id']}/disposal", headers=sergeant, json={
        "outcome": "no_further_action", "released_at": iso(ago(minutes=1))})
    assert released.status_code == 200, released.text
    assert [r["id"] for r in same_as_fresh()] == [rid]


def test_a_reused_entry_has_the_clocks_of_now(client, app, h, monkeypatch):
    """The board's clocks are deadlines, not time left: an entry made hours ago is what a fresh one would be."""
    record = book(client, h["sergeant"], arrived=ago(hours=5))
    board = _board(client, h["sergeant"])
    later = service.utcnow() + timedelta(hours=4)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    fresh = {r["id"]: r for r in _fresh(app)}[record["id"]]
    cached = {r["id"]: r for r in _board(client, h["sergeant"])}[record["id"]]
    assert cached == fresh == {r["id"]: r for r in board}[record["id"]]
    assert cached["next_review_due"] is not None and cached["detention_limit_at"] is not None


def test_a_renamed_suite_shows_on_the_next_read(client, app, h, users):
    """A suite's name is on the board twice: the record's suite, and where a transfer is going. Renaming either
    claims the suite, not the record: the board still shows the new name at once."""
    admin = login(client, "admin")
    north, south = make_suite(client, admin, "nth", [("C1", "adult", 1)]), make_suite(client, admin, "sth", [])
    record = book(client, h["sergeant"], arrived=ago(hours=3), suite_id=north["id"], cell_id=north["cells"][0]["id"],
                  cell=None)
    reassess(client, h["sergeant"], record["id"], "transfer")
    sent = client.post(f"{API}/records/{record['id']}/transfers", headers=h["sergeant"],
                       json={"id": new_id(), "to_suite_id": south["id"], "sent_at": iso(ago(minutes=1))})
    assert sent.status_code == 201, sent.text
    shown = _board(client, h["sergeant"])[0]
    assert (shown["suite_name"], shown["transfer"]["to_suite_name"]) == ("Nth custody suite", "Sth custody suite")
    for suite, name in ((north, "Northgate"), (south, "Southmoor")):
        now = client.get(f"{API}/suites/{suite['id']}", headers=admin).json()
        renamed = client.request("PATCH", f"{API}/suites/{suite['id']}", json={"name": name},
                                 headers={**admin, "If-Match": str(now["version"])})
        assert renamed.status_code == 200, renamed.text
    board = _board(client, h["sergeant"])
    assert (board[0]["suite_name"], board[0]["transfer"]["to_suite_name"]) == ("Northgate", "Southmoor")
    assert board == _fresh(app)
