"""Shared start-up steps for the CLI and the embedded server: check the URL, migrate, seed."""

from __future__ import annotations

from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from server.db import make_engine, make_sessionmaker, normalise_url


class StartupError(Exception):
    """A problem the person starting the server can fix; shown without a traceback."""


def check_url(database_url: str) -> str:
    try:
        url = normalise_url(database_url)
        make_engine(url).dispose()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        shown = "given" if "@" in database_url else repr(database_url)  # never echo a password
        raise StartupError(f"The database URL {shown} is not valid ({exc}). Use e.g. "
                           "sqlite:////path/to/bridewell.sqlite3 or postgresql://user@host/dbname.") from None
    return url


def prepare_database(database_url: str, demo: bool = False) -> str:
    """Validate the URL, apply migrations and optionally load the demo suite. Returns the normalised URL."""
    from server.migrate import upgrade

    url = check_url(database_url)
    try:
        upgrade(url)
        if demo:
            seed_demo(url)
    except DBAPIError as exc:
        raise StartupError(f"Cannot use the database at {_safe(url)}: {str(exc.orig).strip()}") from None
    except OSError as exc:
        raise StartupError(f"Cannot open the database at {_safe(url)}: {exc}") from None
    return url


def seed_demo(database_url: str) -> dict[str, int]:
    from server.demo import load_demo

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            return load_demo(session)
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
