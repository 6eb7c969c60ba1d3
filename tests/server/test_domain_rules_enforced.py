"""Every rule function in domain/ is enforced by the server, with a test through the API (issue 14).

RULES names, for each rule function of domain/, the API test that breaks the rule and sees the server refuse
(or, for a rule that derives a state, sees the state served). A new rule function in domain/ fails this test
until it is enforced and named here — or listed in NOT_ENFORCED_BY_THE_SERVER with the reason. A rule that the
client checks but the server does not is how issue 14 found a warrant at +50 h accepted."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import domain

# domain function → "tests/…/file.py::test_name" that proves the server enforces it through the API.
RULES: dict[str, str] = {
    "custody_log.text_problem": "tests/server/test_bad_text.py::test_bad_log_text_is_a_field_error",
    "text.text_problem": "tests/server/test_bad_text.py::"
                         "test_every_write_route_refuses_bad_text_in_every_string_field",
    "disposal.disposal_errors": "tests/server/custody/test_disposal_and_authority.py::"
                                "test_disposal_details_are_checked",
    "grading.validate_grading": "tests/server/intelligence/test_reports.py::test_grading_is_validated_field_by_field",
    "identifiers.validate_pnc_id": "tests/server/people/test_people_api.py::"
                                   "test_a_second_record_with_the_same_pnc_id_is_refused",
    "identifiers.validate_cro": "tests/server/people/test_people_api.py::"
                                "test_pnc_and_cro_are_validated_and_stored_canonical",
    "observation.is_medical_emergency": "tests/server/custody/test_checks_and_risk.py::"
                                        "test_a_failed_rousing_is_a_medical_emergency",
    "observation.needs_healthcare": "tests/server/custody/test_checks_and_risk.py::"
                                    "test_a_failed_rousing_is_a_medical_emergency",
    "observation.check_errors": "tests/server/custody/test_checks_and_risk.py::test_a_level_two_check_must_rouse",
    "offences.code_problem": "tests/server/prosecution/test_charging.py::"
                             "test_an_offence_not_in_the_catalogue_is_refused",
    "pace_clock.booking_time_errors": "tests/server/custody/test_disposal_and_authority.py::"
                                      "test_detention_officers_book_in_but_only_the_sergeant_decides",
    "pace_clock.event_time_error": "tests/server/custody/test_checks_and_risk.py::"
                                   "test_checks_before_booking_in_or_in_the_future_are_refused",
    "pace_clock.check_postponement": "tests/server/custody/test_clock.py::"
                                     "test_postponement_needs_a_reason_and_keeps_the_review_due",
    "pace_clock.check_extension": "tests/server/custody/test_clock.py::"
                                  "test_no_extension_after_24_hours_or_for_a_summary_offence",
    "pace_clock.check_warrant_application": "tests/server/custody/test_clock.py::"
                                            "test_a_warrant_applied_for_late_or_after_the_authority_ran_out_is_refused",
    "pace_clock.check_court_authority": "tests/server/custody/test_clock.py::"
                                        "test_a_warrant_extension_never_runs_past_96_hours",
    "pace_clock.check_reviewer": "tests/server/custody/test_clock.py::test_review_rules_of_authority",
    "people.name_problem": "tests/server/people/test_people_api.py::test_impossible_dates_and_names_are_field_errors",
    "people.dob_problem": "tests/server/people/test_people_api.py::test_impossible_dates_and_names_are_field_errors",
    "rights.check_delay": "tests/server/custody/test_disposal_and_authority.py::"
                          "test_a_delay_of_rights_needs_the_rank_the_law_requires",
    "rights.is_juvenile": "tests/server/custody/test_booking.py::"
                          "test_juvenile_needs_an_appropriate_adult_until_one_arrives",
    "rights.appropriate_adult_reason": "tests/server/custody/test_booking.py::"
                                       "test_vulnerable_adult_needs_an_appropriate_adult",
    "risk.reassessment_reason": "tests/server/custody/test_checks_and_risk.py::"
                                "test_charge_asks_for_a_fresh_risk_assessment",
    "risk.disposal_reassessment_problem": "tests/server/custody/test_record_order_and_reassessment.py::"
                                          "test_each_way_out_needs_its_own_re_assessment",
    "risk.transfer_reassessment_problem": "tests/server/custody/test_transfers.py::"
                                          "test_a_transfer_keeps_one_record_and_its_clock",
    "interviews.check_interview_start": "tests/server/custody/test_interviews_property_history.py::"
                                        "test_juvenile_not_interviewed_while_the_appropriate_adult_is_awaited",
    "config.validate_values": "tests/server/admin/test_force_config.py::"
                              "test_a_change_is_versioned_audited_reaches_the_feed_and_the_next_booking_and_charge",
    "actions.transition": "tests/server/investigations/test_actions.py::test_action_life_cycle_with_history",
}

# Rule-shaped names in domain/ that are not rules the server has to enforce, and why.
NOT_ENFORCED_BY_THE_SERVER: dict[str, str] = {
    "force_view.is_open": "a display rule: which records the force view's figures count, kept live on the client from "
                          "the feed (the server serves open records only)",
    "risk.reassessment_problem": "the rule inside disposal_reassessment_problem and transfer_reassessment_problem, "
                                 "enforced through them",
    "identifiers.check_letter": "the arithmetic inside validate_pnc_id and validate_cro, enforced through them",
    "observation.is_overdue": "a display state: the server serves next_check_due and the client's one-second tick "
                              "decides 'overdue' against the workstation clock",
}

# What counts as a rule function: checks, validations, problems, errors, reasons, and yes/no state rules.
RULE_NAME = re.compile(r"^(check_|validate_|is_|needs_)|(_errors|_error|_problem|_reason)$|^transition$")


def _rule_functions() -> set[str]:
    found = set()
    for path in sorted(Path(domain.__file__).parent.glob("*.py")):
        module = importlib.import_module(f"domain.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and RULE_NAME.search(name):
                found.add(f"{path.stem}.{name}")
    return found


def test_every_domain_rule_is_enforced_by_the_server_or_said_why_not():
    rules = _rule_functions()
    unaccounted = rules - RULES.keys() - NOT_ENFORCED_BY_THE_SERVER.keys()
    assert not unaccounted, f"domain rules with no API test named in RULES: {sorted(unaccounted)}"
    stale = (RULES.keys() | NOT_ENFORCED_BY_THE_SERVER.keys()) - rules
    assert not stale, f"named here but no longer in domain/: {sorted(stale)}"


def test_every_named_api_test_exists_and_the_server_calls_the_rule():
    root = Path(__file__).resolve().parents[2]
    server_code = "\n".join(p.read_text() for p in (root / "server").rglob("*.py"))
    for rule, node in RULES.items():
        file, test = node.split("::")
        source = (root / file).read_text()
        assert re.search(rf"^def {test}\(", source, re.M), f"{rule}: {node} does not exist"
        name = rule.split(".")[1]
        assert re.search(rf"\b{name}\b", server_code), f"{rule} is named but the server never calls {name}"
