"""The demo suite is booked in properly: authorised detention, risk assessments, observation levels with
checks, one check overdue, one review due soon, a juvenile awaiting an appropriate adult, level-2 detainees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.server.custody.conftest import API


@pytest.mark.fresh_demo  # "one check overdue" holds only minutes after loading
def test_demo_detainees_are_booked_in_properly(client, sergeant, open_records):
    now = datetime.now(UTC)
    by_name = {r["person"]["surname"]: r for r in open_records}
    assert len(open_records) >= 14
    for record in open_records:
        assert record["detention_decision"]["decision"] == "authorised"
        assert record["risk_level"] in ("low", "medium", "high") and record["risk_assessment_version"] == 1
        assert record["observation_level"] in (1, 2, 3, 4) and record["offences"]
        assert record["relevant_time_basis"] and record["rights_notice"]["language"] == "en"
    overdue = [r["person"]["surname"] for r in open_records
               if datetime.fromisoformat(r["next_check_due"]) < now]
    assert overdue == ["Elsworth"]
    soon = [r for r in open_records if datetime.fromisoformat(r["next_review_due"]) - now < timedelta(hours=1)]
    assert [r["person"]["surname"] for r in soon] == ["Jessamy"]
    assert by_name["Carrow"]["juvenile"] and by_name["Carrow"]["appropriate_adult_awaited"]
    assert [r["person"]["surname"] for r in open_records if r["appropriate_adult_awaited"]] == ["Carrow"]
    assert sum(r["observation_level"] == 2 for r in open_records) >= 1
    assert by_name["Abernethy-Vole"]["reviews_done"] == 2
    checks = client.get(f"{API}/records/{by_name['Dunmore-Okafor']['id']}/checks", headers=sergeant).json()
    assert len(checks) >= 4 and all(c["checked_by"]["name"] == "Morwenna Trask" for c in checks)
    log = client.get(f"{API}/records/{by_name['Gorringe']['id']}/log", headers=sergeant).json()
    kinds = {e["kind"] for e in log}
    assert {"note", "detention_decision", "rights", "risk_assessment", "observation_level", "cell_check",
            "review", "drink", "meal"} <= kinds
