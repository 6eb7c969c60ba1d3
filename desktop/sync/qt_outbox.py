"""The thin Qt adapter of the outbox sender (desktop/sync/outbox_sender.py): what the sender's worker thread
reports is emitted as signals, which Qt queues to receivers on the GUI thread (`Writes`, the status bar, the
lock screen, the conflict dialog, the Unsent changes view)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient
from desktop.sync.local_store import Author, LocalStore
from desktop.sync.outbox_sender import BACKOFF_S, BATCH_SIZE, OutboxSender


class QtOutboxSender(QObject):
    sent = Signal(object, object)  # OutboxItem, server response (the created entity)
    rejected = Signal(object, object)  # OutboxItem, ApiError: set aside (refused, a conflict, or unsendable)
    retrying = Signal(object, str)  # OutboxItem, reason
    pending_changed = Signal(int)  # rows still waiting to send
    conflict = Signal(object, object)  # OutboxItem, ApiError (412: `error.current` is the server's copy)
    authentication_needed = Signal()  # a 401 paused the queue; call resume() once the client has a new token
    failed = Signal(object)  # the sender hit an unexpected error (logged) and restarts
    set_aside_changed = Signal()  # the set-aside rows changed (resent or discarded): the Unsent view reloads
    set_aside_count_changed = Signal(int)  # rows set aside for the officer (the status bar says so)
    others_count_changed = Signal(int)  # rows other officers queued here: they wait for them to sign in again

    def __init__(self, store: LocalStore, client: ApiClient, *, backoff: tuple[float, ...] = BACKOFF_S,
                 batch_size: int = BATCH_SIZE, author: Author | None = None, parent: QObject | None = None):
        """`author`: the signed-in user, whose token `client` holds: rows are queued as theirs (Writes) and only
        theirs are sent; other officers' rows wait for them."""
        super().__init__(parent)
        self.author = author
        self.core = OutboxSender(store, client, backoff=backoff, batch_size=batch_size, on_sent=self.sent.emit,
                                 on_rejected=self.rejected.emit, on_retrying=self.retrying.emit,
                                 on_pending=self.pending_changed.emit, on_conflict=self.conflict.emit,
                                 on_auth_needed=self.authentication_needed.emit, on_error=self.failed.emit,
                                 on_set_aside=self.set_aside_count_changed.emit,
                                 on_others=self.others_count_changed.emit,
                                 author_id=author.id if author is not None else None)

    @property
    def paused(self) -> bool:
        return self.core.paused

    def start(self) -> None:
        self.core.start()

    def wake(self) -> None:
        self.core.wake()

    def resume(self) -> None:
        """After a new sign-in (the client holds the new token): send on from where the 401 paused."""
        self.core.resume()

    def stop(self, timeout: float = 5.0) -> None:
        self.core.stop(timeout)

    # Disk I/O: call these from a worker (Operations), never from the GUI thread.
    def resolve_conflict(self, row_id: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> bool:
        """Send a set-aside row again with this (merged or corrected) body and headers (the current If-Match)."""
        done = self.core.resolve_conflict(row_id, body, headers)
        self.set_aside_changed.emit()
        return done

    resend = resolve_conflict

    def discard(self, row_id: str, reason: str, who: str = "") -> bool:
        """Give a set-aside row up, with the reason (and who) kept; what waited behind it goes on."""
        done = self.core.discard(row_id, reason, who)
        self.set_aside_changed.emit()
        return done
