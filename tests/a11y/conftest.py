"""Fixtures for the screen-reader (AT-SPI) tests: a private X server, session bus and AT-SPI bus per test
module, the real client launched into them, and a signed-in client driven only by keystrokes and AT-SPI.

The tests skip, saying why, only when Xvfb, xdotool, at-spi2-core or Debian's python3-pyatspi are missing and
BRIDEWELL_REQUIRE_ATSPI is not 1 (`scripts/setup --test` installs them, so CI runs these tests).

BRIDEWELL_A11Y_CLIENT replaces `python -m desktop` (e.g. with the frozen binary `dist/bridewell/bridewell`)
to run the same checks against another build; `--demo --data-dir DIR` are always appended.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest

# The in-process audits' fixtures (and offscreen Qt + the in-memory keyring, set before Qt loads).
from tests.desktop.harness import _clean_keyring, make_window, ops, start_server  # noqa: F401
from tests.a11y.atspi.harness import Client, DesktopSession, DriverFailed, missing_tools

REPO = Path(__file__).resolve().parents[2]
DEMO_USER, DEMO_PASSWORD = "sergeant", "bridewell-demo"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A demo API server per test module, so one module's writes never change what another module audits."""
    server = start_server(f"sqlite:///{tmp_path_factory.mktemp('server') / 'bridewell.sqlite3'}")
    yield server
    server.stop()


def _require_atspi() -> None:
    missing = missing_tools()
    if not missing:
        return
    reason = "screen-reader (AT-SPI) tests need: " + ", ".join(missing) + " (run scripts/setup --test as root)"
    if os.environ.get("BRIDEWELL_REQUIRE_ATSPI") == "1":
        pytest.fail(reason + "; BRIDEWELL_REQUIRE_ATSPI=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


def client_command(data_dir: Path) -> list[str]:
    base = os.environ.get("BRIDEWELL_A11Y_CLIENT")
    argv = shlex.split(base) if base else [sys.executable, "-m", "desktop"]
    return [*argv, "--demo", "--data-dir", str(data_dir)]


@pytest.fixture(scope="module")
def atspi_desktop():
    """Xvfb + private D-Bus session bus + AT-SPI bus; everything ended by PID and reaped afterwards."""
    _require_atspi()
    with DesktopSession() as session:
        yield session


@pytest.fixture(scope="module")
def bridewell(atspi_desktop, tmp_path_factory) -> Client:
    """The real client (demo suite on its embedded server), showing its sign-in dialog on the AT-SPI bus."""
    data_dir = tmp_path_factory.mktemp("client-data")
    env: dict[str, str | None] = {}
    if os.environ.get("BRIDEWELL_A11Y_CLIENT"):
        # The tests' in-memory keyring (set for this pytest process by tests/desktop/harness.py) is not inside a
        # frozen build: it keeps its own keyring choice, as on a workstation.
        env["PYTHON_KEYRING_BACKEND"] = None
    else:
        # The tests' in-memory keyring: no Secret Service exists on the private bus, and the venv client
        # can import it (a frozen build keeps its own keyring choice).
        env["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    client = atspi_desktop.start_client(client_command(data_dir), env)
    client.wait(role="password text", focusable=True, showing=True, timeout=60)
    client.focus_window()
    return client


def sign_in(client: Client, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> None:
    """Sign in the way a keyboard and screen-reader user does: fields found by their spoken names."""
    server = client.find(name="Server address", focusable=True)
    assert server.get("text"), f"the demo client should fill in its embedded server address: {server}"
    client.focus_field_and_type(username, name="User name")  # replaces the demo's pre-filled name
    client.focus_field_and_type(password, name="Password")
    client.key("Return")


def signed_in_as(client: Client, username: str = DEMO_USER) -> Client:
    """Sign in through the dialog and wait for the custody board (the client's output shown if it never comes)."""
    sign_in(client, username)
    try:
        client.wait(id="custodyBoard", role="table", showing=True, timeout=60)
    except DriverFailed as exc:
        raise DriverFailed(f"{exc}\n--- client output ---\n{client.output()[-4000:]}") from None
    return client


def table_rows(table: dict) -> list[dict[str, str]]:
    """A table read through AT-SPI as rows of {column header: the cell's spoken text}."""
    return [{h: cell["name"] for h, cell in zip(table["headers"], row)} for row in table["rows"]]


@pytest.fixture(scope="module")
def signed_in(bridewell) -> Client:
    """The client after signing in through the dialog, with the custody board on screen."""
    return signed_in_as(bridewell)
