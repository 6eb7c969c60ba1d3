"""The database going read-only or away is a 503 problem the client can explain, never a 500."""

from __future__ import annotations

import shutil

import pytest

from server.app import create_app
from server.db import make_sessionmaker
from server.demo import load_demo
from server.settings import Settings
from tests.server.asgi_client import AsgiClient

API = "/api/v1"


@pytest.fixture
def seeded_sqlite(sqlite_template, tmp_path) -> str:
    path = tmp_path / "suite.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(Settings(database_url=f"sqlite:///{path}"))
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        load_demo(session)
    app.state.engine.dispose()
    return str(path)


def test_read_only_sqlite_file_gives_503_problem(seeded_sqlite):
    # Opened read-only (as when the file or its folder lost write permission): reads work, writes cannot.
    app = create_app(Settings(database_url=f"sqlite:///file:{seeded_sqlite}?mode=ro&uri=true"))
    try:
        with AsgiClient(app) as client:
            assert client.get(f"{API}/health").status_code == 200
            response = client.post(f"{API}/auth/login", json={"username": "sergeant",
                                                               "password": "bridewell-demo"})
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert "read-only" in response.json()["detail"]
            assert response.headers["retry-after"] == "5"
    finally:
        app.state.engine.dispose()


def test_unreachable_postgresql_gives_503_problem():
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"))
    try:
        with AsgiClient(app) as client:
            response = client.post(f"{API}/auth/login", json={"username": "sergeant", "password": "whatever1"})
            assert response.status_code == 503
            assert "cannot be reached" in response.json()["detail"]
    finally:
        app.state.engine.dispose()
