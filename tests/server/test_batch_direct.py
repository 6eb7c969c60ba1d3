"""POST /batch's direct path (log entries, cell checks: one thread hop per run, no ASGI stack per request) gives
each request exactly what the route gives it alone: the same answers and refusals, the same idempotency (replay,
same key with another body), the same version moves and 412s, and an audit chain that verifies, naming the
workstation. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select, update

from server import audit, batch
from server.custody.models import CustodyRecord
from server.db import make_engine, make_sessionmaker
from tests.server.conftest import login
from tests.server.test_batch import API, _batch, _entry, _req

VOLATILE = ("recorded_at",)  # when the server stored it: differs between two sends of the same change


def _alone(client, headers, path: str, body: dict, key: str, extra: dict | None = None):
    # ensure_ascii: a lone surrogate travels as its escape, as the desktop sends it
    response = client.post(f"{API}{path}", content=json.dumps(body).encode(),
                           headers={**headers, "Idempotency-Key": key, "Content-Type": "application/json",
                                    **(extra or {})})
    return response.status_code, response.json()


def _in_batch(client, headers, path: str, body: dict, key: str, extra: dict | None = None):
    response = _batch(client, headers, [{"key": key, "method": "POST", "path": path, "body": body,
                                         "headers": extra or {}}])
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return result["status"], result["body"]


def _same(answer: tuple[int, dict]) -> tuple[int, dict]:
    status, body = answer
    return status, {k: v for k, v in body.items() if k not in VOLATILE}


def test_log_entries_and_checks_take_the_direct_path():
    paths = {(d.method, d.pattern.pattern) for d in batch._DIRECT}
    assert ("POST", "^/custody/records/([^/]+)/log$") in paths
    assert ("POST", "^/custody/records/([^/]+)/checks$") in paths


def test_the_direct_path_answers_every_request_as_the_route_does_alone(client, sergeant, open_records):
    record = open_records[0]
    path = f"/custody/records/{record['id']}/log"
    now = datetime.now(UTC)
    arrived = datetime.fromisoformat(record["arrived_at"])
    cases = [
        {"kind": "note", "text": "Direct path, fictional"},  # stored
        {"kind": "no-such-kind", "text": "x"},  # the model's validator
        {"kind": "note"},  # a missing field
        {"kind": "note", "text": "bell \x07 in it"},  # TextCheck
        {"kind": "note", "text": "lone \ud800 half"},  # TextCheck: a lone surrogate
        {"kind": "note", "text": "   "},  # blank
        {"kind": "note", "text": "later", "observed_at": (now + timedelta(hours=3)).isoformat()},  # future
        {"kind": "note", "text": "earlier", "observed_at": (arrived - timedelta(hours=1)).isoformat()},
        {"kind": "note", "text": "fixes nothing", "corrects_id": str(uuid.uuid4())},  # not in this record
    ]
    for case in cases:
        alone_body = {"id": str(uuid.uuid4()), "observed_at": now.isoformat(), **case}
        batch_body = {**alone_body, "id": str(uuid.uuid4())}
        alone = _alone(client, sergeant, path, alone_body, str(uuid.uuid4()))
        direct = _in_batch(client, sergeant, path, batch_body, str(uuid.uuid4()))
        if alone[0] == 201:
            assert direct[0] == 201 and direct[1]["id"] == batch_body["id"]
            alone[1]["id"] = direct[1]["id"]
        assert _same(direct) == _same(alone), case
    # No such record: the same 404.
    missing = f"/custody/records/{uuid.uuid4()}/log"
    assert (_in_batch(client, sergeant, missing, _entry("x"), str(uuid.uuid4()))
            == _alone(client, sergeant, missing, _entry("x"), str(uuid.uuid4())))
    # An id already taken (a new key): the same 409 with the stored entry.
    taken = _entry("Taken once, fictional")
    assert _alone(client, sergeant, path, taken, str(uuid.uuid4()))[0] == 201
    again_alone = _alone(client, sergeant, path, taken, str(uuid.uuid4()))
    assert again_alone[0] == 409 and again_alone[1]["current"]["text"] == "Taken once, fictional"
    assert _in_batch(client, sergeant, path, taken, str(uuid.uuid4())) == again_alone
    # A role that may not write to the custody record: the same 403.
    investigator = login(client, "investigator")
    refused_alone = _alone(client, investigator, path, _entry("x"), str(uuid.uuid4()))
    assert refused_alone[0] == 403
    assert _in_batch(client, investigator, path, _entry("x"), str(uuid.uuid4())) == refused_alone


def test_a_key_replays_across_a_request_alone_and_a_batch_and_a_reused_key_is_refused(client, sergeant,
                                                                                      open_records):
    path = f"/custody/records/{open_records[0]['id']}/log"
    body, key = _entry("Sent alone first, fictional"), str(uuid.uuid4())
    first = client.post(f"{API}{path}", json=body, headers={**sergeant, "Idempotency-Key": key})
    assert first.status_code == 201
    replayed = _batch(client, sergeant, [_req(path, body) | {"key": key}]).json()["results"][0]
    assert replayed["status"] == 201 and replayed["body"] == first.json()
    assert replayed["headers"].get("idempotent-replayed") == "true"
    # The same key with another body: the 422 the request alone gets.
    other = {**body, "text": "Another text under the same key"}
    alone = _alone(client, sergeant, path, other, key)
    assert alone[0] == 422 and alone[1]["errors"][0]["field"] == "Idempotency-Key"
    assert _in_batch(client, sergeant, path, other, key) == alone
    texts = [e["text"] for e in client.get(f"{API}/custody/records/{open_records[0]['id']}/log",
                                           headers=sergeant).json()]
    assert texts.count("Sent alone first, fictional") == 1 and "Another text under the same key" not in texts


def _check(at: datetime) -> dict:
    return {"id": str(uuid.uuid4()), "check_type": "look", "result": "awake – settled", "observed_at": at.isoformat()}


def test_checks_in_a_batch_move_their_record_on_as_alone_and_a_stale_if_match_holds_back_the_rest(
        client, sergeant, open_records):
    first, second = [r for r in open_records if r.get("observation_level")][:2]
    now = datetime.now(UTC)
    checks1, checks2 = f"/custody/records/{first['id']}/checks", f"/custody/records/{second['id']}/checks"
    group1, group2 = f"/custody/records/{first['id']}", f"/custody/records/{second['id']}"
    version = first["version"]
    results = _batch(client, sergeant, [
        _req(checks1, _check(now), group1),  # no If-Match: claims and moves the record on
        _req(checks1, _check(now), group1, headers={"If-Match": str(version + 1)}),  # the version after it
        _req(checks1, _check(now), group1, headers={"If-Match": str(version)}),  # stale: 412
        _req(checks1, _check(now), group1),  # behind the refusal: not tried
        _req(checks2, _check(now), group2),  # another record goes on
    ]).json()["results"]
    assert [r["status"] for r in results] == [201, 201, 412, 424, 201], results
    assert results[2]["body"]["current"]["version"] == version + 2
    assert results[0]["body"]["checked_by"]["name"] == "Sgt Alys Penhallow"
    # One version per check, as each sent alone moves it.
    after = client.get(f"{API}/custody/records/{first['id']}", headers=sergeant).json()
    assert after["version"] == version + 2
    stored = client.get(f"{API}{checks1}", headers=sergeant).json()
    assert {c["id"] for c in stored} >= {results[0]["key"], results[1]["key"]}
    assert results[2]["key"] not in {c["id"] for c in stored}


def test_after_a_batch_the_audit_chain_verifies_and_names_the_workstation(client, sergeant, open_records,
                                                                          database_url):
    path = f"/custody/records/{open_records[0]['id']}/log"
    requests = [_req(path, _entry(f"Audited {n}, fictional")) for n in range(7)]
    requests.insert(3, _req(path, _entry("bad \x01 text")))  # a refusal in the middle of the run
    response = _batch(client, {**sergeant, "X-Workstation": "CUSTODY-DESK-7"}, requests)
    assert [r["status"] for r in response.json()["results"]] == [201] * 3 + [422] + [201] * 4
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            result = audit.verify(session)
            assert result.ok, result.problems
            stored = [r["key"] for r in requests if "bad" not in r["body"]["text"]]
            rows = session.execute(select(audit.AuditEntry.entity_id, audit.AuditEntry.workstation)
                                   .where(audit.AuditEntry.entity_id.in_(stored))).all()
    finally:
        engine.dispose()
    assert sorted(r.entity_id for r in rows) == sorted(stored)  # one collection row per stored entry
    assert all(r.workstation is not None and r.workstation.startswith("CUSTODY-DESK-7") for r in rows)


def test_a_run_the_database_fails_under_is_one_503_and_nothing_since_the_last_commit_is_stored(
        client, sergeant, open_records, monkeypatch):
    record = next(r for r in open_records if r["suite_id"])
    record_path = f"/custody/records/{record['id']}"
    suite = client.get(f"{API}/custody/suites/{record['suite_id']}", headers=sergeant).json()
    cell = next(c["number"] for c in suite["cells"] if c["free_places"] and c["number"] != record["cell"])
    # A write that goes the whole way through the app, then a run on the direct path, in one commit's window.
    requests = [_req(record_path, {"cell": cell}, record_path, headers={"If-Match": str(record["version"])},
                     method="PATCH"),
                *[_req(f"{record_path}/log", _entry(f"Run failure {n}, fictional")) for n in range(5)]]
    chained = audit.append_chained
    calls = {"n": 0}

    def direct_run_fails(conn, rows):  # the database failing as the run's rows are chained (the PATCH's: call 1)
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("fictional database failure")
        return chained(conn, rows)

    monkeypatch.setattr(audit, "append_chained", direct_run_fails)
    results = _batch(client, sergeant, requests).json()["results"]
    monkeypatch.setattr(audit, "append_chained", chained)
    # Nothing since the last commit was stored, the PATCH answered before the run included: one 503 for it.
    assert [(r["key"], r["status"]) for r in results] == [(requests[0]["key"], 503)]
    assert results[0]["headers"]["retry-after"]
    after = client.get(f"{API}{record_path}", headers=sergeant).json()
    assert after["cell"] == record["cell"] and after["version"] == record["version"]
    texts = [e["text"] for e in client.get(f"{API}{record_path}/log", headers=sergeant).json()]
    assert not any(t.startswith("Run failure ") for t in texts)


def _log(client, headers, record_id: str) -> list[dict]:
    return client.get(f"{API}/custody/records/{record_id}/log", headers=headers).json()


def test_a_mixed_run_answers_each_request_as_alone_stores_the_rest_and_keeps_order_per_record(
        client, app, sergeant, open_records):
    """The bulk path (a run's plain log entries stored at once) beside the requests it leaves to be done alone:
    a replayed key, the same key with another body, a taken id, a closed record, bad text, a key and an id used
    twice in the run. Each gets its own answer, the plain ones around them are stored, in order per record."""
    first, second, closed = open_records[0]["id"], open_records[1]["id"], open_records[2]["id"]
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        session.execute(update(CustodyRecord).where(CustodyRecord.id == closed)
                        .values(status="released", released_at=datetime.now(UTC)))
    at = datetime.now(UTC).isoformat()  # one moment for all: the log's order is then the order they were sent

    def entry(text: str) -> dict:
        return {**_entry(text), "observed_at": at}

    path1, path2, path_closed = (f"/custody/records/{r}/log" for r in (first, second, closed))
    sent_alone = entry("Sent alone first, fictional")
    replayed_alone = client.post(f"{API}{path1}", json=sent_alone,
                                 headers={**sergeant, "Idempotency-Key": "mixed-replayed"})
    assert replayed_alone.status_code == 201
    taken = entry("Taken id, fictional")
    assert client.post(f"{API}{path2}", json=taken, headers=sergeant).status_code == 201
    twice = entry("Key twice in the run, fictional")
    same_id = entry("Id twice in the run, fictional")
    requests = [
        _req(path1, entry("Mixed 1, fictional")),
        _req(path2, entry("Mixed 2, fictional")),
        _req(path1, sent_alone) | {"key": "mixed-replayed"},  # replayed: the stored answer
        _req(path1, {**sent_alone, "text": "Another body"}) | {"key": "mixed-replayed"},  # 422
        _req(path1, entry("Mixed 3, fictional")),
        _req(path2, taken) | {"key": str(uuid.uuid4())},  # the id is taken: 409
        _req(path_closed, entry("To a closed record, fictional")),  # 409, read-only
        _req(path1, entry("bad \x01 text")),  # 422, TextCheck
        _req(path2, entry("Mixed 4, fictional")),
        _req(path1, twice) | {"key": "mixed-twice"},
        _req(path1, twice) | {"key": "mixed-twice"},  # the same key again: replays the one just stored
        _req(path2, same_id) | {"key": str(uuid.uuid4())},
        _req(path2, same_id) | {"key": str(uuid.uuid4())},  # the same id under another key: 409
        _req(path1, entry("Mixed 5, fictional")),
    ]
    results = _batch(client, sergeant, requests).json()["results"]
    assert [r["key"] for r in results] == [r["key"] for r in requests]
    assert [r["status"] for r in results] == [201, 201, 201, 422, 201, 409, 409, 422, 201, 201, 201, 201, 409, 201]
    assert results[2]["body"] == replayed_alone.json() and results[2]["headers"]["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in results[0]["headers"]
    assert results[3]["body"]["errors"][0]["field"] == "Idempotency-Key"
    assert results[5]["body"]["current"]["text"] == "Taken id, fictional"
    assert "read-only" in results[6]["body"]["detail"]
    assert results[10]["body"] == results[9]["body"] and results[10]["headers"]["idempotent-replayed"] == "true"
    assert results[12]["body"]["current"]["text"] == "Id twice in the run, fictional"
    # Each stored answer is the entry as stored, as the route answers it alone.
    stored1, stored2 = _log(client, sergeant, first), _log(client, sergeant, second)
    by_id = {e["id"]: e for e in stored1 + stored2}
    for result in results:
        if result["status"] == 201:
            assert by_id[result["body"]["id"]] == result["body"]
    texts1 = [e["text"] for e in stored1 if e["observed_at"] == results[0]["body"]["observed_at"]]
    texts2 = [e["text"] for e in stored2 if e["observed_at"] == results[0]["body"]["observed_at"]]
    assert texts1 == ["Sent alone first, fictional", "Mixed 1, fictional", "Mixed 3, fictional",
                      "Key twice in the run, fictional", "Mixed 5, fictional"]
    assert texts2 == ["Taken id, fictional", "Mixed 2, fictional", "Mixed 4, fictional",
                      "Id twice in the run, fictional"]
    assert not any(e["text"].startswith("To a closed") for e in _log(client, sergeant, closed))
    # Replaying the whole batch stores nothing again and answers the stored entries.
    again = _batch(client, sergeant, requests).json()["results"]
    assert [r["status"] for r in again] == [201, 201, 201, 422, 201, 409, 409, 422, 201, 201, 201, 201, 409, 201]
    assert [r["body"] for r in again if r["status"] == 201] == [r["body"] for r in results if r["status"] == 201]
    assert len(_log(client, sergeant, first)) == len(stored1)
    with make_sessionmaker(app.state.engine)() as session:
        verified = audit.verify(session)
    assert verified.ok, verified.problems


def test_a_run_of_plain_log_entries_is_stored_in_a_few_statements_not_some_per_entry(client, app, sergeant,
                                                                                   open_records):
    """The point of the bulk path: 100 entries over three records take a handful of statements (the records in
    one, ids and keys probed in one each, keys, entries and events inserted in one each), not eight or ten an
    entry as each done alone took."""
    paths = [f"/custody/records/{r['id']}/log" for r in open_records[:3]]
    requests = [_req(paths[n % 3], _entry(f"Bulk {n}, fictional")) for n in range(100)]
    statements: list[str] = []

    def counted(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sqlalchemy_event.listen(app.state.engine, "before_cursor_execute", counted)
    try:
        results = _batch(client, sergeant, requests).json()["results"]
    finally:
        sqlalchemy_event.remove(app.state.engine, "before_cursor_execute", counted)
    assert [r["status"] for r in results] == [201] * 100
    assert len(statements) <= 30, "\n".join(s[:90] for s in statements)
    texts = [e["text"] for e in _log(client, sergeant, open_records[0]["id"])]
    assert [t for t in texts if t.startswith("Bulk ")] == [f"Bulk {n}, fictional" for n in range(0, 100, 3)]
