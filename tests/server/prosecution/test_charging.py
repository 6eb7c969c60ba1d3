"""Charging from the offence catalogue: rules, refusals and role, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.audit import AuditEntry
from server import force
from server.db import make_sessionmaker
from server.events import Event
from server.prosecution.models import Charge, ChargeCase
from server.settings import Settings
from tests.server.custody.conftest import ago, book, count, fields, iso, new_id

API = "/api/v1"


def offence_day() -> date:
    """Yesterday: on or before the (local) day of a charge made minutes ago, even just after midnight."""
    return date.today() - timedelta(days=1)


def charge_body(**overrides) -> dict:
    today = offence_day()
    body = {
        "id": new_id(),
        "charged_at": iso(ago(minutes=5)),
        "charges": [{"offence_code": "TH68010", "offence_date": today.isoformat(),
                     "particulars": {"place": "Quayside Retail Park, Portharrow", "property": "two bottles of gin",
                                     "value": "45.98", "owner": "Harrowmart Stores Ltd"}}],
        "caution_given": True,
        "reply": "I was going to pay for it.",
        "bail": {"decision": "conditional_bail", "conditions": ["Not to enter Quayside Retail Park"],
                 "reasons": "To prevent further offences."},
        "hearing": {"court": "Portharrow Magistrates' Court", "court_code": "B99PH00",
                    "at": iso(datetime.now(UTC).replace(microsecond=0) + timedelta(days=14))},
    }
    body.update(overrides)
    return body


def post(client, headers, record_id, body, key=None):
    hdrs = {**headers, "Idempotency-Key": key or body["id"]}
    return client.post(f"{API}/custody/records/{record_id}/charges", json=body, headers=hdrs)


def test_the_sergeant_charges_numbered_offences_from_the_catalogue(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=3))
    body = charge_body()
    body["charges"].append({"offence_code": "th68001", "offence_date": (offence_day() - timedelta(days=3)).isoformat(),
                            "offence_date_end": offence_day().isoformat(),
                            "particulars": {"place": "Harbour Street, Portharrow", "property": "a mobile phone",
                                            "value": "300", "victim": "Ottoline Brack", "owner": "Ottoline Brack"}})
    # The second offence's template may not use every value: only its own fields are allowed.
    from domain.offences import packaged_catalogue
    fields_2 = packaged_catalogue().lookup("TH68001", offence_day()).particulars_fields
    body["charges"][1]["particulars"] = {k: v for k, v in body["charges"][1]["particulars"].items() if k in fields_2}
    response = post(client, h["sergeant"], record["id"], body)
    assert response.status_code == 201, response.text
    case = response.json()
    assert [c["number"] for c in case["charges"]] == [1, 2]
    first = case["charges"][0]
    assert first["offence_code"] == "TH68010"
    assert first["statement"].startswith("Contrary to section 1(1)")
    assert first["mode_of_trial"] == "either_way"
    assert first["particulars"] == (f"On {offence_day().day} {offence_day():%B %Y} at Quayside Retail Park, Portharrow "
                                    "stole two bottles of gin to the value of £45.98 "
                                    "belonging to Harrowmart Stores Ltd.")
    assert case["charges"][1]["offence_code"] == "TH68001"
    assert case["charges"][1]["particulars"].startswith("Between ")
    assert case["reply"] == "I was going to pay for it."
    assert case["caution_wording"].startswith("You do not have to say anything.")
    assert case["bail"] == {"decision": "conditional_bail", "title": "Conditional bail",
                            "conditions": ["Not to enter Quayside Retail Park"],
                            "reasons": "To prevent further offences."}
    assert case["hearing"]["court"] == "Portharrow Magistrates' Court"
    assert case["charged_by"]["rank"]

    # The custody record is now charged, with the summary and a log entry of the caution and reply.
    rec = client.get(f"{API}/custody/records/{record['id']}", headers=h["sergeant"]).json()
    assert rec["status"] == "charged" and rec["charged_at"] is not None
    assert "TH68010 Theft from a shop" in rec["charge_summary"]
    log = client.get(f"{API}/custody/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any('"I was going to pay for it."' in e["text"] for e in log)

    listed = client.get(f"{API}/custody/records/{record['id']}/charges", headers=h["detention"]).json()
    assert listed == [case]
    with make_sessionmaker(app.state.engine)() as session:
        types = session.scalars(select(Event.type).where(Event.record_id == record["id"])).all()
        assert "prosecution.charge_case.created" in types
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "charge_case", AuditEntry.action == "collection")) == 1

    # A replay returns the first answer and stores nothing new.
    again = post(client, h["sergeant"], record["id"], body)
    assert again.status_code == 201 and again.json() == case
    assert count(app, ChargeCase) == 1 and count(app, Charge) == 2


@pytest.mark.parametrize("username", ["detention", "inspector", "investigator"])
def test_only_a_custody_sergeant_may_charge(client, h, app, username):
    record = book(client, h["sergeant"])
    response = post(client, h[username], record["id"], charge_body())
    assert response.status_code == 403
    assert "custody sergeant" in response.json()["detail"]
    assert count(app, ChargeCase) == 0


def _refused(client, h, app, record, body) -> dict[str, str]:
    before = client.get(f"{API}/custody/records/{record['id']}", headers=h["sergeant"]).json()
    response = post(client, h["sergeant"], record["id"], body)
    assert response.status_code == 422, response.text
    after = client.get(f"{API}/custody/records/{record['id']}", headers=h["sergeant"]).json()
    assert after["status"] == before["status"] and after["version"] == before["version"]
    assert after["charged_at"] is None
    assert count(app, ChargeCase) == 0 and count(app, Charge) == 0
    return fields(response)


def test_a_charge_without_particulars_is_refused_and_nothing_changes(client, h, app):
    record = book(client, h["sergeant"])
    body = charge_body()
    body["charges"][0]["particulars"] = {}
    assert "charges.0.particulars" in _refused(client, h, app, record, body)


def test_a_missing_particular_is_named(client, h, app):
    record = book(client, h["sergeant"])
    body = charge_body()
    del body["charges"][0]["particulars"]["owner"]
    errors = _refused(client, h, app, record, body)
    assert "owner" in errors["charges.0.particulars.owner"]


def test_an_offence_not_in_the_catalogue_is_refused(client, h, app):
    record = book(client, h["sergeant"])
    body = charge_body()
    body["charges"][0]["offence_code"] = "ZZ99999"
    assert "not in the offence catalogue" in _refused(client, h, app, record, body)["charges.0.offence_code"]
    body["charges"][0]["offence_code"] = "BANANA"
    assert "7 characters" in _refused(client, h, app, record, body)["charges.0.offence_code"]


def test_an_offence_not_in_force_on_the_offence_date_is_refused(client, h, app, tmp_path, monkeypatch):
    force_file = tmp_path / "force-offences.json"
    force_file.write_text(json.dumps({"mode": "extend", "offences": [{
        "code": "XX00901", "title": "Obstructing a fictional harbour", "offence_type": "CS",
        "statement": "Contrary to section 1 of the Imaginary Harbours Act 2001.",
        "particulars_template": "{date} at {place} obstructed the harbour.", "particulars_fields": ["date", "place"],
        "effective_from": "2001-01-01", "effective_to": "2010-12-31"}]}))
    monkeypatch.setenv("BRIDEWELL_OFFENCE_CATALOGUE", str(force_file))
    force.configure(Settings.from_env(database_url=app.state.settings.database_url))  # as a restart would
    try:
        listed = client.get(f"{API}/offences", params={"q": "harbour"}, headers=h["sergeant"]).json()
        assert [o["code"] for o in listed] == ["XX00901"]
        assert listed[0]["effective_to"] == "2010-12-31" and listed[0]["in_force_today"] is False
        record = book(client, h["sergeant"])
        body = charge_body()
        body["charges"][0] = {"offence_code": "XX00901", "offence_date": offence_day().isoformat(),
                              "particulars": {"place": "North Quay"}}
        message = _refused(client, h, app, record, body)["charges.0.offence_code"]
        assert "not in force on" in message and "2010-12-31" in message
    finally:
        force.configure(app.state.settings)


def test_a_hearing_in_the_past_and_bad_bail_are_refused(client, h, app):
    record = book(client, h["sergeant"])
    body = charge_body(hearing={"court": "Portharrow Magistrates' Court", "at": iso(ago(days=1))},
                       bail={"decision": "remanded_in_custody", "conditions": [], "reasons": ""},
                       caution_given=False)
    errors = _refused(client, h, app, record, body)
    assert set(errors) >= {"hearing.at", "bail.reasons", "caution_given"}
    body = charge_body(bail={"decision": "conditional_bail", "conditions": [" "], "reasons": "x"})
    assert "bail.conditions" in _refused(client, h, app, record, body)


def test_bad_shapes_are_field_errors_not_500(client, h, app):
    record = book(client, h["sergeant"])
    body = charge_body(charges=[])
    assert "charges" in _refused(client, h, app, record, body)
    body = charge_body()
    body["charges"][0]["offence_date"] = "31/02/2026"
    assert "charges.0.offence_date" in _refused(client, h, app, record, body)
    body = charge_body()
    body["charges"][0]["particulars"]["value"] = "lots"
    assert "charges.0.particulars.value" in _refused(client, h, app, record, body)


def test_a_record_is_charged_once(client, h, app):
    record = book(client, h["sergeant"])
    assert post(client, h["sergeant"], record["id"], charge_body()).status_code == 201
    response = post(client, h["sergeant"], record["id"], charge_body())
    assert response.status_code == 409
    assert count(app, ChargeCase) == 1


def test_the_catalogue_search_matches_the_client_picker(client, h):
    everything = client.get(f"{API}/offences", headers=h["detention"]).json()
    assert len(everything) >= 10
    shop = client.get(f"{API}/offences", params={"q": "theft shop"}, headers=h["detention"]).json()
    assert shop[0]["code"] == "TH68010"
    assert all("theft" in (o["title"] + o["statement"]).lower() for o in shop)
    assert client.get(f"{API}/offences", params={"q": "th68010"}, headers=h["detention"]).json()[0]["code"] \
        == "TH68010"
    assert client.get(f"{API}/offences").status_code == 401


def test_the_day_of_a_charge_is_the_forces_local_day():
    """An offence "today" charged at 00:30 BST is on the charge's day (its UTC date is the day before), and one
    charged at 00:30 GMT is too: the day is the force's (Europe/London), as the officer says it."""
    assert force.local_day(datetime(2026, 7, 14, 23, 30, tzinfo=UTC)) == date(2026, 7, 15)
    assert force.local_day(datetime(2026, 12, 14, 0, 30, tzinfo=UTC)) == date(2026, 12, 14)
    assert force.local_day(datetime(2026, 12, 13, 23, 30, tzinfo=UTC)) == date(2026, 12, 13)
