"""The OpenAPI document tells the truth, driven by schemathesis as the demo investigator (every operation not
tagged custody: investigations, intelligence, people, administration and the rest):
tests/server/openapi_conformance.py says what is checked."""

import pytest

from tests.server.openapi_conformance import every_operation_answers_as_documented, server  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


def test_every_operation_answers_as_documented_to_the_investigator(server, tmp_path):  # noqa: F811
    every_operation_answers_as_documented(server, "investigator", tmp_path, custody=False)
