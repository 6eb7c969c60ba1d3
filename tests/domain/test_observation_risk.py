"""Observation schedules and risk assessment (domain.md §1.8, §2.1–2.3)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.observation import (
    CheckResult,
    CheckType,
    ObservationConfig,
    ObservationLevel,
    check_errors,
    is_medical_emergency,
    is_overdue,
    needs_healthcare,
    next_check_due,
)
from domain.risk import Answer, RiskResponse, RiskTo, Source, Trigger, assess, reassessment_reason

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("level", "last_check", "due"),
    [
        (ObservationLevel.GENERAL, None, T0 + 60 * M),
        (ObservationLevel.GENERAL, T0 + 50 * M, T0 + 110 * M),
        (ObservationLevel.INTERMITTENT, None, T0 + 30 * M),
        (ObservationLevel.INTERMITTENT, T0 + 20 * M, T0 + 50 * M),
        (ObservationLevel.CONSTANT, None, T0 + 15 * M),
        (ObservationLevel.CLOSE_PROXIMITY, T0 + 1 * M, T0 + 16 * M),
    ],
)
def test_next_check_due(level, last_check, due):
    assert next_check_due(level, level_set_at=T0, last_check_at=last_check) == due


def test_force_interval_override_and_overdue():
    cfg = ObservationConfig(intervals=ObservationConfig().intervals | {ObservationLevel.INTERMITTENT: 15 * M})
    due = next_check_due(ObservationLevel.INTERMITTENT, level_set_at=T0, config=cfg)
    assert due == T0 + 15 * M
    assert not is_overdue(due, T0 + 15 * M) and is_overdue(due, T0 + 16 * M)


@pytest.mark.parametrize(
    ("result", "emergency", "hcp"),
    [
        (CheckResult.FAILED_TO_ROUSE, True, True),
        (CheckResult.POOR_RESPONSE, False, True),
        (CheckResult.RESPONDED, False, False),
        (CheckResult.ASLEEP_BREATHING, False, False),
    ],
)
def test_rousing_outcomes(result, emergency, hcp):
    assert is_medical_emergency(result) is emergency
    assert needs_healthcare(result) is hcp


@pytest.mark.parametrize(
    ("level", "ctype", "result", "fields"),
    [
        (ObservationLevel.GENERAL, CheckType.LOOK, CheckResult.ASLEEP_BREATHING, []),
        (ObservationLevel.INTERMITTENT, CheckType.LOOK, CheckResult.ASLEEP_BREATHING, ["check_type"]),
        (ObservationLevel.INTERMITTENT, CheckType.ROUSE, CheckResult.ASLEEP_BREATHING, ["result"]),
        (ObservationLevel.INTERMITTENT, CheckType.ROUSE, CheckResult.RESPONDED, []),
        (ObservationLevel.GENERAL, CheckType.LOOK, CheckResult.FAILED_TO_ROUSE, ["result"]),
        (ObservationLevel.INTERMITTENT, CheckType.LOOK, CheckResult.NOT_IN_CELL, []),
    ],
)
def test_check_errors(level, ctype, result, fields):
    assert [e.field for e in check_errors(level, ctype, result)] == fields


def r(area, answer, source=Source.DETAINEE):
    return RiskResponse(area, answer, source, T0)


def test_assess_suggests_minimum_level_with_reasons():
    out = assess([r("alcohol_drugs", Answer.YES), r("violence", Answer.YES, Source.MARKERS),
                  r("medication", Answer.NO)])
    assert out.suggested_level == ObservationLevel.INTERMITTENT
    assert out.concerns == ("alcohol_drugs", "violence")
    assert RiskTo.STAFF in out.risk_to and RiskTo.SELF in out.risk_to
    assert any("alcohol" in reason for reason in out.reasons)
    assert "medication" not in out.unanswered and "pregnancy" in out.unanswered


def test_current_self_harm_thoughts_or_refusal_to_say_suggest_constant():
    assert assess([r("self_harm_current", Answer.YES)]).suggested_level == ObservationLevel.CONSTANT
    assert assess([r("self_harm_current", Answer.DECLINED)]).suggested_level == ObservationLevel.CONSTANT
    assert assess([r("self_harm_current", Answer.NO)]).suggested_level == ObservationLevel.GENERAL


@pytest.mark.parametrize(
    ("last", "events", "needed"),
    [
        (None, [], True),
        (T0, [], False),
        (T0, [(Trigger.CHARGE, T0 + M)], True),
        (T0 + 2 * M, [(Trigger.CHARGE, T0 + M)], False),
        (T0, [(Trigger.TRANSFER, T0 + M)], True),
        (T0, [(Trigger.BAIL_REFUSED, T0 + M)], True),
        (T0, [(Trigger.RELEASE, T0 + M)], True),
    ],
)
def test_reassessment(last, events, needed):
    assert (reassessment_reason(last, events) is not None) is needed
