"""Helpers shared by the issue-4 server tests (people, investigations, intelligence)."""

from __future__ import annotations

import uuid

from tests.server.conftest import login

API = "/api/v1"


def new_id() -> str:
    return str(uuid.uuid4())


def headers(client, username: str) -> dict[str, str]:
    return login(client, username)


def create_person(client, auth, **fields) -> dict:
    body = {"id": new_id(), "surname": "Quennock", "forenames": "Albert", **fields}
    response = client.post(f"{API}/people", json=body, headers={**auth, "Idempotency-Key": body["id"]})
    assert response.status_code == 201, response.text
    return response.json()


def field_errors(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}
