from __future__ import annotations

from datetime import timedelta

import pytest

from server.db import normalise_url
from server.settings import Settings


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
