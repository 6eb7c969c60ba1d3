"""The OpenAPI document tells the truth: schemathesis drives every operation of a real server with two roles.

One test module per role (test_openapi_conformance_*.py), each with its own server: each run takes minutes, and as
two modules they go to the two xdist workers at once instead of one after the other on one.

Every check that needs no state between requests runs (tests/server/schemathesis.toml): no server errors, every
status code, content type, header and response body as documented, Allow on 405 naming the path's methods,
schema-invalid requests refused and schema-valid ones accepted (or refused for a documented, state-dependent
reason). Seeded and without an example database, so a CI run is the same run every time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import live_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Two roles between them reach every operation (the sergeant the custody side, the investigator the rest): a module
# each.
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("openapi"), demo=True, name="openapi") as running:
        yield running


def every_operation_answers_as_documented(server, role: str, tmp_path: Path) -> None:
    token = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": role, "password": "bridewell-demo"},
                       timeout=30).json()["token"]
    # Sign-out ends the token the run uses; the live-update wait holds each request for its whole timeout.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run",
         f"{server.url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--seed", "1",
         "--generation-database", "none", "--workers", "1", "--exclude-path-regex", "/auth/logout$|/events$",
         "--report", "junit", "--report-junit-path", str(tmp_path / "junit.xml")],
        capture_output=True, text=True, timeout=480, cwd=tmp_path)  # a hang guard; its cache stays out of the checkout
    summary = result.stdout[result.stdout.find("SUMMARY"):] or result.stdout[-3000:]
    assert result.returncode == 0, f"schemathesis found disagreements with the document:\n{result.stdout[-12000:]}"
    generated = re.search(r"(\d+) generated", summary)
    assert generated and int(generated.group(1)) > 1000, summary  # it really exercised the API
    assert "Selected: " in summary and "Tested: " in summary, summary
