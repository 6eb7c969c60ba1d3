"""Start a real bridewell-server process (uvicorn) for end-to-end tests.

    with live_server(tmp_path, demo=True) as server:
        httpx.get(server.url + "/api/v1/health")
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    database_url: str
    log_path: Path


@contextlib.contextmanager
def live_server(tmp_path: Path, demo: bool = True, *, database_url: str | None = None,
                timeout: float = 30.0, extra_args: tuple[str, ...] = ()) -> Iterator[LiveServer]:
    """Run `python -m server` on a free port of 127.0.0.1 until the block ends; its output goes to a log file."""
    database_url = database_url or f"sqlite:///{tmp_path / 'live-server.sqlite3'}"
    log_path = tmp_path / "live-server.log"
    args = [sys.executable, "-m", "server", "--database-url", database_url, "--host", "127.0.0.1", "--port", "0",
            *extra_args]
    if demo:
        args.append("--demo-data")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=Path(__file__).resolve().parents[2])
    try:
        url = _wait_until_healthy(process, log_path, timeout)
        yield LiveServer(url=url, process=process, database_url=database_url, log_path=log_path)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _wait_until_healthy(process: subprocess.Popen, log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bridewell-server exited with {process.returncode}:\n{log_path.read_text()}")
        if url is None and (match := _LISTENING.search(log_path.read_text(errors="replace"))):
            url = match.group(1)
        if url is not None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    return url
        time.sleep(0.05)
    raise RuntimeError(f"bridewell-server did not become healthy in {timeout} s:\n{log_path.read_text()}")
