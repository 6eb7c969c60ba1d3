"""Root test configuration. Area fixtures live in each sub-directory's conftest.py."""

import os
import sys

import pytest

# Tests never touch the real user data folder's database.
os.environ.pop("BRIDEWELL_DATABASE_URL", None)


@pytest.fixture(params=[1, 2], ids=["normal-font", "200%-font"])
def font_scale(request, qapp):
    """Run a Qt test at the normal and at twice the application font size (WCAG 1.4.4 resize text)."""
    from PySide6.QtWidgets import QApplication

    original = QApplication.font()
    if request.param != 1:
        bigger = QApplication.font()
        bigger.setPointSizeF(original.pointSizeF() * request.param)
        QApplication.setFont(bigger)
    yield request.param
    QApplication.setFont(original)


@pytest.fixture(autouse=True)
def _none_reserve():
    """Python 3.11 only: keep PySide6's over-released None references topped up (desktop/none_guard.py)."""
    if sys.version_info < (3, 12):
        from desktop import none_guard

        none_guard.top_up()
    yield
