"""Printing and charging client tests run against their own demo server, since they charge detainees."""
from __future__ import annotations

import pytest

from tests.desktop.harness import custody_board, signed_in_client, start_server


@pytest.fixture(scope="module")
def print_server(tmp_path_factory):
    server = start_server(f"sqlite:///{tmp_path_factory.mktemp('print-server') / 'bridewell.sqlite3'}")
    yield server
    server.stop()


@pytest.fixture
def api(print_server):
    client = signed_in_client(print_server.url)
    yield client
    client.close()


def uncharged_record(window, api) -> dict:
    """Select an open record not yet charged (each test charges its own) and return it."""
    for record in api.open_records():
        if record["status"] == "in_custody" and not record.get("charged_at") and not api.request(
                "GET", f"/custody/records/{record['id']}/charges"):
            assert custody_board(window).select_record_id(record["id"])
            return record
    pytest.fail("No uncharged demo detainee left")


# The completer popup asks for a keyboard grab, which the offscreen test platform cannot give (platform noise).
KEYBOARD_GRAB_NOISE = r"This plugin does not support grabbing the keyboard"


def pytest_collection_modifyitems(items):
    from tests.desktop.harness import OFFSCREEN_NOISE

    for item in items:
        if "tests/desktop/printing" in str(item.path):
            # One mark holding every pattern (the test's own too), prepended: pytest-qt reads only the closest.
            own = [arg for mark in item.iter_markers("qt_log_ignore") for arg in mark.args]
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, KEYBOARD_GRAB_NOISE, *own), append=False)
