"""The force configuration and the one offence catalogue the server runs with.

The files (BRIDEWELL_FORCE_CONFIG, BRIDEWELL_OFFENCE_CATALOGUE; the settings the app was created with, else the
environment) are loaded once per process, checked at start-up (`configure`), and are version 0. Once an
administrator changes a setting in the client it is held in the database, versioned (server/config_store.py),
and every process uses the new version from its next request on: no restart. Outside a request (start-up, the
demo loader) the files are the configuration. Booking (custody) and charging (prosecution) both look offences up
in `catalogue()`; a charge keeps `catalogue_version()`.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from domain.config import (
    ConfigError,
    clock_config,
    load_force_config,
    observation_config,
    urgent_interview_role,
)
from domain.observation import ObservationConfig
from domain.offences import Catalogue, CatalogueError, catalogue_from_entries, load_catalogue
from domain.pace_clock import ClockConfig
from domain.roles import Role
from server import config_store
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
    for cached in (file_config, _file_clock, _file_observation, file_catalogue):
        cached.cache_clear()


def _load(settings: Settings) -> None:
    _clear()
    try:
        file_config()
    except (ConfigError, OSError) as exc:
        raise SettingsError(f"{env_name('force_config')}={settings.force_config}: {exc}") from None
    try:
        file_catalogue()
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


# -- the files: version 0 -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def file_config() -> dict[str, Any]:
    path = settings().force_config
    return load_force_config(path)


@lru_cache(maxsize=1)
def _file_clock() -> ClockConfig:
    return clock_config(file_config())


@lru_cache(maxsize=1)
def _file_observation() -> ObservationConfig:
    return observation_config(file_config())


@lru_cache(maxsize=1)
def file_catalogue() -> Catalogue:
    """BRIDEWELL_OFFENCE_CATALOGUE, else the force configuration's offence_catalogue_file, else the packaged one."""
    return load_catalogue(settings().offence_catalogue or file_config().get("offence_catalogue_file"))


# -- what is in force for this request ----------------------------------------------------------------------

class _Derived:
    """The typed views of one stored version, made once per version per process."""

    def __init__(self, version: int, data: dict[str, Any]):
        self.version = version
        self.config = {**file_config(), **data}
        self.clock = clock_config(self.config)
        self.observation = observation_config(self.config)


def _held(kind: str) -> tuple[config_store.ConfigStore, config_store.Held] | None:
    store = config_store.current.get()
    if store is None:
        return None
    held = store.held()[kind]
    return (store, held) if held.data is not None else None


def _settings_view() -> _Derived | None:
    found = _held(config_store.SETTINGS)
    if found is None:
        return None
    store, held = found
    key = (config_store.SETTINGS, held.version)
    view = store.derived.get(key)
    if not isinstance(view, _Derived):
        view = store.derived[key] = _Derived(held.version, held.data)
    return view


def force_config() -> dict[str, Any]:
    view = _settings_view()
    return view.config if view is not None else file_config()


def clock() -> ClockConfig:
    view = _settings_view()
    return view.clock if view is not None else _file_clock()


def local_day(at: datetime) -> date:
    """The force's local calendar day of a moment (Europe/London by default): what an officer calls the day of an
    arrest, a charge or a release (a UTC date is a day early from midnight to 01:00 BST)."""
    return at.astimezone(ZoneInfo(clock().local_zone)).date()


def observation() -> ObservationConfig:
    view = _settings_view()
    return view.observation if view is not None else _file_observation()


def settings_version() -> int:
    found = _held(config_store.SETTINGS)
    return found[1].version if found is not None else 0


def catalogue() -> Catalogue:
    found = _held(config_store.OFFENCES)
    if found is None:
        return file_catalogue()
    store, held = found
    key = (config_store.OFFENCES, held.version)
    loaded = store.derived.get(key)
    if not isinstance(loaded, Catalogue):
        loaded = store.derived[key] = catalogue_from_entries(held.data, "stored catalogue")
    return loaded


def catalogue_version() -> int:
    """The version of the catalogue in force (0: the files'); a charge keeps it."""
    found = _held(config_store.OFFENCES)
    return found[1].version if found is not None else 0


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
