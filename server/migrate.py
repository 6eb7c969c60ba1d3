"""Bring a database's schema up to date with Alembic (the only way the schema is ever created)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from server.db import make_engine, normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# `revision = '0013'` and `down_revision = '0012'` at the start of a line of a migration script.
_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)\s*$""",
                            re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # '%' would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def upgrade_if_needed(database_url: str) -> bool:
    """Upgrade to head unless the database is there already. True when migrations ran.

    Reading the one-row alembic_version table is a few milliseconds; `command.upgrade` on an up-to-date database
    still sets up Alembic's environment and takes its lock (~0.1 s more on every start of the client), and even
    importing Alembic to ask it for the head costs ~0.1-0.2 s: so a warm start compares the table with the head
    read from the scripts' own `revision` lines (quick_head_revision), and Alembic is imported only to migrate.
    """
    head = quick_head_revision()
    if head is not None and quick_current_revision(database_url) == head:
        return False
    if current_revision(database_url) == head_revision():
        return False
    upgrade(database_url)
    return True


def quick_head_revision() -> str | None:
    """The head from the migration scripts' `revision`/`down_revision` lines, without importing Alembic; None when
    they do not make one plain chain to a single head (a merge, a branch, a script written differently): then
    the caller asks Alembic (head_revision)."""
    revisions: dict[str, str | None] = {}
    for script in (MIGRATIONS / "versions").glob("*.py"):
        try:
            found = dict((name, value or None) for name, value in _REVISION_LINE.findall(script.read_text("utf-8")))
        except (OSError, UnicodeDecodeError):
            return None
        if "revision" not in found:
            continue  # __init__.py
        if "down_revision" not in found or found["revision"] is None:
            return None
        revisions[str(found["revision"])] = found["down_revision"]
    named_below = set(revisions.values())
    heads = [r for r in revisions if r not in named_below]
    return heads[0] if len(heads) == 1 and len(named_below) == len(revisions) else None


def quick_current_revision(database_url: str) -> str | None:
    """The database's revision from alembic_version (None: never migrated, or more than one row: a branch)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            return str(rows[0]) if len(rows) == 1 else None
    finally:
        engine.dispose()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # the package always ships its migrations
        raise RuntimeError("no Alembic revisions found in server/migrations")
    return head


def current_revision(database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
