"""The bus outbox: a change writes its bus messages in its own transaction, each fact once, each message as its
contract says; the contract files and docs/integration.md are what server/integration/contracts.py says; and
without a broker nothing is written at all."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import make_sessionmaker, utcnow
from server.events import Event
from server.integration import contracts, outbox, sweep
from server.integration.models import LANE_PRIORITY, BusFact, BusMessage
from tests.server.custody.conftest import API, ago, book, iso, new_id
from tests.server.integration.journey import journey

ROOT = Path(__file__).resolve().parents[3]


def messages(app) -> list[BusMessage]:
    with make_sessionmaker(app.state.engine)() as session:
        return list(session.scalars(select(BusMessage).order_by(BusMessage.seq)))


def test_contract_files_and_the_published_table_are_current():
    for contract in contracts.CONTRACTS:
        path = contracts.CONTRACTS_DIR / contract.file_name
        assert path.read_text(encoding="utf-8") == contracts.render_file(contract), (
            f"{path.name} differs from contracts.py: run python -m server.integration.contracts")
    assert contracts.render_table() in (ROOT / "docs" / "integration.md").read_text(encoding="utf-8")
    assert len({c.type for c in contracts.CONTRACTS}) == len(contracts.CONTRACTS)


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_journey_writes_each_fact_once_as_its_contract_says(client, app, h, users, bus_enabled):
    """PostgreSQL here; SQLite in test_handoffs.py, which also relays the journey to the consumers."""
    check_journey(journey(client, app, h, users), messages(app))


def check_journey(record: dict, rows: list[BusMessage]) -> None:
    for row in rows:
        assert contracts.problems(row.payload) == [], (row.routing_key, contracts.problems(row.payload))
        assert row.payload["event_id"] == row.event_id and row.record_key == record["id"]
    kinds = Counter(row.routing_key for row in rows)
    assert kinds == Counter({
        "custody.booked_in": 1, "custody.detention_authorised": 1, "handoff.national_records.arrest": 1,
        "custody.risk_changed": 2, "custody.rousing_failed": 1, "custody.interviewed": 1, "custody.charged": 1,
        "handoff.prosecution.case_file": 1, "handoff.national_records.charge": 1, "custody.remanded": 1,
        "handoff.escort.person_escort_record": 1, "handoff.national_records.disposal": 1})
    by_type = {row.routing_key: row for row in rows}
    assert by_type["custody.rousing_failed"].lane == LANE_PRIORITY
    assert {r.lane for r in rows if r.routing_key != "custody.rousing_failed"} == {1}
    # Domain events name nobody; the hand-offs carry what their one consumer needs.
    for row in rows:
        if not row.routing_key.startswith("handoff."):
            assert "Quilliam" not in str(row.payload) and "1988-04-09" not in str(row.payload)
    escort = by_type["handoff.escort.person_escort_record"].payload["data"]
    assert escort["person"]["surname"] == "Quilliam" and escort["reason"] == "remanded"
    assert escort["destination"] == "Portharrow Magistrates' Court"
    assert escort["medication"] == ["Salbutamol inhaler, as needed."]
    assert escort["property"] == ["Black wallet, £20.40 cash, house keys (sealed bag 0041)."]
    assert escort["warning_markers"] == [{"code": "VI", "details": "Violent when arrested (2025)."}]
    assert escort["risk"]["level"] == "medium" and escort["risk"]["observation_level"] == 2
    case = by_type["handoff.prosecution.case_file"].payload["data"]
    assert case["defendant"]["date_of_birth"] == "1988-04-09"
    assert [c["offence_code"] for c in case["charges"]] == ["TH68010"]
    assert "two bottles of gin" in case["charges"][0]["particulars"]
    assert case["custody_summary"]["interviews"] == 1 and case["bail"]["decision"] == "conditional_bail"
    assert "medication" not in str(case) and "Salbutamol" not in str(case)  # only what the prosecutor needs
    assert by_type["custody.booked_in"].payload["data"]["offence_codes"] == ["TH68001"]
    assert by_type["custody.charged"].payload["data"]["offence_codes"] == ["TH68010"]  # the charges, not the arrest
    national = by_type["handoff.national_records.charge"].payload["data"]
    assert set(national) == {"record_id", "custody_number", "person", "charged_at", "charges"}


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # CI time: the journey covers PG


@SQLITE_ONLY
def test_without_a_broker_nothing_is_written(client, app, h):
    book(client, h["sergeant"], arrived=ago(hours=1))
    with make_sessionmaker(app.state.engine)() as session:
        assert session.scalar(select(func.count()).select_from(BusMessage)) == 0
        assert session.scalar(select(func.count()).select_from(BusFact)) == 0


@SQLITE_ONLY
def test_an_overdue_check_is_announced_once_on_the_safety_lane(client, app, h, bus_enabled):
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    ok = client.post(f"{API}/records/{record['id']}/observation-level", headers=h["sergeant"],
                     json={"level": 2, "reason": "Drank heavily.", "set_at": iso(ago(minutes=45))})
    assert ok.status_code == 200, ok.text
    factory = make_sessionmaker(app.state.engine)
    for _ in range(2):  # a second sweep finds the same overdue check: not announced again
        with factory() as session, session.begin():
            sweep.overdue_checks(session, utcnow())
    overdue = [m for m in messages(app) if m.routing_key == "custody.check_overdue"]
    assert len(overdue) == 1 and overdue[0].lane == LANE_PRIORITY
    assert contracts.problems(overdue[0].payload) == []
    # The check is done; the next one falls due later and is a new fact when missed.
    ok = client.post(f"{API}/records/{record['id']}/checks", headers=h["detention"], json={
        "id": new_id(), "check_type": "rouse", "result": "responded",
        "observed_at": iso(ago(minutes=40))})
    assert ok.status_code == 201, ok.text
    with factory() as session, session.begin():
        sweep.overdue_checks(session, utcnow() + timedelta(minutes=1))
    assert len([m for m in messages(app) if m.routing_key == "custody.check_overdue"]) == 2


@SQLITE_ONLY
def test_a_suite_transfer_is_picked_up_by_its_type_name(client, app, h, bus_enabled):
    """Suite transfers (issue 15) are being built beside the bus: their change-feed type is mapped by name, so
    the transfer and the escort record go out as soon as that type is emitted."""
    record = book(client, h["sergeant"], arrived=ago(hours=2))
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        row = Event(type="custody.transfer.created", entity="custody_transfer", entity_id=new_id(),
                    record_id=record["id"], at=utcnow(), data={"to_suite_name": "Kingsmere custody suite"})
        outbox.on_emit(session, row)
    sent = {m.routing_key: m.payload for m in messages(app)}
    assert sent["custody.transferred"]["data"]["transfer_to"] == "Kingsmere custody suite"
    escort = sent["handoff.escort.person_escort_record"]
    assert escort["data"]["reason"] == "transferred" and escort["data"]["person"]["surname"] == "Quilliam"
    assert contracts.problems(escort) == [] and contracts.problems(sent["custody.transferred"]) == []


def test_a_broker_url_turns_the_bus_on_and_health_shows_the_relay(sqlite_template, tmp_path):
    import shutil

    from server.app import create_app
    from server.integration.relay import Relay
    from server.settings import Settings, SettingsError
    from tests.server.asgi_client import AsgiClient

    path = tmp_path / "bus.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(Settings(database_url=f"sqlite:///{path}", broker_url="amqp://guest:guest@127.0.0.1:5672/"))
    try:
        assert isinstance(app.state.relay, Relay) and outbox.enabled(app.state.sessionmaker())
        with AsgiClient(app) as client:
            relay = client.get("/api/v1/health/process").json()["bus_relay"]
        assert relay["active"] is False and relay["sent"] == 0  # the lifespan starts it; this client skips it
    finally:
        app.state.engine.dispose()
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(broker_url="http://guest:s3cret@mq.example/")
    assert "BRIDEWELL_BROKER_URL" in str(refused.value) and "s3cret" not in str(refused.value)
