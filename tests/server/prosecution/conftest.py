"""Prosecution tests reuse the custody fixtures: the demo users (no demo detainees) and booking through the API."""
from tests.server.custody.conftest import h, users  # noqa: F401
