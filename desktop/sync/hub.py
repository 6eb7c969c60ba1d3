"""The one change hub: every change-feed event enters the client here, once, and goes to the subscribers of its
type. The hub also owns the selected custody record, so a change to that record reaches every view at the same
time and no view keeps its own copy.

Plain Python (no Qt): `desktop/sync/qt_hub.py` delivers the feed's batches on the GUI thread and ties
subscriptions to the life of a widget. Handlers run on the thread that calls `dispatch` (the GUI thread in the
application), in the order they subscribed. A handler that raises does not stop the others hearing of the change;
the first error is raised again once the batch is done, so a broken view is never silent.

    hub.subscribe({EventType.ACTION_CREATED, EventType.ACTION_UPDATED}, panel.apply_event)
    hub.subscribe(CUSTODY_RECORD_CHANGED, refilter, batch=True)   # once per batch, with its matching events
    hub.on_selected(show_record)          # another record (or none) was selected
    hub.on_selected_updated(refresh)      # the selected record itself changed
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from domain.events import CUSTODY_RECORD_CHANGED, EventType

log = logging.getLogger(__name__)

Record = dict[str, Any]
Unsubscribe = Callable[[], None]


@dataclass(frozen=True)
class Event:
    """One change-feed event as the server sent it (GET /events), with its type made an EventType."""

    type: EventType
    data: dict[str, Any]
    entity_id: str | None = None
    record_id: str | None = None
    seq: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Event | None:
        """None for a type this client does not know (a newer server): it is skipped, not an error."""
        kind = EventType.parse(str(raw.get("type") or ""))
        if kind is None:
            return None
        data = raw.get("data")
        return cls(kind, data if isinstance(data, dict) else {}, raw.get("entity_id"), raw.get("record_id"),
                   raw.get("seq"), raw)

    def get(self, key: str, default: Any = None) -> Any:
        """Read like the wire dict, for handlers written against it."""
        return self.raw.get(key, default) if self.raw else default


@dataclass
class _Subscription:
    types: frozenset[EventType]
    handler: Callable[..., None]
    batch: bool
    active: bool = True


class ChangeHub:
    def __init__(self) -> None:
        self._subscriptions: list[_Subscription] = []
        self._on_selected: list[Callable[[Record | None], None]] = []
        self._on_selected_updated: list[Callable[[Record], None]] = []
        self.selected: Record | None = None
        self.dispatched = 0  # events dispatched so far
        self._errors: list[BaseException] = []
        self._depth = 0

    # Subscribing ------------------------------------------------------------------------------------------
    def subscribe(self, types: EventType | Iterable[EventType], handler: Callable[..., None], *,
                  batch: bool = False) -> Unsubscribe:
        """`handler(event)` for each event of these types; with batch=True, `handler(events)` once per batch
        that has any (for work worth doing once, such as re-filtering a table)."""
        kinds = frozenset({types} if isinstance(types, EventType) else types)
        unknown = [k for k in kinds if not isinstance(k, EventType)]
        if unknown or not kinds:
            raise TypeError(f"subscribe to EventType members, not {unknown or 'nothing'}")
        subscription = _Subscription(kinds, handler, batch)
        self._subscriptions.append(subscription)

        def unsubscribe() -> None:
            subscription.active = False
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

        return unsubscribe

    def on_selected(self, handler: Callable[[Record | None], None]) -> Unsubscribe:
        self._on_selected.append(handler)
        return lambda: self._on_selected.remove(handler) if handler in self._on_selected else None

    def on_selected_updated(self, handler: Callable[[Record], None]) -> Unsubscribe:
        self._on_selected_updated.append(handler)
        return lambda: (self._on_selected_updated.remove(handler) if handler in self._on_selected_updated
                        else None)

    # The selected record ----------------------------------------------------------------------------------
    def select(self, record: Record | None) -> None:
        """The user chose a record (or none). Choosing the same record again only refreshes its data."""
        with self._delivering():
            if record is not None and self.selected is not None and record.get("id") == self.selected.get("id"):
                self.update_selected(record)
                return
            self.selected = record
            for handler in list(self._on_selected):
                self._call(handler, record)

    def update_selected(self, record: Record) -> bool:
        """Newer data for the selected record (from the feed or a confirmed write). False if it is not the one
        selected; subscribers hear of it only when something changed."""
        if self.selected is None or record.get("id") != self.selected.get("id"):
            return False
        if record != self.selected:
            self.selected = record
            with self._delivering():
                for handler in list(self._on_selected_updated):
                    self._call(handler, record)
        return True

    # Dispatching ------------------------------------------------------------------------------------------
    def dispatch(self, batch: Iterable[dict[str, Any]]) -> list[Event]:
        """One batch from the feed, in order: the selected record first, then each subscriber once per event
        (or once per batch). Returns the events it understood."""
        events = [e for e in (Event.from_wire(raw) for raw in batch) if e is not None]
        with self._delivering():
            self._deliver(events)
        return events

    def _deliver(self, events: list[Event]) -> None:
        subscriptions = list(self._subscriptions)
        for event in events:
            self.dispatched += 1
            if event.type in CUSTODY_RECORD_CHANGED and event.data.get("id"):
                self.update_selected(event.data)
            for subscription in subscriptions:
                if subscription.active and not subscription.batch and event.type in subscription.types:
                    self._call(subscription.handler, event)
        for subscription in subscriptions:
            if subscription.active and subscription.batch:
                matching = [e for e in events if e.type in subscription.types]
                if matching:
                    self._call(subscription.handler, matching)

    @contextmanager
    def _delivering(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._depth == 0 and self._errors:
            errors, self._errors = self._errors, []
            raise errors[0]

    def _call(self, handler: Callable[..., None], *args: Any) -> None:
        try:
            handler(*args)
        except Exception as exc:  # the others still hear of the change; dispatch raises it at the end
            log.exception("change hub: %r failed", handler)
            self._errors.append(exc)
