"""The Detainee log dock's controller: loads the selected record's log (with entries still waiting in the outbox),
saves entries through the outbox and follows `custody.log_entry.created` through the change hub. Owned by the
custody area; `DetaineeLogPanel` talks to it as its `controller`."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.announcer import announce
from desktop.areas import AreaContext
from desktop.models.custody.log_model import SAVED
from desktop.sync.client import ApiError
from desktop.sync.local_store import OutboxItem
from desktop.sync.hub import Event
from desktop.views.custody.detainee_log import DetaineeLogPanel
from domain.events import EventType


def log_path(record_id: str) -> str:
    return f"/custody/records/{record_id}/log"


def _author_of(user: dict[str, Any] | None) -> dict[str, Any]:
    user = user or {}
    return {"id": user.get("id"), "display_name": user.get("display_name", ""), "rank": user.get("rank"),
            "collar_number": user.get("collar_number")}


class DetaineeLog(QObject):
    log_loaded = Signal(str)  # record id

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.session, self.ops, self.writes, self.store = context.session, context.ops, context.writes, context.store
        self.loaded_log_id: str | None = None
        self._local_entries: dict[str, dict[str, Any]] = {}  # outbox row id -> entry shown as waiting
        self.panel = DetaineeLogPanel(self)
        # Log entries queued in an earlier run: confirmed or refused in the log like this run's.
        self.writes.on_earlier(lambda path: path.endswith("/log"), self._earlier_sent, self._earlier_rejected)
        context.changes.subscribe(EventType.CUSTODY_LOG_ENTRY_CREATED, self._entry_event, self.panel)
        context.changes.record_selected.connect(self._record_selected)
        context.changes.selected_record_updated.connect(self.panel.record_changed)

    @property
    def user(self) -> dict[str, Any] | None:
        return self.session.user

    # Loading ---------------------------------------------------------------------------------------------
    def _record_selected(self, record: dict[str, Any] | None) -> None:
        """The heading and an empty log at once (never one detainee's entries under another's name); the custody
        area reads the entries with the risk assessment in one request and hands them to `show_loaded`."""
        self.loaded_log_id = None
        self.panel.set_record(record)

    def pending_reader(self, record_id: str) -> Callable[[], list[dict[str, Any]]]:
        """For a worker: this record's log entries still in the outbox, shown as waiting."""
        store, user = self.store, self.session.user

        def pending() -> list[dict[str, Any]]:
            if store is None:
                return []
            return [{**item.body, "record_id": record_id, "recorded_at": None, "author": _author_of(user),
                     "corrects_id": None}
                    for item in store.pending_for_record(record_id)  # this record's rows only (issue 17)
                    if item.path == log_path(record_id)]
        return pending

    def show_loaded(self, record_id: str, entries: list[dict[str, Any]], pending: list[dict[str, Any]]) -> None:
        if self.panel.model.record_id != record_id:
            return  # the user moved on while this loaded
        waiting = [e for e in self._local_entries.values() if e["record_id"] == record_id]
        self.panel.model.set_entries(record_id, entries, pending + waiting)
        self.loaded_log_id = record_id
        self.log_loaded.emit(record_id)

    # Writing through the outbox ---------------------------------------------------------------------------
    def queue_log_entry(self, record_id: str, body: dict[str, Any], local_entry: dict[str, Any]) -> None:
        """Through the outbox (row id = entry id = Idempotency-Key); shown as waiting until confirmed."""
        if self.store is None:
            announce("This entry cannot be saved: there is no local store.", assertive=True)
            return
        self._local_entries[body["id"]] = local_entry
        self.writes.queue("POST", log_path(record_id), body, row_id=body["id"],
                          on_sent=lambda response: self._sent(body["id"], response),
                          on_rejected=lambda error: self._refused(local_entry, error))

    def _sent(self, row_id: str, response: Any) -> None:
        self._local_entries.pop(row_id, None)
        if isinstance(response, dict) and response.get("record_id"):
            self.panel.entry_confirmed(response)
            announce("Log entry saved")

    def _refused(self, local_entry: dict[str, Any], error: BaseException) -> None:
        self._local_entries.pop(local_entry["id"], None)
        message, field = str(error), "text"
        if isinstance(error, ApiError) and error.field_errors:
            field, message = next(iter(error.field_errors.items()))
        self.panel.entry_refused(local_entry, message, field)

    def _earlier_sent(self, item: OutboxItem, response: Any) -> None:
        self._sent(item.id, response)

    def _earlier_rejected(self, item: OutboxItem, error: BaseException) -> None:
        record_id = item.path.rstrip("/").split("/")[-2]
        self._refused({**item.body, "record_id": record_id}, error)

    # Change feed (through the hub) ------------------------------------------------------------------------
    def _entry_event(self, event: Event) -> None:
        # Ours arrives here too, perhaps before the sender's reply: either way it is saved.
        entry_id = event.data.get("id")
        if entry_id is not None:
            self._local_entries.pop(entry_id, None)
        self.panel.model.add_or_update(event.data, SAVED)
