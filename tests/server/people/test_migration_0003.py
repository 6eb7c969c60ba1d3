"""Migration 0003: matches the models on both databases, and fills search keys of people stored before it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import server.models  # noqa: F401
from server.db import Base, make_engine
from server.migrate import upgrade

MINE = {"people", "person_aliases", "person_addresses", "person_warning_markers", "person_merges",
        "person_merge_links", "investigations", "investigation_people", "lines_of_enquiry", "actions",
        "action_history", "intelligence_reports", "intelligence_gradings", "intelligence_report_people",
        "intelligence_report_locations", "intelligence_report_events"}


def _table_of(diff) -> str | None:
    for part in diff if isinstance(diff, tuple) else diff[0]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return table.name
        if isinstance(part, str) and part in MINE:
            return part
        if name in MINE:
            return name
    return None


def test_migration_matches_the_people_models(app, database_url):
    with app.state.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diffs if _table_of(d) in MINE] == []


def test_existing_people_get_search_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0002")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO people (id, surname, forenames, date_of_birth, created_at) VALUES "
                              "('p1', 'MacDonald', 'Stephen James', '1988-04-11', '2026-01-01 00:00:00')"))
        upgrade(url)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT surname_key, surname_sx, forename_key, forename_sx, dob_year, dob_month, "
                                    "dob_day, version FROM people")).one()
        assert tuple(row) == ("macdonald", "M235", "stephen", "S315", 1988, 4, 11, 1)
    finally:
        engine.dispose()
