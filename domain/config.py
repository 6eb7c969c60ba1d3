"""Force configuration: the packaged defaults (resources/config/force_defaults.json) merged with an optional
force file, and typed views of it for the clock and observation rules.

Source: common rule that every [U] item of /work/shared/domain.md is configurable with the stated default.
A force file may hold any subset of the keys; unknown keys are refused so a typing mistake in a force file is
reported rather than silently ignored.
"""

import json
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from domain.observation import ObservationConfig, ObservationLevel
from domain.pace_clock import ClockConfig
from domain.rights import RANK
from domain.roles import Role


class ConfigError(ValueError):
    """A force configuration file is malformed; the message names the key."""


def load_defaults() -> dict[str, Any]:
    text = resources.files("resources.config").joinpath("force_defaults.json").read_text(encoding="utf-8")
    defaults: dict[str, Any] = json.loads(text)
    return defaults


def merge(base: dict[str, Any], override: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Deep merge: dictionaries merge key by key; anything else (lists included) is replaced."""
    out = dict(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else key
        if key.startswith("_"):
            continue  # comments
        if key not in base:
            raise ConfigError(f"Unknown setting '{path}'. Check the spelling against force_defaults.json.")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"Setting '{path}' must be an object of settings.")
            out[key] = merge(base[key], value, path)
        else:
            out[key] = value
    return out


def load_force_config(path: str | Path | None = None) -> dict[str, Any]:
    defaults = load_defaults()
    if path is None:
        return defaults
    p = Path(path)
    try:
        override = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{p.name}: not valid JSON ({e.msg}, line {e.lineno}).") from e
    if not isinstance(override, dict):
        raise ConfigError(f"{p.name}: the file must hold one JSON object of settings.")
    merged = merge(defaults, override)
    clock_config(merged)  # validate the typed views now, not at first use
    observation_config(merged)
    urgent_interview_role(merged)
    return merged


def _hours(section: dict[str, Any], key: str) -> timedelta:
    value = section[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"Setting 'clock.{key}' must be a positive number of hours.")
    return timedelta(hours=value)


def clock_config(cfg: dict[str, Any]) -> ClockConfig:
    c = cfg["clock"]
    return ClockConfig(
        basic_limit=_hours(c, "basic_limit_hours"),
        arrest_to_arrival_cap=_hours(c, "arrest_to_arrival_cap_hours"),
        second_area_cap=_hours(c, "second_area_cap_hours"),
        superintendent_limit=_hours(c, "superintendent_limit_hours"),
        superintendent_latest=_hours(c, "superintendent_latest_hours"),
        reviews_before_extension=int(c["reviews_before_extension"]),
        warrant_apply_by=_hours(c, "warrant_apply_by_hours"),
        court_not_sitting_grace=_hours(c, "court_not_sitting_grace_hours"),
        warrant_max_period=_hours(c, "warrant_max_period_hours"),
        absolute_limit=_hours(c, "absolute_limit_hours"),
        first_review_after=_hours(c, "first_review_after_hours"),
        review_interval=_hours(c, "review_interval_hours"),
        bail_breach_extra=_hours(c, "bail_breach_extra_hours"),
        local_zone=str(c["local_zone"]),
    )


def observation_config(cfg: dict[str, Any]) -> ObservationConfig:
    o = cfg["observation"]
    intervals = {}
    for level in ObservationLevel:
        minutes = o["interval_minutes"].get(str(int(level)))
        if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes <= 0:
            raise ConfigError(f"Setting 'observation.interval_minutes.{int(level)}' must be a positive number "
                              "of minutes.")
        intervals[level] = timedelta(minutes=minutes)
    try:
        rousing = frozenset(ObservationLevel(int(x)) for x in o["rousing_levels"])
    except (TypeError, ValueError) as e:
        raise ConfigError("Setting 'observation.rousing_levels' must list levels 1 to 4.") from e
    return ObservationConfig(intervals=intervals, rousing_levels=rousing,
                             warn_before=timedelta(minutes=o["warn_before_minutes"]))


def urgent_interview_role(cfg: dict[str, Any]) -> Role:
    """The rank that may authorise an urgent interview without the appropriate adult (Code C 11.18, [U])."""
    value = cfg["interviews"]["urgent_authority_role"]
    allowed = [str(r) for r in RANK]
    if value not in allowed:
        raise ConfigError("Setting 'interviews.urgent_authority_role' must be one of: " + ", ".join(allowed) + ".")
    return Role(value)
