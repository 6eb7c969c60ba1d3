"""Shared client-test fixtures (imported by tests/desktop, tests/a11y and tests/e2e conftests or modules).

Environment first: offscreen Qt and the in-memory keyring must be set before Qt or keyring load.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"

import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from desktop.sync.client import ApiClient  # noqa: E402
from desktop.operations import Operations  # noqa: E402
from desktop.session import Session  # noqa: E402
from desktop.sync.local_store import LocalStore  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

DEMO_PASSWORD = "bridewell-demo"
# The offscreen platform warns when a dock floats; it is the test platform talking, not our code.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def custody_board(window):
    """The custody board: the custody area's central view (its model, proxy, table view, filter and heading)."""
    return window.areas["custody"].board


@dataclass
class RunningServer:
    url: str
    database_url: str
    stop: object


def start_server(database_url: str, demo: bool = True, port: int = 0) -> RunningServer:
    """The real API on 127.0.0.1 in a thread (uvicorn), on a chosen port so a test can stop and restart it."""
    import uvicorn

    from server.app import create_app
    from server.embedded import bind_socket
    from server.runtime import prepare_database
    from server.settings import Settings

    url = prepare_database(database_url, demo)
    app = create_app(Settings.from_env(database_url=url))
    sock = bind_socket(port=port)
    port = sock.getsockname()[1]
    # asyncio and h11, named, as the embedded server's thread (server/embedded.py): this server shares its process
    # with Qt and the tests, whatever else is installed.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           loop="asyncio", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    stopped = threading.Event()
    while not server.started and thread.is_alive():
        stopped.wait(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()
        app.state.engine.dispose()  # its pooled SQLite connections, closed now rather than whenever GC runs

    return RunningServer(f"http://127.0.0.1:{port}", url, stop)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    server = start_server(f"sqlite:///{tmp_path_factory.mktemp('server') / 'bridewell.sqlite3'}")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean_keyring():
    MemoryKeyring.clear()
    yield
    MemoryKeyring.clear()


@pytest.fixture
def ops(qapp):
    operations = Operations()
    yield operations
    operations.shutdown()


def signed_in_client(url: str, username: str = "sergeant") -> ApiClient:
    client = ApiClient(url)
    client.login(username, DEMO_PASSWORD)
    return client


@pytest.fixture
def make_window(qtbot, ops, tmp_path):
    """make_window(server_url, data_dir=None, username='sergeant') -> a shown MainWindow with the board loaded."""
    from desktop.main_window import MainWindow

    made = []

    def make(url: str, data_dir: Path | None = None, username: str = "sergeant", *, load: bool = True,
             suite: dict | None = None):
        data_dir = data_dir or tmp_path / "client"
        store = LocalStore(data_dir)
        client = ApiClient(url)
        user = client.login(username, DEMO_PASSWORD)["user"] if load else None
        session = Session(client, user)
        session.suite = suite  # the workstation's suite (issue 15); None: every suite
        window = MainWindow(session, ops, store, data_dir, feed_wait=1.0, start_background=False)
        qtbot.addWidget(window)
        made.append((window, store, client))
        window.show()
        if load:
            with qtbot.waitSignal(custody_board(window).records_loaded, timeout=10_000):
                window.start_background()
        return window

    yield make
    for window, _store, _client in made:
        window.close()
        window.shutdown()
    # Reads still running on the pool (a record's log loading, say) use the store: let them finish first,
    # without delivering their results to the closed windows.
    ops.shutdown(wait_for_reads=True)
    for _window, store, client in made:
        client.close()
        store.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if any(part in str(item.path) for part in ("tests/desktop", "tests/a11y", "tests/e2e")):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
