"""Run the central API inside another process (the desktop client's single-workstation mode)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from server.app import create_app
from server.events import ChangeFeed
from server.runtime import prepare_database
from server.settings import Settings


@dataclass
class EmbeddedServer:
    url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _engine: Engine = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (pending long polls answer at once) and close the database connections."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._engine.dispose()


class StoppingServer(uvicorn.Server):
    """A uvicorn server that, when told to exit, first tells open long polls to answer at once.

    Without this uvicorn waits for them, then cancels them and prints a CancelledError traceback.
    """

    def __init__(self, app: FastAPI, **config: Any) -> None:
        self._feed: ChangeFeed = app.state.feed
        super().__init__(uvicorn.Config(app, **config))

    @property
    def should_exit(self) -> bool:
        return self._feed.stopping.is_set()

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self._feed.stop()
        else:
            self._feed.stopping.clear()


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when the listening
    # socket says TCP; with proto 0 Nagle stays on and every keep-alive response waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def start_embedded(database_url: str, demo: bool = False, *, start_timeout: float = 15.0) -> EmbeddedServer:
    """Migrate (and seed), then serve on 127.0.0.1 on a free port in a daemon thread. Raises StartupError."""
    url = prepare_database(database_url, demo)
    app = create_app(Settings.from_env(database_url=url))
    sock = bind_socket()
    port = sock.getsockname()[1]
    server = StoppingServer(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="bridewell-embedded-server",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        server.should_exit = True
        sock.close()
        raise RuntimeError(f"the embedded server did not start within {start_timeout:g} s")
    return EmbeddedServer(url=f"http://127.0.0.1:{port}", _server=server, _thread=thread,
                          _engine=app.state.engine)
