"""Client tests: pytest-qt offscreen, in-memory keyring, a real demo API server in a thread."""

from tests.desktop.harness import *  # noqa: F401,F403 - environment and fixtures
from tests.desktop.harness import pytest_collection_modifyitems  # noqa: F401
