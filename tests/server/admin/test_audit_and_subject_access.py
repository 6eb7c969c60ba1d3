"""The audit viewer (GET /audit) and subject access (POST /people/{id}/subject-access) over HTTP, on SQLite and
PostgreSQL: who may use them, what they show, what is withheld, and that using them is itself audited."""

from __future__ import annotations

import json

from sqlalchemy import select

from server.admin.subject_access import HANDLING_C, NOT_SANITISED, SOURCE
from server.audit import AuditEntry
from server.db import make_sessionmaker
from server.demo import demo_id
from tests.server.conftest import login
from tests.support.queries import statements

API = "/api/v1"


def _sign_in(client, username: str, workstation: str) -> dict[str, str]:
    response = client.post(f"{API}/auth/login", headers={"X-Workstation": workstation},
                           json={"username": username, "password": "bridewell-demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_who_looked_at_this_person_when_why_and_from_where(client, seeded, open_records):
    record = open_records[0]
    person_id = record["person"]["id"]
    sergeant = _sign_in(client, "sergeant", "CUSTODY-DESK-2")
    assert client.get(f"{API}/people/{person_id}", headers=sergeant).status_code == 200
    assert client.get(f"{API}/custody/records/{record['id']}", headers=sergeant).status_code == 200

    supervisor = login(client, "supervisor")
    page = client.get(f"{API}/audit", params={"person_id": person_id, "user_id": _me(client, sergeant)},
                      headers={**supervisor, "X-Access-Reason": "Complaint PSD-0193 about access"})
    assert page.status_code == 200, page.text
    entries = page.json()["entries"]
    seen = {(e["entity"], e["entity_id"]) for e in entries}
    assert ("person", person_id) in seen and ("custody_record", record["id"]) in seen
    looked = next(e for e in entries if e["entity"] == "person")
    assert looked["user"]["username"] == "sergeant" and looked["action"] == "consultation"
    assert looked["workstation"] == "CUSTODY-DESK-2" and looked["at"].endswith("+00:00")
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)  # newest first

    # Filtered by the workstation and by action: only what matches.
    by_place = client.get(f"{API}/audit", params={"workstation": "CUSTODY-DESK-2"}, headers=supervisor).json()
    assert by_place["entries"] and {e["workstation"] for e in by_place["entries"]} == {"CUSTODY-DESK-2"}
    writes = client.get(f"{API}/audit", params={"action": "alteration", "person_id": person_id},
                        headers=supervisor).json()["entries"]
    assert all(e["action"] == "alteration" for e in writes)

    # The viewer's own read is in the audit, with its reason (from the header, never the URL).
    own = client.get(f"{API}/audit", params={"entity": "audit_log", "entity_id": person_id},
                     headers=supervisor).json()["entries"]
    assert any("Complaint PSD-0193" in (e["justification"] or "") and e["user"]["username"] == "supervisor"
               for e in own)


def _me(client, headers) -> str:
    return client.get(f"{API}/auth/me", headers=headers).json()["id"]


def test_audit_pages_are_keyset_and_cost_the_same_whatever_their_size(client, seeded, app):
    supervisor = login(client, "supervisor")
    everything = client.get(f"{API}/audit", params={"limit": 500}, headers=supervisor).json()["entries"]
    assert len(everything) > 30
    newest = everything[0]["id"] + 1
    walked, before = [], newest
    for _ in range(4):
        page = client.get(f"{API}/audit", params={"limit": 7, "before": before}, headers=supervisor).json()
        walked += [e["id"] for e in page["entries"]]
        before = page["next_before"]
        assert before is not None
    assert walked == [e["id"] for e in everything[:28]]  # no row twice, none skipped

    counts = []
    for limit in (5, 200):
        with statements(app.state.engine) as sent:
            assert client.get(f"{API}/audit", params={"limit": limit, "before": newest},
                              headers=supervisor).status_code == 200
        counts.append(len(sent))
    assert counts[0] == counts[1]


def test_the_audit_and_subject_access_are_for_supervisors_and_administrators_only(client, seeded, app,
                                                                                open_records):
    for who in ("sergeant", "investigator", "intel", "detention"):
        refused = client.get(f"{API}/audit", headers=login(client, who))
        assert refused.status_code == 403
        assert "supervisor" in refused.json()["detail"]
    assert client.get(f"{API}/audit", headers=login(client, "admin")).status_code == 200
    assert client.get(f"{API}/audit").status_code == 401
    bad = client.get(f"{API}/audit", params={"action": "peek", "limit": 0, "before": 2**64,
                                             "since": "2026-11-30T10:00:00", "until": "0.5"},
                     headers=login(client, "admin"))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"action", "limit", "before", "since", "until"}
    far = client.get(f"{API}/audit", params={"since": "0001-01-01T00:00:00+05:00"}, headers=login(client, "admin"))
    assert far.status_code == 200  # any aware time is a bound, even one off the calendar in UTC

    # Subject access: the same roles; one query per table, whatever each person's record holds.
    for who in ("sergeant", "investigator", "intel"):
        assert _export(client, login(client, who), open_records[0]["person"]["id"]).status_code == 403
    supervisor = login(client, "supervisor")
    assert _export(client, supervisor, "no-such-person").status_code == 404
    missing = client.post(f"{API}/people/{open_records[0]['person']['id']}/subject-access", headers=supervisor,
                          json={"request_reference": ""})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "request_reference"
    counts = []
    for record in open_records[:2]:
        with statements(app.state.engine) as sent:
            assert _export(client, supervisor, record["person"]["id"]).status_code == 200
        counts.append(len(sent))
    assert counts[0] == counts[1]  # one query per table, whatever each person's record holds


def _export(client, headers, person_id: str, reference: str = "SAR-2026-0042"):
    return client.post(f"{API}/people/{person_id}/subject-access", headers=headers,
                       json={"request_reference": reference, "reason": "Request by the data subject"})


def test_subject_access_holds_custody_and_withholds_sources_and_handling_code_c(client, seeded, app, open_records):
    admin = login(client, "admin")
    detainee = open_records[0]
    out = _export(client, admin, detainee["person"]["id"])
    assert out.status_code == 200, out.text
    body = out.json()
    sections = {s["title"]: s["items"] for s in body["sections"]}
    (custody,) = [i for i in sections["Custody records"] if detainee["custody_number"] in i["heading"]]
    log = custody["fields"]["custody_log_entries"]
    assert log and all(entry["text"] for entry in log)
    assert any("Sergeant" in str(entry.get("author", "")) for entry in log)  # officers by name, not by id
    assert sections["Person record"][0]["fields"]["surname"] == detainee["person"]["surname"]

    rahman = _export(client, admin, demo_id("person", "rahman")).json()
    text = json.dumps(rahman)
    for secret in ("SRC-0107", "CHIS", "cigarettes", "intelligence manager"):
        assert secret not in text  # the handling-code C report and its source are left out...
    (report,) = {s["title"]: s["items"] for s in rahman["sections"]}["Intelligence"]
    assert report["withheld"] == [{"what": "The whole intelligence report", "reason": HANDLING_C}]  # ...and marked
    assert any(w["reason"] == HANDLING_C for w in rahman["withheld"])

    macdonald = _export(client, admin, demo_id("person", "macdonald")).json()
    text = json.dumps(macdonald)
    assert "grey van in a lock-up behind Tanner Row" in text  # the disseminated, sanitised text is disclosed
    assert "SRC-0042" not in text and "neighbour at no. 12" not in text
    assert any(w["reason"] == SOURCE for w in macdonald["withheld"])
    osullivan = _export(client, admin, demo_id("person", "osullivan")).json()
    assert "Anonymous call" not in json.dumps(osullivan) and "SRC-0211" not in json.dumps(osullivan)
    assert any(w["reason"] == NOT_SANITISED for w in osullivan["withheld"])

    with make_sessionmaker(app.state.engine)() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.entity_id == detainee["person"]["id"],
                                                       AuditEntry.action == "disclosure")))
    assert rows and "SAR-2026-0042" in (rows[-1].justification or "")


def test_who_looked_at_this_person_finds_list_reads_too(client, seeded, open_records):
    """A person seen only in lists (the board, a search, the duplicates check, a record's charges, the change feed)
    is found by "who looked at this person": a list read is ONE row naming all its subjects (issue 9), found by
    the person's id or the id of their custody record or charge case among them."""
    from tests.server.prosecution.test_charging import charge_body

    record = open_records[0]
    person = record["person"]
    sergeant = _sign_in(client, "sergeant", "LIST-DESK-9")
    assert client.get(f"{API}/custody/records", headers=sergeant).status_code == 200
    found = client.post(f"{API}/people/search", headers=sergeant, json={"q": person["surname"]})
    assert found.status_code == 200 and person["id"] in {r["person"]["id"] for r in found.json()["results"]}
    duplicates = client.post(f"{API}/people/duplicates-check", headers=sergeant,
                             json={"surname": person["surname"], "forenames": person["forenames"],
                                   "date_of_birth": person["date_of_birth"]})
    assert duplicates.status_code == 200
    assert person["id"] in {c["person"]["id"] for c in duplicates.json()["candidates"]}
    body = charge_body()
    charged = client.post(f"{API}/custody/records/{record['id']}/charges", json=body,
                          headers={**sergeant, "Idempotency-Key": body["id"]})
    assert charged.status_code == 201, charged.text
    assert client.get(f"{API}/custody/records/{record['id']}/charges", headers=sergeant).status_code == 200
    events = client.get(f"{API}/events", params={"after": 0}, headers=sergeant).json()["events"]
    case_events = [e for e in events if e.get("entity") == "charge_case" and e.get("entity_id") == body["id"]]
    assert case_events, events[-3:]
    assert client.post(f"{API}/events/data", json={"seqs": [e["seq"] for e in case_events]},
                       headers=sergeant).status_code == 200

    supervisor = login(client, "supervisor")
    page = client.get(f"{API}/audit", params={"person_id": person["id"], "workstation": "LIST-DESK-9",
                                              "action": "consultation", "limit": 500}, headers=supervisor)
    assert page.status_code == 200, page.text
    entries = page.json()["entries"]
    seen = {(e["entity"], named, (e["justification"] or "").split(" q=")[0].split(":")[0])
            for e in entries for named in ([e["entity_id"]] if e["entity_id"] else e["subjects"])}
    assert ("custody_record", record["id"], "custody records list") in seen, seen
    assert ("person", person["id"], "search results") in seen, seen
    assert ("person", person["id"], "duplicates check") in seen, seen
    assert ("custody_record", record["id"], "charges list") in seen, seen
    assert ("charge_case", body["id"], "charges list") in seen, seen
    assert ("charge_case", body["id"], "change feed") in seen, seen
    # Nobody else's list rows: every row found names this person, their record or their charges (among others).
    ours = {("person", person["id"]), ("custody_record", record["id"]), ("charge_case", body["id"])}
    assert all(ours & {(e["entity"], n) for n in ([e["entity_id"]] if e["entity_id"] else e["subjects"])}
               for e in entries)
    # The board named every open record in its one row, this person's among them.
    board = next(e for e in entries if e["justification"] == "custody records list")
    assert board["entity_id"] is None and record["id"] in board["subjects"] and len(board["subjects"]) > 1
