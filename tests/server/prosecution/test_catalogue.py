"""The one offence catalogue: served whole and versioned (ETag, conditional GET), and the force's own file
(BRIDEWELL_OFFENCE_CATALOGUE) is what booking, charging and the served copy all use. SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import date

import pytest

from domain.offences import catalogue_from_entries, packaged_catalogue
from server import force
from server.settings import Settings
from tests.server.custody.conftest import booking, book, fields, new_id
from tests.server.prosecution.test_charging import charge_body, offence_day

API = "/api/v1"
CATALOGUE = f"{API}/offences/catalogue"

HARBOUR = {"code": "XX00902", "title": "Mooring in a fictional harbour without leave", "offence_type": "CS",
           "statement": "Contrary to section 2 of the Imaginary Harbours Act 2001.",
           "particulars_template": "{date} at {place} moored without the leave of the harbour master.",
           "particulars_fields": ["date", "place"], "effective_from": "2001-01-01"}


@pytest.fixture
def force_catalogue(tmp_path, monkeypatch):
    """A force file replacing the packaged catalogue, named in the environment before the app starts."""
    path = tmp_path / "force-offences.json"
    path.write_text(json.dumps({"mode": "replace", "offences": [HARBOUR]}))
    monkeypatch.setenv("BRIDEWELL_OFFENCE_CATALOGUE", str(path))
    yield path
    monkeypatch.delenv("BRIDEWELL_OFFENCE_CATALOGUE")
    force.configure(Settings.from_env())  # later tests outside an app see the packaged catalogue again


def test_the_whole_catalogue_is_served_with_its_version(client, h):
    response = client.get(CATALOGUE, headers=h["detention"])
    assert response.status_code == 200
    doc = response.json()
    assert response.headers["etag"] == f'"{doc["version"]}"'
    served = catalogue_from_entries(doc["offences"], "served")  # the client parses it with the same rules
    packaged = packaged_catalogue()
    assert len(served) == len(packaged)
    theft = served.lookup("TH68010", date.today())
    assert theft is not None and theft == packaged.lookup("TH68010", date.today())
    assert {"code", "title", "statement", "particulars_template", "particulars_fields", "effective_from",
            "mode_of_trial_title"} <= set(doc["offences"][0])


def test_a_client_with_the_current_version_gets_304_and_no_body(client, h):
    first = client.get(CATALOGUE, headers=h["detention"])
    etag = first.headers["etag"]
    again = client.get(CATALOGUE, headers={**h["detention"], "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    weak_in_a_list = client.get(CATALOGUE, headers={**h["detention"], "If-None-Match": f'"old", W/{etag}'})
    assert weak_in_a_list.status_code == 304
    stale = client.get(CATALOGUE, headers={**h["detention"], "If-None-Match": '"0123456789abcdef"'})
    assert stale.status_code == 200 and stale.json()["version"] == first.json()["version"]


def test_the_catalogue_needs_a_signed_in_user(client, h):
    assert client.get(CATALOGUE).status_code == 401


def test_the_version_follows_the_content(client, h, app, tmp_path):
    before = client.get(CATALOGUE, headers=h["detention"]).headers["etag"]
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"mode": "extend", "offences": [HARBOUR]}))
    try:
        force.configure(app.state.settings.with_(offence_catalogue=extra))  # as a restart with the file would
        changed = client.get(CATALOGUE, headers={**h["detention"], "If-None-Match": before})
        assert changed.status_code == 200 and changed.headers["etag"] != before
        assert "XX00902" in {o["code"] for o in changed.json()["offences"]}
    finally:
        force.configure(app.state.settings)
    assert client.get(CATALOGUE, headers=h["detention"]).headers["etag"] == before  # same files, same version


def test_the_force_catalogue_is_used_by_booking_charging_and_the_served_copy(force_catalogue, client, h):
    served = client.get(CATALOGUE, headers=h["sergeant"]).json()
    assert [o["code"] for o in served["offences"]] == ["XX00902"]

    packaged_only = client.post(f"{API}/custody/records", json=booking(offences=["TH68010"]), headers=h["sergeant"])
    assert packaged_only.status_code == 422
    assert "not in the offence catalogue" in fields(packaged_only)["offences.0"]
    record = book(client, h["sergeant"], offences=["XX00902"])

    body = charge_body()
    refused = client.post(f"{API}/custody/records/{record['id']}/charges", json=body, headers=h["sergeant"])
    assert refused.status_code == 422
    assert "not in the offence catalogue" in fields(refused)["charges.0.offence_code"]
    body = charge_body(id=new_id())
    body["charges"][0] = {"offence_code": "XX00902", "offence_date": offence_day().isoformat(),
                          "particulars": {"place": "North Quay"}}
    charged = client.post(f"{API}/custody/records/{record['id']}/charges", json=body, headers=h["sergeant"])
    assert charged.status_code == 201, charged.text
    assert charged.json()["charges"][0]["offence_code"] == "XX00902"
