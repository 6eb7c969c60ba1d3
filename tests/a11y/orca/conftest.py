"""Fixtures for the Orca journeys: the AT-SPI harness's private X server and buses, Orca 43 started in them
before the client, then the real client (demo suite on its embedded server).

Like the AT-SPI tests, these skip (saying why) only when Orca or the harness's tools are missing and
BRIDEWELL_REQUIRE_ATSPI is not 1; in CI (.ci/run sets it) a missing Orca fails them.
"""

from __future__ import annotations

import os

import pytest

from tests.a11y.atspi.harness import Client, DesktopSession, Orca, missing_tools, orca_missing, other_orcas
from tests.a11y.conftest import REPO, client_command


def _require_orca() -> None:
    missing = missing_tools() + orca_missing()
    others = other_orcas()
    if not missing and not others:
        return
    reason = ("Orca journeys need: " + ", ".join(missing) + " (run scripts/setup --test as root)" if missing else
              f"another Orca of this user is running (PIDs {others}); Orca allows one per user")
    if os.environ.get("BRIDEWELL_REQUIRE_ATSPI") == "1":
        pytest.fail(reason + "; BRIDEWELL_REQUIRE_ATSPI=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def orca_desktop():
    """Xvfb + private session bus + AT-SPI bus + Orca; everything ended by PID and reaped afterwards."""
    _require_orca()
    with DesktopSession() as session:
        session.orca = Orca(session).start()
        yield session


@pytest.fixture(scope="module")
def orca(orca_desktop) -> Orca:
    return orca_desktop.orca


@pytest.fixture(scope="module")
def heard_client(orca_desktop, tmp_path_factory) -> Client:
    """The real client, started after Orca, showing its sign-in dialog."""
    data_dir = tmp_path_factory.mktemp("orca-client-data")
    env = {}
    if not os.environ.get("BRIDEWELL_A11Y_CLIENT"):
        env["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    client = orca_desktop.start_client(client_command(data_dir), env)
    client.wait(role="password text", focusable=True, showing=True, timeout=60)
    client.focus_window()
    return client
