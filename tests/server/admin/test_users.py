"""User administration over HTTP (SQLite and PostgreSQL): administrators only, several roles per user, conditional
updates, lock, password reset and ending sessions, every change audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.passwords import MIN_LENGTH
from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.conftest import login

API = "/api/v1"
USERS = f"{API}/admin/users"


def _new_user(**extra) -> dict:
    body = {"id": str(uuid.uuid4()), "username": "pc.tregarthen", "display_name": "Jory Tregarthen",
            "rank": "Police Constable", "collar_number": "PC4471", "home_suite": "Bodmin custody suite",
            "roles": ["investigator", "supervisor"], "password": "granite-quarry-41"}
    return {**body, **extra}


def _audit(app, entity_id: str) -> list[AuditEntry]:
    with make_sessionmaker(app.state.engine)() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)))


def test_only_an_administrator_may_administer_users_and_bad_input_is_refused(client, seeded):
    body = _new_user()
    for who in ("supervisor", "sergeant", "intel"):
        headers = login(client, who)
        assert client.get(USERS, headers=headers).status_code == 403
        refused = client.post(USERS, headers=headers, json=body)
        assert refused.status_code == 403
        assert "administrator" in refused.json()["detail"]
    assert client.get(USERS).status_code == 401

    # An administrator's bad input comes back beside the field; nobody can lock themself out.
    admin = login(client, "admin")
    schema = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert schema["UserCreate"]["properties"]["password"]["minLength"] == MIN_LENGTH == 12  # the document says the rule
    assert schema["UserCreate"]["properties"]["roles"]["minItems"] == 1
    short = client.post(USERS, headers=admin, json=_new_user(password="short"))
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "password"
    assert "at least 12 characters" in short.json()["errors"][0]["message"]
    # The same policy as create-user and sign-in's set_password: long enough is not enough when it is common.
    common = client.post(USERS, headers=admin, json=_new_user(password="Password12345!"))
    assert common.status_code == 422 and common.json()["errors"][0]["field"] == "password"
    assert "too easy to guess" in common.json()["errors"][0]["message"]
    taken = client.post(USERS, headers=admin, json=_new_user(username="sergeant"))
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "username"
    no_roles = client.post(USERS, headers=admin, json=_new_user(roles=[]))
    assert no_roles.status_code == 422 and no_roles.json()["errors"][0]["field"] == "roles"
    bad_role = client.post(USERS, headers=admin, json=_new_user(roles=["chief_constable"]))
    assert bad_role.status_code == 422

    me = client.get(f"{API}/auth/me", headers=admin).json()
    path = f"{USERS}/{me['id']}"
    demoted = client.request("PATCH", path, headers={**admin, "If-Match": "1"}, json={"roles": ["supervisor"]})
    assert demoted.status_code == 403 and demoted.json()["errors"][0]["field"] == "roles"
    locked = client.request("PATCH", path, headers={**admin, "If-Match": "1"}, json={"active": False})
    assert locked.status_code == 403 and locked.json()["errors"][0]["field"] == "active"


def test_create_with_several_roles_then_sign_in_and_use_each_role(client, seeded, app):
    admin = login(client, "admin")
    body = _new_user()
    key = {"Idempotency-Key": body["id"]}
    created = client.post(USERS, headers={**admin, **key}, json=body)
    assert created.status_code == 201, created.text
    again = client.post(USERS, headers={**admin, **key}, json=body)  # a retry is the same request
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    user = created.json()
    assert user["roles"] == ["investigator", "supervisor"] and user["role"] == "investigator"
    assert user["home_suite"] == "Bodmin custody suite" and user["version"] == 1 and user["active"] is True

    signed_in = client.post(f"{API}/auth/login", headers={"X-Workstation": "BODMIN-CUS-03"},
                            json={"username": "pc.tregarthen", "password": "granite-quarry-41"})
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    me = client.get(f"{API}/auth/me", headers=headers).json()
    assert me["role"] == "investigator" and me["roles"] == ["investigator", "supervisor"]
    # The audit is for supervisors and administrators: the second role lets this user through.
    assert client.get(f"{API}/audit", headers=headers).status_code == 200
    assert client.get(f"{API}/audit", headers=login(client, "investigator")).status_code == 403

    listed = client.get(USERS, headers=admin).json()
    mine = next(u for u in listed if u["id"] == user["id"])
    assert mine["live_sessions"] == 1 and mine["last_workstation"] == "BODMIN-CUS-03"
    assert {u["username"] for u in listed} >= {"admin", "sergeant", "pc.tregarthen"}
    assert [u["username"] for u in listed].count("pc.tregarthen") == 1
    (entry,) = [e for e in _audit(app, user["id"]) if e.action == "collection"]
    assert "investigator" in entry.justification and "supervisor" in entry.justification


def test_change_needs_if_match_and_a_stale_version_is_412(client, seeded, app):
    admin = login(client, "admin")
    user = client.post(USERS, headers=admin, json=_new_user()).json()
    path = f"{USERS}/{user['id']}"
    assert client.request("PATCH", path, headers=admin, json={"rank": "Sergeant"}).status_code == 428
    changed = client.request("PATCH", path, headers={**admin, "If-Match": "1"},
                           json={"rank": "Sergeant", "collar_number": "PS4471", "roles": ["custody_sergeant"]})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["rank"], body["roles"], body["role"], body["version"]) == \
        ("Sergeant", ["custody_sergeant"], "custody_sergeant", 2)
    stale = client.request("PATCH", path, headers={**admin, "If-Match": "1"}, json={"home_suite": "Truro"})
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 2
    me = client.get(f"{API}/auth/me", headers=login(client, "pc.tregarthen", "granite-quarry-41")).json()
    assert me["roles"] == ["custody_sergeant"]
    (entry,) = [e for e in _audit(app, user["id"]) if e.action == "alteration"]
    assert "rank 'Police Constable' -> 'Sergeant'" in entry.justification and "custody sergeant" in entry.justification


def test_lock_reset_password_and_end_sessions(client, seeded, app):
    admin = login(client, "admin")
    user = client.post(USERS, headers=admin, json=_new_user()).json()
    path = f"{USERS}/{user['id']}"
    first = login(client, "pc.tregarthen", "granite-quarry-41")
    second = login(client, "pc.tregarthen", "granite-quarry-41")

    ended = client.post(f"{path}/sessions/revoke", headers=admin)
    assert ended.status_code == 200 and ended.json()["revoked"] == 2
    for headers in (first, second):
        assert client.get(f"{API}/auth/me", headers=headers).status_code == 401

    third = login(client, "pc.tregarthen", "granite-quarry-41")
    reset = client.post(f"{path}/password", headers={**admin, "If-Match": "1"}, json={"password": "tin-mine-engine-7"})
    assert reset.status_code == 200 and reset.json()["version"] == 2
    assert client.get(f"{API}/auth/me", headers=third).status_code == 401  # a reset ends every session
    assert client.post(f"{API}/auth/login", json={"username": "pc.tregarthen",
                                                  "password": "granite-quarry-41"}).status_code == 401
    fourth = login(client, "pc.tregarthen", "tin-mine-engine-7")
    short = client.post(f"{path}/password", headers={**admin, "If-Match": "2"}, json={"password": "abc"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    # A reset answers to the same policy: a common password (12+ characters) or one made of the user name.
    for guessable in ("Password12345!", "qwertyqwerty", "pc.tregarthen2026"):
        refused = client.post(f"{path}/password", headers={**admin, "If-Match": "2"}, json={"password": guessable})
        assert refused.status_code == 422, guessable
        assert refused.json()["errors"][0]["field"] == "password"
        assert "too easy to guess" in refused.json()["errors"][0]["message"]

    locked = client.request("PATCH", path, headers={**admin, "If-Match": "2"}, json={"active": False})
    assert locked.status_code == 200 and locked.json()["active"] is False
    assert client.get(f"{API}/auth/me", headers=fourth).status_code == 401
    assert client.post(f"{API}/auth/login", json={"username": "pc.tregarthen",
                                                  "password": "tin-mine-engine-7"}).status_code == 401
    said = [e.justification for e in _audit(app, user["id"]) if e.action == "alteration"]
    assert any("every session ended" in s for s in said) and any("password reset" in s for s in said)
    assert any("locked" in s for s in said)
    assert all("tin-mine" not in (s or "") for s in said)  # never the password itself
