"""The custody board's clock tick with 300 detainees, and opening a detainee log of 5,000 entries.

- tick: one `CustodyBoardModel.tick()` (recompute next check / review / limit / time in custody from domain/,
  signal the changed cells) with the board shown in a sorted proxy and table view, as in the app, then the
  repaint it causes. Each run moves the clock on by one second; every 60th run crosses a minute so the
  minute-resolution columns change too (the realistic mix).
- log: the detainee log panel filled with 5,000 entries (model set + view laid out and painted).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_board.py [--detainees 300] [--entries 5000] [--runs 200]
Targets: tick < 2 ms, log < 100 ms (median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.models.custody.board_model import SORT_ROLE, CustodyBoardModel  # noqa: E402
from desktop.views.custody.board import BoardProxy, BoardTable  # noqa: E402
from desktop.views.custody.detainee_log import DetaineeLogPanel  # noqa: E402

START = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


TICK_TARGET_MS, LOG_TARGET_MS = 2.0, 100.0


def detainee(n: int) -> dict:
    arrived = START - timedelta(minutes=7 * n % 1400)
    level = 1 + n % 4
    return {"id": f"r{n}", "custody_number": f"BW-2026-{n:06d}", "cell": f"C{n}", "status": "in_custody",
            "name": f"BENCHPERSON{n}, Ima", "person": {"surname": f"Benchperson{n}", "forenames": "Ima"},
            "arrived_at": arrived.isoformat(), "relevant_time": arrived.isoformat(), "released_at": None,
            "juvenile": n % 9 == 0, "vulnerable": n % 7 == 0, "appropriate_adult_required": n % 9 == 0,
            "appropriate_adult_awaited": n % 18 == 0, "risk_level": ("low", "medium", "high")[n % 3],
            "observation_level": level, "observation_level_set_at": arrived.isoformat(),
            "observation_interval_minutes": {1: 60, 2: 30, 3: 15, 4: 15}[level],
            "last_check_at": (START - timedelta(minutes=n % 70)).isoformat(),
            "detention_authorised_at": (arrived + timedelta(minutes=20)).isoformat(), "reviews_done": n % 3,
            "authorities": []}


def entry(n: int) -> dict:
    at = START - timedelta(minutes=5000 - n)
    return {"id": f"e{n}", "record_id": "r1", "kind": ("cell_check", "note", "meal", "drink")[n % 4],
            "text": f"Entry {n}: detainee checked through the hatch, lying on the bench, breathing observed.",
            "observed_at": at.isoformat(), "recorded_at": (at + timedelta(seconds=40)).isoformat(),
            "author": {"id": "u1", "display_name": "DO Fenna Quill", "rank": "DO", "collar_number": "D101"},
            "corrects_id": None}


def summary(name: str, samples_ms: list[float], target: float | None) -> str:
    samples = sorted(samples_ms)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    median = statistics.median(samples)
    verdict = "for information" if target is None else (
        f"{'meets' if median < target else 'MISSES'} the {target:g} ms target")
    return (f"{name}: median {median:.3f} ms, p95 {p95:.3f} ms, min {samples[0]:.3f} ms, max {samples[-1]:.3f} ms "
            f"over {len(samples)} runs ({verdict})")


def bench_tick(app: QApplication, detainees: int, runs: int) -> tuple[list[float], list[float]]:
    clock = {"now": START}
    model = CustodyBoardModel(clock=lambda: clock["now"])
    model.stop()  # the benchmark drives the ticks
    model.set_records([detainee(n) for n in range(1, detainees + 1)])
    proxy = BoardProxy()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setDynamicSortFilter(False)
    view = BoardTable()  # the board's own table (it repaints only the cells a tick changed)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    model_only, with_paint = [], []
    for run in range(runs):
        clock["now"] = START + timedelta(seconds=run + 1)
        t0 = time.perf_counter()
        model.tick()
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        model_only.append((t1 - t0) * 1000)
        with_paint.append((t2 - t0) * 1000)
    view.close()
    return model_only, with_paint


class _Controller:
    """The log panel only calls back on save; the benchmark never saves."""


def bench_log(app: QApplication, entries: int, runs: int) -> list[float]:
    data = [entry(n) for n in range(entries)]
    samples = []
    for _ in range(runs):
        panel = DetaineeLogPanel(_Controller())
        panel.resize(900, 800)
        panel.show()
        app.processEvents()
        t0 = time.perf_counter()
        panel.set_record({"id": "r1", "name": "BENCHPERSON1, Ima"})
        panel.model.set_entries("r1", data, [])
        panel.table.scrollToBottom()
        app.processEvents()  # layout and paint
        samples.append((time.perf_counter() - t0) * 1000)
        panel.close()
        panel.deleteLater()
        app.processEvents()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detainees", type=int, default=300)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--log-runs", type=int, default=25)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    model_only, with_paint = bench_tick(app, args.detainees, args.runs)
    print(f"Board with {args.detainees} detainees, one clock tick (load average {os.getloadavg()[0]:.2f}):")
    print("  " + summary("model tick (recompute + dataChanged)", model_only, TICK_TARGET_MS))
    print("  " + summary("tick plus the repaint it causes (offscreen)", with_paint, None))
    log = bench_log(app, args.entries, args.log_runs)
    print(f"Detainee log of {args.entries} entries opened (model + view populated and painted):")
    print("  " + summary("open log", log, LOG_TARGET_MS))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown, where the PySide6 6.12 / CPython 3.11 refcount bug aborts


if __name__ == "__main__":
    main()
