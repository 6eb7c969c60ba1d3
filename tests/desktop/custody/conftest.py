"""Custody client tests: pytest-qt offscreen against a real demo API server (tests/desktop/harness.py)."""

import pytest

from tests.desktop.harness import *  # noqa: F401,F403 - environment and fixtures
from tests.desktop.harness import OFFSCREEN_NOISE
from tests.desktop.harness import pytest_collection_modifyitems as _harness_marks

# The offence completer's popup asks to grab the keyboard; the offscreen test platform cannot, and says so.
POPUP_NOISE = r"This plugin does not support grabbing the keyboard"


def pytest_collection_modifyitems(items):
    _harness_marks(items)
    for item in items:
        if "tests/desktop/custody" in str(item.path):
            # Prepended: pytest-qt reads the closest qt_log_ignore mark only, so this one carries both patterns.
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, POPUP_NOISE), append=False)
