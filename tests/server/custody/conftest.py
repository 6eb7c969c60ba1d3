"""Custody-suite test fixtures: the eight demo users (without the demo detainees, so tests stay quick) and a
helper that books a detainee in through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.auth.models import User
from server.auth.service import create_user
from server.db import make_sessionmaker
from server.demo import DEMO_PASSWORD, DEMO_USERS, demo_id
from tests.server.conftest import login

API = "/api/v1/custody"


def ago(**kwargs) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(**kwargs)


def iso(at: datetime) -> str:
    return at.isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def users(app) -> dict[str, str]:
    """username -> user id, for the eight demo users."""
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        for username, display, rank, collar, role in DEMO_USERS:
            create_user(session, username=username, display_name=display, rank=rank, collar_number=collar,
                        role=role, password=DEMO_PASSWORD, user_id=demo_id("user", username))
    return {u[0]: demo_id("user", u[0]) for u in DEMO_USERS}


@pytest.fixture
def h(client, users) -> dict[str, dict[str, str]]:
    """Authorization headers per username: h['sergeant'], h['inspector'], ..."""
    return {name: login(client, name) for name in ("sergeant", "detention", "inspector", "superintendent",
                                                    "investigator")}


def booking(*, arrived: datetime | None = None, person: dict | None = None, person_id: str | None = None,
            detention: bool | dict = True, **overrides) -> dict:
    arrived = arrived or ago(hours=1)
    body = {
        "id": new_id(),
        "arrived_at": iso(arrived),
        "arrested_at": iso(arrived - timedelta(minutes=40)),
        "arrest_place": "Quayside Retail Park, Portharrow",
        "arresting_officer": "PC 4471 Dorian Feltwell",
        "offences": ["TH68010"],
        "arrest_reason": "Seen on CCTV leaving without paying.",
        "arrest_necessity": "To allow the prompt and effective investigation of the offence.",
        "cell": "C7",
    }
    if person_id is not None:
        body["person_id"] = person_id
    else:
        body["person"] = person or {"id": new_id(), "surname": "Quilliam", "forenames": "Tobias Ander",
                                    "date_of_birth": "1988-04-09", "gender": "male"}
    if detention:
        body["detention"] = detention if isinstance(detention, dict) else {
            "decision": "authorised", "grounds": "To obtain evidence by questioning.",
            "decided_at": iso(arrived + timedelta(minutes=10))}
    body.update(overrides)
    return body


def book(client, headers, **kwargs) -> dict:
    response = client.post(f"{API}/records", json=booking(**kwargs), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def fields(response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {e["field"]: e["message"] for e in response.json().get("errors") or []}


def count(app, model) -> int:
    with make_sessionmaker(app.state.engine)() as session:
        return session.scalar(select(func.count()).select_from(model))


def user_id(app, username: str) -> str:
    with make_sessionmaker(app.state.engine)() as session:
        return session.scalar(select(User.id).where(User.username == username))


JUVENILE_DOB = (date.today() - timedelta(days=15 * 365)).isoformat()


def reassess(client, headers, record_id: str, trigger: str, at: datetime | None = None) -> dict:
    """A risk re-assessment made for a point of the detention ('release', 'bail_refused', 'transfer', …): the APP
    asks for one before each way out of custody, and the server refuses the disposal without it."""
    response = client.post(f"{API}/records/{record_id}/risk-assessments", headers=headers, json={
        "id": new_id(), "trigger": trigger, "assessed_at": iso(at or ago(minutes=2)), "risk_level": "low",
        "responses": [{"area": "self_harm_current", "answer": "no", "source": "detainee"}]})
    assert response.status_code == 201, response.text
    return response.json()
