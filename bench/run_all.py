"""Every figure of bench/ in one run, each beside its floor or target, written to docs/performance.md.

One command (`scripts/bench`, or this file):

    .venv/bin/python bench/run_all.py            # the full run (~15-20 minutes on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # CI: every bench in a small form (~2 minutes); proves they run

Each bench runs in its own process, in this order: start-up, detainee switch, board tick and log of 5,000,
custody record PDF of 2,000 entries, person search of 100,000, outbox drain, API load. The summary table (machine,
command, date, figure, value, floor measured in the same run, ratio, target) and each bench's own output replace
the part of docs/performance.md between the markers below; the rest of that page (the narrative, earlier runs)
is kept. `--no-write` only prints. Timing never fails the run: it exits non-zero only when a bench could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
BEGIN, END = "<!-- bench/run_all.py: begin -->", "<!-- bench/run_all.py: end -->"
PY = sys.executable


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    floor: float | None = None  # measured in the same run
    target: str = ""
    meets: bool | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.floor else self.value / self.floor


@dataclass
class Bench:
    name: str
    command: list[str]
    parse: object  # Callable[[str], list[Row]]
    env: dict[str, str] = field(default_factory=dict)
    output: str = ""
    seconds: float = 0.0
    rows: list[Row] = field(default_factory=list)
    problem: str = ""


def _num(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    if not found:
        raise ValueError(f"no match for {pattern!r}")
    return float(found.group(1).replace(",", ""))


def parse_startup(text: str) -> list[Row]:
    rows = json.loads(text.strip().splitlines()[-1])
    out = []
    for r in rows:
        target = r["target"]
        ratio = None if r["floor"] is None else r["value"] / r["floor"]
        out.append(Row(r["figure"], r["value"], "ms", r["floor"], f"≤ {target}× floor" if target else "",
                       None if target is None else ratio <= target))
    return out


def parse_switch(text: str) -> list[Row]:
    r = json.loads(text.strip().splitlines()[-1])
    return [Row(f"detainee switch, every dock updated: p95 ({r['outbox']:,} rows waiting in the outbox)", r["p95"],
                "ms", r["floor_p95"], "p95 ≤ 50 ms", r["p95"] <= 50),
            Row("detainee switch: p50", r["p50"], "ms", r["floor_p50"], "", None)]


def parse_board(text: str) -> list[Row]:
    tick = _num(r"model tick .*?median ([\d.]+) ms", text)
    paint = _num(r"tick plus the repaint .*?median ([\d.]+) ms", text)
    log = _num(r"open log: median ([\d.]+) ms", text)
    return [Row("board tick, 300 detainees: model (median)", tick, "ms", None, "< 2 ms", tick < 2),
            Row("board tick + the repaint it causes (median)", paint, "ms", tick, "", None),
            Row("detainee log of 5,000 entries opened (median)", log, "ms", None, "< 100 ms", log < 100)]


def parse_pdf(text: str) -> list[Row]:
    record = _num(r"custody record, [\d,]+ log entries: median ([\d.]+) s", text)
    bare = _num(r"bare reportlab Table, [\d,]+ rows: +median ([\d.]+) s", text)
    entries = int(_num(r"custody record, ([\d,]+) log entries", text))
    return [Row(f"custody record PDF, {entries:,} entries", record * 1000, "ms", bare * 1000, "< 1.5 s",
                record < 1.5)]


def parse_search(text: str) -> list[Row]:
    people = _num(r"generated ([\d,]+) people", text)
    rows = []
    for db in ("SQLite", "PostgreSQL"):
        block = re.search(rf"\n{db}: .*?(?=\n\n|\n[A-Z]|\Z)", text, re.S)
        if block:
            p95 = _num(r"service p50 [\d.]+ ms +p95 ([\d.]+) ms", block.group(0))
            rows.append(Row(f"person search of {int(people):,}, {db}: p95", p95, "ms", None, "p95 < 100 ms",
                            p95 < 100))
    return rows


def parse_drain(text: str) -> list[Row]:
    count = _num(r"Outbox drain, ([\d,]+) log entries", text)
    serial = _num(r"one by one .*?: +([\d.]+) s", text)
    drained = _num(r"outbox \(POST /batch.*?: +([\d.]+) s", text)
    limit = 10 * count / 10_000
    return [Row(f"outbox drain, {int(count):,} entries", drained * 1000, "ms", serial * 1000,
                f"≤ {limit:g} s", drained <= limit)]


def parse_load(text: str) -> list[Row]:
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 10 and cells[1].startswith("server") and cells[0].replace(",", "").isdigit():
            rows.append(Row(f"API load, {cells[0]} stations, {cells[1]}: req/s", float(cells[2]), "req/s", None,
                            f"vs bare: {cells[9]}", None))
    return rows


def benches(quick: bool) -> list[Bench]:
    q = quick
    drain = REPO / "bench" / "bench_outbox_drain.py"
    found: list[Bench] = [
        Bench("start-up", [PY, "bench/bench_startup.py", "--json", "--runs", "1" if q else "5"], parse_startup),
        Bench("detainee switch", [PY, "bench/bench_switch.py", "--json", "--switches", "20" if q else "200",
                                  "--outbox", "200" if q else "2000"], parse_switch),
        Bench("board tick and log", [PY, "bench/bench_board.py", "--runs", "30" if q else "300",
                                     "--log-runs", "2" if q else "25"], parse_board),
        Bench("custody record PDF", [PY, "bench/bench_custody_record_pdf.py", "--runs", "1" if q else "7"], parse_pdf),
        Bench("person search", [PY, "bench/bench_person_search.py", *(
            ["--people", "3000", "--searches", "20", "--http", "2", "--only", "sqlite"] if q else [])], parse_search),
    ]
    if drain.exists():
        found.append(Bench("outbox drain", [PY, str(drain.relative_to(REPO)), *(["--quick"] if q else [])],
                           parse_drain))
    found.append(Bench("API load", [PY, "bench/bench_load.py", "--markdown", "--quick", *(
        ["--levels", "5", "--duration", "3", "--warmup", "1", "--workers", "1", "--idle-waits", "20",
         "--health-seconds", "1"] if q else [])], parse_load))
    return found


def run(bench: Bench, timeout: float) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **bench.env}
    start = time.monotonic()
    try:
        done = subprocess.run(bench.command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        bench.output = done.stdout
        if done.returncode not in (0, 1):  # 1: a bench that printed its figures and says a target was missed
            bench.problem = f"exit {done.returncode}: {done.stderr.strip()[-800:]}"
    except subprocess.TimeoutExpired:
        bench.problem = f"did not finish within {timeout:g} s"
    bench.seconds = time.monotonic() - start
    if not bench.problem:
        try:
            bench.rows = bench.parse(bench.output)  # type: ignore[operator]
        except (ValueError, KeyError, IndexError, json.JSONDecodeError) as exc:
            bench.problem = f"its output could not be read ({exc})"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}; load average at the end {load} (a shared machine: other work ran too)")


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def markdown(found: list[Bench], command: str, started: datetime, quick: bool) -> str:
    lines = [BEGIN, "", f"## All figures ({'quick run: small sizes, for CI' if quick else 'full run'})", "",
             f"- Command: `{command}`", f"- Date: {started:%Y-%m-%d %H:%M} UTC, commit {_commit()}",
             f"- Machine: {machine()}", "",
             "Each figure's floor is measured in the same run (start-up: a bare PySide6 window; switch: one log GET "
             "over HTTP; tick: the model's own share; PDF: a bare reportlab table of the same rows; outbox drain: the "
             "same rows sent one by one). Ratios are value ÷ floor.", "",
             "| figure | value | floor | ratio | target | meets |", "|---|---|---|---|---|---|"]
    for bench in found:
        if bench.problem:
            lines.append(f"| {bench.name} | did not run: {bench.problem.splitlines()[0][:200]} | | | | |")
        for row in bench.rows:
            meets = "" if row.meets is None else ("yes" if row.meets else "**no**")
            ratio = "-" if row.ratio is None else f"{row.ratio:.2f}×"
            lines.append(f"| {row.figure} | {fmt(row.value, row.unit)} | {fmt(row.floor, row.unit)} | {ratio} | "
                         f"{row.target} | {meets} |")
    if not any(b.name == "outbox drain" for b in found):
        lines.append("| outbox drain | not run: bench/bench_outbox_drain.py is not in this checkout | | | | |")
    lines += ["", "Each bench's own output:", ""]
    for bench in found:
        lines += [f"<details><summary>{bench.name}: <code>{' '.join(_short(bench.command))}</code> "
                  f"({bench.seconds:.0f} s)</summary>", "", "```", bench.output.strip() or bench.problem, "```", "",
                  "</details>", ""]
    lines.append(END)
    return "\n".join(lines)


def _short(command: list[str]) -> list[str]:
    return [".venv/bin/python" if part == PY else part for part in command]


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def write(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:  # first time: after the page's opening paragraph
        title, _, body = text.partition("\n## ")
        text = f"{title.rstrip()}\n\n{section}\n\n## {body}" if body else f"{text.rstrip()}\n\n{section}\n"
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, ~2 minutes: for CI")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/performance.md")
    parser.add_argument("--only", help="comma-separated bench names to run (e.g. 'start-up,detainee switch')")
    args = parser.parse_args()
    started = datetime.now(UTC)
    found = benches(args.quick)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",")}
        found = [b for b in found if b.name in wanted]
    for bench in found:
        print(f"bench: {bench.name} …", flush=True)
        run(bench, timeout=300 if args.quick else 1800)
        print(f"bench: {bench.name}: {bench.problem or f'{len(bench.rows)} figures'} in {bench.seconds:.0f} s",
              flush=True)
    command = "scripts/bench" + (" --quick" if args.quick else "")
    section = markdown(found, command, started, args.quick)
    if args.no_write:
        print(section)
    else:
        write(section)
        print(f"bench: written to {DOC.relative_to(REPO)}")
    failed = [b.name for b in found if b.problem]
    if failed:
        print(f"bench: could not run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
