"""The force view (issue 15): every suite and every open record in one answer, a constant number of queries
however many suites and detainees, for inspectors, superintendents and sergeants, every detainee shown audited;
the figures of domain/force_view.py made from it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from domain.force_view import review_due, suite_figures
from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.conftest import login
from tests.server.custody.conftest import API, ago, book
from tests.server.custody.test_suites import make_suite
from tests.support.queries import statements


def _view(client, app, headers) -> tuple[int, dict]:
    with statements(app.state.engine) as sent:
        response = client.get(f"{API}/force-view", headers=headers)
    assert response.status_code == 200, response.text
    return len(sent), response.json()


def test_the_force_view_is_every_suite_in_constant_queries(client, app, h):
    admin = login(client, "admin")
    north = make_suite(client, admin, "fvn", [("C1", "adult", 1), ("C2", "adult", 2), ("J1", "juvenile", 1)])
    make_suite(client, admin, "fvs", [("C1", "adult", 1)])
    for who in ("detention", "investigator"):
        assert client.get(f"{API}/force-view", headers=h[who]).status_code == 403
    book(client, h["sergeant"], suite_id=north["id"], cell_id=north["cells"][0]["id"], cell=None,
         arrived=ago(hours=23))  # near its 24-hour limit
    few, view = _view(client, app, h["inspector"])
    assert {s["code"] for s in view["suites"]} >= {"FVN", "FVS"} and len(view["records"]) == 1
    assert view["last_seq"] > 0

    third = make_suite(client, admin, "fvt", [(f"C{n}", "adult", 1) for n in range(1, 7)])
    for n in range(5):
        book(client, h["sergeant"], suite_id=third["id"], cell_id=third["cells"][n]["id"], cell=None)
    many, view = _view(client, app, h["superintendent"])
    assert len(view["records"]) == 6
    assert many == few, f"{few} statements for 2 suites and 1 detainee, {many} for 3 suites and 6"

    now = datetime.now(UTC)
    north_now = next(s for s in view["suites"] if s["id"] == north["id"])
    in_north = [r for r in view["records"] if r["suite_id"] == north["id"]]
    figures = suite_figures(north_now, in_north, now)
    assert (figures.detainees, figures.places, figures.free_places, figures.near_limit) == (1, 4, 3, 1)
    assert not any(review_due(r, now) for r in view["records"] if r["suite_id"] == third["id"])
    with make_sessionmaker(app.state.engine)() as session:
        # A list read is one audit row naming its subjects (issue 9/12).
        logged = {name for row in session.scalars(select(AuditEntry).where(
            AuditEntry.justification == "custody records list", AuditEntry.action == "consultation"))
            for name in row.names}
    assert {r["id"] for r in view["records"]} <= logged
