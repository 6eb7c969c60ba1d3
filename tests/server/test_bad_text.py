"""Bad text in any request body (a lone surrogate from a bad paste, a control character other than tab and new
line) is a 422 naming the field, never a 500, on SQLite and PostgreSQL (server/wire.py TextCheck)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime

import pytest

API = "/api/v1"
BAD = ["lone \ud800 surrogate", "bell \x07 inside", "escape \x1b[31m", "carriage \r return", "del \x7f", "c1 \x85"]


def _post(client, url: str, body, headers: dict[str, str], method: str = "POST"):
    # ensure_ascii: a lone surrogate cannot be UTF-8, so it travels as its JSON escape, as a browser or a
    # badly-behaved client would send it.
    return client.request(method, url, content=json.dumps(body).encode(),
                           headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("text", BAD)
def test_bad_log_text_is_a_field_error(client, sergeant, open_records, text):
    body = {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}
    url = f"{API}/custody/records/{open_records[0]['id']}/log"
    response = _post(client, url, body, sergeant)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "text" and "U+" in error["message"]
    # Nothing was stored, and the same key with clean text is then accepted (the refusal claimed nothing).
    clean = {**body, "text": "Clean text, tab\tand new line\nkept."}
    accepted = _post(client, url, clean, {**sergeant, "Idempotency-Key": body["id"]})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["text"] == clean["text"]


def test_bad_charge_particulars_name_the_nested_field(client, sergeant, open_records):
    body = {"id": str(uuid.uuid4()), "charged_at": datetime.now(UTC).isoformat(), "caution_given": True,
            "reply": "No reply.",
            "charges": [{"offence_code": "TH68010", "offence_date": date.today().isoformat(),
                         "particulars": {"place": "Quayside \ud83d Retail Park", "property": "gin\x00",
                                         "value": "45.98", "owner": "Harrowmart Stores Ltd"}}]}
    response = _post(client, f"{API}/custody/records/{open_records[0]['id']}/charges", body, sergeant)
    assert response.status_code == 422, response.text
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"charges.0.particulars.place", "charges.0.particulars.property"}
    assert "surrogate" in fields["charges.0.particulars.place"] and "NUL" in fields["charges.0.particulars.property"]


def _string_fields(schema: dict, components: dict) -> list[str]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return [name for name, prop in (schema.get("properties") or {}).items()
            if prop.get("type") == "string" or any(p.get("type") == "string" for p in prop.get("anyOf", []))]


def test_every_write_route_refuses_bad_text_in_every_string_field(client, sergeant, open_records):
    """A sweep over every POST/PUT/PATCH route with a JSON body: each string field holding a lone surrogate or a
    control character is a 422 naming it, whatever the route, the role or the rest of the body."""
    spec = client.get(f"{API}/openapi.json").json()
    components = spec["components"]["schemas"]
    checked = 0
    for route_path, operations in spec["paths"].items():
        for method in ("post", "put", "patch"):
            content = operations.get(method, {}).get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None or route_path.endswith("/batch"):  # batch: checked per request (test_batch.py)
                continue
            fields = _string_fields(schema, components)
            if not fields:
                continue
            path = re.sub(r"\{record_id\}", open_records[0]["id"], route_path)
            path = re.sub(r"\{[^}]+\}", lambda _m: str(uuid.uuid4()), path)
            for bad in ("x\ud800y", "x\x01y"):
                response = _post(client, path, {f: bad for f in fields}, sergeant, method.upper())
                assert response.status_code == 422, (method, route_path, response.text)
                assert {e["field"] for e in response.json()["errors"]} == set(fields), (method, route_path)
                checked += 1
    assert checked >= 40  # the sweep really went over the API's write routes


def test_tab_newline_and_ordinary_unicode_are_accepted(client, sergeant, open_records):
    text = "Tab\there, new line\nthere; Zoë, Łódź, 東京, emoji 🙂 — all kept."
    body = {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}
    response = _post(client, f"{API}/custody/records/{open_records[0]['id']}/log", body,
                     {**sergeant, "Idempotency-Key": body["id"]})
    assert response.status_code == 201, response.text
    assert response.json()["text"] == text
