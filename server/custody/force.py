"""The force configuration and offence catalogue the custody rules run with (loaded once per process).

BRIDEWELL_FORCE_CONFIG names a force file (domain.config); without it the packaged defaults apply.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from domain.config import clock_config, load_force_config, observation_config
from domain.observation import ObservationConfig
from domain.offences import Catalogue, load_catalogue
from domain.pace_clock import ClockConfig


@lru_cache(maxsize=1)
def force_config() -> dict[str, Any]:
    return load_force_config(os.environ.get("BRIDEWELL_FORCE_CONFIG") or None)


@lru_cache(maxsize=1)
def clock() -> ClockConfig:
    return clock_config(force_config())


@lru_cache(maxsize=1)
def observation() -> ObservationConfig:
    return observation_config(force_config())


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue(force_config().get("offence_catalogue_file"))


def notice_languages() -> set[str]:
    return {entry["code"] for entry in force_config()["notice_of_rights_languages"]}
