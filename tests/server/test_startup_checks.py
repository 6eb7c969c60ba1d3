"""A warm start does no migration and no demo loading (issue 17): both are checked cheaply first."""

from __future__ import annotations

from sqlalchemy import func, select

from server.auth.models import User
from server.auth.passwords import verify_password
from server.db import make_engine, make_sessionmaker
from server.demo import DEMO_PASSWORD, demo_is_loaded
from server.migrate import head_revision, quick_current_revision, quick_head_revision, upgrade_if_needed
from server.runtime import prepare_database, seed_demo


def test_second_start_skips_migrations_and_demo_loading(tmp_path):
    url = f"sqlite:///{tmp_path / 'warm.sqlite3'}"
    prepare_database(url, demo=True)
    assert upgrade_if_needed(url) is False  # at head: nothing run
    assert seed_demo(url) == {}  # loaded: five counts, nothing added
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            assert demo_is_loaded(session)
            hashes = session.scalars(select(User.password_hash)).all()
            assert session.scalar(select(func.count()).select_from(User)) == 8
    finally:
        engine.dispose()
    assert len(set(hashes)) == 1  # one hash for the shared demo password, computed once
    assert verify_password(hashes[0], DEMO_PASSWORD)


def test_a_database_without_the_demo_is_seeded_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    prepare_database(url)  # migrated, no demo
    assert upgrade_if_needed(url) is False
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            assert not demo_is_loaded(session)
    finally:
        engine.dispose()
    assert seed_demo(url)["users"] == 8


def test_the_quick_head_read_from_the_scripts_is_alembics_head(tmp_path):
    """A warm start compares the database with the head read from the scripts' lines, without importing Alembic:
    it must be the head Alembic itself would migrate to, and a new database must not pass for migrated."""
    assert quick_head_revision() == head_revision()
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert quick_current_revision(url) is None
    assert upgrade_if_needed(url) is True
    assert quick_current_revision(url) == head_revision()
