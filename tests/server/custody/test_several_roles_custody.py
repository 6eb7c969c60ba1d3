"""PACE decisions by rank for a user holding several roles (issue 12): the rule is decided for each role held
(server.auth.models.User.decide / has_role), so a custody sergeant who is also an inspector or a superintendent
may do what that rank may, though their first role is custody sergeant. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.demo import DEMO_PASSWORD
from tests.server.conftest import login
from tests.server.custody.conftest import API, ago, book, iso, new_id
from tests.server.custody.test_clock import _two_reviews, extension, review


def _sergeant_and(client, users, role: str) -> dict[str, str]:
    admin = login(client, "admin")
    username = f"sgt.{role}"
    made = client.post("/api/v1/admin/users", headers=admin, json={
        "id": new_id(), "username": username, "display_name": "Sgt Jenifer Trevaskis", "rank": "Acting inspector",
        "collar_number": "CS5518", "home_suite": "Portharrow custody suite", "roles": ["custody_sergeant", role],
        "password": DEMO_PASSWORD})
    assert made.status_code == 201, made.text
    return login(client, username)


def test_a_sergeant_who_is_also_an_inspector_reviews_and_authorises_a_delay(client, h, users):
    both = _sergeant_and(client, users, "inspector")
    record = book(client, h["sergeant"], arrived=ago(hours=7))
    assert review(client, h["sergeant"], record["id"], ago(minutes=30)).status_code == 403
    done = review(client, both, record["id"], ago(minutes=30))
    assert done.status_code == 201, done.text

    url = f"{API}/records/{record['id']}/rights"

    def delay() -> dict:
        return {"id": new_id(), "right": "someone_informed", "requested": True, "at": iso(ago(minutes=60)),
                "delay": {"until": iso(ago(minutes=-300)),
                          "grounds": "Alerting other people suspected of the offence who are not yet arrested"}}

    assert client.post(url, json=delay(), headers=h["sergeant"]).status_code == 403
    allowed = client.post(url, json=delay(), headers=both)
    assert allowed.status_code == 201, allowed.text


def test_a_sergeant_who_is_also_a_superintendent_extends_detention(client, h, users):
    both = _sergeant_and(client, users, "superintendent")
    record = book(client, h["sergeant"], arrived=ago(hours=20))
    relevant = datetime.fromisoformat(record["relevant_time"])
    _two_reviews(client, h, record)
    refused = extension(client, h["sergeant"], record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert refused.status_code == 403
    ok = extension(client, both, record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert ok.status_code == 201, ok.text
