"""Bring a database's schema up to date with Alembic (the only way the schema is ever created)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from server.db import make_engine, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # '%' would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def upgrade_if_needed(database_url: str) -> bool:
    """Upgrade to head unless the database is there already. True when migrations ran.

    Reading the one-row alembic_version table is a few milliseconds; `command.upgrade` on an up-to-date database
    still sets up Alembic's environment and takes its lock (~0.1 s more on every start of the client).
    """
    if current_revision(database_url) == head_revision():
        return False
    upgrade(database_url)
    return True


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # the package always ships its migrations
        raise RuntimeError("no Alembic revisions found in server/migrations")
    return head


def current_revision(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
