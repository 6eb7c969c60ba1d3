"""Force configuration: the packaged defaults (resources/config/force_defaults.json) merged with an optional
force file, and typed views of it for the clock and observation rules.

Source: common rule that every [U] item of /work/shared/domain.md is configurable with the stated default.
A force file may hold any subset of the keys; unknown keys are refused so a typing mistake in a force file is
reported rather than silently ignored.
"""

import json
import re
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.observation import ObservationConfig, ObservationLevel
from domain.pace_clock import ClockConfig
from domain.rights import RANK
from domain.roles import Role


class ConfigError(ValueError):
    """A force configuration file is malformed; the message names the key (`key`: its dotted path, if known)."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


# What an administrator may change in the client (server/config_store.py keeps it in the database, versioned).
# Not here: "format" (the file's own format) and "offence_catalogue_file" (the catalogue is edited as entries).
FILE_ONLY_KEYS = frozenset({"format", "offence_catalogue_file"})
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


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
            raise ConfigError(f"Unknown setting '{path}'. Check the spelling against force_defaults.json.", path)
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"Setting '{path}' must be an object of settings.", path)
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
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1000:
        raise ConfigError(f"Setting 'clock.{key}' must be a positive number of hours (at most 1000).",
                          f"clock.{key}")
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
        if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or not 0 < minutes <= 1440:
            raise ConfigError(f"Setting 'observation.interval_minutes.{int(level)}' must be a positive number "
                              "of minutes (at most 1440).", f"observation.interval_minutes.{int(level)}")
        intervals[level] = timedelta(minutes=minutes)
    try:
        rousing = frozenset(ObservationLevel(int(x)) for x in o["rousing_levels"])
    except (TypeError, ValueError) as e:
        raise ConfigError("Setting 'observation.rousing_levels' must list levels 1 to 4.",
                          "observation.rousing_levels") from e
    return ObservationConfig(intervals=intervals, rousing_levels=rousing,
                             warn_before=timedelta(minutes=o["warn_before_minutes"]))


def urgent_interview_role(cfg: dict[str, Any]) -> Role:
    """The rank that may authorise an urgent interview without the appropriate adult (Code C 11.18, [U])."""
    value = cfg["interviews"]["urgent_authority_role"]
    allowed = [str(r) for r in RANK]
    if value not in allowed:
        raise ConfigError("Setting 'interviews.urgent_authority_role' must be one of: " + ", ".join(allowed) + ".")
    return Role(value)
def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _leaf_problems(default: Any, value: Any, path: str) -> list[tuple[str, str]]:
    """Each value must have its default's JSON type: a number for a number, text for text, and so on."""
    if isinstance(default, dict):
        if not isinstance(value, dict):
            return [(path, "Give an object of settings here.")]
        if path == "observation.interval_minutes":
            extra = sorted(set(value) - set(default))
            return [(f"{path}.{k}", "Observation levels are 1 to 4.") for k in extra]
        out: list[tuple[str, str]] = []
        for key, sub in default.items():
            if not key.startswith("_") and key in value:
                out += _leaf_problems(sub, value[key], f"{path}.{key}" if path else key)
        return out
    if default is None:  # station_name: text or nothing
        ok = value is None or isinstance(value, str)
        return [] if ok else [(path, "Give a name, or leave it empty.")]
    if _number(default):
        return [] if _number(value) else [(path, "Give a number.")]
    if isinstance(default, str):
        return [] if isinstance(value, str) else [(path, "Give text.")]
    if isinstance(default, list):
        return [] if isinstance(value, list) else [(path, "Give a list.")]
    return []


def validate_values(values: Any, base: dict[str, Any] | None = None
                    ) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """An administrator's settings (any subset of the editable keys) merged over `base` (the configuration in
    force; the packaged defaults if not given), with every problem as (dotted key, message): the merged
    configuration when there is none, else None."""
    if not isinstance(values, dict):
        return None, [("", "Give an object of settings.")]
    defaults = base if base is not None else load_defaults()
    problems: list[tuple[str, str]] = []
    for key in values:
        if key in FILE_ONLY_KEYS or (key not in defaults and not key.startswith("_")):
            problems.append((key, f"'{key}' is not a setting an administrator can change here."))
    problems += _leaf_problems({k: v for k, v in defaults.items() if k not in FILE_ONLY_KEYS}, values, "")
    if problems:
        return None, problems
    try:
        merged = merge(defaults, {k: v for k, v in values.items() if not k.startswith("_")})
    except ConfigError as e:
        return None, [(e.key or "", str(e))]
    for check in (clock_config, observation_config):
        try:
            check(merged)
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            problems.append((getattr(e, "key", None) or "", str(e)))
    try:
        urgent_interview_role(merged)
    except ConfigError as e:
        problems.append(("interviews.urgent_authority_role", str(e)))
    problems += _range_problems(merged)
    return (None if problems else merged), problems


def _range_problems(cfg: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    zone = cfg["clock"]["local_zone"]
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        problems.append(("clock.local_zone", f"'{zone}' is not a time zone, e.g. Europe/London."))
    reviews = cfg["clock"]["reviews_before_extension"]
    if not isinstance(reviews, int) or isinstance(reviews, bool) or not 0 <= reviews <= 10:
        problems.append(("clock.reviews_before_extension", "Give a whole number from 0 to 10."))
    warn = cfg["observation"]["warn_before_minutes"]
    if not 0 <= warn <= 60:
        problems.append(("observation.warn_before_minutes", "Give a number of minutes from 0 to 60."))
    rights = cfg["rights"]
    if not 0 < rights["max_delay_hours"] <= 96:
        problems.append(("rights.max_delay_hours", "Give a number of hours above 0, at most 96."))
    if not isinstance(rights["juvenile_age"], int) or not 10 <= rights["juvenile_age"] <= 21:
        problems.append(("rights.juvenile_age", "Give a whole number of years from 10 to 21."))
    if not str(cfg["caution_on_charge"]).strip():
        problems.append(("caution_on_charge", "The caution on charge cannot be empty."))
    if cfg["station_name"] is not None and len(cfg["station_name"]) > 200:
        problems.append(("station_name", "At most 200 characters."))
    languages = cfg["notice_of_rights_languages"]
    seen: set[str] = set()
    for i, entry in enumerate(languages):
        where = f"notice_of_rights_languages.{i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) \
                or not isinstance(entry.get("name"), str) or set(entry) - {"code", "name"}:
            problems.append((where, "Each language is {code, name}, e.g. {\"code\": \"pl\", \"name\": \"Polish\"}."))
            continue
        if not _LANGUAGE_CODE.match(entry["code"]):
            problems.append((f"{where}.code", "A language code is 2 or 3 lower-case letters, e.g. pl."))
        elif entry["code"] in seen:
            problems.append((f"{where}.code", f"'{entry['code']}' is listed twice."))
        seen.add(entry["code"])
        if not entry["name"].strip() or len(entry["name"]) > 100:
            problems.append((f"{where}.name", "Give the language's name (at most 100 characters)."))
    if "en" not in seen and not any(p[0].startswith("notice_of_rights_languages") for p in problems):
        problems.append(("notice_of_rights_languages", "English (en) must stay in the list of notice languages."))
    for lvl in cfg["observation"]["rousing_levels"]:
        if not isinstance(lvl, int) or isinstance(lvl, bool) or not 1 <= lvl <= 4:
            problems.append(("observation.rousing_levels", "List levels 1 to 4."))
            break
    return problems


def editable(cfg: dict[str, Any]) -> dict[str, Any]:
    """The part of a configuration an administrator edits (comments and file-only keys left out)."""
    return {k: v for k, v in cfg.items() if not k.startswith("_") and k not in FILE_ONLY_KEYS}
