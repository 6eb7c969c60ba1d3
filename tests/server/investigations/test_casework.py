"""Issue 14 on the server: an investigation's type, offences from the catalogue and supervisor; my, my team's and
all investigations; people of any role; actions raised with a due date; the timeline, timed and attributed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.server.people.helpers import API, create_person, field_errors, headers, new_id


def _me(client, auth) -> dict:
    return client.get(f"{API}/auth/me", headers=auth).json()


def _create(client, auth, **extra) -> dict:
    body = {"id": new_id(), "title": "Theft from the Kittiwake Stores", "kind": "crime", "offences": ["TH68010"],
            **extra}
    response = client.post(f"{API}/investigations", headers={**auth, "Idempotency-Key": body["id"]}, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_type_offences_supervisor_and_refusals_by_field(client, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    boss = _me(client, supervisor)
    inv = _create(client, investigator, supervisor_id=boss["id"], offences=["th68010"])
    assert inv["kind"] == "crime" and inv["supervisor"]["id"] == boss["id"]
    assert inv["offences"][0]["code"] == "TH68010" and inv["offences"][0]["title"]
    assert inv["created_by"]["id"] == _me(client, investigator)["id"]

    bad = client.post(f"{API}/investigations", headers=investigator,
                      json={"id": new_id(), "title": "x", "kind": "hunch", "offences": ["ZZ99999"],
                            "supervisor_id": new_id()})
    assert bad.status_code == 422 and "kind" in field_errors(bad)
    unknown = client.post(f"{API}/investigations", headers=investigator,
                          json={"id": new_id(), "title": "x", "offences": ["TH68010", "ZZ99999"]})
    assert field_errors(unknown) == {"offences.1": "ZZ99999 is not in the offence catalogue."}
    nobody = client.post(f"{API}/investigations", headers=investigator,
                         json={"id": new_id(), "title": "x", "supervisor_id": new_id()})
    assert "supervisor_id" in field_errors(nobody)

    patched = client.request("PATCH", f"{API}/investigations/{inv['id']}",
                             headers={**investigator, "If-Match": "1"},
                             json={"kind": "fraud", "offences": [], "supervisor_id": None})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["kind"], patched.json()["offences"], patched.json()["supervisor"]) == ("fraud", [], None)
    other = create_person(client, investigator)
    linked = client.post(f"{API}/investigations/{inv['id']}/people", headers=investigator,
                         json={"id": new_id(), "person_id": other["id"], "role": "other"})
    assert linked.status_code == 201 and linked.json()["people"][0]["role"] == "other"


def test_mine_team_and_all(client, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    boss = _me(client, supervisor)
    mine = _create(client, investigator, title="Mine", supervisor_id=boss["id"])
    # Another officer's investigation under the same supervisor is my team's; one with no supervisor is not.
    team = _create(client, supervisor, title="Team", supervisor_id=boss["id"])
    elsewhere = _create(client, supervisor, title="Elsewhere")

    def ids(auth, scope):
        response = client.get(f"{API}/investigations", params={"scope": scope}, headers=auth)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()}

    assert mine["id"] in ids(investigator, "mine") and team["id"] not in ids(investigator, "mine")
    assert {mine["id"], team["id"]} <= ids(investigator, "team") and elsewhere["id"] not in ids(investigator, "team")
    assert {mine["id"], team["id"], elsewhere["id"]} <= ids(investigator, "all")
    assert {mine["id"], team["id"]} <= ids(supervisor, "team")
    assert client.get(f"{API}/investigations", params={"scope": "everyone"}, headers=investigator).status_code == 422
    officers = client.get(f"{API}/officers", headers=investigator).json()
    assert boss["id"] in {o["id"] for o in officers} and all(o["display_name"] for o in officers)
    assert len(officers) >= 2  # the investigator and the supervisor of the demo force


def test_action_raised_with_due_date_and_the_timeline(client, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    inv = _create(client, investigator)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    late = client.post(f"{API}/investigations/{inv['id']}/actions", headers=investigator,
                       json={"id": new_id(), "title": "Obtain CCTV", "origin": "OIC", "priority": "high",
                             "due_at": past})
    assert "due_at" in field_errors(late)
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    action = client.post(f"{API}/investigations/{inv['id']}/actions", headers=investigator,
                         json={"id": new_id(), "title": "Obtain CCTV", "origin": "OIC", "priority": "high",
                               "due_at": due.isoformat()})
    assert action.status_code == 201 and datetime.fromisoformat(action.json()["due_at"]) == due
    person = create_person(client, investigator)
    client.post(f"{API}/investigations/{inv['id']}/people", headers=investigator,
                json={"id": new_id(), "person_id": person["id"], "role": "witness"})
    client.post(f"{API}/investigations/{inv['id']}/lines-of-enquiry", headers=investigator,
                json={"id": new_id(), "title": "Trace the van"})
    current = client.get(f"{API}/investigations/{inv['id']}", headers=investigator).json()
    client.request("PATCH", f"{API}/investigations/{inv['id']}",
                   headers={**supervisor, "If-Match": str(current["version"])},
                   json={"title": "Theft from the Kittiwake Stores (two visits)"})
    client.post(f"{API}/actions/{action.json()['id']}/transitions", headers={**supervisor, "If-Match": "1"},
                json={"event": "cancel", "reason": "Shop has no cameras"})

    timeline = client.get(f"{API}/investigations/{inv['id']}/timeline", headers=investigator)
    assert timeline.status_code == 200, timeline.text
    entries = timeline.json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "opened" and {"opened", "action", "person", "line", "changed"} == set(kinds)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    texts = " | ".join(e["text"] for e in entries)
    assert "Action A1 raised (high priority): Obtain CCTV" in texts and "linked as witness" in texts
    assert "Details changed: title" in texts and "Shop has no cameras" in texts
    changed = next(e for e in entries if e["kind"] == "changed")
    assert changed["by"]["id"] == _me(client, supervisor)["id"]
    assert client.get(f"{API}/investigations/{new_id()}/timeline", headers=investigator).status_code == 404
