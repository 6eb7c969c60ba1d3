"""The thin Qt adapter of the change hub (desktop/sync/hub.py): the feed's batches are delivered to the hub on the
GUI thread, and a widget's subscriptions end when the widget is destroyed (a plain callback would outlive it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop.sync.hub import ChangeHub, Record
from domain.events import EventType


class QtChangeHub(QObject):
    """Lives on the GUI thread: connect the feed's `events` signal to `deliver` and Qt queues each batch here."""

    record_selected = Signal(object)  # another record (or None) was selected
    selected_record_updated = Signal(object)  # the selected record itself changed

    def __init__(self, hub: ChangeHub, parent: QObject | None = None):
        super().__init__(parent)
        self.hub = hub
        hub.on_selected(self.record_selected.emit)
        hub.on_selected_updated(self.selected_record_updated.emit)

    @Slot(list)
    def deliver(self, batch: list[Record]) -> None:
        self.hub.dispatch(batch)

    def subscribe(self, types: EventType | Iterable[EventType], handler: Callable[..., None], owner: QObject, *,
                  batch: bool = False) -> None:
        """As ChangeHub.subscribe, for as long as `owner` lives."""
        unsubscribe = self.hub.subscribe(types, handler, batch=batch)
        owner.destroyed.connect(lambda *_args: unsubscribe())

    @property
    def selected(self) -> Record | None:
        return self.hub.selected

    def select(self, record: dict[str, Any] | None) -> None:
        self.hub.select(record)

    def update_selected(self, record: dict[str, Any]) -> bool:
        return self.hub.update_selected(record)
