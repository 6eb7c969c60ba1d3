"""Central API under load: simulated custody workstations against bridewell-server on PostgreSQL, and a bare app.

Each simulated workstation ("station") runs, with no think time:
  loop: read the board (GET /api/v1/custody/records?open=true), read one detainee's log, POST a log entry
        (a fresh UUID as entry id and Idempotency-Key, as the client's outbox does)
and meanwhile keeps one live-update wait open (GET /api/v1/events?after=SEQ&wait=25, re-sent as soon as it
answers), and after each wake that brought events reads what changed with POST /api/v1/events/data (the seqs of
that batch), as the client's feed does (desktop/sync/feed.py). After an error a station pauses 1 s before going
on, as the client's backoff would.

Targets, all in the same run, each starting from an identical copy of the database (migrated with
`bridewell-server migrate --demo-data`, in a private database on 127.0.0.1:5432, dropped at the end):
  server 1w  `bridewell-server` (a real uvicorn process), one worker process
  server 2w  the same with `--workers 2` (skipped with a note if this bridewell-server has no --workers)
  bare       bench/bare_app.py under uvicorn: the same loop with the least work (one query per read, one INSERT
             per write, no auth/audit/idempotency, waits on an in-process condition) - the floor to compare with
Then, per server target, `/api/v1/health` is probed at a steady rate with no waits open and again with 1,000 idle
waits open (nothing is written, so the waits only wait).

Run: .venv/bin/python bench/bench_load.py [--quick] [--levels 50,200,1000] [--duration 20] [--workers 1,2]
     [--markdown] [--generators 1]
Targets (issue 9): 0 errors; req/s >= 0.5x the bare app; p95 <= 2x the bare app's p95; with 1,000 idle waits
open, /api/v1/health p95 within 3x of its p95 with none.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing
import os
import platform
import random
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.demo import DEMO_PASSWORD  # noqa: E402 (after the sys.path line above)

API = "/api/v1"
REQUEST_TIMEOUT_S = 15.0  # a loop request that takes longer counts as a timeout (the client gives up too)
WAIT_S = 25.0
PAUSE_AFTER_ERROR_S = 1.0
LOOP_KINDS = ("board", "log", "post", "data")  # "data": POST /events/data after a wake
TOKENS_PER_USER = 2  # sessions of each demo user the stations share (sign-in is argon2: deliberately slow)
LATE_GENERATOR_MS = 50.0  # event-loop lag beyond this means the load generator, not the target, set the pace
TARGETS_RPS, TARGET_P95, TARGET_HEALTH = 0.5, 2.0, 3.0
FEED_BATCH = 500  # the most events one answer carries (server.events.BATCH), so the most seqs a data read names


class BenchError(Exception):
    """A set-up problem the person running the benchmark can fix; printed without a traceback."""


# ---------------------------------------------------------------- PostgreSQL: private databases


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    prefix: str = field(default_factory=lambda: f"bench_load_{secrets.token_hex(4)}")

    @classmethod
    def find(cls, host: str, port: int) -> Postgres:
        errors = []
        for user in ("postgres", "root"):
            try:
                with psycopg.connect(host=host, port=port, dbname="postgres", user=user, connect_timeout=3):
                    return cls(host, port, user)
            except psycopg.OperationalError as exc:
                errors.append(f"as {user}: {str(exc).strip().splitlines()[0].split(' failed: ')[-1]}")
        raise BenchError(f"PostgreSQL is not reachable at {host}:{port} (" + "; ".join(errors)
                         + "). Start it (see /work/shared/recipes.md) or give --pg-host/--pg-port.")

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{db}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(host=self.host, port=self.port, dbname="postgres", user=self.user,
                             autocommit=True) as conn:
            conn.execute(sql)

    def scalar(self, db: str, sql: str):
        with psycopg.connect(host=self.host, port=self.port, dbname=db, user=self.user) as conn:
            return conn.execute(sql).fetchone()[0]

    def ids(self, db: str) -> list[str]:
        with psycopg.connect(host=self.host, port=self.port, dbname=db, user=self.user) as conn:
            rows = conn.execute("SELECT id FROM custody_records WHERE status <> 'released' ORDER BY id").fetchall()
        return [r[0] for r in rows]

    @property
    def template(self) -> str:
        return f"{self.prefix}_tpl"

    @property
    def run_db(self) -> str:
        return f"{self.prefix}_run"

    def fresh_copy(self) -> str:
        """An identical starting point for every target: a copy of the migrated, demo-filled template."""
        self.admin(f'DROP DATABASE IF EXISTS "{self.run_db}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{self.run_db}" TEMPLATE "{self.template}"')
        return self.run_db

    def drop_all(self) -> None:
        for db in (self.run_db, self.template):
            with contextlib.suppress(psycopg.Error):
                self.admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "bridewell-server"
    return [str(script)] if script.exists() else [sys.executable, "-m", "server"]


def build_template(pg: Postgres) -> None:
    pg.admin(f'CREATE DATABASE "{pg.template}"')
    cmd = server_command() + ["--database-url", pg.url(pg.template), "--demo-data", "migrate"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise BenchError(f"{shlex.join(cmd)} failed:\n{done.stdout}{done.stderr}")


def has_workers_option() -> bool:
    done = subprocess.run(server_command() + ["--help"], check=False, capture_output=True, text=True, cwd=ROOT)
    return "--workers" in done.stdout


# ---------------------------------------------------------------- processes under test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A server process (its own session, so its workers can be stopped with it), its log and its base URL."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, api: str, logdir: Path):
        self.name, self.port, self.api = name, port, api
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = logdir / f"{name.replace(' ', '-')}-{port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open as long as the process; closed in stop()
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=ROOT, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode} on start:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}{self.api}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer /health within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_summary(self) -> str:
        """The commonest exceptions in the server log (what the server said while the figures were taken)."""
        if not self._log.closed:
            self._log.flush()
        found: Counter[str] = Counter()
        for line in self.log_path.read_text(errors="replace").splitlines():
            # The last line of each traceback; CancelledError is only this benchmark stopping the server.
            if re.match(r"[\w.]+(Error|Exception|Timeout)\w*: ", line) and "CancelledError" not in line:
                found[re.sub(r"\d+(\.\d+)?", "N", line.split(" (Background on this error")[0].strip())[:160]] += 1
        return "; ".join(f"{n}x {text}" for text, n in found.most_common(2))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # the session this benchmark started, nothing else
                self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # any worker left behind by a crashed supervisor
        self._log.close()


def start_server(pg: Postgres, db: str, workers: int, logdir: Path) -> Served:
    port = free_port()
    cmd = server_command() + ["--database-url", pg.url(db), "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    served = Served(f"server {workers}w", cmd, {}, port, API, logdir)
    served.wait_ready()
    return served


def start_bare(pg: Postgres, db: str, logdir: Path) -> Served:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "bare_app:app",
           "--host", "127.0.0.1", "--port", str(port), "--timeout-graceful-shutdown", "2", "--no-access-log",
           "--loop", "asyncio", "--http", "httptools"]
    served = Served("bare", cmd, {"BENCH_DATABASE_URL": pg.url(db)}, port, "", logdir)
    served.wait_ready()
    return served


# ---------------------------------------------------------------- CPU accounting from /proc

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, float] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2:].split()
    # comm, ppid, CPU seconds: its own (utime + stime) and its finished children's (cutime + cstime), so a
    # PostgreSQL backend or a server worker that exits during the run still counts.
    return comm, int(rest[1]), sum(int(x) for x in rest[11:15]) / TICKS


def _all_stats() -> dict[int, tuple[str, int, float]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            out[int(entry)] = st
    return out


def cpu_seconds(roots: list[int] | None = None, comm: str | None = None) -> float:
    """CPU time of the process trees under roots, or of every process named comm (all PostgreSQL backends)."""
    stats = _all_stats()
    if comm is not None:
        return sum(cpu for c, _ppid, cpu in stats.values() if c == comm)
    tree, changed = set(roots or []), True
    while changed:
        changed = False
        for pid, (_c, ppid, _cpu) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(stats[p][2] for p in tree if p in stats)


def machine_busy() -> tuple[float, float]:
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# ---------------------------------------------------------------- the load generator


@dataclass
class Shard:
    """What one generator process runs: its share of the stations against one target."""

    base: str
    api: str
    bare: bool
    stations: range
    total: int
    tokens: list[str]
    record_ids: list[str]
    start_seq: int
    start_at: float  # wall clock (time.time()): every shard starts together
    warmup: float
    duration: float
    wait_s: float
    think: float


@dataclass
class ShardResult:
    samples: list[tuple[str, float, object]]  # (kind, latency s, status code or error name) completed in window
    cpu_s: float
    lag_ms: list[float]


def _paths(shard: Shard) -> dict[str, str]:
    if shard.bare:
        return {"board": "/board", "log": "/records/{}/log", "events": "/events", "data": "/events/data"}
    return {"board": f"{API}/custody/records?open=true", "log": f"{API}/custody/records/{{}}/log",
            "events": f"{API}/events", "data": f"{API}/events/data"}


async def _timed(samples: list, window: list[float], kind: str, request, limit: float = REQUEST_TIMEOUT_S
                 ) -> httpx.Response | None:
    """Send, and note (kind, seconds, status or error) if it finished inside the window. httpx's timeout is per
    phase (connect, then read), so the whole request is also bounded here."""
    t0 = time.perf_counter()
    response, outcome = None, None
    try:
        response = await asyncio.wait_for(request, limit)
        outcome = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        outcome = "timeout"
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    t1 = time.perf_counter()
    if window[0] <= t1 <= window[1]:
        samples.append((kind, t1 - t0, outcome))
    return response


_LAST_SEQ = re.compile(rb'"last_seq"\s*:\s*(\d+)\s*}\s*$')


async def _station(n: int, shard: Shard, client: httpx.AsyncClient, samples: list, window: list[float],
                   delay: float) -> None:
    await asyncio.sleep(delay)
    rng = random.Random(n)
    paths = _paths(shard)
    headers = {} if shard.bare else {"Authorization": f"Bearer {shard.tokens[n % len(shard.tokens)]}"}

    async def wait_loop() -> None:
        after = shard.start_seq
        while True:
            r = await _timed(samples, window, "wait", client.get(
                paths["events"], params={"after": after, "wait": shard.wait_s}, headers=headers,
                timeout=shard.wait_s + REQUEST_TIMEOUT_S), shard.wait_s + REQUEST_TIMEOUT_S)
            if r is None or r.status_code != 200:
                await asyncio.sleep(PAUSE_AFTER_ERROR_S)
                continue
            # Only the new position is parsed (parsing up to 500 events per wake would load the generator): the
            # batch's seqs are (after, last_seq], at most FEED_BATCH of them (the server reads missing ones as
            # nothing, so a gap in the sequence costs the same as the real list).
            found = _LAST_SEQ.search(r.content[-64:])
            last = int(found.group(1)) if found else r.json()["last_seq"]
            if last > after:
                seqs = list(range(max(after, last - FEED_BATCH) + 1, last + 1))
                d = await _timed(samples, window, "data", client.post(paths["data"], json={"seqs": seqs},
                                                                      headers=headers))
                if d is None or d.status_code != 200:
                    await asyncio.sleep(PAUSE_AFTER_ERROR_S)
                    continue  # asked again from the same position, as the client's feed does
            after = last

    async def work_loop() -> None:
        while True:
            ok = True
            r = await _timed(samples, window, "board", client.get(paths["board"], headers=headers))
            ok &= r is not None and r.status_code == 200
            record_id = rng.choice(shard.record_ids)
            r = await _timed(samples, window, "log", client.get(paths["log"].format(record_id), headers=headers))
            ok &= r is not None and r.status_code == 200
            key = str(uuid.uuid4())
            body = {"id": key, "kind": "note", "observed_at": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
                    "text": f"Bench station {n}: checked through the hatch, lying on the bench, breathing observed."}
            r = await _timed(samples, window, "post", client.post(
                paths["log"].format(record_id), json=body, headers={**headers, "Idempotency-Key": key}))
            ok &= r is not None and r.status_code == 201
            if not ok:
                await asyncio.sleep(PAUSE_AFTER_ERROR_S)
            elif shard.think:
                await asyncio.sleep(shard.think * rng.uniform(0.5, 1.5))

    await asyncio.gather(wait_loop(), work_loop())


async def _lag_monitor(lags: list[float], window: list[float]) -> None:
    while True:
        t0 = time.perf_counter()
        await asyncio.sleep(0.05)
        t1 = time.perf_counter()
        if window[0] <= t1 <= window[1]:
            lags.append((t1 - t0 - 0.05) * 1000)


_TLS = ssl.create_default_context()  # shared: one client per station would otherwise each build one


async def _run_shard(shard: Shard) -> ShardResult:
    samples: list = []
    lags: list[float] = []
    await asyncio.sleep(max(0.0, shard.start_at - time.time()))
    now = time.perf_counter()
    window = [now + shard.warmup, now + shard.warmup + shard.duration]
    ramp = shard.warmup * 0.6  # stations join spread over the first part of the warm-up
    # One small client per station (its loop and its wait: two connections), like real workstations; a single
    # pool of 2,000 connections costs the generator a scan per request.
    clients = [httpx.AsyncClient(base_url=shard.base, verify=_TLS, timeout=REQUEST_TIMEOUT_S,
                                 limits=httpx.Limits(max_connections=2, max_keepalive_connections=2))
               for _ in shard.stations]
    tasks = [asyncio.create_task(_station(n, shard, c, samples, window, ramp * n / shard.total))
             for n, c in zip(shard.stations, clients, strict=True)]
    tasks.append(asyncio.create_task(_lag_monitor(lags, window)))
    await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
    cpu0 = time.process_time()
    await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
    cpu = time.process_time() - cpu0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return ShardResult(samples, cpu, lags)


def run_shard(shard: Shard) -> ShardResult:
    return asyncio.run(_run_shard(shard))


def generate(base: str, api: str, bare: bool, stations: int, tokens: list[str], record_ids: list[str],
             start_seq: int, args: argparse.Namespace) -> ShardResult:
    procs = max(1, min(args.generators, stations))
    start_at = time.time() + (2.0 if procs > 1 else 0.0)  # time for spawned generators to import httpx
    shards = [Shard(base, api, bare, range(i, stations, procs), stations, tokens, record_ids, start_seq, start_at,
                    args.warmup, args.duration, WAIT_S, args.think) for i in range(procs)]
    if procs == 1:
        return run_shard(shards[0])
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(run_shard, shards)
    return ShardResult([s for p in parts for s in p.samples], sum(p.cpu_s for p in parts),
                       [lag for p in parts for lag in p.lag_ms])


def sign_in(base: str, count_per_user: int) -> list[str]:
    tokens = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for username in ("detention", "sergeant"):
            for _ in range(count_per_user):
                r = client.post(f"{API}/auth/login", json={"username": username, "password": DEMO_PASSWORD})
                if r.status_code != 200:
                    raise BenchError(f"Sign-in as {username} answered {r.status_code}: {r.text[:300]}")
                tokens.append(r.json()["token"])
    return tokens


# ---------------------------------------------------------------- the idle-waits check


async def _health_probe(client: httpx.AsyncClient, path: str, seconds: float, rate: float) -> list[tuple]:
    samples: list = []
    window = [0.0, float("inf")]
    tasks = []
    start = time.perf_counter()
    n = 0
    while (due := start + n / rate) < start + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(_timed(samples, window, "health", client.get(path))))
        n += 1
    await asyncio.gather(*tasks)
    return samples


def established(port: int) -> int:
    """Connections the server side holds open on this port (IPv4), to show the waits really are open."""
    count = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


async def _idle_check(base: str, token: str, start_seq: int, waits: int, seconds: float, rate: float) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    wait_samples: list = []
    everything = [0.0, float("inf")]
    async with httpx.AsyncClient(base_url=base, verify=_TLS, timeout=REQUEST_TIMEOUT_S,
                                 limits=httpx.Limits(max_connections=8)) as probe:
        cpu0 = time.process_time()
        quiet = await _health_probe(probe, f"{API}/health", seconds, rate)
        clients = [httpx.AsyncClient(base_url=base, verify=_TLS, limits=httpx.Limits(max_connections=1))
                   for _ in range(waits)]

        async def one_wait(client: httpx.AsyncClient, delay: float) -> None:
            await asyncio.sleep(delay)
            while True:
                r = await _timed(wait_samples, everything, "wait", client.get(
                    f"{API}/events", params={"after": start_seq, "wait": WAIT_S}, headers=headers,
                    timeout=WAIT_S + REQUEST_TIMEOUT_S), WAIT_S + REQUEST_TIMEOUT_S)
                if r is None or r.status_code != 200:
                    await asyncio.sleep(PAUSE_AFTER_ERROR_S)

        opening = min(5.0, seconds / 2)
        tasks = [asyncio.create_task(one_wait(c, opening * i / max(1, waits))) for i, c in enumerate(clients)]
        await asyncio.sleep(opening + 2.0)  # all sent, and the server has had a moment to take them in
        open_before = established(int(base.rsplit(":", 1)[1]))
        busy = await _health_probe(probe, f"{API}/health", seconds, rate)
        open_after = established(int(base.rsplit(":", 1)[1]))
        cpu = time.process_time() - cpu0
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return {"quiet": quiet, "busy": busy, "waits": wait_samples, "gen_cpu_s": cpu,
            "open": min(open_before, open_after)}


# ---------------------------------------------------------------- figures


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def error_text(outcomes: Counter) -> str:
    bad = {k: v for k, v in outcomes.items() if not (isinstance(k, int) and 200 <= k < 300)}
    if not bad:
        return "0"
    return ", ".join(f"{k}: {v}" for k, v in sorted(bad.items(), key=lambda kv: (-kv[1], str(kv[0]))))


@dataclass
class Row:
    level: int
    target: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: str
    n_errors: int
    waits_ok: int
    wait_errors: str
    cpu: str
    note: str = ""
    vs_rps: float | None = None
    vs_p95: float | None = None


def summarise(level: int, target: str, result: ShardResult, duration: float, cpu: str, note: str) -> Row:
    loop = [s for s in result.samples if s[0] in LOOP_KINDS]
    waits = [s for s in result.samples if s[0] == "wait"]
    ok = [s for s in loop if isinstance(s[2], int) and 200 <= s[2] < 300]
    lat = [s[1] * 1000 for s in loop]  # every answered or timed-out loop request, errors included
    loop_outcomes = Counter(s[2] for s in loop)
    wait_outcomes = Counter(s[2] for s in waits)
    errors = len(loop) - len(ok) + len(waits) - wait_outcomes.get(200, 0)
    return Row(level, target, len(ok) / duration, pct(lat, 0.5), pct(lat, 0.95), pct(lat, 0.99),
               error_text(loop_outcomes), errors, wait_outcomes.get(200, 0), error_text(wait_outcomes), cpu, note)


def fmt_ms(v: float) -> str:
    return "-" if math.isnan(v) else (f"{v:.0f}" if v >= 10 else f"{v:.1f}")


def fmt_ratio(v: float | None, good: bool) -> str:
    if v is None or math.isnan(v):
        return "-"
    return f"{v:.2f}x " + ("(meets)" if good else "(MISSES)")


HEAD = ["stations", "target", "req/s", "p50 ms", "p95 ms", "p99 ms", "loop errors", "waits answered",
        "wait errors", "req/s vs bare", "p95 vs bare", "CPU cores gen/server/pg/machine"]


def row_cells(r: Row) -> list[str]:
    rps_good = r.vs_rps is not None and r.vs_rps >= TARGETS_RPS
    p95_good = r.vs_p95 is not None and r.vs_p95 <= TARGET_P95 and r.n_errors == 0
    p95 = fmt_ratio(r.vs_p95, p95_good)
    if "timeout" in r.errors and r.vs_p95 is not None:
        p95 = "≥" + p95  # a timed-out request counts as its 15 s, so this p95 is only a lower bound
    return [f"{r.level:,}", r.target, f"{r.rps:.1f}", fmt_ms(r.p50), fmt_ms(r.p95), fmt_ms(r.p99), r.errors,
            f"{r.waits_ok:,}", r.wait_errors, fmt_ratio(r.vs_rps, rps_good), p95, r.cpu]


def print_table(head: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for cells in rows:
            print("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        return
    widths = [max(len(h), *(len(c[i]) for c in rows)) if rows else len(h) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for cells in rows:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))


# ---------------------------------------------------------------- the run


def measure_level(pg: Postgres, level: int, target: str, workers: int, args: argparse.Namespace,
                  logdir: Path) -> Row:
    t_setup = time.perf_counter()
    db = pg.fresh_copy()
    record_ids = pg.ids(db)
    bare = target == "bare"
    served = start_bare(pg, db, logdir) if bare else start_server(pg, db, workers, logdir)
    try:
        t_up = time.perf_counter() - t_setup
        tokens = [] if bare else sign_in(served.base, TOKENS_PER_USER)
        start_seq = 0 if bare else int(pg.scalar(db, "SELECT coalesce(max(seq), 0) FROM events"))
        t_setup = time.perf_counter() - t_setup
        pg_cpu0, srv_cpu0, (busy0, all0) = cpu_seconds(comm="postgres"), cpu_seconds([served.proc.pid]), machine_busy()
        t0 = time.perf_counter()
        result = generate(served.base, served.api, bare, level, tokens, record_ids, start_seq, args)
        # CPU over the whole run (warm-up included): the generator's own figure is for the window only.
        wall = time.perf_counter() - t0
        busy1, all1 = machine_busy()
        cores = os.cpu_count() or 1
        cpu = (f"{result.cpu_s / args.duration:.2f}/{(cpu_seconds([served.proc.pid]) - srv_cpu0) / wall:.2f}/"
               f"{(cpu_seconds(comm='postgres') - pg_cpu0) / wall:.2f}/{cores * (busy1 - busy0) / (all1 - all0):.2f}")
        lag = pct(result.lag_ms, 0.95)
        note = f"load average {os.getloadavg()[0]:.1f}; generator loop lag p95 {lag:.0f} ms"
        if lag > LATE_GENERATOR_MS or result.cpu_s / args.duration / min(args.generators, level) > 0.85:
            note += " (the generator was late: its own delay is inside these latencies)"
        row = summarise(level, target, result, args.duration, cpu, note)
    finally:
        t_stop = time.perf_counter()
        served.stop()
        print(f"    set-up {t_setup:.1f} s (ready after {t_up:.1f} s), stop {time.perf_counter() - t_stop:.1f} s",
              file=sys.stderr, flush=True)
    if said := served.log_summary():
        row.note = (row.note + "; " if row.note else "") + f"server log: {said}"
    return row


def idle_check(pg: Postgres, workers: int, args: argparse.Namespace, logdir: Path) -> list[str]:
    db = pg.fresh_copy()
    served = start_server(pg, db, workers, logdir)
    try:
        token = sign_in(served.base, 1)[0]
        start_seq = int(pg.scalar(db, "SELECT coalesce(max(seq), 0) FROM events"))
        out = asyncio.run(_idle_check(served.base, token, start_seq, args.idle_waits, args.health_seconds,
                                      args.health_rate))
    finally:
        served.stop()
    quiet = [s[1] * 1000 for s in out["quiet"]]
    busy = [s[1] * 1000 for s in out["busy"]]
    q95, b95 = pct(quiet, 0.95), pct(busy, 0.95)
    ratio = b95 / q95 if q95 > 0 else float("nan")
    errors = error_text(Counter(s[2] for s in out["busy"]))
    note = served.log_summary()
    return [f"server {workers}w", f"{args.idle_waits:,} ({out['open']:,})", fmt_ms(pct(quiet, 0.5)), fmt_ms(q95),
            fmt_ms(pct(busy, 0.5)),
            fmt_ms(b95), ("≥" if "timeout" in errors else "") + fmt_ratio(ratio, ratio <= TARGET_HEALTH), errors,
            error_text(Counter(s[2] for s in out["waits"])), note or "-"]


def machine_text() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = subprocess.run(["nproc"], check=False, capture_output=True, text=True).stdout.strip()
    uname = subprocess.run(["uname", "-a"], check=False, capture_output=True, text=True).stdout.strip()
    return f"nproc {nproc} ({model}); `uname -a`: {uname}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=None, help="stations per level, comma-separated (default 50,200,1000)")
    parser.add_argument("--duration", type=float, default=None, help="measured seconds per level (default 20)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before measuring (default 6)")
    parser.add_argument("--workers", default="1,2", help="server worker counts to run (default 1,2)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare app (ratios then show '-')")
    parser.add_argument("--idle-waits", type=int, default=1000, help="open waits for the health check (0: skip)")
    parser.add_argument("--health-seconds", type=float, default=None, help="each health probe phase (default 10)")
    parser.add_argument("--health-rate", type=float, default=20.0, help="health probes per second")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a station pauses after each loop (default 0: back to back)")
    parser.add_argument("--generators", type=int, default=1, help="load generator processes (default 1)")
    parser.add_argument("--quick", action="store_true", help="a ~2-minute smoke: levels 50,200, 8 s each")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs (their folder is printed)")
    args = parser.parse_args(argv)
    quick = args.quick
    if args.levels is None:
        args.levels = "50,200" if quick else "50,200,1000"
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]  # "" runs only the idle-waits check
    args.duration = args.duration or (8.0 if quick else 20.0)
    args.warmup = args.warmup or (4.0 if quick else 6.0)
    args.health_seconds = args.health_seconds or (5.0 if quick else 10.0)
    args.workers = [int(x) for x in args.workers.split(",") if x.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    try:
        pg = Postgres.find(args.pg_host, args.pg_port)
    except BenchError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 2
    workers = list(args.workers)
    notes = [(f"Stations share {TOKENS_PER_USER * 2} sign-ins ({TOKENS_PER_USER} sessions each of the demo detention "
              "officer and custody sergeant); sign-in itself is not measured.")]
    if any(w > 1 for w in workers) and not has_workers_option():
        skipped = [w for w in workers if w > 1]
        workers = [w for w in workers if w == 1]
        notes.append(f"This bridewell-server has no --workers option: the {'/'.join(map(str, skipped))}-worker "
                     "runs were skipped.")
    logdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
    version = ""
    rows: list[Row] = []
    idle_rows: list[list[str]] = []
    try:
        print(f"[{datetime.now(UTC):%H:%M:%S}] building the template database ...", file=sys.stderr, flush=True)
        build_template(pg)
        version = pg.scalar(pg.template, "SHOW server_version")
        load0 = os.getloadavg()
        for level in args.levels:
            targets = [("bare", 0)] * (not args.no_bare) + [(f"server {w}w", w) for w in workers]
            level_rows = []
            for name, w in targets:
                print(f"[{datetime.now(UTC):%H:%M:%S}] {level} stations -> {name} ...", file=sys.stderr, flush=True)
                level_rows.append(measure_level(pg, level, name, w, args, logdir))
            bare = next((r for r in level_rows if r.target == "bare"), None)
            for r in level_rows:
                if bare is not None and r is not bare:
                    r.vs_rps = r.rps / bare.rps if bare.rps else float("nan")
                    r.vs_p95 = r.p95 / bare.p95 if bare.p95 > 0 else float("nan")
            rows += level_rows
        if args.idle_waits > 0:
            for w in workers:
                print(f"[{datetime.now(UTC):%H:%M:%S}] {args.idle_waits} idle waits -> server {w}w ...",
                      file=sys.stderr, flush=True)
                idle_rows.append(idle_check(pg, w, args, logdir))
    except BenchError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 2
    finally:
        pg.drop_all()
        if not args.keep_logs:
            for f in logdir.iterdir():
                f.unlink()
            logdir.rmdir()
    finished = datetime.now(UTC)

    print(f"Central API under load - {started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC")
    print(f"Machine: {machine_text()}; load average before the run {load0[0]:.2f}")
    print(f"PostgreSQL {version} at {pg.host}:{pg.port}; Python {platform.python_version()}, httpx {httpx.__version__}")
    print(f"Command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"Each level: {args.warmup:g} s warm-up (stations join over the first {args.warmup * 0.6:g} s), then "
          f"{args.duration:g} s measured; think time {args.think:g} s; {args.generators} generator process(es); "
          f"loop requests time out after "
          f"{REQUEST_TIMEOUT_S:g} s, waits after {WAIT_S + REQUEST_TIMEOUT_S:g} s.")
    for note in notes:
        print(note)
    print()
    print_table(HEAD, [row_cells(r) for r in rows], args.markdown)
    extra = [f"{r.level:,} / {r.target}: {r.note}" for r in rows if r.note]
    if extra:
        print()
        for line in extra:
            print(("- " if args.markdown else "  ") + line)
    if idle_rows:
        print()
        print(f"/api/v1/health at {args.health_rate:g}/s for {args.health_seconds:g} s with no waits open, then with "
              f"{args.idle_waits:,} idle waits open (target: p95 within {TARGET_HEALTH:g}x):")
        print()
        print_table(["target", "idle waits (connections open)", "p50 ms (none)", "p95 ms (none)", "p50 ms (waits)",
                     "p95 ms (waits)", "p95 ratio", "health errors", "wait errors", "server log"],
                    idle_rows, args.markdown)
    if args.keep_logs:
        print(f"\nServer logs: {logdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
