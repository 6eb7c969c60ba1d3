"""Migration 0011 (interviews in full, property): matches the models on both databases, and goes down and up."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import server.models  # noqa: F401
from server.db import Base, make_engine
from server.migrate import alembic_config, upgrade

MINE = {"custody_interviews", "custody_property"}


def _tables(diff) -> set[str]:
    parts = diff if isinstance(diff, tuple) else diff[0]
    names = set()
    for part in parts:
        table = getattr(part, "table", None)
        names.add(getattr(table, "name", None) or getattr(part, "name", None) or (part if isinstance(part, str)
                                                                                    else None))
    return names


def test_migration_matches_the_models(app, database_url):
    with app.state.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diffs if _tables(d) & MINE] == []


def test_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0011")
    command.downgrade(alembic_config(url), "0007")
    engine = make_engine(url)
    try:
        assert "custody_property" not in inspect(engine).get_table_names()
        assert "outcome" not in {c["name"] for c in inspect(engine).get_columns("custody_interviews")}
    finally:
        engine.dispose()
    upgrade(url, "0011")
