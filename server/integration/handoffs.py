"""The hand-offs nobody re-keys: the consumers for the escort service, the prosecutor and the national records.

Each is a `Consumer` with its own queue, bound only to its own contracts, so it receives only the personal data
it needs. Escort and prosecutor receive their documents through a `Sink` (a force connects its own; the one
here writes each document as a JSON file). The national records are reached through `NationalRecordsGateway`,
the seam a force connects to the real system; `SimulatedNationalRecords` stands in for it here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from server.integration.consumer import Consumer, Poison
from server.integration.relay import DEFAULT_EXCHANGE

ESCORT = "escort"
PROSECUTION = "prosecution"
NATIONAL_RECORDS = "national-records"
BINDINGS = {
    ESCORT: ["handoff.escort.#"],
    PROSECUTION: ["handoff.prosecution.#"],
    NATIONAL_RECORDS: ["handoff.national_records.#"],
}


class Sink(Protocol):
    def deliver(self, message: dict[str, Any]) -> None: ...


class FolderSink:
    """Each document as `<event id>.json` in a folder (written whole, then renamed: a reader never sees half)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def deliver(self, message: dict[str, Any]) -> None:
        target = self.folder / f"{message['event_id']}.json"
        partial = target.with_suffix(".part")
        partial.write_text(json.dumps(message, indent=2), encoding="utf-8")
        partial.replace(target)


@dataclass
class MemorySink:
    """Tests and the bench: what was delivered, in order."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.messages.append(message)


def to_sink(sink: Sink, prefix: str) -> Callable[[Session, dict[str, Any]], None]:
    def handle(_session: Session, message: dict[str, Any]) -> None:
        if not str(message["type"]).startswith(prefix):
            raise Poison(f"{message['type']} is not for this consumer")
        sink.deliver(message)
    return handle


# ------------------------------------------------------------------------------------------ national records


class GatewayRejected(Exception):
    """The national system refused the update (the reason is its own): it will never be accepted as it is."""


class NationalRecordsGateway(Protocol):
    """The seam a force connects to the national records system. Each call returns the system's reference."""

    def record_arrest(self, data: dict[str, Any]) -> str: ...
    def record_charge(self, data: dict[str, Any]) -> str: ...
    def record_disposal(self, data: dict[str, Any]) -> str: ...


@dataclass
class SimulatedNationalRecords:
    """Stands in for the national system, with its one rule that matters here: a charge or a disposal is
    recorded against an arrest it already holds (so updates must arrive in order per custody record)."""

    arrests: dict[str, dict[str, Any]] = field(default_factory=dict)  # by custody number
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (kind, reference, data)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _reference(self, kind: str, data: dict[str, Any]) -> str:
        reference = f"NR/{kind[:3].upper()}/{len(self.updates) + 1:06d}"
        self.updates.append((kind, reference, data))
        return reference

    def record_arrest(self, data: dict[str, Any]) -> str:
        with self.lock:
            self.arrests[data["custody_number"]] = data
            return self._reference("arrest", data)

    def record_charge(self, data: dict[str, Any]) -> str:
        with self.lock:
            if data["custody_number"] not in self.arrests:
                raise GatewayRejected(f"no arrest is recorded for {data['custody_number']}")
            return self._reference("charge", data)

    def record_disposal(self, data: dict[str, Any]) -> str:
        with self.lock:
            if data["custody_number"] not in self.arrests:
                raise GatewayRejected(f"no arrest is recorded for {data['custody_number']}")
            return self._reference("disposal", data)


def to_gateway(gateway: NationalRecordsGateway) -> Callable[[Session, dict[str, Any]], None]:
    calls: dict[str, Callable[[dict[str, Any]], str]] = {
        "handoff.national_records.arrest": gateway.record_arrest,
        "handoff.national_records.charge": gateway.record_charge,
        "handoff.national_records.disposal": gateway.record_disposal,
    }

    def handle(_session: Session, message: dict[str, Any]) -> None:
        call = calls.get(str(message["type"]))
        if call is None:
            raise Poison(f"{message['type']} is not a national records update")
        try:
            call(message["data"])
        except GatewayRejected as exc:
            raise Poison(f"the national records refused it: {exc}") from None
    return handle


def consumer(kind: str, broker_url: str, engine: Engine, *, exchange: str = DEFAULT_EXCHANGE,
             sink: Sink | None = None, gateway: NationalRecordsGateway | None = None) -> Consumer:
    """The consumer of one hand-off: ESCORT or PROSECUTION (into `sink`), or NATIONAL_RECORDS (to `gateway`)."""
    if kind == NATIONAL_RECORDS:
        handler = to_gateway(gateway or SimulatedNationalRecords())
    elif kind in (ESCORT, PROSECUTION):
        if sink is None:
            raise ValueError(f"the {kind} consumer needs a sink")
        handler = to_sink(sink, f"handoff.{kind}.")
    else:
        raise ValueError(f"no such hand-off: {kind}")
    return Consumer(kind, broker_url, engine, handler, BINDINGS[kind], exchange=exchange)
