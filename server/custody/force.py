"""The force configuration and the one offence catalogue the server runs with (loaded once per process).

Which files come from Settings (BRIDEWELL_FORCE_CONFIG, BRIDEWELL_OFFENCE_CATALOGUE): the settings the app was
created with (`configure`, called by create_app, which loads both at once so a bad file stops start-up), else the
environment. Booking (custody) and charging (prosecution) both look offences up in `catalogue()`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from domain.config import (
    ConfigError,
    clock_config,
    load_force_config,
    observation_config,
    urgent_interview_role,
)
from domain.observation import ObservationConfig
from domain.offences import Catalogue, CatalogueError, load_catalogue
from domain.pace_clock import ClockConfig
from domain.roles import Role
from server.settings import Settings, SettingsError, env_name

_configured: Settings | None = None


def configure(settings: Settings) -> None:
    """Run with `settings`' files from now on; load them now. Raises SettingsError naming the variable (and keeps
    the files it had)."""
    global _configured
    previous, _configured = _configured, settings
    try:
        _load(settings)
    except SettingsError:
        _configured = previous
        _clear()
        raise


def _clear() -> None:
    for cached in (force_config, clock, observation, catalogue):
        cached.cache_clear()


def _load(settings: Settings) -> None:
    _clear()
    try:
        force_config()
    except (ConfigError, OSError) as exc:
        raise SettingsError(f"{env_name('force_config')}={settings.force_config}: {exc}") from None
    try:
        catalogue()
    except (CatalogueError, OSError) as exc:
        if settings.offence_catalogue:
            where = f"{env_name('offence_catalogue')}={settings.offence_catalogue}"
        elif settings.force_config:
            where = f"offence_catalogue_file of {env_name('force_config')}={settings.force_config}"
        else:
            where = "the packaged offence catalogue"
        raise SettingsError(f"{where}: {exc}") from None


def settings() -> Settings:
    return _configured or Settings.from_env()


@lru_cache(maxsize=1)
def force_config() -> dict[str, Any]:
    path = settings().force_config
    return load_force_config(path)


@lru_cache(maxsize=1)
def clock() -> ClockConfig:
    return clock_config(force_config())


@lru_cache(maxsize=1)
def observation() -> ObservationConfig:
    return observation_config(force_config())


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """BRIDEWELL_OFFENCE_CATALOGUE, else the force configuration's offence_catalogue_file, else the packaged one."""
    return load_catalogue(settings().offence_catalogue or force_config().get("offence_catalogue_file"))


def notice_languages() -> set[str]:
    return {entry["code"] for entry in force_config()["notice_of_rights_languages"]}


def notice_language_name(code: str) -> str:
    """'English' for 'en': the name the force configuration gives the language of a written notice."""
    names = {e["code"]: e.get("name") or e["code"] for e in force_config()["notice_of_rights_languages"]}
    return str(names.get(code, code))


def station_name() -> str | None:
    """The station (custody suite) the force configuration names, if it names one."""
    name = force_config().get("station_name")
    return str(name) if name else None


def urgent_interview_authority() -> Role:
    """The rank that may authorise interviewing a juvenile or vulnerable detainee before the appropriate adult
    arrives (force configuration `interviews.urgent_authority_role`)."""
    return urgent_interview_role(force_config())
