"""The one way a view saves something to the server: outbox row first, then the sender delivers it.

    window.writes.queue("POST", f"/custody/records/{rid}/checks", body,
                        on_sent=lambda response: ..., on_rejected=lambda error: ...)

The row id is `body["id"]` when the body carries a client-made UUID (so a retried create is the same
create), otherwise a new UUID; it is also the request's Idempotency-Key. The callbacks run on the GUI thread.
A rejection (4xx) comes back as an `ApiError` (with `field_errors`) so the view can put the message beside
the field and keep what was typed. Rows queued in an earlier run, whose view is gone, go to the handler a
window registered for their path with `on_earlier(...)`, or else are reported through the announcer.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.announcer import announce
from desktop.sync.qt_outbox import QtOutboxSender
from desktop.operations import Operations
from desktop.sync.local_store import LocalStore, OutboxItem

SentCallback = Callable[[Any], None]
RejectedCallback = Callable[[BaseException], None]
WaitingCallback = Callable[[str], None]
EarlierSent = Callable[[OutboxItem, Any], None]
EarlierRejected = Callable[[OutboxItem, BaseException], None]


class Writes(QObject):
    queued = Signal(str)  # row id, once the row is safely in the local store
    stored = Signal(object)  # the OutboxItem, once safely in the local store (offline: provisional records)

    def __init__(self, ops: Operations, store: LocalStore | None, sender: QtOutboxSender | None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._ops = ops
        self._store = store
        self._sender = sender
        self._waiting: dict[str, tuple[SentCallback | None, RejectedCallback | None]] = {}
        self._on_waiting: dict[str, WaitingCallback] = {}
        self._earlier: list[tuple[Callable[[str], bool], EarlierSent, EarlierRejected]] = []
        # A 412 on a row no form waits for (desktop/views/forms/conflict_dialog.resolve_outbox_conflict).
        self.conflict_handler: EarlierRejected | None = None
        if sender is not None:
            sender.sent.connect(self._sent)
            sender.rejected.connect(self._refused)
            sender.conflict.connect(self._conflict)
            sender.retrying.connect(self._retrying)

    def queue(self, method: str, path: str, body: dict[str, Any], *, on_sent: SentCallback | None = None,
              on_rejected: RejectedCallback | None = None, row_id: str | None = None,
              headers: dict[str, str] | None = None, on_waiting: WaitingCallback | None = None) -> str:
        """Store the write locally (never on the GUI thread), then wake the sender. Returns the row id.

        `headers` go with the request (If-Match for a versioned step). `on_waiting(reason)` is called when the
        sender could not deliver it yet (server unreachable or busy) and will try again."""
        row_id = row_id or body.get("id") or str(uuid.uuid4())
        if self._store is None:
            error = RuntimeError("there is no local store on this computer, so nothing can be saved")
            if on_rejected is not None:
                on_rejected(error)
            else:
                announce(f"Not saved: {error}.", assertive=True)
            return row_id
        self._waiting[row_id] = (on_sent, on_rejected)
        if on_waiting is not None:
            self._on_waiting[row_id] = on_waiting
        store = self._store
        author = self._sender.author if self._sender is not None else None  # the row is this user's (issue 11)

        def stored(item: OutboxItem) -> None:
            self.queued.emit(row_id)
            self.stored.emit(item)
            if self._sender is not None:
                self._sender.wake()

        def failed(exc: BaseException) -> None:
            _sent, rejected = self._waiting.pop(row_id, (None, None))
            self._on_waiting.pop(row_id, None)
            error = RuntimeError(f"it could not be written to this computer's store ({exc})")
            if rejected is not None:
                rejected(error)
            else:
                announce(f"Not saved: {error}.", assertive=True)

        self._ops.write(lambda: store.add_outbox(method, path, body, row_id=row_id, headers=headers,
                                                   author=author),
                        on_done=stored, on_error=failed)
        return row_id

    @property
    def outbox(self) -> QtOutboxSender | None:
        """The outbox sender (its signals: set aside, conflict, authentication needed; resend and discard)."""
        return self._sender

    @property
    def store(self) -> LocalStore | None:
        return self._store

    def _hand_back(self, row_id: str) -> None:
        """The view that sent the row showed its refusal and keeps what was typed (a corrected save is a new row):
        the refused row is no longer held in Unsent changes, nor does it hold back later rows of its record."""
        store, sender = self._store, self._sender
        if store is None:
            return
        self._ops.write(lambda: store.hand_back(row_id), on_done=lambda _r: sender.wake() if sender else None,
                        on_error=lambda exc: announce(f"Could not update this computer's store: {exc}"))

    @property
    def ops(self) -> Operations:
        return self._ops

    def resolve(self, row_id: str, method: str, path: str, body: dict[str, Any], headers: dict[str, str], *,
                on_sent: SentCallback | None = None, on_rejected: RejectedCallback | None = None,
                on_waiting: WaitingCallback | None = None) -> None:
        """Send a conflicted row again (same row, same key: the 412 committed nothing) with the body the officer
        chose and the current version's If-Match; the callbacks hear its answer like `queue`'s."""
        if on_sent is not None or on_rejected is not None:
            self._waiting[row_id] = (on_sent, on_rejected)
        if on_waiting is not None:
            self._on_waiting[row_id] = on_waiting
        sender = self._sender
        if sender is None:
            return
        self._ops.write(lambda: sender.resolve_conflict(row_id, body, headers),
                        on_done=lambda _r: self.queued.emit(row_id))

    def discard(self, row_id: str, reason: str) -> None:
        """Set a conflicted row aside for good, with the officer's reason."""
        self._waiting.pop(row_id, None)
        self._on_waiting.pop(row_id, None)
        sender = self._sender
        if sender is not None:
            self._ops.write(lambda: sender.discard(row_id, reason))

    def _conflict(self, item: OutboxItem, error: BaseException) -> None:
        """A form waiting for the row compares it itself (WriteDialog.refused); otherwise the window's handler."""
        _sent, on_rejected = self._waiting.get(item.id, (None, None))
        if on_rejected is None and self.conflict_handler is not None:  # no form to compare it in
            self._waiting.pop(item.id, None)
            self._on_waiting.pop(item.id, None)
            self.conflict_handler(item, error)
            return
        self._rejected(item, error)

    def on_earlier(self, matches: Callable[[str], bool], on_sent: EarlierSent, on_rejected: EarlierRejected) -> None:
        """Handle rows queued in an earlier run (no view is waiting for them) whose path `matches`: the sender
        delivers them at start, before any view could ask again, so this is registered up front."""
        self._earlier.append((matches, on_sent, on_rejected))

    def _earlier_for(self, item: OutboxItem) -> tuple[EarlierSent, EarlierRejected] | None:
        return next(((sent, rejected) for matches, sent, rejected in self._earlier if matches(item.path)), None)

    def is_waiting(self, row_id: str) -> bool:
        return row_id in self._waiting

    def _retrying(self, _item: OutboxItem, reason: str) -> None:
        """Rows are sent in order, so every row queued here waits behind the one that could not go. Each view
        is told once (queueing wakes the sender, which retries at once, so a new row hears it promptly)."""
        waiting, self._on_waiting = self._on_waiting, {}
        for on_waiting in waiting.values():
            on_waiting(reason)

    def _sent(self, item: OutboxItem, response: Any) -> None:
        self._on_waiting.pop(item.id, None)
        if item.id not in self._waiting:
            earlier = self._earlier_for(item)
            if earlier is not None:
                earlier[0](item, response)
            return
        on_sent, _ = self._waiting.pop(item.id)
        if on_sent is not None:
            on_sent(response)

    def _refused(self, item: OutboxItem, error: BaseException) -> None:
        # The sender reports a 412 twice: as a conflict (handled by _conflict, which compares the versions) and
        # as set aside (for the Unsent changes view). Hear it once here.
        if getattr(error, "status", None) != 412:
            self._rejected(item, error)

    def _rejected(self, item: OutboxItem, error: BaseException) -> None:
        self._on_waiting.pop(item.id, None)
        if item.id not in self._waiting and (earlier := self._earlier_for(item)) is not None:
            earlier[1](item, error)
            return
        _, on_rejected = self._waiting.pop(item.id, (None, None))
        if on_rejected is not None:
            on_rejected(error)
            if getattr(error, "status", None) != 412:  # a conflict stays for the conflict dialog
                self._hand_back(item.id)
        else:
            announce(f"A change made earlier was refused by the server: {error}. It is kept in File, Unsent changes "
                     "(Ctrl+Alt+O), to correct and resend or discard.", assertive=True)
