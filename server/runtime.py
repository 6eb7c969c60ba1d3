"""Shared start-up steps for the CLI and the embedded server: check the URL, migrate, seed."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from server.db import make_engine, make_sessionmaker, normalise_url

if TYPE_CHECKING:
    from fastapi import FastAPI

    from server.events import ChangeFeed
    from server.settings import Settings


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
    except OSError as exc:  # SQLite: the file's folder cannot be created (a file in the way, no permission)
        raise StartupError(f"Cannot create the folder for the database at {_safe(database_url)}: "
                           f"{exc.strerror or exc}. Choose a folder you can write to.") from None
    return url


def prepare_database(database_url: str, demo: bool = False) -> str:
    """Validate the URL, apply migrations and optionally load the demo suite. Returns the normalised URL."""
    from server.migrate import upgrade_if_needed

    url = check_url(database_url)
    try:
        upgrade_if_needed(url)
        if demo:
            seed_demo(url)
    except DBAPIError as exc:
        raise StartupError(f"Cannot use the database at {_safe(url)}: {str(exc.orig).strip()}") from None
    except OSError as exc:
        raise StartupError(f"Cannot open the database at {_safe(url)}: {exc}") from None
    return url


def seed_demo(database_url: str) -> dict[str, int]:
    from server.demo import demo_is_loaded, load_demo

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            if demo_is_loaded(session):  # a warm start: five counts instead of loading row by row
                return {}
            return load_demo(session)
    finally:
        engine.dispose()


def check_workers(database_url: str, workers: int) -> None:
    if workers < 1:
        raise StartupError("--workers must be 1 or more.")
    if workers > 1 and make_url(database_url).get_backend_name() != "postgresql":
        # The embedded SQLite server wakes its waiters in-process and SQLite allows one writer at a time.
        raise StartupError(f"--workers {workers} needs PostgreSQL: a SQLite database is served by one process. "
                           "Use --workers 1, or a postgresql:// database URL.")


def serve(settings: Settings, sock: socket.socket) -> None:
    """Serve on a bound socket in this process, or in settings.workers processes sharing it (PostgreSQL only)."""
    check_workers(settings.database_url, settings.workers)
    if settings.workers == 1:
        _serve_here(settings, sock)
    else:
        _supervise(settings, sock)


def _serve_here(settings: Settings, sock: socket.socket) -> None:
    from server.app import create_app

    app = create_app(settings)
    tls: dict[str, Any] = {}
    if settings.certfile is not None and settings.keyfile is not None:
        tls = {"ssl_certfile": str(settings.certfile), "ssl_keyfile": str(settings.keyfile)}
    # Long polls (up to 30 s) answer at once on shutdown; clients simply poll again.
    # httptools parses HTTP in C (h11 was ~35% of the event loop's time under load, docs/performance.md); the
    # loop is asyncio's, named, not uvloop's (pyproject.toml says why).
    StoppingServer(app, log_level="info", access_log=settings.access_log, timeout_graceful_shutdown=3,
                   timeout_keep_alive=KEEP_ALIVE_S, loop="asyncio", http="httptools", **tls).run(sockets=[sock])


# How long an idle keep-alive connection stays open. Longer than the clients' own idle limit (httpx drops a
# connection idle for 5 s), so the client closes first: with both at 5 s (uvicorn's default), a client that sends
# its next request just as the server closes the connection gets no answer (RemoteProtocolError / ReadError), which
# the load benchmark saw at 200 stations when its clients ran late (issue 9, docs/performance.md, sixth round).
# A reverse proxy's upstream keep-alive should likewise be shorter than this.
KEEP_ALIVE_S = 30


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


def _worker_main(settings: Settings, sock: socket.socket) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    try:
        _serve_here(settings, sock)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent stops the workers
        pass


def _supervise(settings: Settings, sock: socket.socket) -> None:
    """Run worker processes on one listening socket; replace any that dies; stop them all on SIGTERM/SIGINT.

    Each worker is a complete server with its own pool and change-feed listener; PostgreSQL NOTIFY reaches
    the waiters of every worker, so no state is shared between them.
    """
    log = logging.getLogger("bridewell.server")
    spawn = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads or connections
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def start() -> tuple[BaseProcess, float]:
        process = spawn.Process(target=_worker_main, args=(settings, sock), name="bridewell-worker")
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(settings.workers)]
    log.info("started %d worker processes: %s", settings.workers, ", ".join(str(p.pid) for p, _ in running))
    try:
        while not stop.wait(0.5):
            for index, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                if time.monotonic() - started < 5 and process.exitcode not in (0, -signal.SIGKILL):
                    raise StartupError(f"A worker process failed to start (exit code {process.exitcode}); "
                                       "see the log above.")
                log.warning("worker %s exited (code %s); starting another", process.pid, process.exitcode)
                running[index] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: it answers its open long polls at once and exits
        for process, _ in running:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
