"""Start a real bridewell-server process (uvicorn) for end-to-end tests.

    with live_server(tmp_path, demo=True) as server:
        httpx.get(server.url + "/api/v1/health")
"""

from __future__ import annotations

import contextlib
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

_LISTENING = re.compile(r"listening on (https?://\S+)")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    database_url: str
    log_path: Path


@contextlib.contextmanager
def live_server(tmp_path: Path, demo: bool = True, *, database_url: str | None = None,
                timeout: float = 30.0, extra_args: tuple[str, ...] = (), port: int = 0, name: str = "live-server",
                env: dict[str, str] | None = None, ca_bundle: str | None = None) -> Iterator[LiveServer]:
    """Run `python -m server` on 127.0.0.1 (a free port unless given) until the block ends; its output goes to
    a log file named after `name` (give several servers in one test different names)."""
    database_url = database_url or f"sqlite:///{tmp_path / 'live-server.sqlite3'}"
    log_path = tmp_path / f"{name}.log"
    args = [sys.executable, "-m", "server", "--database-url", database_url, "--host", "127.0.0.1", "--port",
            str(port), *extra_args]
    if demo:
        args.append("--demo-data")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    start = log_path.stat().st_size if log_path.exists() else 0  # where this run's output begins
    with open(log_path, "ab") as log:  # appended: a server restarted under the same name keeps one log
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=Path(__file__).resolve().parents[2])
    try:
        url = _wait_until_healthy(process, log_path, start, timeout, ca_bundle)
        yield LiveServer(url=url, process=process, database_url=database_url, log_path=log_path)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _wait_until_healthy(process: subprocess.Popen, log_path: Path, start: int, timeout: float,
                        ca_bundle: str | None = None) -> str:
    verify = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bridewell-server exited with {process.returncode}:\n{log_path.read_text()}")
        if url is None and (match := _LISTENING.search(log_path.read_bytes()[start:].decode(errors="replace"))):
            url = match.group(1)
        if url is not None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/health", timeout=2, verify=verify).status_code == 200:
                    return url
        time.sleep(0.05)
    raise RuntimeError(f"bridewell-server did not become healthy in {timeout} s:\n{log_path.read_text()}")


def free_port() -> int:
    """A port free now, for a server that must come back on the same address after a restart."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
