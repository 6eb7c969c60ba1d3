"""The order a custody log is printed and read in, shared by the PDF and the plain-text outline.

Entries go in order of observed time (when it happened, not when it was typed). A correction is
pulled out of that sequence and placed directly under the entry it corrects, so a reader sees the
original and its correction together; both stay in full. Entry numbers follow recorded order, so
a late-keyed entry never renumbers what was printed before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from desktop.printing.documents import LogEntry


@dataclass(frozen=True)
class PrintedEntry:
    entry: LogEntry
    number: int
    depth: int  # 0: in time order; 1+: a correction shown under the entry it corrects
    corrects_number: int | None  # the number of the entry this one corrects
    corrected_by: tuple[int, ...]  # numbers of entries that correct this one
    target_missing: bool  # corrects_id names an entry not in this record


def entry_numbers(entries: tuple[LogEntry, ...] | list[LogEntry]) -> dict[str, int]:
    by_recording = sorted(entries, key=lambda e: (e.recorded_at, e.observed_at, e.id))
    return {e.id: (e.number if e.number is not None else index + 1) for index, e in enumerate(by_recording)}


def printed_order(entries: tuple[LogEntry, ...] | list[LogEntry]) -> list[PrintedEntry]:
    numbers = entry_numbers(entries)
    by_id = {e.id: e for e in entries}
    corrections: dict[str, list[LogEntry]] = defaultdict(list)
    for e in entries:
        if e.corrects_id and e.corrects_id in by_id and e.corrects_id != e.id:
            corrections[e.corrects_id].append(e)

    def key(e: LogEntry) -> tuple[object, ...]:
        return (e.observed_at, e.recorded_at, numbers[e.id])

    for group in corrections.values():
        group.sort(key=key)
    out: list[PrintedEntry] = []
    done: set[str] = set()

    def emit(e: LogEntry, depth: int) -> None:
        if e.id in done:  # a cycle of corrections: print each entry once
            return
        done.add(e.id)
        target = e.corrects_id
        out.append(PrintedEntry(
            entry=e, number=numbers[e.id], depth=depth,
            corrects_number=numbers[target] if target in numbers and target != e.id else None,
            corrected_by=tuple(numbers[c.id] for c in corrections.get(e.id, ())),
            target_missing=bool(target) and target not in by_id,
        ))
        for child in corrections.get(e.id, ()):
            emit(child, depth + 1)

    top_level = sorted((e for e in entries if not (e.corrects_id in by_id and e.corrects_id != e.id)), key=key)
    for e in top_level:
        emit(e, 0)
    for e in sorted(entries, key=key):  # anything only reachable through a cycle
        emit(e, 0)
    return out
