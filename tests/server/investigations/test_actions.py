"""Investigations and incident-room actions over HTTP: numbering, transitions allowed and refused, history,
"my actions" overdue first, versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.auth.models import User
from server.db import make_sessionmaker
from server.investigations import service
from tests.server.people.helpers import API, create_person, field_errors, headers, new_id
from tests.server.conftest import with_data


def _due(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def _investigation(client, auth) -> dict:
    response = client.post(f"{API}/investigations", headers=auth,
                           json={"id": new_id(), "title": "Criminal damage to bus shelter"})
    assert response.status_code == 201, response.text
    return response.json()


def _raise(client, auth, inv_id, title="Obtain CCTV", **extra) -> dict:
    body = {"id": new_id(), "title": title, "origin": "M1 message", "priority": "high", **extra}
    response = client.post(f"{API}/investigations/{inv_id}/actions", headers={**auth, "Idempotency-Key": body["id"]},
                           json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _step(client, auth, action, **body):
    return client.post(f"{API}/actions/{action['id']}/transitions",
                       headers={**auth, "If-Match": str(action["version"])}, json=body)


def _user_id(client, auth):
    return client.get(f"{API}/auth/me", headers=auth).json()["id"]


def test_investigation_with_people_and_lines(client, seeded):
    investigator = headers(client, "investigator")
    inv = _investigation(client, investigator)
    assert inv["reference"].startswith("INV-") and inv["officer_in_charge"]["display_name"] == "DC Rafe Illingsworth"
    person = create_person(client, investigator)
    bad = client.post(f"{API}/investigations/{inv['id']}/people", headers=investigator,
                      json={"id": new_id(), "person_id": person["id"], "role": "bystander"})
    assert "role" in field_errors(bad)
    linked = client.post(f"{API}/investigations/{inv['id']}/people", headers=investigator,
                         json={"id": new_id(), "person_id": person["id"], "role": "victim"})
    assert linked.json()["people"][0]["role"] == "victim"
    line = client.post(f"{API}/investigations/{inv['id']}/lines-of-enquiry", headers=investigator,
                       json={"id": new_id(), "title": "Identify the offender", "objective": "Name them"})
    assert line.status_code == 201 and line.json()["lines_of_enquiry"][0]["title"] == "Identify the offender"
    assert client.post(f"{API}/investigations", headers=headers(client, "detention"),
                       json={"id": new_id(), "title": "x"}).status_code == 403
    stale = client.request("PATCH", f"{API}/investigations/{inv['id']}", headers={**investigator, "If-Match": "1"},
                           json={"status": "closed"})
    assert stale.status_code == 412 and stale.json()["current"]["version"] == linked.json()["version"] + 1


def test_action_life_cycle_with_history(client, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    inv = _investigation(client, investigator)
    a1 = _raise(client, investigator, inv["id"])
    a2 = _raise(client, investigator, inv["id"], "House-to-house")
    assert (a1["number"], a2["number"], a1["status"]) == ("A1", "A2", "raised")

    # Only the action manager (a supervisor) allocates.
    refused = _step(client, investigator, a1, event="allocate", allocated_to_id=_user_id(client, investigator),
                    due_at=_due(24))
    assert refused.status_code == 403 and "action manager" in refused.json()["detail"]
    missing = _step(client, supervisor, a1, event="allocate")
    assert {"allocated_to_id", "due_at"} <= set(field_errors(missing))
    allocated = _step(client, supervisor, a1, event="allocate", allocated_to_id=_user_id(client, investigator),
                      due_at=_due(24))
    assert allocated.status_code == 200, allocated.text
    a1 = allocated.json()
    assert a1["status"] == "allocated" and a1["allocated_to"]["display_name"] == "DC Rafe Illingsworth"

    # A result submitted by someone the action is not allocated to is refused with the reason.
    other = _step(client, supervisor, a1, event="submit_result", result_text="Done")
    assert other.status_code == 403
    assert other.json()["detail"] == "Only the officer the action is allocated to can submit its result."
    no_text = _step(client, investigator, a1, event="submit_result", result_text=" ")
    assert "result_text" in field_errors(no_text)
    a1 = _step(client, investigator, a1, event="submit_result", result_text="CCTV seized as RI/1").json()
    assert a1["status"] == "resulted" and a1["resulted_by"]["display_name"] == "DC Rafe Illingsworth"

    stale = client.post(f"{API}/actions/{a1['id']}/transitions", headers={**supervisor, "If-Match": "1"},
                        json={"event": "file"})
    assert stale.status_code == 412 and stale.json()["current"]["status"] == "resulted"

    further = _step(client, supervisor, a1, event="further_action",
                    further_action={"id": new_id(), "title": "View the CCTV", "priority": "medium"})
    assert further.status_code == 200, further.text
    a1 = further.json()
    assert a1["status"] == "filed" and a1["review_outcome"] == "further_action"
    a3 = client.get(f"{API}/actions/{a1['further_action_id']}", headers=investigator).json()
    assert a3["number"] == "A3" and a3["origin"] == "Further action from A1" and a3["status"] == "raised"
    assert [(h["event"], h["from_status"], h["to_status"]) for h in a1["history"]] == [
        ("raise", None, "raised"), ("allocate", "raised", "allocated"), ("submit_result", "allocated", "resulted"),
        ("further_action", "resulted", "filed")]
    assert all(h["at"].endswith("+00:00") and h["by"]["display_name"] for h in a1["history"])

    # A filed action cannot change; cancelling and referring need a reason.
    filed = _step(client, supervisor, a1, event="cancel", reason="no longer needed")
    assert filed.status_code == 422 and "cannot be changed" in field_errors(filed)["event"]
    no_reason = _step(client, supervisor, a2, event="cancel")
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    referred = _step(client, supervisor, a2, event="refer", reason="Needs the SIO's decision")
    assert referred.json()["status"] == "referred" and referred.json()["reason"] == "Needs the SIO's decision"
    wrong = _step(client, supervisor, referred.json(), event="submit_result", result_text="x")
    assert wrong.status_code == 403
    unknown = _step(client, supervisor, a2, event="teleport")
    assert "event" in field_errors(unknown)

    counts = client.get(f"{API}/investigations/{inv['id']}", headers=investigator).json()["action_counts"]
    assert (counts["filed"], counts["referred"], counts["raised"]) == (1, 1, 1)
    listed = client.get(f"{API}/investigations/{inv['id']}/actions", headers=investigator).json()
    assert [a["number"] for a in listed] == ["A1", "A2", "A3"]
    feed = with_data(client.post, investigator, client.get(f"{API}/events", headers=investigator).json()["events"])
    assert any(e["type"] == "investigations.action.updated" and e["entity_id"] == a1["id"] for e in feed)


def test_my_actions_overdue_first(client, app, seeded):
    investigator, supervisor = headers(client, "investigator"), headers(client, "supervisor")
    inv = _investigation(client, investigator)
    me = _user_id(client, investigator)
    later = _step(client, supervisor, _raise(client, investigator, inv["id"], "Later"), event="allocate",
                  allocated_to_id=me, due_at=_due(48)).json()
    soon = _step(client, supervisor, _raise(client, investigator, inv["id"], "Soon"), event="allocate",
                 allocated_to_id=me, due_at=_due(1)).json()
    assert soon["overdue"] is False
    # Two hours on, by the service's clock (no sleeping): "Soon" is overdue and comes before "Later".
    with make_sessionmaker(app.state.engine)() as session:
        user = session.get(User, me)
        mine = [a.model_dump(mode="json") for a in service.list_actions(
            session, user, mine=True, statuses=["allocated"], now=datetime.now(UTC) + timedelta(hours=2))]
    titles = [a["title"] for a in mine]
    # Demo actions are allocated to the investigator too; the overdue ones come first, ours among them.
    overdue = [a for a in mine if a["overdue"]]
    assert mine[:len(overdue)] == overdue and soon["id"] in {a["id"] for a in overdue}
    assert titles.index("Soon") < titles.index("Later") and later["overdue"] is False
    assert all(a["allocated_to"]["id"] == me and a["status"] == "allocated" for a in mine)
    over_http = client.get(f"{API}/actions", params={"mine": "true", "status": "allocated"}, headers=investigator)
    assert {a["id"] for a in over_http.json()} == {a["id"] for a in mine}
    supervisors = client.get(f"{API}/actions", params={"mine": "true"}, headers=supervisor).json()
    assert supervisors == []


def test_demo_investigations_have_actions_in_various_states(client, seeded):
    investigator = headers(client, "investigator")
    investigations = client.get(f"{API}/investigations", headers=investigator).json()
    assert len(investigations) >= 2
    states = {a["status"] for inv in investigations for a in client.get(
        f"{API}/investigations/{inv['id']}/actions", headers=investigator).json()}
    assert {"raised", "allocated", "resulted", "filed", "referred", "cancelled"} <= states
