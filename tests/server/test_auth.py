from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.auth.models import Token
from server.db import make_sessionmaker
from tests.server.conftest import login
from tests.support.queries import statements

API = "/api/v1"


def test_health_reports_database(client, database_url):
    response = client.get(f"{API}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0",
                               "database": "postgresql" if database_url.startswith("postgresql") else "sqlite"}


def test_openapi_lists_contract_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/events",
                 "/api/v1/custody/records", "/api/v1/custody/records/{record_id}",
                 "/api/v1/custody/records/{record_id}/log"):
        assert path in paths


def test_login_returns_token_expiry_and_user(client, seeded):
    before = datetime.now(UTC)
    response = client.post(f"{API}/auth/login", json={"username": "sergeant", "password": "bridewell-demo"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["token"]) >= 40
    expires = datetime.fromisoformat(body["expires_at"])
    assert body["expires_at"].endswith("+00:00")
    assert timedelta(hours=11, minutes=59) < expires - before <= timedelta(hours=12, seconds=5)
    assert body["user"] == {"id": body["user"]["id"], "username": "sergeant", "display_name": "Sgt Alys Penhallow",
                            "rank": "Sergeant", "collar_number": "CS2417", "role": "custody_sergeant",
                            "roles": ["custody_sergeant"]}
    me = client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json() == body["user"]


def test_wrong_password_and_unknown_user_look_the_same(client, seeded):
    wrong = client.post(f"{API}/auth/login", json={"username": "sergeant", "password": "nope-nope"})
    unknown = client.post(f"{API}/auth/login", json={"username": "nobody", "password": "nope-nope"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "Wrong user name or password."


def test_no_token_is_401_problem(client, seeded):
    response = client.get(f"{API}/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_says_session_expired(client, app, seeded):
    headers = login(client, "detention")
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        session.execute(update(Token).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_logout_revokes_the_token(client, seeded):
    headers = login(client, "inspector")
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    response = client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 401
    assert "signed out" in response.json()["detail"]


def test_sign_in_check_is_one_statement_with_every_role(client, app, seeded):
    """Every request pays for the sign-in check (issue 9): the token, its user and all the user's roles come in
    one query, and the check commits nothing of its own. A revoked token is still refused on its next request."""
    headers = login(client, "sergeant")
    with statements(app.state.engine) as sent:
        response = client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["custody_sergeant"]
    assert len(sent) == 1, sent
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401


def test_role_not_allowed_is_403_naming_the_role(client, seeded, open_records):
    investigator = login(client, "investigator")
    record_id = open_records[0]["id"]
    response = client.post(f"{API}/custody/records/{record_id}/log", headers=investigator, json={
        "id": "2b0c3b8e-7a4f-4f6e-9b9e-5d9d1f1b0a01", "kind": "note", "text": "Tried to write",
        "observed_at": datetime.now(UTC).isoformat()})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "custody sergeant" in response.json()["detail"]
    assert "investigator" in response.json()["detail"]
