"""What the window does for work done while the server is away (desktop/sync/offline.py has the plain parts).

`ProvisionalBookings`: a booking-in stored in the outbox while the server is unreachable (or not yet confirmed)
is put through the change hub at once as a custody record under a provisional number ("P-…"), so the board,
the detainee log, the person dock and printouts show it and its clocks run. When the server has it, its answer
(the record under the server's custody number, same id) goes through the hub the same way and replaces the
provisional one everywhere. Bookings still waiting from an earlier run are shown again at start.

`install_offline_work` also gives the outbox's conflicts with no form waiting (queued in an earlier run, or the
form was closed) to the side-by-side dialog.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.announcer import announce
from desktop.sync.client import ApiError
from desktop.sync.local_store import OutboxItem
from desktop.sync.offline import is_booking, provisional_record
from desktop.views.forms.conflict_dialog import resolve_outbox_conflict
from desktop.views.forms.refusal import conflict_words
from desktop.views.shell.unsent_changes import describe_what
from domain.events import EventType

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


def _event(kind: EventType, record: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind.value, "entity": "custody_record", "entity_id": record["id"], "record_id": record["id"],
            "data": record}


class ProvisionalBookings(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("provisionalBookings")
        self.window = window
        self.held: dict[str, dict[str, Any]] = {}  # row id -> the provisional record shown
        window.writes.stored.connect(self._stored)
        if window.sender_ is not None:
            window.sender_.sent.connect(self._sent)
            window.sender_.rejected.connect(self._refused)
        store = window.store
        if store is not None:  # queued in an earlier run and still waiting: show them again
            window.ops.run(lambda: [i for i in store.pending() if is_booking(i.method, i.path)],
                           on_done=self._earlier, on_error=lambda _exc: None, owner=window)

    def _earlier(self, items: list[OutboxItem]) -> None:
        for item in items:
            self.show_provisional(item, quiet=True)

    def _stored(self, item: OutboxItem) -> None:
        if is_booking(item.method, item.path) and (self.window.reachable is not True or self.window.session.offline):
            self.show_provisional(item)

    def show_provisional(self, item: OutboxItem, *, quiet: bool = False) -> None:
        if item.id in self.held or self.window.is_closed():
            return
        try:
            record = provisional_record(item.body, self.window.session.user)
        except (KeyError, ValueError):
            return  # a body the server will refuse anyway: it is reported then
        self.held[item.id] = record
        self.window.session.changes.deliver([_event(EventType.CUSTODY_RECORD_CREATED, record)])
        if not quiet:
            announce(f"Booked in on this computer: {record['name']}, provisional number {record['custody_number']}. "
                     "The server gives the custody number when it has the booking.")

    def _sent(self, item: OutboxItem, response: Any) -> None:
        held = self.held.pop(item.id, None)
        if held is None or not isinstance(response, dict) or not response.get("id"):
            return
        # The server's record (same id) replaces the provisional one wherever it is shown.
        self.window.session.changes.deliver([_event(EventType.CUSTODY_RECORD_UPDATED, response)])
        announce(f"Custody number {response.get('custody_number')} confirmed for {response.get('name') or held['name']}"
                 f" (provisional number {held['custody_number']} replaced).")


    def _refused(self, item: OutboxItem, error: BaseException) -> None:
        """The server refused the booking: it never existed there, so it leaves the board (as a record that ends
        does), and the officer is told; the booking form says why when it is still open."""
        held = self.held.pop(item.id, None)
        if held is None:
            return
        self.window.session.changes.deliver([_event(EventType.CUSTODY_RECORD_UPDATED, {
            **held, "status": "not booked in", "released_at": datetime.now(timezone.utc).isoformat()})])
        announce(f"The booking-in of {held['name']} ({held['custody_number']}) was refused by the server: {error}. "
                 "It has been taken off the board; book the detainee in again.", assertive=True)


def install_offline_work(window: MainWindow) -> ProvisionalBookings:
    writes = window.writes

    def conflict(item: OutboxItem, error: BaseException) -> None:
        if isinstance(error, ApiError):
            if resolve_outbox_conflict(window, writes, item, error) is None:  # nothing to compare: said in words
                announce(f"{describe_what(item)}: {conflict_words(error, 'record')}", assertive=True)
        else:
            announce(f"A change made earlier was refused by the server: {error}", assertive=True)

    writes.conflict_handler = conflict
    return ProvisionalBookings(window)
