"""Outbox drain: N queued log entries delivered by the desktop outbox (POST /batch, one local commit per batch),
against the same number sent one by one with plain httpx (one POST per row, as the outbox did before), in the
same run, against a real `bridewell-server` process on 127.0.0.1.

Both write to the same server and database (the outbox run second, so it meets the bigger tables). Each checks
afterwards that every row arrived exactly once and in order per detainee.

Wall times depend on what else the machine runs; the CPU each side spent per row (the server process, read from
/proc on Linux, and this process) is printed too, and compares across runs on a busy machine.

Run: .venv/bin/python bench/bench_outbox_drain.py [--rows 10000] [--quick] [--database-url URL]
     --quick: 1,000 rows (for CI: well under a minute). Target (issue 11): 10,000 rows drained in <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.sync.client import ApiClient  # noqa: E402 (after the sys.path line above)
from desktop.sync.local_store import LocalStore  # noqa: E402
from desktop.sync.outbox_sender import BATCH_SIZE, OutboxSender  # noqa: E402
from server.demo import DEMO_PASSWORD  # noqa: E402

API = "/api/v1"
LISTENING = re.compile(r"listening on (http://\S+)")


def start_server(workdir: Path, database_url: str | None) -> tuple[subprocess.Popen[bytes], str]:
    url = database_url or f"sqlite:///{workdir / 'server.sqlite3'}"
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server", "--database-url", url, "--host", "127.0.0.1",
                                    "--port", "0", "--demo-data"], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text()}")
        if match := LISTENING.search(log_path.read_text(errors="replace")):
            base = match.group(1)
            try:
                if httpx.get(f"{base}{API}/health", timeout=2).status_code == 200:
                    return process, base
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start in 60 s")


def rows_for(records: list[str], count: int, label: str) -> list[tuple[str, dict]]:
    """`count` log entries spread over the records, numbered so order per record can be checked."""
    now = datetime.now(UTC).isoformat()
    return [(f"/custody/records/{records[n % len(records)]}/log",
             {"id": str(uuid.uuid4()), "kind": "note", "text": f"{label} {n:06d}", "observed_at": now})
            for n in range(count)]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_by_one(base: str, token: str, rows: list[tuple[str, dict]]) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for path, body in rows:
            http.post(path, json=body, headers={"Idempotency-Key": body["id"]}).raise_for_status()
    return time.perf_counter() - started


def drain(base: str, token: str, rows: list[tuple[str, dict]], data_dir: Path) -> tuple[float, float]:
    """(seconds to queue the rows locally, seconds for the outbox to deliver them all)."""
    store = LocalStore(data_dir)
    client = ApiClient(base, token, timeout=60)
    started = time.perf_counter()
    store.add_outbox_many([("POST", path, body, body["id"], None) for path, body in rows])
    queued = time.perf_counter() - started
    done = threading.Event()
    problems: list[str] = []
    sender = OutboxSender(store, client, on_pending=lambda n: n == 0 and done.set(),
                          on_rejected=lambda row, error: problems.append(f"{row.id}: {error}"))
    started = time.perf_counter()
    sender.start()
    finished = done.wait(600)
    took = time.perf_counter() - started
    sender.stop()
    client.close()
    store.close()
    if not finished or problems:
        raise SystemExit(f"the outbox did not drain: {problems[:3]}")
    return queued, took


def check(base: str, token: str, records: list[str], label: str, count: int) -> str:
    per_record: dict[str, list[int]] = defaultdict(list)
    with httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        for record_id in records:
            for entry in http.get(f"/custody/records/{record_id}/log").json():
                if entry["text"].startswith(label + " "):
                    per_record[record_id].append(int(entry["text"].rsplit(" ", 1)[1]))
    numbers = [n for values in per_record.values() for n in values]
    in_order = all(values == sorted(values) for values in per_record.values())
    return (f"{len(numbers)} of {count} present, {len(numbers) - len(set(numbers))} duplicated, "
            f"{'in order' if in_order else 'OUT OF ORDER'} per detainee")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 rows")
    parser.add_argument("--database-url", help="default: a new SQLite file (the embedded default)")
    args = parser.parse_args()
    count = 1_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        workdir = Path(tmp)
        process, base = start_server(workdir, args.database_url)
        try:
            token = httpx.post(f"{base}{API}/auth/login",
                               json={"username": "sergeant", "password": DEMO_PASSWORD}).json()["token"]
            records = [r["id"] for r in httpx.get(f"{base}{API}/custody/records", params={"open": "true"},
                                                   headers={"Authorization": f"Bearer {token}"}).json()]
            label = uuid.uuid4().hex[:6]
            serial = one_by_one(base, token, rows_for(records, count, f"serial-{label}"))
            server_before, client_before = cpu_seconds(process.pid), time.process_time()
            queued, drained = drain(base, token, rows_for(records, count, f"outbox-{label}"), workdir / "client")
            server_after, client_after = cpu_seconds(process.pid), time.process_time()
            serial_check = check(base, token, records, f"serial-{label}", count)
            outbox_check = check(base, token, records, f"outbox-{label}", count)
        finally:
            process.terminate()
            process.wait(15)
    database = "PostgreSQL" if args.database_url and "postgres" in args.database_url else "SQLite"
    print(f"Outbox drain, {count:,} log entries over {len(records)} detainees, {database}, "
          f"{os.cpu_count()} CPU(s)")
    print(f"  one by one (plain httpx, one POST per row): {serial:7.2f} s  {count / serial:8.0f} rows/s  "
          f"{serial_check}")
    print(f"  outbox (POST /batch x{BATCH_SIZE}, one local commit per batch): {drained:7.2f} s  "
          f"{count / drained:8.0f} rows/s  {outbox_check}")
    print(f"  queueing the rows in the local store (one transaction): {queued:.2f} s")
    if server_before is not None and server_after is not None:
        print(f"  CPU per row, outbox run: server {1000 * (server_after - server_before) / count:.2f} ms, "
              f"client {1000 * (client_after - client_before) / count:.2f} ms (queueing included); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
    print(f"  speed-up: {serial / drained:.1f}x; target: {count:,} rows in <= {10 * count / 10_000:g} s: "
          f"{'met' if drained <= 10 * count / 10_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
