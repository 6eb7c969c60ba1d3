"""The OpenAPI document tells the truth: schemathesis drives every operation of a real server, each once.

The operations are split between two roles, one test module each (test_openapi_conformance_*.py) with its own
server, so the two runs go to the two xdist workers at once: the demo sergeant drives the operations tagged
custody (most are the custody staff's alone), the demo investigator every other one. Each module checks that its
run selected exactly its share, so together they cover the whole document. (Each operation used to be driven by
both roles, which doubled the minutes for little: the other role's run met mostly 403s.)

Every check that needs no state between requests runs (tests/server/schemathesis.toml): no server errors, every
status code, content type, header and response body as documented, Allow on 405 naming the path's methods,
schema-invalid requests refused and schema-valid ones accepted (or refused for a documented, state-dependent
reason). Seeded and without an example database, so a CI run is the same run every time. Hypothesis's too_slow
health check is off: it judges how fast the data is generated, which the machine's load decides, not the API (it
failed POST /intelligence/reports at load 10).
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
CUSTODY_TAG = "custody"
# Random cases per operation in the fuzzing phase, after the coverage phase's boundary and negative cases (~70 per
# operation, deterministic). 15 cost the investigator's share 54 s of the suite's CPU for 760 cases, 5 cost 33 s
# for 260 (a fixed ~20 s is hypothesis building the strategies). Seeded: a change of count is a new draw (the
# first one at 5 found a 500, a 22-digit If-Match, since fixed).
FUZZ_EXAMPLES = 5
EXCLUDED = re.compile(r"/auth/logout$|/events$")  # sign-out ends the run's token; the live wait holds its timeout


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("openapi"), demo=True, name="openapi") as running:
        yield running


def every_operation_answers_as_documented(server, role: str, tmp_path: Path, *, custody: bool) -> None:
    """Drive the operations tagged custody (custody=True) or every other one, signed in as `role`."""
    token = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": role, "password": "bridewell-demo"},
                       timeout=30).json()["token"]
    document = httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30).json()
    share = sum(1 for path, operations in document["paths"].items() if not EXCLUDED.search(path)
                for operation in operations.values() if (CUSTODY_TAG in operation.get("tags", ())) == custody)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run",
         f"{server.url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--phases", "examples,coverage,fuzzing", "--max-examples", str(FUZZ_EXAMPLES), "--seed", "1",
         "--generation-database", "none", "--suppress-health-check", "too_slow", "--workers", "1",
         "--exclude-path-regex", EXCLUDED.pattern,
         "--include-tag" if custody else "--exclude-tag", CUSTODY_TAG,
         "--report", "junit", "--report-junit-path", str(tmp_path / "junit.xml")],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)  # a hang guard; its cache stays out of the checkout
    summary = result.stdout[result.stdout.find("SUMMARY"):] or result.stdout[-3000:]
    assert result.returncode == 0, f"schemathesis found disagreements with the document:\n{result.stdout[-12000:]}"
    generated = re.search(r"(\d+) generated", summary)
    assert generated and int(generated.group(1)) > 10 * share, summary  # it really exercised each operation
    selected = re.search(r"Selected: (\d+)", summary)
    assert selected and int(selected.group(1)) == share, summary  # exactly this run's share, none left out
    assert "Tested: " in summary, summary
