"""Every look recorded (issue 12, DPA 2018 s.62): every read of personal data writes an audit row naming the
reader and the subject, in the request's transaction; refused attempts too; the change feed carries no personal
data and its reads are audited.

The sweep walks every GET route the app has: each is either in READS (personal data: it must audit) or in
NOT_PERSONAL (with why). A new GET route in neither fails the sweep until someone decides which it is."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

from sqlalchemy import func, select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.conftest import login

API = "/api/v1"

NOT_PERSONAL = {
    "/health": "liveness", "/health/process": "process figures",
    "/auth/me": "the caller's own account", "/people/warning-marker-codes": "a code list",
    "/offences": "the offence catalogue", "/offences/catalogue": "the offence catalogue",
    "/charging/caution": "the caution wording",
    "/events": "ids and types only (its reads are audited all the same: test below)",
    "/events/latest": "the newest sequence number only",
    "/admin/users": "staff accounts, administrators only (changes audited)",
    "/admin/config/settings": "the force's settings (no personal data; changes audited)",
    "/admin/config/offences": "the offence catalogue (no personal data; changes audited)",
    "/admin/config/{kind}/history": "when the force configuration changed and why (staff names only)",
    "/admin/users/{user_id}": "a staff account, administrators only (changes audited)",
    "/custody/handovers/last": "when the suite was handed over and to which officer",
    "/custody/suite": "the suite's name",
    "/officers": "staff names and ranks (who may run or supervise an investigation)",
    "/custody/suite-names": "the suites' names, before sign-in (public station names)",
    "/custody/suites": "the force's suites and cells, with counts of detainees (no one named)",
    "/custody/suites/{suite_id}": "one suite and its cells, with counts of detainees (no one named)",
}

# route -> (who reads, what the audit rows must name: "{x}" is filled from the ids found; None: any subject)
READS: dict[str, tuple[str, str | None]] = {
    "/custody/records": ("sergeant", "custody_record:{record}"),
    "/custody/force-view": ("inspector", "custody_record:{record}"),  # issue 15: every suite's open records
    "/custody/records/{record_id}": ("sergeant", "custody_record:{record}"),
    "/custody/records/{record_id}/log": ("detention", "custody_log:{record}"),
    "/custody/records/{record_id}/risk-assessments": ("sergeant", "custody_risk_assessment:{record}"),
    "/custody/records/{record_id}/log-and-risk": ("detention", "custody_log:{record}"),  # and the risk (own test)
    "/custody/records/{record_id}/checks": ("detention", "custody_check:{record}"),
    "/custody/records/{record_id}/interviews": ("investigator", "custody_interview:{record}"),
    "/custody/records/{record_id}/property": ("detention", "custody_property:{record}"),
    "/custody/history": ("sergeant", "custody_history:search"),
    "/custody/people/{person_id}/history": ("sergeant", "custody_history:{person}"),
    "/custody/records/{record_id}/charges": ("sergeant", "custody_record:{record}"),
    "/custody/records/{record_id}/disclosures": ("sergeant", "disclosure:{record}"),
    "/people/{person_id}": ("investigator", "person:{person}"),
    "/people/{person_id}/picture": ("investigator", "person:{person}"),
    "/people/{person_id}/merges": ("supervisor", "person_merges:{person}"),
    "/investigations": ("investigator", "investigation:{investigation}"),
    "/investigations/{investigation_id}": ("investigator", "investigation:{investigation}"),
    "/investigations/{investigation_id}/actions": ("investigator", "action:{action}"),
    "/investigations/{investigation_id}/timeline": ("investigator", "investigation:{investigation}"),
    "/actions": ("supervisor", "action:{action}"),
    "/actions/{action_id}": ("investigator", "action:{action}"),
    "/intelligence/reports": ("intel", "intelligence_report:{report}"),
    "/intelligence/reports/{report_id}": ("intel", "intelligence_report:{report}"),
    "/custody/handover": ("sergeant", None),
    "/custody/records/{record_id}/transfer-summary": ("sergeant", "custody_record:{record}"),
    "/custody/transfers": ("sergeant", None),  # the demo has a transfer awaiting acceptance
    "/audit": ("supervisor", None),
}


def _get_routes(openapi: dict) -> set[str]:
    """Every GET operation the API describes (routers nest in this FastAPI; the OpenAPI document lists all)."""
    return {path.removeprefix(API) for path, ops in openapi["paths"].items() if "get" in ops}


def _rows(app, after: int) -> list[AuditEntry]:
    with make_sessionmaker(app.state.engine)() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.id > after)))


def _last(app) -> int:
    with make_sessionmaker(app.state.engine)() as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def test_every_get_route_is_classified(api_description):
    routes = _get_routes(api_description)
    assert len(routes) > 25  # the document was read (not an empty or nested-away list)
    assert set(READS) | set(NOT_PERSONAL) <= routes, "routes named here that the app no longer has"
    unknown = routes - set(READS) - set(NOT_PERSONAL)
    assert not unknown, f"GET routes neither audited reads nor declared not personal: {sorted(unknown)}"
    assert not set(READS) & set(NOT_PERSONAL)


def test_every_read_of_personal_data_is_audited(client, app, seeded):
    who = {name: login(client, name) for name in {u for u, _ in READS.values()}}
    record = client.get(f"{API}/custody/records", params={"open": "true"}, headers=who["sergeant"]).json()[0]
    ids = {"record": record["id"], "person": record["person"]["id"],
           "investigation": client.get(f"{API}/investigations", headers=who["investigator"]).json()[0]["id"],
           "report": client.get(f"{API}/intelligence/reports", headers=who["intel"]).json()[0]["id"]}
    ids["action"] = client.get(f"{API}/investigations/{ids['investigation']}/actions",
                               headers=who["investigator"]).json()[0]["id"]
    path_ids = {"record_id": ids["record"], "person_id": ids["person"], "investigation_id": ids["investigation"],
                "action_id": ids["action"], "report_id": ids["report"]}
    reason = "Sweep: checking the audit (§ ŵ)"
    missing = []
    for route, (username, names) in READS.items():
        user_id = client.get(f"{API}/auth/me", headers=who[username]).json()["id"]
        before = _last(app)
        headers = {**who[username], "X-Access-Reason": quote(reason)}
        response = client.get(API + route.format(**path_ids), headers=headers)
        assert response.status_code == 200, (route, response.text)
        rows = [r for r in _rows(app, before) if r.user_id == user_id and r.action in ("consultation", "combination")]
        wanted = names.format(**ids) if names else None
        if not rows or (wanted and wanted not in {f"{r.entity}:{n}" for r in rows for n in r.names}):
            missing.append(f"{route}: wanted {wanted}, got {[(r.entity, r.names) for r in rows]}")
        if route == "/intelligence/reports/{report_id}":
            assert reason in {r.justification for r in rows}  # the header's reason, decoded
    assert not missing, "reads not audited:\n" + "\n".join(missing)


def test_post_reads_are_audited(client, app, seeded):
    """Reads sent as POST (so their terms stay out of URLs): the search, the duplicates check."""
    investigator = login(client, "investigator")
    record = client.get(f"{API}/custody/records", params={"open": "true"}, headers=investigator).json()[0]
    person = client.get(f"{API}/people/{record['person']['id']}", headers=investigator).json()
    before = _last(app)
    found = client.post(f"{API}/people/search", json={"q": person["surname"]}, headers=investigator).json()
    assert person["id"] in {r["person"]["id"] for r in found["results"]}
    dupes = client.post(f"{API}/people/duplicates-check", headers=investigator, json={
        "surname": person["surname"], "forenames": person["forenames"], "date_of_birth": person["date_of_birth"]})
    assert dupes.status_code == 200 and person["id"] in {c["person"]["id"] for c in dupes.json()["candidates"]}
    rows = _rows(app, before)
    assert ("person", person["id"], "duplicates check") in {(r.entity, n, r.justification) for r in rows
                                                             for n in r.names}
    assert any(r.entity == "person" and person["id"] in r.names and r.justification.startswith("search")
               for r in rows)


def test_change_feed_carries_ids_only_and_its_reads_are_audited(client, app, seeded):
    sergeant, investigator = login(client, "sergeant"), login(client, "investigator")
    before = _last(app)
    feed = client.get(f"{API}/events", params={"after": 0}, headers=investigator).json()
    assert feed["events"]
    assert all(set(e) == {"seq", "type", "entity", "entity_id", "record_id", "at"} for e in feed["events"])
    person_events = [e for e in feed["events"] if e["entity"] == "person"][:3]
    data = client.post(f"{API}/events/data", json={"seqs": [e["seq"] for e in person_events]},
                       headers=investigator).json()["events"]
    assert [d["seq"] for d in data] == [e["seq"] for e in person_events]
    assert all(d["data"]["id"] == e["entity_id"] for d, e in zip(data, person_events, strict=True))
    me = client.get(f"{API}/auth/me", headers=investigator).json()["id"]
    rows = [r for r in _rows(app, before) if r.user_id == me]
    assert [r.entity for r in rows if r.entity == "change_feed"] == ["change_feed"]  # one row for the poll
    assert {("person", e["entity_id"]) for e in person_events} <= {(r.entity, n) for r in rows for n in r.names}
    assert len([r for r in rows if r.entity == "person"]) == 1  # one row naming the people shown (issue 9)
    # An empty answer (nothing new) shows nothing about anyone: no row.
    before = _last(app)
    assert client.get(f"{API}/events", params={"after": feed["last_seq"] + 10**6},
                      headers=sergeant).json()["events"] == []
    assert _rows(app, before) == []


def test_many_waiters_woken_together_are_audited_in_one_transaction(client, app, seeded):
    """The board update path: every waiter woken by one commit is recorded with one turn at the chain head."""
    users = [login(client, name) for name in ("sergeant", "detention", "inspector", "investigator")]
    last = client.get(f"{API}/events", headers=users[0]).json()["last_seq"]
    answers: list = []
    threads = [threading.Thread(target=lambda h=h: answers.append(client.get(
        f"{API}/events", params={"after": last, "wait": 10}, headers=h))) for h in users]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while app.state.feed.waiting < len(users) and time.monotonic() < deadline:
        time.sleep(0.01)
    before = _last(app)
    record = client.get(f"{API}/custody/records", params={"open": "true"}, headers=users[0]).json()[0]
    client.post(f"{API}/custody/records/{record['id']}/log", headers=users[0], json={
        "id": "6b0f8a52-6f55-4c4e-9d2b-8b9d1c3f0a11", "kind": "note", "text": "Woken together",
        "observed_at": record["arrived_at"]})
    for t in threads:
        t.join(15)
    assert [a.status_code for a in answers] == [200] * len(users)
    feed_rows = [r for r in _rows(app, before) if r.entity == "change_feed"]
    assert len(feed_rows) == len(users)
    ids = sorted(r.id for r in feed_rows)
    assert ids == list(range(ids[0], ids[0] + len(users)))  # consecutive: written together
