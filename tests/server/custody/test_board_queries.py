"""Reads are reads (issue 9): the board costs the same number of queries for 3 detainees as for 30, and its
audit is one bulk insert naming every detainee shown, not a write per row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.custody.conftest import API, book, new_id
from tests.support.queries import statements


def _book_many(client, headers, n: int) -> None:
    for i in range(n):
        person = {"id": new_id(), "surname": "Trevaskis", "forenames": "Jory " + "abcdefghijklmnopqrstuvwxyz"[i % 26],
                  "date_of_birth": "1990-02-03", "gender": "male"}
        record = book(client, headers, person=person)
        # Facts the board summarises (observation level, a check), so their queries are exercised too.
        now = datetime.now(UTC).isoformat()
        level = client.post(f"{API}/records/{record['id']}/observation-level", headers=headers,
                            json={"level": 1, "reason": "No concerns at booking.", "set_at": now})
        assert level.status_code == 200, level.text
        check = {"id": new_id(), "observed_at": now,
                 "check_type": "look", "result": "responded"}
        response = client.post(f"{API}/records/{record['id']}/checks", json=check, headers=headers)
        assert response.status_code == 201, response.text


def _board(client, app, headers) -> tuple[int, list[dict]]:
    with statements(app.state.engine) as sent:
        response = client.get(f"{API}/records", params={"open": "true"}, headers=headers)
    assert response.status_code == 200, response.text
    return len(sent), response.json()


def test_board_queries_do_not_grow_with_detainees(client, app, h):
    _book_many(client, h["sergeant"], 3)
    few, board = _board(client, app, h["sergeant"])
    assert len(board) == 3
    _book_many(client, h["sergeant"], 27)
    many, board = _board(client, app, h["sergeant"])
    assert len(board) == 30
    assert many == few, f"{few} statements for 3 detainees, {many} for 30"
    shown = {r["id"] for r in board}
    with make_sessionmaker(app.state.engine)() as session:
        reads = session.scalars(select(AuditEntry).where(
            AuditEntry.justification == "custody records list", AuditEntry.action == "consultation")
            .order_by(AuditEntry.id)).all()
    assert set(reads[-1].names) == shown  # the read is one audit row naming every detainee shown (issue 9)
