"""Server test fixtures: every HTTP test runs against SQLite (a fresh file) and PostgreSQL (a private schema).

PostgreSQL: one schema `bw_<random>` per pytest session inside database `test`, built by Alembic and dropped at
the end, so parallel runs never collide; tables are truncated between tests. The demo suite (`seeded`) is loaded
once into a template (a file, a schema) and copied into each test that asks for it. If PostgreSQL is unreachable the
PostgreSQL cases skip, unless BRIDEWELL_REQUIRE_POSTGRES=1 (CI), when they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import MetaData, text

from server.app import create_app
from server.audit import CHAINS, GENESIS
from server.db import make_engine, make_sessionmaker
from server.demo import DEMO_PASSWORD, load_demo
from server.migrate import upgrade
from server.settings import Settings
from tests.server.asgi_client import AsgiClient

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"


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


# The demo suite is loaded once and copied into each test that asks for `seeded` (loading it took ~4 s a test).
# Its times are relative to when it was loaded, so a copy older than this is loaded afresh rather than let them
# drift far. A test that asserts those relative facts (a level-3 check falls due within minutes of loading) is
# marked `fresh_demo` and loads its own.
SEED_MAX_AGE_S = 120.0
_SEEDED_KEY = pytest.StashKey[dict[str, int]]()


@dataclass
class _Seed:
    made_at: float
    where: str  # SQLite: the template file; PostgreSQL: the template schema
    counts: dict[str, int]
    tables: list[str] = field(default_factory=list)  # PostgreSQL: tables in foreign-key order


def _fresh(seed: _Seed | None) -> bool:
    return seed is not None and time.monotonic() - seed.made_at < SEED_MAX_AGE_S


def _load_demo_into(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            return load_demo(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _seeds(tmp_path_factory) -> Iterator[dict[str, _Seed]]:
    seeds: dict[str, _Seed] = {}
    yield seeds
    pg = seeds.get("postgresql")
    if pg is not None:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=_pg_user(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{pg.where}" CASCADE')


def _seeded_sqlite(seeds: dict[str, _Seed], template: str, tmp_path_factory) -> _Seed:
    seed = seeds.get("sqlite")
    if not _fresh(seed):
        path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
        shutil.copy(template, path)
        seed = seeds["sqlite"] = _Seed(time.monotonic(), str(path), _load_demo_into(f"sqlite:///{path}"))
    assert seed is not None
    return seed


def _search_path_url(url: str, schema: str) -> str:
    return url.rsplit("?options=", 1)[0] + f"?options=-csearch_path%3D{schema}"


def _seeded_postgres(seeds: dict[str, _Seed], url: str) -> _Seed:
    """A schema holding the demo suite, built by the same migrations as the test schema."""
    seed = seeds.get("postgresql")
    if _fresh(seed):
        assert seed is not None
        return seed
    schema = seed.where if seed is not None else f"{url.rsplit('%3D', 1)[1]}_seed"
    seed_url = _search_path_url(url, schema)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    upgrade(seed_url)
    counts = _load_demo_into(seed_url)
    engine = make_engine(seed_url)
    try:
        tables = [t.name for t in _reflect(engine).sorted_tables if t.name != "alembic_version"]
    finally:
        engine.dispose()
    seed = seeds["postgresql"] = _Seed(time.monotonic(), schema, counts, tables)
    return seed


def _reflect(engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def _pg_reset(url: str, seed: _Seed | None) -> None:
    """Empty every table of the test schema (RESTART IDENTITY: the event sequence starts again); with a seed,
    copy the demo rows and sequence positions in from the template schema."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                       "AND tablename <> 'alembic_version'")).all()
            # The audit triggers refuse deletes (migration 0006): a test database is emptied as the superuser,
            # with triggers off for this transaction only (session_replication_role needs a superuser; it turns
            # the foreign-key triggers off too, so the order does not matter). DELETE, not TRUNCATE: run before
            # every PostgreSQL test, TRUNCATE took ~90 ms (new files for ~40 tables), DELETE of a few rows ~25 ms.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            for name in conn.scalars(text("SELECT sequencename FROM pg_sequences "
                                          "WHERE schemaname = current_schema()")).all():
                conn.execute(text("SELECT setval(:n, 1, false)"), {"n": name})  # as RESTART IDENTITY did
            if seed is None:
                conn.execute(text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (:i, 0, :g)"),
                             [{"i": i, "g": GENESIS} for i in range(1, CHAINS + 1)])
            else:
                for table in seed.tables:
                    conn.execute(text(f'INSERT INTO {table} SELECT * FROM "{seed.where}".{table}'))
                sequences = conn.execute(text("SELECT sequencename, last_value FROM pg_sequences "
                                              "WHERE schemaname = :s AND last_value IS NOT NULL"),
                                         {"s": seed.where}).all()
                for name, last_value in sequences:
                    conn.execute(text("SELECT setval(:n, :v)"), {"n": name, "v": last_value})
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, _seeds, _cheap_argon2) -> str:
    """A fresh database; a copy of the demo suite when the test (directly or not) asks for `seeded`."""
    wants_demo = "seeded" in request.fixturenames and request.node.get_closest_marker("fresh_demo") is None
    if request.param == "sqlite":
        path = tmp_path / "bridewell.sqlite3"
        template = request.getfixturevalue("sqlite_template")
        if wants_demo:
            seed = _seeded_sqlite(_seeds, template, request.getfixturevalue("tmp_path_factory"))
            shutil.copy(seed.where, path)
            request.node.stash[_SEEDED_KEY] = dict(seed.counts)
        else:
            shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    pg_seed = _seeded_postgres(_seeds, url) if wants_demo else None
    _pg_reset(url, pg_seed)
    if pg_seed is not None:
        request.node.stash[_SEEDED_KEY] = dict(pg_seed.counts)
    return url


@pytest.fixture(scope="session")
def api_description() -> dict:
    """The OpenAPI document (every route and method), from an app that touches no database."""
    application = create_app(Settings(database_url="sqlite://"))
    try:
        return application.openapi()
    finally:
        application.state.engine.dispose()


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
def seeded(request, app) -> dict[str, int]:
    """The demo suite: copied in by `database_url`; loaded now for a `fresh_demo` test (or one that asked late)."""
    if _SEEDED_KEY in request.node.stash:
        return request.node.stash[_SEEDED_KEY]
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


def with_data(post, headers: dict[str, str], events: list[dict], base: str = "") -> list[dict]:
    """Events from GET /events (ids and types) with their data read as the desktop's feed reads it: one
    POST /events/data for the batch. `post` is AsgiClient.post or httpx.post (then `base` is the server URL)."""
    if not events:
        return events
    response = post(f"{base}/api/v1/events/data", json={"seqs": [e["seq"] for e in events]}, headers=headers)
    assert response.status_code == 200, response.text
    data = {item["seq"]: item["data"] for item in response.json()["events"]}
    return [{**e, "data": data[e["seq"]]} for e in events]
