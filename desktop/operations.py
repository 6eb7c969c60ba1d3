"""The one way to run work off the GUI thread (after Anki's QueryOp / CollectionOp).

`ops.run(fn, on_done=..., on_error=...)` runs `fn()` on a thread pool; `ops.write(...)` runs it on the single
local-store writer so writes keep their order. The result or exception comes back on the GUI thread through
a queued Qt signal, so callbacks may touch widgets.

At start-up the main window holds its areas' first reads (`hold_reads`) so the custody board's read, marked
`first`, does not queue behind them: with four workers, the docks' first reads used to take every worker while the
board, what a person waits for, waited (docs/performance.md, issue 17's fourth round).
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from shiboken6 import isValid

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


class Operations(QObject):
    _finished = Signal(object, object, object, object, bool)  # callback, value, is_error, owner, first

    def __init__(self, parent: QObject | None = None, *, max_workers: int = 4):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bridewell-op")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridewell-store")
        self._finished.connect(self._deliver)
        self._closed = False
        self.in_flight = 0
        # Reads held by hold_reads() (fn, on_done, on_error, owner, the Future returned for it), or None.
        self._held: list[tuple[Callable[[], Any], Callback, Callback, QObject | None, Future[Any]]] | None = None
        self._release_after_first = False
        self._first_out = 0  # `first` reads not yet delivered
        self._delivering_first = False

    def run(self, fn: Callable[[], Any], *, on_done: Callback = None, on_error: Callback = None,
            owner: QObject | None = None, first: bool = False) -> Future[Any]:
        """`owner`: the widget the callbacks update; if it has been deleted by the time the result arrives (a
        dialog or panel closed while it loaded), the result is dropped instead of touching a dead object.
        `first`: what a person is waiting to see; it starts at once even while reads are held (hold_reads), and
        so do the reads its callback asks for (the board's first row selected: that record's log)."""
        if self._held is not None and not first and not self._delivering_first:
            self.in_flight += 1
            placeholder: Future[Any] = Future()
            self._held.append((fn, on_done, on_error, owner, placeholder))
            return placeholder
        if first:
            self._first_out += 1
        return self._submit(self._pool, fn, on_done, on_error, owner, first)

    def hold_reads(self) -> None:
        """Reads submitted from now on wait, in order, until release_reads(); `first` reads do not wait."""
        if self._held is None:
            self._held = []

    def release_reads(self) -> None:
        """Start the held reads: now, or, while a `first` read is still out, once its result has been delivered
        (success or failure)."""
        if self._first_out > 0:
            self._release_after_first = True
            return
        held, self._held, self._release_after_first = self._held or [], None, False
        for fn, on_done, on_error, owner, placeholder in held:
            self.in_flight -= 1  # counted again by _submit
            if placeholder.set_running_or_notify_cancel():
                started = self._submit(self._pool, fn, on_done, on_error, owner)
                started.add_done_callback(partial(_copy_outcome, into=placeholder))

    def write(self, fn: Callable[[], Any], *, on_done: Callback = None, on_error: Callback = None,
              owner: QObject | None = None) -> Future[Any]:
        """Local-store writes: one worker, in the order submitted."""
        return self._submit(self._writer, fn, on_done, on_error, owner)

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[[], Any], on_done: Callback,
                on_error: Callback, owner: QObject | None, first: bool = False) -> Future[Any]:
        self.in_flight += 1

        def job() -> Any:
            try:
                value = fn()
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
                if not self._closed:
                    self._finished.emit(on_error, exc, True, owner, first)
                raise
            if not self._closed:
                self._finished.emit(on_done, value, False, owner, first)
            return value

        try:
            return pool.submit(job)
        except RuntimeError:
            # Shut down (the window is closing): a late call from a view being torn down starts nothing. A write
            # cannot be queued any more either; say so rather than crash the teardown.
            self.in_flight -= 1
            if first:
                self._first_out -= 1
            if pool is self._writer:
                log.warning("A local-store write arrived after shut-down and was not run: %r", fn)
            late: Future[Any] = Future()
            late.cancel()
            return late

    @Slot(object, object, object, object, bool)
    def _deliver(self, callback: Callback, value: Any, is_error: bool, owner: QObject | None, first: bool) -> None:
        self.in_flight -= 1
        self._delivering_first = first
        try:
            if owner is not None and not isValid(owner):
                return  # its widget is gone: nobody to show this to
            if callback is not None:
                callback(value)
            elif is_error:
                log.error("Unhandled error in background operation:\n%s",
                          "".join(traceback.format_exception(value)))
        finally:
            self._delivering_first = False
            if first:
                self._first_out -= 1
                if self._first_out == 0 and self._release_after_first:
                    self.release_reads()

    def shutdown(self, wait: bool = True, *, wait_for_reads: bool = False) -> None:
        """Finish queued writes (never drop a local-store write), then stop. Queued reads are dropped; reads
        already running are waited for only with wait_for_reads (before closing a store they may still use)."""
        self._writer.shutdown(wait=wait)
        self._closed = True
        held, self._held = self._held or [], None
        for *_call, placeholder in held:  # dropped like the queued reads below
            self.in_flight -= 1
            placeholder.cancel()
        self._pool.shutdown(wait=wait_for_reads, cancel_futures=True)


def _copy_outcome(done: Future[Any], into: Future[Any]) -> None:
    """A held read's Future (returned by run) takes the outcome of the job it became."""
    if done.cancelled():
        into.set_exception(RuntimeError("the read was dropped at shut-down"))
    elif (exc := done.exception()) is not None:
        into.set_exception(exc)
    else:
        into.set_result(done.result())


def after_paint(widget: QObject, then: Callable[[], object]) -> None:
    """Call `then` once `widget` has finished its next paint (from the event loop, after the Paint event): work
    that would compete with a first window for the GIL (a worker's imports) starts once that window is on screen."""

    class Watcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    widget.installEventFilter(Watcher(widget))
