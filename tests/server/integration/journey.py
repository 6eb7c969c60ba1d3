"""A detainee's journey through the API, touching every custody fact the bus announces."""

from __future__ import annotations

from datetime import date, timedelta

from server.db import make_sessionmaker
from server.people.models import WarningMarker
from tests.server.custody.conftest import API, ago, book, iso, new_id
from tests.server.prosecution.test_charging import charge_body, post


def journey(client, app, h, users, *, outcome: str = "remanded_for_court") -> dict:
    """Book in (detention authorised), a warning marker, a risk assessment naming medication, property, level 2,
    a failed rousing, an interview, a charge from the catalogue, then the disposal. Returns the record."""
    record = book(client, h["sergeant"], arrived=ago(hours=3), offences=["TH68001"])  # charged: TH68010
    rid, person_id = record["id"], record["person"]["id"]
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        session.add(WarningMarker(id=new_id(), person_id=person_id, code="VI", details="Violent when arrested (2025).",
                                  set_by_id=users["sergeant"]))
    ok = client.post(f"{API}/records/{rid}/risk-assessments", headers=h["sergeant"], json={
        "id": new_id(), "trigger": "booking_in", "assessed_at": iso(ago(minutes=170)), "risk_level": "medium",
        "responses": [{"area": "medication", "answer": "yes", "source": "detainee",
                       "note": "Salbutamol inhaler, as needed."},
                      {"area": "self_harm_current", "answer": "no", "source": "detainee"}],
        "officer_observations": "Calm.", "warning_markers": "PNC: violence."})
    assert ok.status_code == 201, ok.text
    ok = client.post(f"{API}/records/{rid}/log", headers=h["detention"], json={
        "id": new_id(), "kind": "property", "text": "Black wallet, £20.40 cash, house keys (sealed bag 0041).",
        "observed_at": iso(ago(minutes=165))})
    assert ok.status_code == 201, ok.text
    ok = client.post(f"{API}/records/{rid}/observation-level", headers=h["sergeant"],
                     json={"level": 2, "reason": "Drank heavily before arrest.", "set_at": iso(ago(minutes=160))})
    assert ok.status_code == 200, ok.text
    ok = client.post(f"{API}/records/{rid}/checks", headers=h["detention"], json={
        "id": new_id(), "check_type": "rouse", "result": "failed to rouse", "observed_at": iso(ago(minutes=140))})
    assert ok.status_code == 201, ok.text
    started = client.post(f"{API}/records/{rid}/interviews", headers=h["detention"], json={
        "id": new_id(), "started_at": iso(ago(minutes=90)), "location": "Interview room 1",
        "interviewing_officers": ["DC 4093 Rafe Illingsworth"], "others_present": []})
    assert started.status_code == 201, started.text
    ended = client.post(f"{API}/records/{rid}/interviews/{started.json()['id']}/end", headers=h["detention"],
                        json={"ended_at": iso(ago(minutes=60))})
    assert ended.status_code == 200, ended.text
    charged = post(client, h["sergeant"], rid, charge_body(charged_at=iso(ago(minutes=20))))
    assert charged.status_code == 201, charged.text
    # The APP's re-assessment before this way out (the server refuses the disposal without it): the sergeant
    # restates what still holds.
    trigger = {"remanded_for_court": "bail_refused", "transferred": "transfer"}.get(outcome, "release")
    ok = client.post(f"{API}/records/{rid}/risk-assessments", headers=h["sergeant"], json={
        "id": new_id(), "trigger": trigger, "assessed_at": iso(ago(minutes=10)), "risk_level": "medium",
        "responses": [{"area": "medication", "answer": "yes", "source": "detainee",
                       "note": "Salbutamol inhaler, as needed."},
                      {"area": "self_harm_current", "answer": "no", "source": "detainee"}],
        "officer_observations": "Calm after charge.", "warning_markers": "PNC: violence."})
    assert ok.status_code == 201, ok.text
    version = client.get(f"{API}/records/{rid}", headers=h["sergeant"]).json()["version"]
    body = {"outcome": outcome, "released_at": iso(ago(minutes=1))}
    if outcome == "remanded_for_court":
        body["court"] = "Portharrow Magistrates' Court"
    elif outcome == "transferred":
        body["transfer_to"] = "Kingsmere custody suite"
    elif outcome == "pre_charge_bail":
        body["bail_return_date"] = (date.today() + timedelta(days=28)).isoformat()
    done = client.post(f"{API}/records/{rid}/disposal", headers={**h["sergeant"], "If-Match": str(version)},
                       json=body)
    assert done.status_code == 200, done.text
    return done.json()
