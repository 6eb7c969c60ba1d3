"""The one way to run work off the GUI thread (after Anki's QueryOp / CollectionOp).

`ops.run(fn, on_done=..., on_error=...)` runs `fn()` on a thread pool; `ops.write(...)` runs it on the single
local-store writer so writes keep their order. The result or exception comes back on the GUI thread through
a queued Qt signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot
from shiboken6 import isValid

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


class Operations(QObject):
    _finished = Signal(object, object, object, object)  # callback, value, is_error, owner

    def __init__(self, parent: QObject | None = None, *, max_workers: int = 4):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bridewell-op")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridewell-store")
        self._finished.connect(self._deliver)
        self._closed = False
        self.in_flight = 0

    def run(self, fn: Callable[[], Any], *, on_done: Callback = None, on_error: Callback = None,
            owner: QObject | None = None) -> Future[Any]:
        """`owner`: the widget the callbacks update; if it has been deleted by the time the result arrives (a
        dialog or panel closed while it loaded), the result is dropped instead of touching a dead object."""
        return self._submit(self._pool, fn, on_done, on_error, owner)

    def write(self, fn: Callable[[], Any], *, on_done: Callback = None, on_error: Callback = None,
              owner: QObject | None = None) -> Future[Any]:
        """Local-store writes: one worker, in the order submitted."""
        return self._submit(self._writer, fn, on_done, on_error, owner)

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[[], Any], on_done: Callback,
                on_error: Callback, owner: QObject | None) -> Future[Any]:
        self.in_flight += 1

        def job() -> Any:
            try:
                value = fn()
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
                if not self._closed:
                    self._finished.emit(on_error, exc, True, owner)
                raise
            if not self._closed:
                self._finished.emit(on_done, value, False, owner)
            return value

        try:
            return pool.submit(job)
        except RuntimeError:
            # Shut down (the window is closing): a late call from a view being torn down starts nothing. A write
            # cannot be queued any more either; say so rather than crash the teardown.
            self.in_flight -= 1
            if pool is self._writer:
                log.warning("A local-store write arrived after shut-down and was not run: %r", fn)
            late: Future[Any] = Future()
            late.cancel()
            return late

    @Slot(object, object, object, object)
    def _deliver(self, callback: Callback, value: Any, is_error: bool, owner: QObject | None) -> None:
        self.in_flight -= 1
        if owner is not None and not isValid(owner):
            return  # its widget is gone: nobody to show this to
        if callback is not None:
            callback(value)
        elif is_error:
            log.error("Unhandled error in background operation:\n%s",
                      "".join(traceback.format_exception(value)))

    def shutdown(self, wait: bool = True, *, wait_for_reads: bool = False) -> None:
        """Finish queued writes (never drop a local-store write), then stop. Queued reads are dropped; reads
        already running are waited for only with wait_for_reads (before closing a store they may still use)."""
        self._writer.shutdown(wait=wait)
        self._closed = True
        self._pool.shutdown(wait=wait_for_reads, cancel_futures=True)
