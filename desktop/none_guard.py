"""Work around PySide6 6.12 over-releasing `None` when the client runs on Python 3.11.

PySide6 6.12 drops one reference to `None` on every Qt call that returns nothing. From Python 3.12 `None` is
immortal and this is harmless; on 3.11 its count runs down and the process aborts (`none_dealloc`) after hours
of use. `scripts/setup` prefers 3.12+; when only 3.11 is available, this adds to None's reference count from a
timer, long before it could reach zero. The count is raised in place (not by holding references in a list), so
nothing gives the references back when the interpreter shuts down.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer

NEEDED = sys.version_info < (3, 12)
_LOW_WATER, _TOP_UP = 1_000_000, 2_000_000


def top_up() -> None:
    if NEEDED and sys.getrefcount(None) < _LOW_WATER:
        import ctypes  # here, not at the top: only Python 3.11 needs it, and it costs the first window ~5 ms

        # ob_refcnt is the first field of every object in CPython release builds.
        ctypes.c_ssize_t.from_address(id(None)).value += _TOP_UP


def install(parent: QObject, interval_ms: int = 10_000) -> QTimer | None:
    """On Python < 3.12, top up now and every `interval_ms`; otherwise do nothing."""
    if not NEEDED:
        return None
    top_up()
    timer = QTimer(parent, interval=interval_ms)
    timer.timeout.connect(top_up)
    timer.start()
    return timer
