"""Observation levels, cell checks and rousing.

Sources: /work/shared/domain.md §1.8 (hourly visits, Annex H rousing every 30 minutes), §2.2 (four APP levels)
and §2.3 (only a comprehensive verbal response counts; failure to rouse is a medical emergency).

Intervals are configuration (forces may set shorter ones, e.g. a 15-minute level 2). Levels 3 and 4 are
continuous; their "interval" is how often the continuous observation must be written up ([U] product default).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from domain.decision import FieldError


class ObservationLevel(IntEnum):
    GENERAL = 1
    INTERMITTENT = 2
    CONSTANT = 3
    CLOSE_PROXIMITY = 4


LEVEL_TITLES: dict[ObservationLevel, str] = {
    ObservationLevel.GENERAL: "Level 1 – general observation",
    ObservationLevel.INTERMITTENT: "Level 2 – intermittent observation (with rousing)",
    ObservationLevel.CONSTANT: "Level 3 – constant observation",
    ObservationLevel.CLOSE_PROXIMITY: "Level 4 – close proximity",
}


class CheckType(StrEnum):
    LOOK = "look"
    SPEAK = "speak"
    ROUSE = "rouse"
    ENTER = "enter"


CHECK_TYPE_TITLES: dict[CheckType, str] = {
    CheckType.LOOK: "Looked through the hatch / CCTV",
    CheckType.SPEAK: "Spoke to the detainee",
    CheckType.ROUSE: "Roused the detainee",
    CheckType.ENTER: "Entered the cell",
}


class CheckResult(StrEnum):
    RESPONDED = "responded"  # comprehensive verbal response
    AWAKE_SETTLED = "awake – settled"
    ASLEEP_BREATHING = "asleep – breathing observed"
    POOR_RESPONSE = "roused – response not comprehensive"
    FAILED_TO_ROUSE = "failed to rouse"
    NOT_IN_CELL = "not in cell (interview, hospital, exercise)"


@dataclass(frozen=True)
class ObservationConfig:
    intervals: dict[ObservationLevel, timedelta] = field(
        default_factory=lambda: {
            ObservationLevel.GENERAL: timedelta(minutes=60),  # Code C 9.3: at least hourly
            ObservationLevel.INTERMITTENT: timedelta(minutes=30),  # Annex H: roused at least every 30 min
            ObservationLevel.CONSTANT: timedelta(minutes=15),  # [U] write-up interval of continuous observation
            ObservationLevel.CLOSE_PROXIMITY: timedelta(minutes=15),  # [U] likewise
        }
    )
    # Levels at which each check must rouse the detainee (Annex H); a look alone does not count.
    rousing_levels: frozenset[ObservationLevel] = frozenset({ObservationLevel.INTERMITTENT})
    # How early a check counts as the due one is not a rule; warn this long before it falls due.
    warn_before: timedelta = timedelta(minutes=5)


DEFAULT_CONFIG = ObservationConfig()


def next_check_due(
    level: ObservationLevel,
    *,
    level_set_at: datetime,
    last_check_at: datetime | None = None,
    config: ObservationConfig = DEFAULT_CONFIG,
) -> datetime:
    """When the next check is due: the interval for the current level, from the last check's observed_at, or
    from when the level was set if no check has been made since. Raising the level after a check therefore
    can make a check due at once – deliberately, the detainee is now assessed as higher risk."""
    base = last_check_at if last_check_at is not None else level_set_at
    return base + config.intervals[level]


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now > due_at


def is_medical_emergency(result: CheckResult) -> bool:
    """APP: failure to rouse is a medical emergency – call an ambulance immediately (§2.3)."""
    return result is CheckResult.FAILED_TO_ROUSE


def needs_healthcare(result: CheckResult) -> bool:
    """Annex H: if the response raises any concern, call a healthcare professional (or an ambulance)."""
    return result in (CheckResult.FAILED_TO_ROUSE, CheckResult.POOR_RESPONSE)


ROUSE_ONLY_RESULTS = frozenset({CheckResult.FAILED_TO_ROUSE, CheckResult.POOR_RESPONSE})


def check_errors(
    level: ObservationLevel,
    check_type: CheckType,
    result: CheckResult,
    *,
    config: ObservationConfig = DEFAULT_CONFIG,
) -> list[FieldError]:
    """What is inconsistent about a recorded check, as field errors beside `check_type` / `result`."""
    errors: list[FieldError] = []
    if level in config.rousing_levels and check_type is not CheckType.ROUSE and result is not CheckResult.NOT_IN_CELL:
        errors.append(FieldError("check_type", f"At level {int(level)} each check must rouse the detainee "
                                 "and get a comprehensive verbal response (Code C Annex H)."))
    if result in ROUSE_ONLY_RESULTS and check_type is not CheckType.ROUSE:
        errors.append(FieldError("result", f"'{result}' can only be the result of a rousing check."))
    if (level in config.rousing_levels and check_type is CheckType.ROUSE
            and result is CheckResult.ASLEEP_BREATHING):
        errors.append(FieldError("result", "A rousing check needs a response: record 'responded', "
                                 "'roused – response not comprehensive' or 'failed to rouse'."))
    return errors
