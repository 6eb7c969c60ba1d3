"""Each printed or exported copy of a custody record or charge sheet is a disclosure under DPA 2018 s.62."""
from __future__ import annotations

from sqlalchemy import select

from server.audit import AuditEntry
from server.db import make_sessionmaker
from tests.server.custody.conftest import book, fields, new_id
from tests.server.prosecution.test_charging import API, charge_body, post


def disclosure(record_id: str, **overrides) -> dict:
    body = {"id": new_id(), "record_id": record_id, "document": "custody_record", "method": "print",
            "recipient": "Halloran & Pike Solicitors", "purpose": "Copy for solicitor", "destination": "CustodyLaser"}
    body.update(overrides)
    return body


def test_a_print_is_audited_as_a_disclosure_with_its_purpose(client, h, app):
    record = book(client, h["sergeant"])
    body = disclosure(record["id"])
    response = client.post(f"{API}/audit/disclosures", json=body,
                           headers={**h["detention"], "Idempotency-Key": body["id"]})
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["purpose"] == "Copy for solicitor" and out["by"]["name"]
    with make_sessionmaker(app.state.engine)() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "disclosure")).all()
    assert len(rows) == 1 and rows[0].entity_id == record["id"]
    assert "Copy for solicitor" in rows[0].justification and "Halloran & Pike" in rows[0].justification
    listed = client.get(f"{API}/custody/records/{record['id']}/disclosures", headers=h["sergeant"]).json()
    assert [d["id"] for d in listed] == [body["id"]]


def test_a_disclosure_needs_a_purpose_and_a_charge_sheet_needs_charges(client, h):
    record = book(client, h["sergeant"])
    response = client.post(f"{API}/audit/disclosures", json=disclosure(record["id"], purpose="  "),
                           headers=h["sergeant"])
    assert response.status_code == 422 and "purpose" in fields(response)
    response = client.post(f"{API}/audit/disclosures", json=disclosure(record["id"], document="charge_sheet",
                                                                       method="pdf"), headers=h["sergeant"])
    assert response.status_code == 422 and "document" in fields(response)
    assert post(client, h["sergeant"], record["id"], charge_body()).status_code == 201
    response = client.post(f"{API}/audit/disclosures", json=disclosure(record["id"], document="charge_sheet",
                                                                       method="pdf"), headers=h["sergeant"])
    assert response.status_code == 201
    response = client.post(f"{API}/audit/disclosures", json=disclosure(new_id()), headers=h["sergeant"])
    assert response.status_code == 422 and "record_id" in fields(response)
