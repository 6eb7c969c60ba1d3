"""The force view (issue 15) with 30 suites of 40 detainees: opening it, and one detainee's change.

- open: the Force view panel shown, then filled from a GET /custody/force-view answer (30 suites with their
  cells, 1,200 open records): the suites' figures, the review queue and the table laid out and painted.
- update: one record from the change feed (a check recorded: its next check moves on), applied the way the feed
  applies it (`ForceViewPanel.apply`): that suite's row recomputed and signalled, the queue row moved, no reset;
  then the repaint it causes.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_force_view.py [--suites 30] [--detainees 40] [--runs 200]
Targets: open ≤ 200 ms, update ≤ 5 ms (median).
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

from desktop.sync.hub import Event  # noqa: E402
from desktop.views.force.panel import ForceViewPanel  # noqa: E402
from domain.events import EventType  # noqa: E402

NOW = datetime.now(timezone.utc).replace(microsecond=0)
OPEN_TARGET_MS, UPDATE_TARGET_MS = 200.0, 5.0


class _NoOps:
    def run(self, *_args, **_kwargs) -> None:  # the benchmark hands the answer over itself
        pass


def suite(s: int, detainees: int) -> dict:
    cells = [{"id": f"s{s}c{c}", "suite_id": f"s{s}", "number": f"C{c}", "type": "adult", "capacity": 1,
              "out_of_use": c % 23 == 0, "out_of_use_reason": "Damaged" if c % 23 == 0 else None,
              "occupants": 0, "free_places": 1, "version": 1} for c in range(detainees + 5)]
    return {"id": f"s{s}", "code": f"S{s:02d}", "name": f"Suite {s:02d}", "address": "", "state": "open",
            "state_reason": None, "cells": cells, "cells_total": len(cells), "cells_free": 5,
            "detainees": detainees, "version": 1}


def record(s: int, n: int) -> dict:
    arrived = NOW - timedelta(minutes=(37 * n + 11 * s) % 1400)
    return {"id": f"s{s}r{n}", "custody_number": f"BW-2026-{s:02d}{n:04d}", "status": "in_custody",
            "suite_id": f"s{s}", "suite_name": f"Suite {s:02d}", "suite_code": f"S{s:02d}", "cell_id": f"s{s}c{n}",
            "cell": f"C{n}", "name": f"BENCH{n}, Ima", "person": {"surname": f"Bench{n}", "forenames": "Ima"},
            "juvenile": n % 13 == 0, "appropriate_adult_required": n % 13 == 0,
            "appropriate_adult_awaited": n % 26 == 0, "appropriate_adult_arrived_at": None, "transfer": None,
            "next_check_due": (NOW + timedelta(minutes=(n * 7) % 90 - 20)).isoformat(),
            "next_review_due": (NOW + timedelta(minutes=(n * 29 + s) % 600 - 60)).isoformat(),
            "review_number_due": 1 + n % 3,
            "detention_limit_at": (arrived + timedelta(hours=24)).isoformat()}


def summary(name: str, samples_ms: list[float], target: float) -> str:
    samples = sorted(samples_ms)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    median = statistics.median(samples)
    verdict = f"{'meets' if median <= target else 'MISSES'} the {target:g} ms target"
    return (f"{name}: median {median:.3f} ms, p95 {p95:.3f} ms, min {samples[0]:.3f} ms, max {samples[-1]:.3f} ms "
            f"over {len(samples)} runs ({verdict})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", type=int, default=30)
    parser.add_argument("--detainees", type=int, default=40)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--opens", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    view = {"at": NOW.isoformat(), "last_seq": 1,
            "suites": [suite(s, args.detainees) for s in range(args.suites)],
            "records": [record(s, n) for s in range(args.suites) for n in range(args.detainees)]}

    opens = []
    panel = None
    for _ in range(args.opens):
        if panel is not None:
            panel.close()
            panel.deleteLater()
            app.processEvents()
        t0 = time.perf_counter()
        panel = ForceViewPanel(_NoOps(), None, roles=lambda: frozenset({"inspector"}))  # type: ignore[arg-type]
        panel.resize(1200, 900)
        panel.show()
        panel.show_view(view)
        app.processEvents()
        opens.append((time.perf_counter() - t0) * 1000)
    assert panel is not None
    panel.drill_down("s3")
    app.processEvents()

    resets = []
    panel.suites_model.modelReset.connect(lambda: resets.append("suites"))
    panel.queue_model.modelReset.connect(lambda: resets.append("queue"))
    model_only, with_paint = [], []
    for run in range(args.runs):
        s, n = run % args.suites, (run * 7) % args.detainees
        changed = dict(record(s, n))
        changed["next_check_due"] = (NOW + timedelta(minutes=30 + run % 30)).isoformat()
        changed["next_review_due"] = (NOW + timedelta(minutes=run % 400 - 30)).isoformat()
        event = Event(type=EventType.CUSTODY_RECORD_UPDATED, data=changed, entity_id=changed["id"], seq=run + 2)
        t0 = time.perf_counter()
        panel.apply([event])
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        model_only.append((t1 - t0) * 1000)
        with_paint.append((t2 - t0) * 1000)
    assert not resets, f"an update reset a model: {resets}"

    print(f"force view: {args.suites} suites x {args.detainees} detainees "
          f"({args.suites * args.detainees} records), {panel.queue_model.rowCount()} reviews in the queue")
    print(summary("open (panel built, snapshot applied, laid out and painted)", opens, OPEN_TARGET_MS))
    print(summary("update, model only (one record from the feed)", model_only, UPDATE_TARGET_MS))
    print(summary("update with repaint", with_paint, UPDATE_TARGET_MS))
    ok = (statistics.median(opens) <= OPEN_TARGET_MS and statistics.median(with_paint) <= UPDATE_TARGET_MS)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
