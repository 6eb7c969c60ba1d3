"""The change hub without Qt: no QApplication, no display. Events are dispatched once, by type, in order; the hub
owns the selected record; a broken subscriber neither silences the others nor goes unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.sync.hub import ChangeHub, Event
from domain.events import ACTION_CHANGED, CUSTODY_RECORD_CHANGED, EventType

ROOT = Path(__file__).resolve().parents[3]


def wire(kind: str, seq: int, **data) -> dict:
    return {"seq": seq, "type": kind, "entity": "x", "entity_id": data.get("id"), "record_id": data.get("record_id"),
            "at": "2026-11-30T09:00:00Z", "data": data}


def test_the_hub_runs_without_qt():
    code = ("import json, sys\nfrom desktop.sync.hub import ChangeHub\nhub = ChangeHub()\n"
            "seen = []\nfrom domain.events import EventType\n"
            "hub.subscribe(EventType.CUSTODY_CHECK_CREATED, seen.append)\n"
            "hub.dispatch([{'type': 'custody.check.created', 'data': {'id': 'c1'}}])\n"
            "print(json.dumps({'seen': len(seen), 'qt': sorted(m for m in sys.modules if m.startswith('PySide6'))}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"seen": 1, "qt": []}


def test_each_event_goes_once_to_the_subscribers_of_its_type_in_order():
    hub = ChangeHub()
    checks, actions, records = [], [], []
    hub.subscribe(EventType.CUSTODY_CHECK_CREATED, checks.append)
    hub.subscribe(ACTION_CHANGED, actions.append)
    hub.subscribe(CUSTODY_RECORD_CHANGED, records.append)
    hub.dispatch([wire("custody.check.created", 1, id="c1"), wire("investigations.action.updated", 2, id="a1"),
                  wire("investigations.action.created", 3, id="a2"), wire("custody.check.created", 4, id="c2")])
    assert [e.data["id"] for e in checks] == ["c1", "c2"]
    assert [(e.type, e.data["id"]) for e in actions] == [(EventType.ACTION_UPDATED, "a1"),
                                                         (EventType.ACTION_CREATED, "a2")]
    assert records == []
    assert hub.dispatched == 4


def test_unknown_types_from_a_newer_server_are_skipped():
    hub = ChangeHub()
    seen = []
    hub.subscribe(set(EventType), seen.append)
    understood = hub.dispatch([wire("custody.teleport.created", 1, id="t"), wire("people.person.created", 2, id="p")])
    assert [e.type for e in understood] == [EventType.PERSON_CREATED] == [e.type for e in seen]


def test_subscribing_needs_event_types_not_strings():
    with pytest.raises(TypeError):
        ChangeHub().subscribe({"custody.record.updated"}, print)  # type: ignore[arg-type]


def test_a_batch_subscriber_hears_once_per_batch_with_its_events():
    hub = ChangeHub()
    batches = []
    hub.subscribe(CUSTODY_RECORD_CHANGED, batches.append, batch=True)
    hub.dispatch([wire("custody.record.updated", 1, id="r1"), wire("custody.check.created", 2, id="c"),
                  wire("custody.record.created", 3, id="r2")])
    hub.dispatch([wire("custody.check.created", 4, id="c2")])
    assert [[e.data["id"] for e in batch] for batch in batches] == [["r1", "r2"]]


def test_unsubscribed_handlers_hear_nothing_more():
    hub = ChangeHub()
    seen = []
    stop = hub.subscribe(EventType.PERSON_UPDATED, seen.append)
    hub.dispatch([wire("people.person.updated", 1, id="p")])
    stop()
    hub.dispatch([wire("people.person.updated", 2, id="p")])
    assert len(seen) == 1


def test_the_hub_owns_the_selected_record_and_follows_its_changes():
    hub = ChangeHub()
    selected, updated = [], []
    hub.on_selected(selected.append)
    hub.on_selected_updated(updated.append)
    hub.select({"id": "r1", "status": "in_custody"})
    hub.select({"id": "r1", "status": "in_custody"})  # the same record chosen again: nothing new to say
    assert selected == [{"id": "r1", "status": "in_custody"}] and updated == []

    seen_by_subscriber = []
    hub.subscribe(CUSTODY_RECORD_CHANGED, lambda e: seen_by_subscriber.append(hub.selected))
    hub.dispatch([wire("custody.record.updated", 1, id="r2", status="charged"),
                  wire("custody.record.updated", 2, id="r1", status="charged")])
    assert hub.selected == {"id": "r1", "status": "charged"}
    assert updated == [{"id": "r1", "status": "charged"}]
    # Subscribers see the hub's copy already brought up to date.
    assert seen_by_subscriber[1] == {"id": "r1", "status": "charged"}

    assert not hub.update_selected({"id": "r2", "status": "released"})  # not the selected one
    hub.select(None)
    assert selected[-1] is None and hub.selected is None


def test_a_failing_subscriber_does_not_silence_the_others_and_is_raised():
    hub = ChangeHub()
    seen = []

    def broken(_event: Event) -> None:
        raise ValueError("view bug")

    hub.subscribe(EventType.INTEL_REPORT_CREATED, broken)
    hub.subscribe(EventType.INTEL_REPORT_CREATED, seen.append)
    with pytest.raises(ValueError, match="view bug"):
        hub.dispatch([wire("intelligence.report.created", 1, id="i1")])
    assert len(seen) == 1
    hub.dispatch([])  # the error was reported once, not carried into the next batch


def test_event_reads_like_the_wire_dict():
    event = Event.from_wire(wire("custody.medical_emergency", 9, id="c", record_id="r"))
    assert event is not None and event.type is EventType.CUSTODY_MEDICAL_EMERGENCY
    assert event.record_id == "r" and event.get("seq") == 9 and event.data["id"] == "c"
