"""Server test fixtures: every HTTP test runs against SQLite (a fresh file) and PostgreSQL (a private schema).

PostgreSQL: one schema `bw_<random>` per pytest session inside database `test`, built by Alembic and dropped at
the end, so parallel runs never collide; tables are truncated between tests. If PostgreSQL is unreachable the
PostgreSQL cases skip, unless BRIDEWELL_REQUIRE_POSTGRES=1 (CI), when they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from server.app import create_app
from server.db import make_engine, make_sessionmaker
from server.demo import DEMO_PASSWORD, load_demo
from server.migrate import upgrade
from server.settings import Settings
from tests.server.asgi_client import AsgiClient

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
TABLES = ["custody_log_entries", "custody_records", "people", "audit_log", "auth_tokens", "idempotency_keys",
          "events", "users"]


def _pg_user() -> str | None:
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=3):
                return user
        except psycopg.OperationalError:
            continue
    return None


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch):
    """Real argon2 hashes, with tiny cost parameters so seeding eight users per test stays fast."""
    from server.auth import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    user = _pg_user()
    if user is None:
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}/{PG_DB}"
        if os.environ.get("BRIDEWELL_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " and BRIDEWELL_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    schema = f"bw_{secrets.token_hex(6)}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = (f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}"
           f"?options=-csearch_path%3D{schema}")
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "bridewell.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[AsgiClient]:
    with AsgiClient(app) as test_client:
        yield test_client


@pytest.fixture
def seeded(app) -> dict[str, int]:
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        return load_demo(session)


def login(client: AsgiClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def sergeant(client, seeded) -> dict[str, str]:
    return login(client, "sergeant")


@pytest.fixture
def open_records(client, sergeant) -> list[dict]:
    response = client.get("/api/v1/custody/records", params={"open": "true"}, headers=sergeant)
    assert response.status_code == 200
    return response.json()
