"""The client survives PySide6 6.12's over-release of None, whichever Python runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop import none_guard

ROOT = Path(__file__).resolve().parents[2]

# Many void Qt calls: each one drops a reference to None (PySide6 6.12). Without the guard, Python 3.11 aborts
# with "none_dealloc" during the loop or at exit.
CHILD = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QLabel
from desktop import none_guard
app = QApplication([])
none_guard.install(app)
label = QLabel()
for _ in range(300_000):
    label.setText("x")
print("survived")
"""


def test_a_long_run_of_void_qt_calls_does_not_abort():
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-1000:]
    assert "survived" in result.stdout


def test_the_guard_is_only_active_before_python_3_12():
    assert none_guard.NEEDED == (sys.version_info < (3, 12))
    if not none_guard.NEEDED:
        before = sys.getrefcount(None)
        none_guard.top_up()
        assert sys.getrefcount(None) == before  # immortal None: nothing to do
