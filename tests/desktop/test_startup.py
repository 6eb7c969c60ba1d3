"""Start-up (issue 17) and the first run from the command line (issue 13): what a person sees first, how soon,
and what they are told when there is nothing to sign in to or an argument is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.announcer import announcer
from desktop.app import Startup, parse_args, start_embedded_process

REPO = Path(__file__).resolve().parents[2]


def run(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring"}
    return subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_heavy_parts_are_not_imported_until_used():
    """The client's first import is light (the server starts first, Qt after it), what the sign-in dialog needs
    brings neither SQLAlchemy nor httpx (read after it has painted), the main window does not bring reportlab, and
    the password module computes no hash at import. Nor ssl (OpenSSL): the first API client loads it."""
    done = run("-c", "import sys, desktop.app, server.auth.passwords as p\n"
                     "heavy = [m for m in ('PySide6', 'httpx', 'sqlalchemy', 'fastapi', 'keyring')\n"
                     "         if m in sys.modules]\n"
                     "assert not heavy, heavy\n"
                     "assert p._DUMMY_HASH is None\n"
                     "import desktop.theme, desktop.operations, desktop.views.shell.login_dialog\n"
                     "early = [m for m in ('sqlalchemy', 'httpx', 'ssl') if m in sys.modules]\n"
                     "assert not early, early\n"
                     "import desktop.main_window\n"
                     "assert not [m for m in sys.modules if m.startswith('reportlab')]\n")
    assert done.returncode == 0, done.stderr


def test_a_server_address_that_is_not_a_url_is_refused_at_once():
    done = run("-m", "desktop", "--server", "not-a-url", timeout=30)
    assert done.returncode == 2
    assert "--server" in done.stderr and "must start with http:// or https://" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_database_folder_that_cannot_be_made_is_a_clear_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run("-m", "server", "--database-url", f"sqlite:///{blocker}/x.db", "migrate", timeout=30)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"Cannot create the folder for the database at sqlite:///{blocker}/x.db" in done.stderr


def test_the_server_options_say_what_they_do():
    done = run("-m", "server", "--help", timeout=30)
    text = " ".join(done.stdout.split())
    assert "--host ADDRESS network address to listen on" in text
    assert "0.0.0.0 every workstation" in text
    assert "--port PORT TCP port to listen on" in text


def test_the_readme_screenshot_works_on_a_new_data_folder(tmp_path):
    """The README's example, with no --demo and no server: it signs in as the demo sergeant, so it has the demo."""
    shot = tmp_path / "main.png"
    done = run("-m", "desktop", "--data-dir", str(tmp_path / "new"), "--screenshot", str(shot), timeout=120)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 20_000


@pytest.fixture
def first_run(qtbot, tmp_path):
    """The client as `bridewell` starts it on a new data folder: its own server in a child process, no users."""
    args = parse_args(["--data-dir", str(tmp_path / "data")])
    embedded = start_embedded_process(args)
    startup = Startup(QApplication.instance(), args, embedded)
    yield startup
    if startup.dialog is not None:
        startup.dialog.rejected.disconnect()
        startup.dialog.close()
    startup.finish()


def test_the_sign_in_dialog_comes_first_and_a_first_run_says_what_to_do(qtbot, first_run):
    said: list[str] = []
    announcer().announced.connect(lambda text, _assertive: said.append(text))
    first_run.begin()
    dialog = first_run.dialog
    # Shown before the server has even finished starting (it is importing in its child process meanwhile).
    assert dialog is not None and dialog.isVisible()
    assert first_run.embedded is not None and first_run.embedded.process.poll() is None
    assert dialog.server_edit.text() == first_run.embedded.url
    qtbot.waitUntil(lambda: "no users" in dialog.status_label.text(), timeout=60_000)
    text = dialog.status_label.text()
    assert "bridewell --demo" in text and "--role administrator" in text and "bridewell --server" in text
    assert any("no users" in s for s in said)  # announced, not only shown


def test_the_client_can_create_the_first_administrator_of_its_own_database(tmp_path):
    """`bridewell --server-command` is `bridewell-server` (the frozen client has no separate server program)."""
    db = tmp_path / "data" / "bridewell-server.sqlite3"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "desktop", "--server-command", "--database-url", f"sqlite:///{db}",
                           "create-user", "--username", "first.admin", "--display-name", "Ada Fictional",
                           "--rank", "Inspector", "--collar", "AD0002", "--role", "administrator",
                           "--password-stdin"], cwd=REPO, env=env, input="a-long-enough-password\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Created user first.admin (administrator)." in done.stdout


def test_a_sign_in_before_the_local_store_is_open_waits_for_it(qtbot, tmp_path, demo_server):
    """The dialog is up before step 1 (local store, remembered sign-in) has run: a quick sign-in must still open
    the main window, once that step is done, not fail on it."""
    from desktop.sync.client import ApiClient

    startup = Startup(QApplication.instance(), parse_args(["--server", demo_server.url, "--data-dir",
                                                           str(tmp_path / "data")]))
    try:
        startup.begin()
        assert startup.dialog is not None and startup.prepared is None  # step 1 starts after the dialog paints
        client = ApiClient(demo_server.url)
        user = client.login("sergeant", "bridewell-demo")["user"]
        startup.dialog.signed_in.emit(client, {"user": user})
        qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible(), timeout=30_000)
        assert startup.window.session.user["username"] == "sergeant"
    finally:
        if startup.dialog is not None:
            startup.dialog.rejected.disconnect()
            startup.dialog.close()
        if startup.window is not None:
            startup.window.close()
        startup.finish()
