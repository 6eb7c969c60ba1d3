"""Reads are reads (issue 9): every list costs the same number of SQL statements however many rows it shows,
and names what it showed in the audit log (one bulk insert). The intelligence list shows summaries only and is
not audited per report: opening a report is, with its reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.conftest import login
from tests.support.queries import statements

API = "/api/v1"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _id() -> str:
    return str(uuid.uuid4())


def _ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.text
    return response.json()


class _Force:
    """Investigations (each with a person, a line of enquiry and an allocated action), intelligence reports
    naming a person, and people who share a surname, added through the API a few at a time."""

    def __init__(self, client):
        self.client = client
        self.inv, self.sup, self.intel = (login(client, u) for u in ("investigator", "supervisor", "intel"))
        self.me = _ok(client.get(f"{API}/auth/me", headers=self.inv), 200)["id"]
        self.first_investigation: str | None = None

    def add(self, n: int) -> None:
        c = self.client
        due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        for i in range(n):
            forenames = "Morva " + LETTERS[i % 26] * (1 + i // 26)
            person = _ok(c.post(f"{API}/people", headers=self.inv,
                                json={"id": _id(), "surname": "Carnsew", "forenames": forenames}))
            _ok(c.post(f"{API}/people/{person['id']}/warning-markers", headers=self.inv,
                       json={"id": _id(), "code": "violence", "details": "Assaulted staff."}))
            inv = _ok(c.post(f"{API}/investigations", headers=self.inv,
                             json={"id": _id(), "title": f"Burglary {forenames}"}))
            self.first_investigation = self.first_investigation or inv["id"]
            _ok(c.post(f"{API}/investigations/{inv['id']}/people", headers=self.inv,
                       json={"id": _id(), "person_id": person["id"], "role": "suspect"}))
            for target in (inv["id"], self.first_investigation):
                action = _ok(c.post(f"{API}/investigations/{target}/actions", headers=self.inv,
                                    json={"id": _id(), "title": "Trace witness", "origin": "M1"}))
                _ok(c.post(f"{API}/actions/{action['id']}/transitions", headers={**self.sup, "If-Match": "1"},
                           json={"event": "allocate", "allocated_to_id": self.me, "due_at": due}), 200)
            grading = {"source_evaluation": "2", "items": [{"text": "Seen nightly.", "assessment": "B"}],
                       "handling_code": "P"}
            _ok(c.post(f"{API}/intelligence/reports", headers=self.intel,
                       json={"id": _id(), "title": "Sightings", "source_reference": "SRC-1",
                             "original_text": "Seen nightly.", "people": [{"person_id": person["id"]}], **grading}))

    def lists(self) -> dict[str, tuple]:
        return {"investigations": (f"{API}/investigations", self.inv),
                "my actions": (f"{API}/actions?mine=true", self.inv),
                "investigation's actions": (f"{API}/investigations/{self.first_investigation}/actions", self.inv),
                "my team's investigations": (f"{API}/investigations?scope=team", self.inv),
                "investigation's timeline": (f"{API}/investigations/{self.first_investigation}/timeline", self.inv),
                "intelligence reports": (f"{API}/intelligence/reports", self.intel),
                "people search": (f"{API}/people/search", self.inv, {"q": "Carnsew", "page_size": 100})}


def _cost(client, app, url: str, headers, search: dict | None = None) -> tuple[int, dict | list]:
    with statements(app.state.engine) as sent:
        body = _ok(client.post(url, json=search, headers=headers) if search else client.get(url, headers=headers),
                   200)
    return len(sent), body


def _size(body) -> int:
    if isinstance(body, dict):
        return len(body["results"] if "results" in body else body["entries"])
    return len(body)


def test_lists_cost_the_same_statements_for_3_or_15_rows(client, app, seeded):
    force = _Force(client)
    force.add(3)
    few = {name: _cost(client, app, *read) for name, read in force.lists().items()}
    force.add(12)
    many = {name: _cost(client, app, *read) for name, read in force.lists().items()}
    for name in few:
        assert _size(many[name][1]) >= _size(few[name][1]) + 12, name  # the list did grow
    assert {name: n for name, (n, _) in many.items()} == {name: n for name, (n, _) in few.items()}


def test_a_list_read_names_what_it_showed(client, app, seeded):
    force = _Force(client)
    force.add(2)
    people = _ok(client.post(f"{API}/people/search", json={"q": "Carnsew"}, headers=force.inv), 200)["results"]
    shown = {r["person"]["id"] for r in people}
    investigations = {i["id"] for i in _ok(client.get(f"{API}/investigations", headers=force.inv), 200)}
    with make_sessionmaker(app.state.engine)() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "consultation")).all()
    logged = {(r.entity, named) for r in rows for named in r.names}  # a list read: one row naming them all
    assert {("person", pid) for pid in shown} <= logged
    assert {("investigation", iid) for iid in investigations} <= logged
