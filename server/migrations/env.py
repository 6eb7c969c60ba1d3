"""Alembic environment, configured from code (server.migrate); no alembic.ini at run time."""

from alembic import context

import server.models  # noqa: F401  (fills Base.metadata for autogenerate)
from server.db import Base, make_engine

target_metadata = Base.metadata


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


# Alembic sets context.config before running this file; a plain import (e.g. the layer check) does nothing.
if hasattr(context, "config"):
    if context.is_offline_mode():
        raise SystemExit("offline migrations are not supported; give a database URL")
    run_migrations_online()
