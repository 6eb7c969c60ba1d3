"""The urgent-interview rule (Code C 11.15, 11.18) and its force-configured rank."""

import json

import pytest

from domain.config import ConfigError, load_defaults, load_force_config, urgent_interview_role
from domain.interviews import check_interview_start
from domain.roles import Role

SUPT, INSP, SGT = Role.SUPERINTENDENT, Role.INSPECTOR, Role.CUSTODY_SERGEANT


@pytest.mark.parametrize("awaited, grounds, role, required, ok, words", [
    (False, None, SGT, SUPT, True, ""),  # the appropriate adult is here (or not needed): nothing to authorise
    (True, None, SUPT, SUPT, False, "wait for them"),
    (True, "  ", SUPT, SUPT, False, "wait for them"),
    (True, "Risk to a missing child.", INSP, SUPT, False, "superintendent or above"),
    (True, "Risk to a missing child.", SUPT, SUPT, True, ""),
    (True, "Risk to a missing child.", INSP, INSP, True, ""),  # a force that sets inspector
    (True, "Risk to a missing child.", Role.INVESTIGATOR, SGT, False, "custody sergeant or above"),
])
def test_interview_without_the_appropriate_adult(awaited, grounds, role, required, ok, words):
    decision = check_interview_start(appropriate_adult_awaited=awaited, urgent_grounds=grounds,
                                     authoriser_role=role, required_role=required)
    assert decision.ok is ok and words in decision.reason


def test_the_rank_is_force_configuration(tmp_path):
    assert urgent_interview_role(load_defaults()) is SUPT
    path = tmp_path / "force.json"
    path.write_text(json.dumps({"interviews": {"urgent_authority_role": "inspector"}}))
    assert urgent_interview_role(load_force_config(path)) is INSP
    path.write_text(json.dumps({"interviews": {"urgent_authority_role": "chief_constable"}}))
    with pytest.raises(ConfigError, match="interviews.urgent_authority_role"):
        load_force_config(path)
