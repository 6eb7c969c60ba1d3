from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

import server.models  # noqa: F401
from server.auth.models import User
from server.custody.models import CustodyRecord, LogEntry
from server.db import Base, make_sessionmaker
from server.demo import DEMO_USERS, load_demo
from server.migrate import current_revision, head_revision


def _counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (User, CustodyRecord, LogEntry))


def test_demo_loads_twice_without_duplicating(app):
    factory = make_sessionmaker(app.state.engine)
    with factory() as session, session.begin():
        first = load_demo(session)
    with factory() as session, session.begin():
        second = load_demo(session)
    with factory() as session:
        users, records, entries = _counts(session)
        juveniles = session.scalar(select(func.count()).where(CustodyRecord.juvenile.is_(True)))
    assert first["users"] == len(DEMO_USERS) == users == 8
    assert first["records"] == records >= 14 and first["log_entries"] == entries > records
    assert second == {"users": 0, "records": 0, "log_entries": 0}
    assert juveniles >= 1


def test_migrations_reach_head_and_match_the_models(app, database_url):
    assert current_revision(database_url) == head_revision()
    with app.state.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
