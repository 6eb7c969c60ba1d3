from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from server.audit import AuditEntry
from server.custody.models import CustodyRecord, LogEntry
from server.db import make_sessionmaker
from tests.server.conftest import login

API = "/api/v1"


def entry(text: str = "Checked: asleep, breathing normally.", *, kind: str = "cell_check",
          observed_at: datetime | None = None, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "text": text,
            "observed_at": (observed_at or datetime.now(UTC)).isoformat(), **extra}


def field_errors(response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_open_records_list_the_demo_suite(open_records):
    assert len(open_records) >= 14
    # Three suites of different sizes (issue 15); everyone is in a cell but one sent to another suite and not yet
    # accepted there.
    assert len({r["suite_code"] for r in open_records}) == 3
    assert all(r["cell"] for r in open_records if not r.get("transfer"))
    assert len({(r["suite_code"], r["cell"]) for r in open_records if r["cell"]}) == \
        len([r for r in open_records if r["cell"]])
    assert any(r["juvenile"] for r in open_records) and any(r["vulnerable"] for r in open_records)
    first = open_records[0]
    # The custody issue extends the foundation shape; every foundation field stays.
    assert set(first) >= {"id", "custody_number", "person", "cell", "status", "arrived_at", "relevant_time",
                          "detention_authorised_at", "juvenile", "vulnerable", "risk_level", "observation_level",
                          "next_check_due", "next_review_due", "detention_limit_at", "released_at", "version"}
    assert set(first["person"]) >= {"id", "surname", "forenames", "date_of_birth"}
    assert first["custody_number"].startswith("BW-") and first["arrived_at"].endswith("+00:00")
    arrivals = [datetime.fromisoformat(r["arrived_at"]) for r in open_records]
    assert arrivals == sorted(arrivals)


def test_record_not_found_is_404_problem(client, sergeant):
    response = client.get(f"{API}/custody/records/{uuid.uuid4()}", headers=sergeant)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_create_log_entry_and_list_in_observed_order(client, sergeant, open_records):
    record_id = open_records[0]["id"]
    now = datetime.now(UTC).replace(microsecond=0)
    later = entry("Second in time", observed_at=now - timedelta(minutes=1))
    earlier = entry("First in time", kind="meal", observed_at=now - timedelta(minutes=30))
    first = client.post(f"{API}/custody/records/{record_id}/log", json=later, headers=sergeant)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"] == later["id"] and body["record_id"] == record_id and body["kind"] == "cell_check"
    assert body["author"] == {"id": body["author"]["id"], "display_name": "Sgt Alys Penhallow",
                              "rank": "Sergeant", "collar_number": "CS2417"}
    assert datetime.fromisoformat(body["observed_at"]) == now - timedelta(minutes=1)
    assert abs(datetime.fromisoformat(body["recorded_at"]) - datetime.now(UTC)) < timedelta(seconds=30)
    assert body["corrects_id"] is None
    assert client.post(f"{API}/custody/records/{record_id}/log", json=earlier, headers=sergeant).status_code == 201
    log = client.get(f"{API}/custody/records/{record_id}/log", headers=sergeant).json()
    texts = [e["text"] for e in log]
    assert texts.index("First in time") < texts.index("Second in time")
    observed = [e["observed_at"] for e in log]
    assert observed == sorted(observed, key=datetime.fromisoformat)


def test_correction_must_point_into_the_same_record(client, sergeant, open_records):
    a, b = open_records[0]["id"], open_records[1]["id"]
    original = entry("Meal refused")
    assert client.post(f"{API}/custody/records/{a}/log", json=original, headers=sergeant).status_code == 201
    ok = client.post(f"{API}/custody/records/{a}/log", headers=sergeant,
                     json=entry("Meal accepted, not refused", kind="correction", corrects_id=original["id"]))
    assert ok.status_code == 201 and ok.json()["corrects_id"] == original["id"]
    wrong = client.post(f"{API}/custody/records/{b}/log", headers=sergeant,
                        json=entry("Wrong record", kind="correction", corrects_id=original["id"]))
    assert wrong.status_code == 422 and "corrects_id" in field_errors(wrong)


def test_empty_text_is_a_field_error(client, sergeant, open_records):
    response = client.post(f"{API}/custody/records/{open_records[0]['id']}/log", json=entry("   "),
                           headers=sergeant)
    assert response.status_code == 422
    assert field_errors(response)["text"] == "Type what happened before saving: the entry is empty."


def test_ten_megabyte_text_is_a_field_error_not_500(client, sergeant, open_records):
    response = client.post(f"{API}/custody/records/{open_records[0]['id']}/log",
                           json=entry("x" * (10 * 1024 * 1024)), headers=sergeant)
    assert response.status_code == 422
    assert "at most 10,000 characters" in field_errors(response)["text"]
    assert len(response.content) < 10_000  # the problem does not echo the input back


def test_body_over_twelve_megabytes_is_413(client, sergeant, open_records):
    response = client.post(f"{API}/custody/records/{open_records[0]['id']}/log",
                           json=entry("x" * (13 * 1024 * 1024)), headers=sergeant)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "12 MB" in response.json()["detail"]


def test_bad_kind_bad_id_naive_time_are_field_errors(client, sergeant, open_records):
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    response = client.post(url, headers=sergeant, json={"id": "not-a-uuid", "kind": "dance", "text": "x",
                                                        "observed_at": "2026-11-21T10:00:00"})
    assert response.status_code == 422
    assert set(field_errors(response)) == {"id", "kind", "observed_at"}
    assert not any(f.startswith("body") for f in field_errors(response))


def test_future_observed_at_is_refused_with_tolerance(client, sergeant, open_records):
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    future = client.post(url, headers=sergeant, json=entry(observed_at=datetime.now(UTC) + timedelta(minutes=10)))
    assert future.status_code == 422
    assert "future" in field_errors(future)["observed_at"]
    slight = client.post(url, headers=sergeant, json=entry(observed_at=datetime.now(UTC) + timedelta(minutes=1)))
    assert slight.status_code == 201


def test_released_record_is_read_only(client, app, sergeant, open_records):
    record_id = open_records[0]["id"]
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        session.execute(update(CustodyRecord).where(CustodyRecord.id == record_id)
                        .values(status="released", released_at=datetime.now(UTC), version=2))
    response = client.post(f"{API}/custody/records/{record_id}/log", json=entry(), headers=sergeant)
    assert response.status_code == 409
    problem = response.json()
    assert "read-only" in problem["detail"] and problem["current"]["status"] == "released"
    still_open = client.get(f"{API}/custody/records", params={"open": "true"}, headers=sergeant).json()
    assert record_id not in {r["id"] for r in still_open}
    everything = client.get(f"{API}/custody/records", headers=sergeant).json()
    assert record_id in {r["id"] for r in everything}


def test_reads_and_writes_are_audited(client, app, sergeant, open_records):
    record_id = open_records[0]["id"]
    client.get(f"{API}/custody/records/{record_id}", headers=sergeant)
    body = entry()
    client.post(f"{API}/custody/records/{record_id}/log", json=body, headers=sergeant)
    with make_sessionmaker(app.state.engine)() as session:
        actions = {(a.action, a.entity, a.entity_id) for a in session.scalars(select(AuditEntry))}
    assert ("consultation", "custody_record", record_id) in actions
    assert ("collection", "log_entry", body["id"]) in actions


def test_detention_officer_may_write_but_a_duplicate_id_is_409(client, app, seeded, open_records):
    officer = login(client, "detention")
    body = entry()
    url = f"{API}/custody/records/{open_records[2]['id']}/log"
    assert client.post(url, json=body, headers=officer).status_code == 201
    again = client.post(url, json=body, headers=officer)  # no Idempotency-Key: a plain duplicate
    assert again.status_code == 409 and again.json()["current"]["id"] == body["id"]
    with make_sessionmaker(app.state.engine)() as session:
        assert session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.id == body["id"])) == 1
