"""End to end through the real RabbitMQ: a detainee's journey through the API reaches the escort service (the
person escort record), the prosecutor (the case file) and the national records (arrest, charge, disposal, in
that order), each through its own queue, with only its own contracts."""

from __future__ import annotations

import pytest

from server.integration import handoffs
from server.integration.relay import Relay
from tests.server.integration.conftest import wait_until
from tests.server.integration.journey import journey
from tests.server.integration.test_outbox import check_journey, messages


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_journey_reaches_the_escort_the_prosecutor_and_the_national_records(client, app, h, users, bus_enabled,
                                                                           broker_url, exchange):
    engine = app.state.engine
    escort, prosecutor = handoffs.MemorySink(), handoffs.MemorySink()
    national = handoffs.SimulatedNationalRecords()
    consumers = [handoffs.consumer(handoffs.ESCORT, broker_url, engine, exchange=exchange, sink=escort),
                 handoffs.consumer(handoffs.PROSECUTION, broker_url, engine, exchange=exchange, sink=prosecutor),
                 handoffs.consumer(handoffs.NATIONAL_RECORDS, broker_url, engine, exchange=exchange,
                                   gateway=national)]
    relay = Relay(engine, broker_url, exchange=exchange, poll_s=0.1)
    try:
        for consumer in consumers:
            consumer.start()
        assert all(c.ready.wait(10) for c in consumers)
        relay.start()
        record = journey(client, app, h, users)
        check_journey(record, messages(app))
        # Counted once each consumer's transaction has committed (the sink has it a moment before).
        wait_until(lambda: [c.stats.handled for c in consumers] == [1, 1, 3], 15, "the three hand-offs")
        assert [kind for kind, _, _ in national.updates] == ["arrest", "charge", "disposal"]
        assert [m["type"] for m in escort.messages] == ["handoff.escort.person_escort_record"]
        assert escort.messages[0]["data"]["person"]["surname"] == "Quilliam"
        assert [m["type"] for m in prosecutor.messages] == ["handoff.prosecution.case_file"]
        assert prosecutor.messages[0]["data"]["custody_number"] == record["custody_number"]
        assert [c.stats.dead for c in consumers] == [0, 0, 0]
    finally:
        relay.stop()
        for consumer in consumers:
            consumer.stop()
