"""A user may hold several roles (issue 12): every rule that decides by role honours each role held, not only
the first. Over HTTP against the demo suite, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.server.conftest import login

API = "/api/v1"
PASSWORD = "granite-quarry-41"


def _user_with(client, admin: dict[str, str], *roles: str) -> dict[str, str]:
    """A new user holding these roles (the first is users.role), made by an administrator; their headers."""
    username = f"pc.{uuid.uuid4().hex[:8]}"
    made = client.post(f"{API}/admin/users", headers=admin, json={
        "id": str(uuid.uuid4()), "username": username, "display_name": "Tamsin Rosewarne", "rank": "Sergeant",
        "collar_number": "PC6190", "home_suite": "Portharrow custody suite", "roles": list(roles),
        "password": PASSWORD})
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == list(roles)
    return login(client, username, PASSWORD)


def test_each_role_a_user_holds_counts_not_only_the_first(client, seeded, open_records):
    admin = login(client, "admin")
    investigator = login(client, "investigator")
    # Investigator first, so every check that read only users.role saw an investigator.
    dc_intel = _user_with(client, admin, "investigator", "intelligence_officer")
    dc_manager = _user_with(client, admin, "investigator", "supervisor")
    do_sergeant = _user_with(client, admin, "detention_officer", "custody_sergeant")

    # Need to know: an intelligence officer's view of the reports (handling code C, not yet disseminated, the
    # original text), and still what an investigator may do.
    def reports(headers):
        listed = client.get(f"{API}/intelligence/reports", headers=headers)
        assert listed.status_code == 200, listed.text
        return listed.json()

    as_investigator, as_both = reports(investigator), reports(dc_intel)
    restricted = [r for r in as_both if r["handling_code"] == "C" or r["status"] != "disseminated"]
    assert restricted and len(as_both) == len(reports(login(client, "intel"))) > len(as_investigator)
    opened = client.get(f"{API}/intelligence/reports/{restricted[0]['id']}",
                        headers={**dc_intel, "X-Access-Reason": "Operation Kestrel briefing"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["original_text"] is not None
    # The person's whole picture lists the report for the two-role user, not for an investigator alone.
    named = next(r for r in restricted if client.get(
        f"{API}/intelligence/reports/{r['id']}", headers={**dc_intel, "X-Access-Reason": "Kestrel"}).json()["people"])
    person_id = client.get(f"{API}/intelligence/reports/{named['id']}",
                           headers={**dc_intel, "X-Access-Reason": "Kestrel"}).json()["people"][0]["person"]["id"]

    def pictured(headers) -> set[str]:
        picture = client.get(f"{API}/people/{person_id}/picture", headers=headers)
        assert picture.status_code == 200, picture.text
        return {link["report_id"] for link in picture.json()["intelligence"]}

    assert named["id"] in pictured(dc_intel) and named["id"] not in pictured(investigator)
    refused = client.get(f"{API}/intelligence/reports/{restricted[0]['id']}",
                         headers={**investigator, "X-Access-Reason": "Operation Kestrel briefing"})
    assert refused.status_code == 403
    assert client.get(f"{API}/investigations", headers=dc_intel).status_code == 200

    # The action manager (a supervisor) allocates; an investigator alone may not.
    actions = client.get(f"{API}/actions", headers=dc_manager)
    assert actions.status_code == 200, actions.text
    raised = next(a for a in actions.json() if a["status"] == "raised")
    allocate = {"event": "allocate", "allocated_to_id": client.get(f"{API}/auth/me", headers=investigator).json()["id"],
                "due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}
    path = f"{API}/actions/{raised['id']}/transitions"
    version = str(raised["version"])
    alone = client.post(path, json=allocate, headers={**investigator, "If-Match": version})
    assert alone.status_code == 403, alone.text
    allocated = client.post(path, json=allocate, headers={**dc_manager, "If-Match": version})
    assert allocated.status_code == 200, allocated.text
    assert allocated.json()["status"] == "allocated"

    # Custody: a custody sergeant's decision by someone who is also a detention officer (their first role).
    record = open_records[0]
    level = {"level": 2, "reason": "Intoxicated on arrival; rousing every 30 minutes.",
             "set_at": (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0).isoformat()}
    level_path = f"{API}/custody/records/{record['id']}/observation-level"
    detention = client.post(level_path, json=level, headers={**login(client, "detention"),
                                                             "If-Match": str(record["version"])})
    assert detention.status_code == 403, detention.text
    assert "custody sergeant" in detention.json()["detail"]
    set_level = client.post(level_path, json=level, headers={**do_sergeant, "If-Match": str(record["version"])})
    assert set_level.status_code == 200, set_level.text
    assert set_level.json()["observation_level"] == 2
