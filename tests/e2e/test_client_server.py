"""The real client against a real server process: screenshot, self-test, a log entry read back over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PySide6.QtGui import QImage

from tests.support.live_server import live_server

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("e2e-server"), demo=True) as running:
        yield running


def run_client(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring"}
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_screenshot_of_the_signed_in_main_window(server, tmp_path):
    shot = tmp_path / "main.png"
    result = run_client("--server", server.url, "--screenshot", str(shot), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert shot.exists() and shot.stat().st_size > 20_000
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    # Non-trivial: many distinct colours (text, table, selection), not a blank or single-colour frame.
    colours = {image.pixel(x, y) for x in range(0, 1280, 7) for y in range(0, 800, 7)}
    assert len(colours) > 20


def test_self_test_reports_and_passes(server, tmp_path):
    result = run_client("--server", server.url, "--self-test", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-test passed." in result.stdout
    assert "Keyring: tests.support.memory_keyring.MemoryKeyring is secure" in result.stdout
    assert f"Server: {server.url} answers" in result.stdout


def test_self_test_with_an_unusable_data_dir_explains_without_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_client("--self-test", "--data-dir", str(blocker / "data"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Cannot create the data folder" in result.stderr
    assert str(blocker / "data") in result.stderr


def test_self_test_with_an_unreachable_server_fails_clearly(tmp_path):
    result = run_client("--server", "http://127.0.0.1:9", "--self-test", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 1
    assert "FAIL  Server: http://127.0.0.1:9 does not answer" in result.stdout


def test_log_entry_made_in_the_client_is_read_back_over_http(qtbot, make_window, server):
    from tests.desktop.custody.test_detainee_log import SAVED, find, first_record_id, select, type_and_save

    window = make_window(server.url)
    record_id = first_record_id(window)
    select(qtbot, window, record_id)
    text = "End-to-end: solicitor Ms Q. Fernsby-Ladd arrived for consultation."
    type_and_save(qtbot, window, text, kind="solicitor_arrival")
    qtbot.waitUntil(lambda: (find(window, text) or {}).get("_state") == SAVED, timeout=15_000)

    login = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": "inspector",
                                                                 "password": "bridewell-demo"})
    token = login.json()["token"]
    log = httpx.get(f"{server.url}/api/v1/custody/records/{record_id}/log",
                    headers={"Authorization": f"Bearer {token}"}).json()
    match = [e for e in log if e["text"] == text]
    assert len(match) == 1
    assert match[0]["kind"] == "solicitor_arrival"
    assert match[0]["author"]["display_name"] == window.session.user["display_name"]
