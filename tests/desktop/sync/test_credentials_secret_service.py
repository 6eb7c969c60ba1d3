"""Remember me against a REAL keyring: GNOME Keyring's Secret Service on a private D-Bus session bus.

The in-memory backend in tests/support stands in elsewhere; this test proves the client finds a real secure
backend, stores the token there (not in a file), reads it back and forgets it. It runs the credentials code
in a child process inside `dbus-run-session` with an unlocked gnome-keyring-daemon.
Skipped only when dbus-run-session or gnome-keyring-daemon is missing and BRIDEWELL_REQUIRE_KEYRING is not 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import json, os, subprocess, sys
# Unlock a fresh keyring for this private bus (the password only protects this throw-away keyring).
out = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input=b"bridewell-test\n",
                     capture_output=True, check=True).stdout.decode()
for line in out.splitlines():
    if "=" in line:
        key, value = line.split("=", 1)
        os.environ[key] = value
os.environ.pop("PYTHON_KEYRING_BACKEND", None)
import keyring
from desktop.sync.credentials import Credentials
creds = Credentials()
check = creds.check()
saved = creds.save_token("http://bridewell.test", "sergeant", "tok-123")
loaded = creds.load("http://bridewell.test")
creds.forget("http://bridewell.test")
after = creds.load("http://bridewell.test")
print(json.dumps({"backend": type(keyring.get_keyring()).__module__, "secure": check.secure,
                  "saved": saved.secure, "loaded": loaded, "after": after}))
"""


def test_remember_me_uses_the_real_secret_service(tmp_path):
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("BRIDEWELL_REQUIRE_KEYRING") == "1":
            pytest.fail(f"missing {missing} and BRIDEWELL_REQUIRE_KEYRING=1")
        pytest.skip(f"missing {missing}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path / "run"),
               PYTHONPATH=str(ROOT))
    (tmp_path / "run").mkdir(mode=0o700)
    result = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"].startswith("keyring.backends.SecretService"), report
    assert report["secure"] and report["saved"], report
    assert report["loaded"] == ["sergeant", "tok-123"]
    assert report["after"] is None
    # Nothing was written as a plain file in the home folder.
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and b"tok-123" in p.read_bytes()]
    assert not leaked, leaked
