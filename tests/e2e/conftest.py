"""End-to-end: the real client against a real `bridewell-server` process."""

from tests.desktop.harness import *  # noqa: F401,F403 - offscreen Qt, memory keyring, client fixtures
