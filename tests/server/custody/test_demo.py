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
        transferred = record["person"]["surname"] == "Nankivell"  # re-assessed for the transfer (issue 15)
        assert record["risk_level"] in ("low", "medium", "high")
        assert record["risk_assessment_version"] == (2 if transferred else 1)
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
    # Three suites of different sizes and loads, and a transfer awaiting acceptance (issue 15).
    suites = client.get(f"{API}/suites", headers=sergeant).json()
    assert sorted((s["code"], s["cells_total"], s["detainees"]) for s in suites) == [
        ("EAS", 8, 3), ("GUL", 4, 1), ("PHC", 16, 10)]  # Nankivell is Gullhaven's until accepted
    assert by_name["Carrow"]["suite_code"] == "PHC" and by_name["Carrow"]["cell"] == "C3"
    moving = by_name["Nankivell"]["transfer"]
    assert moving["to_suite_name"] == "Eastmere" and by_name["Nankivell"]["suite_code"] == "GUL"
    incoming = client.get(f"{API}/transfers", params={"to_suite": moving["to_suite_id"]}, headers=sergeant).json()
    assert [t["name"] for t in incoming] == ["NANKIVELL, Oswin Talbot"]
