"""Force configuration defaults and overrides."""

import json
from datetime import timedelta

import pytest

from domain import charging
from domain.config import ConfigError, clock_config, load_defaults, load_force_config, observation_config
from domain.observation import ObservationConfig, ObservationLevel
from domain.pace_clock import ClockConfig


def test_defaults_match_the_law_defaults_in_code():
    cfg = load_defaults()
    assert clock_config(cfg) == ClockConfig()
    assert observation_config(cfg) == ObservationConfig()
    assert charging.caution_on_charge(cfg) == charging.DEFAULT_CAUTION_ON_CHARGE
    assert {"code": "cy", "name": "Welsh (Cymraeg)"} in cfg["notice_of_rights_languages"]


def write(tmp_path, doc):
    p = tmp_path / "force.json"
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return p


def test_force_file_overrides_a_subset(tmp_path):
    cfg = load_force_config(write(tmp_path, {"observation": {"interval_minutes": {"2": 15}},
                                             "caution_on_charge": "Force wording."}))
    obs = observation_config(cfg)
    assert obs.intervals[ObservationLevel.INTERMITTENT] == timedelta(minutes=15)
    assert obs.intervals[ObservationLevel.GENERAL] == timedelta(minutes=60)  # other levels keep defaults
    assert clock_config(cfg).basic_limit == timedelta(hours=24)  # untouched sections keep defaults
    assert charging.caution_on_charge(cfg) == "Force wording."


@pytest.mark.parametrize(
    ("doc", "part"),
    [({"clock": {"basic_limt_hours": 24}}, "clock.basic_limt_hours"),
     ({"clock": {"basic_limit_hours": -1}}, "positive number of hours"),
     ({"observation": {"interval_minutes": {"1": 0, "2": 30, "3": 15, "4": 15}}}, "interval_minutes.1"),
     ({"clock": 5}, "must be an object"),
     ("{not json", "not valid JSON"),
     ("[1]", "one JSON object")],
)
def test_bad_force_config_is_a_clear_error(tmp_path, doc, part):
    with pytest.raises(ConfigError, match=part.replace(".", r"\.")):
        load_force_config(write(tmp_path, doc))
