"""Odd and hostile input gets a problem+json 4xx, never a 500; an unexpected fault is a logged 500 problem."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import APIRouter

from server.app import create_app
from server.settings import Settings

API = "/api/v1"


def _entry(**changes) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": "Spoke to detainee.",
            "observed_at": datetime.now(UTC).isoformat(), **changes}


@pytest.mark.parametrize("changes, field", [
    ({"text": "nul \x00 inside"}, "text"),
    ({"observed_at": "0001-01-01T00:00:00+14:00"}, "observed_at"),
    ({"observed_at": "1999-12-31T23:00:00+00:00"}, "observed_at"),
    ({"observed_at": "yesterday"}, "observed_at"),
    ({"text": 12}, "text"),
    ({"kind": None}, "kind"),
])
def test_hostile_log_entry_values_are_field_errors(client, sergeant, open_records, changes, field):
    response = client.post(f"{API}/custody/records/{open_records[0]['id']}/log", json=_entry(**changes),
                           headers=sergeant)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


def test_nul_in_username_and_huge_after_are_422(client, seeded, sergeant):
    login = client.post(f"{API}/auth/login", json={"username": "serg\x00eant", "password": "bridewell-demo"})
    assert login.status_code == 422 and login.json()["errors"][0]["field"] == "username"
    feed = client.get(f"{API}/events", params={"after": 10**30}, headers=sergeant)
    assert feed.status_code == 422 and feed.json()["errors"][0]["field"] == "after"


def test_malformed_json_and_wrong_media_are_4xx_problems(client, sergeant, open_records):
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    broken = client.post(url, content=b"{not json", headers={**sergeant, "Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.headers["content-type"] == "application/problem+json"
    unknown = client.get(f"{API}/no-such-thing")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    wrong_method = client.request("DELETE", url, headers=sergeant)
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405


def test_unexpected_fault_is_a_logged_500_problem(tmp_path, sqlite_template, caplog):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    boom = APIRouter()

    @boom.get("/boom")
    def _boom():
        raise RuntimeError("deliberate fault")

    app.include_router(boom)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/boom")

    import anyio

    with caplog.at_level(logging.ERROR, logger="bridewell.server"):
        response = anyio.run(call)
    app.state.engine.dispose()
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "deliberate fault" not in response.text  # no internals leak to the client
    assert any("deliberate fault" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
