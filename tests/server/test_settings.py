from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.__main__ import main as server_main
from server.app import create_app
from server import force
from server.db import normalise_url
from server.settings import Settings, SettingsError


def test_defaults(monkeypatch):
    monkeypatch.delenv("BRIDEWELL_DATABASE_URL", raising=False)
    monkeypatch.delenv("BRIDEWELL_TOKEN_TTL_HOURS", raising=False)
    settings = Settings.from_env()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("bridewell-server.sqlite3")
    assert settings.token_ttl == timedelta(hours=12)
    assert settings.max_body_bytes == 12 * 1024 * 1024


def test_environment_and_arguments_override(monkeypatch):
    monkeypatch.setenv("BRIDEWELL_DATABASE_URL", "postgresql://custody@db.example.invalid/bridewell")
    monkeypatch.setenv("BRIDEWELL_TOKEN_TTL_HOURS", "8")
    settings = Settings.from_env()
    assert settings.database_url == "postgresql://custody@db.example.invalid/bridewell"
    assert settings.token_ttl == timedelta(hours=8)
    assert Settings.from_env(database_url="sqlite:////tmp/x.sqlite3").database_url == "sqlite:////tmp/x.sqlite3"


@pytest.mark.parametrize("url, expected", [
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u:p@h:5433/d", "postgresql+psycopg://u:p@h:5433/d"),
    ("sqlite:////tmp/a.sqlite3", "sqlite:////tmp/a.sqlite3"),
])
def test_postgres_urls_use_psycopg3(url, expected):
    assert normalise_url(url) == expected


ALL_VARIABLES = ["BRIDEWELL_DATABASE_URL", "BRIDEWELL_HOST", "BRIDEWELL_PORT", "BRIDEWELL_TOKEN_TTL_HOURS",
                 "BRIDEWELL_FUTURE_TOLERANCE_MINUTES", "BRIDEWELL_MAX_BODY_BYTES", "BRIDEWELL_FORCE_CONFIG",
                 "BRIDEWELL_OFFENCE_CATALOGUE"]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_keeps_its_name_and_meaning(clean_env, tmp_path):
    force_file = tmp_path / "force.json"
    force_file.write_text("{}")
    catalogue_file = tmp_path / "offences.json"
    catalogue_file.write_text('{"mode": "extend", "offences": []}')
    clean_env.setenv("BRIDEWELL_FUTURE_TOLERANCE_MINUTES", "5")
    clean_env.setenv("BRIDEWELL_MAX_BODY_BYTES", "1024")
    clean_env.setenv("BRIDEWELL_PORT", "8443")
    clean_env.setenv("BRIDEWELL_FORCE_CONFIG", str(force_file))
    clean_env.setenv("BRIDEWELL_OFFENCE_CATALOGUE", str(catalogue_file))
    settings = Settings.from_env()
    assert settings.future_tolerance == timedelta(minutes=5)
    assert settings.max_body_bytes == 1024
    assert settings.port == 8443 and Settings.from_env(port=0).port == 0  # an argument wins
    assert settings.force_config == force_file
    assert settings.offence_catalogue == catalogue_file


def test_an_empty_variable_counts_as_unset(clean_env):
    clean_env.setenv("BRIDEWELL_FORCE_CONFIG", "")
    clean_env.setenv("BRIDEWELL_TOKEN_TTL_HOURS", "")
    settings = Settings.from_env()
    assert settings.force_config is None
    assert settings.token_ttl == timedelta(hours=12)


@pytest.mark.parametrize("name, value, said", [
    ("BRIDEWELL_TOKEN_TTL_HOURS", "eight", "valid number"),
    ("BRIDEWELL_TOKEN_TTL_HOURS", "0", "greater than 0"),
    ("BRIDEWELL_MAX_BODY_BYTES", "12MB", "valid integer"),
    ("BRIDEWELL_PORT", "70000", "less than or equal to 65535"),
    ("BRIDEWELL_FUTURE_TOLERANCE_MINUTES", "-1", "greater than or equal to 0"),
    ("BRIDEWELL_FORCE_CONFIG", "/nowhere/force.json", "does not point to a file"),
    ("BRIDEWELL_OFFENCE_CATALOGUE", "/nowhere/offences.json", "does not point to a file"),
])
def test_a_bad_value_is_refused_naming_the_variable(clean_env, name, value, said):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert name in str(refused.value) and said in str(refused.value)


def test_a_bad_value_stops_the_server_cli_with_the_variable_named(clean_env, capsys):
    clean_env.setenv("BRIDEWELL_TOKEN_TTL_HOURS", "-3")
    assert server_main(["migrate"]) == 2
    assert "BRIDEWELL_TOKEN_TTL_HOURS" in capsys.readouterr().err


def test_with_makes_a_validated_copy(clean_env):
    settings = Settings.from_env(database_url="sqlite:////tmp/a.sqlite3")
    changed = settings.with_(max_body_bytes=10)
    assert (changed.max_body_bytes, changed.database_url) == (10, "sqlite:////tmp/a.sqlite3")
    assert settings.max_body_bytes == 12 * 1024 * 1024
    with pytest.raises(SettingsError, match="BRIDEWELL_MAX_BODY_BYTES"):
        settings.with_(max_body_bytes=-1)


@pytest.mark.parametrize("name, content, said", [
    ("BRIDEWELL_FORCE_CONFIG", '{"clock": {"basic_limit_hours": -1}}', "positive number of hours"),
    ("BRIDEWELL_FORCE_CONFIG", '{"clokc": {}}', "Unknown setting 'clokc'"),
    ("BRIDEWELL_OFFENCE_CATALOGUE", '{"offences": [{"code": "BANANA"}]}', "offences[0]"),
    ("BRIDEWELL_OFFENCE_CATALOGUE", "not json", "not valid JSON"),
])
def test_a_bad_force_file_stops_start_up_naming_the_variable(clean_env, tmp_path, name, content, said):
    running = Settings.from_env()
    force.configure(running)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    clean_env.setenv(name, str(bad))
    with pytest.raises(SettingsError) as refused:
        create_app(Settings.from_env(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert name in str(refused.value) and said in str(refused.value)
    assert force.settings() is running  # a refused configuration leaves the running one in place
    assert force.catalogue().lookup("TH68010", date.today()) is not None
