"""Run the central API for one workstation: in a child process beside the desktop client (spawn_embedded), or in a
thread of this process (start_embedded: tests and benches).

The client starts the child before its own GUI imports finish, on a socket it has already bound, so it knows the
address at once and a sign-in sent before the child is ready waits in the socket's queue instead of failing. The
child runs on the other core: importing FastAPI and building the app (~1.5 s) no longer delays the first window.

Importing this module is cheap (no FastAPI, uvicorn or SQLAlchemy): the client imports it first thing.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI
    from sqlalchemy import Engine

# The frozen client runs its own executable with this first argument to become the embedded server.
EMBEDDED_SERVER_FLAG = "--embedded-server"
# `bridewell --server-command ARGS` is `bridewell-server ARGS` (e.g. create-user): the frozen client has no
# separate server program, and its own database still needs a first administrator.
SERVER_COMMAND_FLAG = "--server-command"


def server_command_prefix() -> str:
    """How to run the server's command line on this installation, for messages."""
    return f"{os.path.basename(sys.executable)} {SERVER_COMMAND_FLAG}" if getattr(sys, "frozen", False) \
        else "bridewell-server"


def server_command(argv: list[str]) -> int:
    """`bridewell-server` with these arguments (the frozen client's way to it)."""
    from server.__main__ import main

    return main(argv)


# collector_paused(): how many are open (threads may overlap), and whether the collector was on before the first.
_paused = 0
_paused_lock = threading.Lock()
_collector_was_on = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a start-up imports its modules and builds its objects, then those
    objects frozen (gc.freeze: never scanned again) and the collector on again. Importing FastAPI, SQLAlchemy and
    the server's modules, or Qt and the client's, allocates hundreds of thousands of long-lived objects, and the
    collector scanned them again and again meanwhile: ~10% of the embedded server's start-up CPU and of the
    client's imports (docs/performance.md, issue 17's fourth round). Little garbage is made there (~260 objects
    in cycles for the client's imports): freezing it with the rest is cheaper than a full collection (~0.15 s).
    Nested and overlapping uses (threads) resume the collector once the last one ends."""
    global _paused, _collector_was_on
    with _paused_lock:
        if _paused == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0:
                gc.freeze()
                if _collector_was_on:
                    gc.enable()


READY, ERROR = "ready users=", "error "  # what the child writes on stdout: one line, then nothing


class EmbeddedStartError(Exception):
    """The embedded server could not start; the message says why (a bad data folder, a database error)."""


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


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when the listening
    # socket says TCP; with proto 0 Nagle stays on and every keep-alive response waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _build(database_url: str, demo: bool) -> tuple[FastAPI, uvicorn.Server]:
    from server.app import create_app
    from server.runtime import StoppingServer, prepare_database
    from server.settings import Settings

    url = prepare_database(database_url, demo)
    app = create_app(Settings.from_env(database_url=url))
    # asyncio and h11, as named: one person's requests gain nothing from httptools, and the installed build leaves
    # it out (packaging/bridewell.spec).
    server = StoppingServer(app, log_level="warning", access_log=False, lifespan="off", loop="asyncio", http="h11",
                            timeout_graceful_shutdown=2)
    return app, server


def start_embedded(database_url: str, demo: bool = False, *, start_timeout: float = 15.0) -> EmbeddedServer:
    """Migrate (and seed), then serve on 127.0.0.1 on a free port in a daemon thread. Raises StartupError."""
    app, server = _build(database_url, demo)
    sock = bind_socket()
    port = sock.getsockname()[1]
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


# The child process --------------------------------------------------------------------------------------------
class EmbeddedProcess:
    """The embedded server in a child process. It serves until stop(), or until this process ends (its stdin
    closes), so it never outlives the client."""

    def __init__(self, url: str, process: subprocess.Popen[str]):
        self.url = url
        self.process = process
        self._users: int | None = None
        self._lock = threading.Lock()

    def wait_ready(self, timeout: float = 120.0) -> int:
        """Block until the child serves; returns how many users its database has (0: a first run, no one can
        sign in). Raises EmbeddedStartError with the child's reason if it stopped."""
        with self._lock:
            if self._users is not None:
                return self._users
            out = self.process.stdout
            assert out is not None
            timer = threading.Timer(timeout, self.process.kill)  # a hung child: readline then sees EOF
            timer.start()
            try:
                for line in out:
                    if line.startswith(READY):
                        self._users = int(line[len(READY):])
                        return self._users
                    if line.startswith(ERROR):
                        raise EmbeddedStartError(line[len(ERROR):].strip())
            finally:
                timer.cancel()
            code = self.process.wait()
            raise EmbeddedStartError(f"the embedded server stopped before it was ready (exit code {code}); "
                                     "its messages are above in the terminal")

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the child to stop (long polls answer at once), then wait; kill it if it does not (SQLite in WAL
        mode loses nothing committed when its process is killed)."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()  # EOF on its stdin: the child's signal to stop
            except OSError:
                pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def child_command() -> list[str]:
    """How to start the child: this interpreter with the module, or the frozen client with the flag."""
    if getattr(sys, "frozen", False):
        return [sys.executable, EMBEDDED_SERVER_FLAG]
    return [sys.executable, "-m", "server.embedded"]


def spawn_embedded(database_url: str, demo: bool = False) -> EmbeddedProcess:
    """Bind 127.0.0.1 on a free port here, then start the child serving that socket. Returns at once (~5 ms):
    the URL answers as soon as the child is ready (wait_ready), and connections made before then queue."""
    sock = bind_socket()
    try:
        port = sock.getsockname()[1]
        command = [*child_command(), "--fd", str(sock.fileno()), "--database-url", database_url]
        if demo:
            command.append("--demo")
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   pass_fds=(sock.fileno(),))
    finally:
        sock.close()  # the child holds it now; if the child dies, connecting is refused rather than hanging
    return EmbeddedProcess(f"http://127.0.0.1:{port}", process)


def _stop_when_parent_goes(stdin: IO[str], server: uvicorn.Server) -> None:
    stdin.read()  # returns at EOF: the client closed it (stop) or ended
    server.should_exit = True


def _say_when_started(server: uvicorn.Server, thread_of_server: threading.Thread, users: int) -> None:
    while not server.started and thread_of_server.is_alive():
        time.sleep(0.005)
    if server.started:
        print(f"{READY}{users}", flush=True)


def _count_users(app: FastAPI) -> int:
    from sqlalchemy import func, select

    from server.auth.models import User

    with app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def child_main(argv: list[str] | None = None) -> int:
    """The child: migrate (and seed) when needed, then serve on the inherited socket until stdin closes."""
    from server.runtime import StartupError

    parser = argparse.ArgumentParser(prog="bridewell --embedded-server")
    parser.add_argument("--fd", type=int, required=True, help="listening socket inherited from the client")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    try:
        with collector_paused():
            app, server = _build(args.database_url, args.demo)
            users = _count_users(app)
    except (StartupError, RuntimeError) as exc:  # RuntimeError: a force configuration file that does not load
        print(f"{ERROR}{exc}", flush=True)
        return 2
    threading.Thread(target=_stop_when_parent_goes, args=(sys.stdin, server), daemon=True).start()
    threading.Thread(target=_say_when_started, args=(server, threading.current_thread(), users),
                     daemon=True).start()
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(child_main())
