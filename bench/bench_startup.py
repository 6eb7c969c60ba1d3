"""Start-up of the real client, against a bare PySide6 window measured in the same run.

Each figure is process start (Popen) to the moment the window has painted, read from the line the client prints
under BRIDEWELL_STARTUP_TRACE (desktop/app.py), so it includes the interpreter, every import and the embedded
server as a person would wait for them:

- floor: bench/bare_window.py, a QMainWindow with one label;
- sign-in dialog: `python -m desktop --demo --data-dir DIR`, the first window a person sees (warm: DIR used before;
  cold: a new DIR, so the embedded database is created and migrated meanwhile);
- main window, board filled: `python -m desktop --data-dir DIR --screenshot X` (signs in as the demo sergeant:
  it implies --demo) until the custody board has painted its rows (warm; cold = a new DIR, so migrations and the
  demo suite's seeding are on the path);
- the embedded server alone (for information): its child process started as the client starts it
  (server.embedded.spawn_embedded, the warm DIR's database) until it says it is ready to serve.

Bytecode caches are used and written as an installed client's are (PYTHONDONTWRITEBYTECODE is dropped for the
processes measured): without them every start compiles the project's modules again (~0.5 s of the server's start).

Run: .venv/bin/python bench/bench_startup.py [--runs 5] [--json]
Targets (issue 17): sign-in dialog <= 1.5x the floor; main window with the board <= 3x warm, <= 5x cold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
SERVER = "embedded server ready (warm)"
TARGETS = {"sign-in dialog (warm)": 1.5, "sign-in dialog (cold)": 1.5, "main window + board (warm)": 3.0,
           "main window + board (cold)": 5.0}


def until_mark(argv: list[str], mark: str, env_extra: dict[str, str], timeout: float = 120.0) -> float:
    """Seconds from starting argv to its 'bridewell-startup MARK' line on stderr; waits for the process to end."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "BRIDEWELL_STARTUP_TRACE": mark, **env_extra}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    took = None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.strip() == f"bridewell-startup {mark}" and took is None:
            took = time.perf_counter() - start
    proc.wait(timeout)
    if took is None:
        raise RuntimeError(f"{' '.join(argv)} never printed {mark!r} (exit {proc.returncode}):\n{''.join(lines)}")
    return took


def server_ready(data_dir: Path) -> tuple[float, float | None]:
    """Seconds from starting the embedded server's child (as the client does) to its 'ready' line, and the CPU
    seconds the child used until then (None where /proc is not there): CPU carries over a busy machine better."""
    sys.path.insert(0, str(REPO))
    from server.embedded import spawn_embedded

    start = time.perf_counter()
    server = spawn_embedded(f"sqlite:///{data_dir / 'bridewell-server.sqlite3'}", demo=True)
    try:
        server.wait_ready()
        took = time.perf_counter() - start
        try:
            fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu: float | None = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, ValueError, IndexError):
            cpu = None
        return took, cpu
    finally:
        server.stop()


def measure(runs: int) -> list[dict[str, object]]:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached (module docstring)
    os.chdir(REPO)  # the server's child runs `python -m server.embedded` from here
    tmp = Path(tempfile.mkdtemp(prefix="bridewell-bench-startup-"))
    # No keyring prompts or remembered sign-ins from the person running the bench.
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "HOME": str(tmp / "home")}
    (tmp / "home").mkdir()
    client = [PY, "-m", "desktop", "--demo"]  # the demo suite, as scripts/demo starts it (and main needs it)
    try:
        warm_dir = tmp / "warm"
        # Prime the warm folder (migrated, demo seeded, layout saved) and the OS file cache.
        until_mark([*client, "--data-dir", str(warm_dir), "--screenshot", str(tmp / "s.png")], "board-painted", env)
        samples: dict[str, list[float]] = {name: [] for name in ("floor", *TARGETS, SERVER)}
        server_cpu: list[float] = []
        for run in range(runs):  # interleaved, so a busy moment on the machine hits every figure alike
            samples["floor"].append(until_mark([PY, str(REPO / "bench" / "bare_window.py")], "bare-painted", env))
            samples["sign-in dialog (warm)"].append(
                until_mark([*client, "--data-dir", str(warm_dir)], "sign-in-painted", env))
            samples["sign-in dialog (cold)"].append(
                until_mark([*client, "--data-dir", str(tmp / f"cold-a{run}")], "sign-in-painted", env))
            samples["main window + board (warm)"].append(until_mark(
                [*client, "--data-dir", str(warm_dir), "--screenshot", str(tmp / "s.png")], "board-painted", env))
            samples["main window + board (cold)"].append(until_mark(
                [*client, "--data-dir", str(tmp / f"cold-b{run}"), "--screenshot", str(tmp / "s.png")],
                "board-painted", env))
            took, cpu = server_ready(warm_dir)
            samples[SERVER].append(took)
            if cpu is not None:
                server_cpu.append(cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    floor = statistics.median(samples["floor"])
    rows: list[dict[str, object]] = [{"figure": "start-up: bare window (floor)", "value": floor * 1000,
                                      "unit": "ms", "floor": None, "ratio": None, "target": None}]
    for name, target in TARGETS.items():
        value = statistics.median(samples[name])
        rows.append({"figure": f"start-up: {name}", "value": value * 1000, "unit": "ms", "floor": floor * 1000,
                     "ratio": value / floor, "target": target})
    value = statistics.median(samples[SERVER])
    rows.append({"figure": f"start-up: {SERVER}", "value": value * 1000, "unit": "ms", "floor": floor * 1000,
                 "ratio": value / floor, "target": None})
    if server_cpu:
        rows.append({"figure": "start-up: embedded server ready (warm), the child's CPU",
                     "value": statistics.median(server_cpu) * 1000, "unit": "ms", "floor": None, "ratio": None,
                     "target": None})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure (median reported)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (bench/run_all.py)")
    args = parser.parse_args()
    rows = measure(args.runs)
    if args.json:
        print(json.dumps(rows))
        return 0
    for row in rows:
        target = "" if row["target"] is None else f" (target <= {row['target']}x)"
        ratio = "" if row["ratio"] is None else f"  {row['ratio']:.2f}x the floor{target}"
        print(f"{row['figure']:<44} {row['value']:8.0f} ms{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
