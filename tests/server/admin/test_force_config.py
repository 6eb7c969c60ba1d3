"""Configuration without restarts (issue 15), on SQLite and PostgreSQL: an administrator changes the [U] settings
and the offence catalogue; the change is versioned (If-Match), audited, reaches a second client's change feed,
and is what the next booking and charge use, in this process and (PostgreSQL) in another app on the database."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select

from server.app import create_app
from server.audit import AuditEntry
from server.config_store import ForceSettingVersion
from server.db import make_sessionmaker
from server.prosecution.models import Charge
from tests.server.asgi_client import AsgiClient
from tests.server.conftest import login, with_data
from tests.server.custody.conftest import ago, book, booking, iso, new_id
from tests.server.custody.conftest import h, users  # noqa: F401  (fixtures)
from tests.server.prosecution.test_charging import charge_body, offence_day, post

API = "/api/v1"
SETTINGS = f"{API}/admin/config/settings"
OFFENCES = f"{API}/admin/config/offences"
NEW_OFFENCE = {"title": "Obstructing a harbour master", "statement": "Contrary to section 99 of the Fictional "
               "Harbours Act 1999.", "mode_of_trial": "summary",
               "particulars_template": "On {date} at {place} obstructed the harbour master.",
               "particulars_fields": ["place"], "effective_from": "2000-01-01", "source": "invented for tests",
               "reason": "New local byelaw offence."}


def _feed(client, headers, after: int) -> list[dict]:
    answer = client.get(f"{API}/events", params={"after": after, "wait": 0}, headers=headers)
    assert answer.status_code == 200, answer.text
    return with_data(client.post, headers, answer.json()["events"])


def test_a_change_is_versioned_audited_reaches_the_feed_and_the_next_booking_and_charge(client, app, h,  # noqa: F811
                                                                                       settings):
    admin = login(client, "admin")
    sergeant = h["sergeant"]
    # Only an administrator reads or changes it; the files are version 0.
    assert client.get(SETTINGS, headers=sergeant).status_code == 403
    first = client.get(SETTINGS, headers=admin)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 0 and first.json()["values"]["observation"]["interval_minutes"]["1"] == 60
    refused = client.request("PATCH", SETTINGS, headers=sergeant, json={"values": {}, "reason": "x"})
    assert refused.status_code == 403

    values = first.json()["values"]
    values["observation"]["interval_minutes"]["1"] = 45
    values["notice_of_rights_languages"].append({"code": "kw", "name": "Cornish (Kernewek)"})
    body = {"values": values, "reason": "Force policy FP-12: hourly checks are now every 45 minutes."}
    assert client.request("PATCH", SETTINGS, headers=admin, json=body).status_code == 428
    bad = client.request("PATCH", SETTINGS, headers={**admin, "If-Match": "0"},
                     json={"values": {"clock": {"basic_limit_hours": "a day"}}, "reason": "typo"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "values.clock.basic_limit_hours"

    since = client.get(f"{API}/events/latest", headers=sergeant).json()["last_seq"]  # the second client's place
    changed = client.request("PATCH", SETTINGS, headers={**admin, "If-Match": "0", "Idempotency-Key": new_id()},
                             json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 1 and changed.json()["updated_by"]
    stale = client.request("PATCH", SETTINGS, headers={**admin, "If-Match": "0"}, json=body)
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 1

    # The second client hears of it (ids and version only) ...
    heard = [e for e in _feed(client, sergeant, since) if e["type"] == "admin.config.updated"]
    assert [(e["entity_id"], e["data"]["version"]) for e in heard] == [("settings", 1)]
    # ... and the next booking runs on it, with no restart: level 1 checks every 45 minutes.
    record = book(client, sergeant, arrived=ago(hours=1))
    set_at = ago(minutes=10)
    level = client.post(f"{API}/custody/records/{record['id']}/observation-level", headers=sergeant,
                        json={"level": 1, "reason": "No concerns.", "set_at": iso(set_at)})
    assert level.status_code == 200, level.text
    assert level.json()["observation_interval_minutes"] == 45
    assert datetime.fromisoformat(level.json()["next_check_due"]) == set_at + timedelta(minutes=45)
    suite = client.get(f"{API}/custody/suite", headers=sergeant).json()
    assert suite["notice_languages"]["kw"] == "Cornish (Kernewek)"

    # The offence catalogue: a new offence, then a booking and a charge for it; the charge keeps version 1.
    booked_before = client.post(f"{API}/custody/records", headers=sergeant,
                                json=booking(offences=["XX99001"], cell="C2"))
    assert booked_before.status_code == 422
    no_match = client.request("PUT", f"{OFFENCES}/XX99001", headers=admin, json=NEW_OFFENCE)
    assert no_match.status_code == 428
    bad_code = client.request("PUT", f"{OFFENCES}/XX9", headers={**admin, "If-Match": "0"}, json=NEW_OFFENCE)
    assert bad_code.status_code == 422 and bad_code.json()["errors"][0]["field"] == "code"
    since = client.get(f"{API}/events/latest", headers=sergeant).json()["last_seq"]
    added = client.request("PUT", f"{OFFENCES}/XX99001", headers={**admin, "If-Match": "0"}, json=NEW_OFFENCE)
    assert added.status_code == 200, added.text
    assert added.json()["version"] == 1
    heard = [e for e in _feed(client, sergeant, since) if e["type"] == "admin.config.updated"]
    assert [(e["entity_id"], e["data"]["version"]) for e in heard] == [("offences", 1)]
    overlapping = client.request("PUT", f"{OFFENCES}/XX99001", headers={**admin, "If-Match": "1"},
                             json={**NEW_OFFENCE, "effective_from": "2010-01-01"})
    assert overlapping.status_code == 422 and overlapping.json()["errors"][0]["field"] == "effective_from"
    record = book(client, sergeant, arrived=ago(hours=2), offences=["XX99001"], cell="C3")
    charge = charge_body(charges=[{"offence_code": "XX99001", "offence_date": offence_day().isoformat(),
                                   "particulars": {"place": "Portharrow harbour"}}])
    charged = post(client, sergeant, record["id"], charge)
    assert charged.status_code == 201, charged.text
    assert charged.json()["charges"][0]["catalogue_version"] == 1
    catalogue = client.get(f"{API}/offences/catalogue", headers=sergeant).json()
    assert any(o["code"] == "XX99001" for o in catalogue["offences"])  # the workstations' offline copy

    with make_sessionmaker(app.state.engine)() as s:
        assert s.scalar(select(Charge.catalogue_version).where(Charge.offence_code == "XX99001")) == 1
        audited = s.scalars(select(AuditEntry.justification).where(AuditEntry.entity == "force_config")).all()
        kept = s.execute(select(ForceSettingVersion.setting_id, ForceSettingVersion.version)).all()
    assert any("observation.interval_minutes.1 60 -> 45" in a and "FP-12" in a for a in audited)
    assert any("XX99001" in a for a in audited)
    assert sorted(kept) == [("offences", 0), ("offences", 1), ("settings", 0), ("settings", 1)]
    history = client.get(f"{API}/admin/config/settings/history", headers=admin).json()
    assert [v["version"] for v in history] == [1, 0]

    # Another server process on the same database (PostgreSQL: told by NOTIFY) uses the next version too.
    if app.state.engine.dialect.name == "postgresql":
        other = create_app(settings)
        try:
            with AsgiClient(other) as other_client:
                other_sergeant = login(other_client, "sergeant")
                assert other_client.get(f"{API}/custody/suite", headers=other_sergeant).status_code == 200
                other.state.feed._start_listener()
                deadline = time.monotonic() + 10
                while other.state.feed.listener_connects == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)
                values["observation"]["interval_minutes"]["1"] = 40
                again = client.request("PATCH", SETTINGS, headers={**admin, "If-Match": "1"},
                                   json={"values": values, "reason": "Policy FP-13."})
                assert again.status_code == 200, again.text
                store = other.state.config_store
                while store._held is not None and time.monotonic() < deadline:
                    time.sleep(0.02)  # until the other process has been told
                rec = book(other_client, other_sergeant, arrived=ago(hours=1), cell="C4")
                set_at = ago(minutes=5)
                lvl = other_client.post(f"{API}/custody/records/{rec['id']}/observation-level",
                                        headers=other_sergeant,
                                        json={"level": 1, "reason": "No concerns.", "set_at": iso(set_at)})
                assert lvl.json()["observation_interval_minutes"] == 40
        finally:
            other.state.feed.stop()
            other.state.engine.dispose()
