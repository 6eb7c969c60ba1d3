"""The shift handover (issue 13): one constant-query read of every detainee with what the incoming sergeant must
know, and the incoming sergeant's acknowledgement (audited, idempotent, on the change feed). SQLite and
PostgreSQL (the `client` fixture is parametrized by tests/server/conftest.py)."""

from __future__ import annotations

from sqlalchemy import select

from domain.roles import Role
from server.app import create_app
from server.audit import AuditEntry
from server.auth.service import create_user
from server import force
from server.db import make_sessionmaker
from server.settings import Settings
from tests.server.asgi_client import AsgiClient
from tests.server.conftest import login
from tests.server.custody.conftest import API, ago, book, iso, new_id
from tests.support.queries import statements


def _handover(client, app, headers) -> tuple[int, dict]:
    with statements(app.state.engine) as sent:
        response = client.get(f"{API}/handover", headers=headers)
    assert response.status_code == 200, response.text
    return len(sent), response.json()


def _prepare(client, headers, surname: str, *, juvenile: bool = False) -> dict:
    person = {"id": new_id(), "surname": surname, "forenames": "Elowen",
              "date_of_birth": "2010-05-01" if juvenile else "1986-02-03", "gender": "female"}
    record = book(client, headers, person=person)
    rid = record["id"]
    level = client.post(f"{API}/records/{rid}/observation-level", headers=headers,
                        json={"level": 2, "reason": "Alcohol in the last 24 hours.", "set_at": iso(ago(minutes=30))})
    assert level.status_code == 200, level.text
    right = client.post(f"{API}/records/{rid}/rights", headers=headers,
                        json={"id": new_id(), "right": "legal_advice", "requested": True, "at": iso(ago(minutes=29)),
                              "note": "Duty solicitor via DSCC"})
    assert right.status_code == 201, right.text
    interpreter = client.post(f"{API}/records/{rid}/rights", headers=headers,
                              json={"id": new_id(), "right": "interpreter", "requested": True,
                                    "at": iso(ago(minutes=28)), "note": "Polish"})
    assert interpreter.status_code == 201, interpreter.text
    check = client.post(f"{API}/records/{rid}/checks", headers=headers,
                        json={"id": new_id(), "check_type": "rouse", "result": "roused – response not comprehensive",
                              "observed_at": iso(ago(minutes=5))})
    assert check.status_code == 201, check.text
    return record


def test_handover_shows_every_detainee_with_what_the_next_sergeant_must_know(client, app, h):
    record = _prepare(client, h["sergeant"], "Tregarthen", juvenile=True)
    few, content = _handover(client, app, h["sergeant"])
    assert content["last"] is None and content["station"]
    [d] = content["detainees"]
    assert d["custody_number"] == record["custody_number"] and d["name"] == "TREGARTHEN, Elowen"
    assert d["observation_level"] == 2 and d["observation_interval_minutes"] == 30
    assert d["next_check_due"] and d["next_review_due"] and d["detention_limit_at"]
    assert any(r.startswith("Written notice of rights not yet given") for r in d["outstanding_rights"])
    assert any("Free legal advice" in r and "solicitor not yet arrived" in r for r in d["outstanding_rights"])
    assert d["interpreter"].endswith("Polish")
    assert d["appropriate_adult"].startswith("Required")  # a juvenile with no appropriate adult yet
    assert any("healthcare professional to be called" in line for line in d["healthcare"])
    kinds = {f["kind"] for f in content["flagged"]}
    assert {"observation_level", "cell_check"} <= kinds

    # More detainees, the same number of statements (the handover is not N+1).
    for surname in ("Penrose", "Nancarrow", "Trevithick"):
        _prepare(client, h["sergeant"], surname)
    many, content = _handover(client, app, h["sergeant"])
    assert len(content["detainees"]) == 4
    assert many == few, f"{few} statements for 1 detainee, {many} for 4"


def test_acknowledgement_is_audited_idempotent_announced_and_resets_what_is_flagged(client, app, h):
    record = _prepare(client, h["sergeant"], "Angove")
    _count, content = _handover(client, app, h["sergeant"])
    body = {"id": new_id(), "outgoing": "Sgt Kenver Rowe", "note": "Cell 7 quiet.",
            "record_ids": [d["record_id"] for d in content["detainees"]]}

    refused = client.post(f"{API}/handovers", json={**body, "id": new_id()}, headers=h["detention"])
    assert refused.status_code == 403 and "custody sergeant" in refused.json()["detail"]
    unknown = client.post(f"{API}/handovers", json={"id": new_id(), "record_ids": [new_id()]}, headers=h["sergeant"])
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == ["record_ids"]

    first = client.post(f"{API}/handovers", json=body, headers={**h["sergeant"], "Idempotency-Key": body["id"]})
    assert first.status_code == 201, first.text
    ack = first.json()
    assert ack["by_label"] == "Sgt Alys Penhallow (CS2417)"  # rank once, never "Sergeant Sgt ..."
    assert ack["custody_numbers"] == [record["custody_number"]] and ack["outgoing"] == "Sgt Kenver Rowe"
    again = client.post(f"{API}/handovers", json=body, headers={**h["sergeant"], "Idempotency-Key": body["id"]})
    assert again.status_code == 201 and again.json() == ack  # a retry is the same acknowledgement, not a second
    assert client.get(f"{API}/handovers/last", headers=h["detention"]).json()["id"] == ack["id"]

    events = client.get("/api/v1/events", headers=h["sergeant"]).json()["events"]
    acknowledged = [e for e in events if e["type"] == "custody.handover.acknowledged"]
    assert [e["entity_id"] for e in acknowledged] == [ack["id"]]
    with make_sessionmaker(app.state.engine)() as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.entity == "custody_handover")).all()
    assert [(a.entity_id, a.action) for a in audited] == [(ack["id"], "collection")]

    # After the acknowledgement only what happened since is flagged.
    _count, content = _handover(client, app, h["sergeant"])
    assert content["last"]["id"] == ack["id"] and content["flagged"] == []
    level = client.post(f"{API}/records/{record['id']}/observation-level", headers=h["sergeant"],
                        json={"level": 3, "reason": "Said they would harm themselves.", "set_at": iso(ago(minutes=1))})
    assert level.status_code == 200, level.text
    _count, content = _handover(client, app, h["sergeant"])
    [flag] = content["flagged"]
    assert flag["kind"] == "observation_level" and "Level 3" in flag["text"]
    assert "Sergeant Sgt" not in flag["text"]


def test_the_suite_is_named_by_the_force_configuration_or_says_it_is_not(client, h, database_url, tmp_path):
    suite = client.get(f"{API}/suite", headers=h["detention"]).json()
    assert suite["station_named"] is False and suite["station"] == "Station not named in the force configuration"
    assert suite["notice_languages"]["en"] == "English"

    force_file = tmp_path / "force.json"
    force_file.write_text('{"station_name": "Northtown Custody Suite"}', encoding="utf-8")
    app = create_app(Settings(database_url=database_url, force_config=force_file))
    try:
        with AsgiClient(app) as named:
            with make_sessionmaker(app.state.engine)() as session, session.begin():
                create_user(session, username="desk", display_name="Morwenna Trask", rank="Detention officer",
                            collar_number="DO7731", role=Role.DETENTION_OFFICER, password="bridewell-demo")
            suite = named.get(f"{API}/suite", headers=login(named, "desk", "bridewell-demo")).json()
        assert suite == {"station": "Northtown Custody Suite", "station_named": True,
                         "notice_languages": suite["notice_languages"]}
    finally:
        app.state.engine.dispose()
        force.configure(Settings(database_url=database_url))  # back to the packaged configuration
