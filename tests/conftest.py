"""Root test configuration. Area fixtures live in each sub-directory's conftest.py.

The whole suite runs on two pytest-xdist workers (`scripts/test`: `-n 2 --dist loadfile`); a plain
`python -m pytest PATHS` runs in one process as before. Rules that keep a test right on either:

- Each worker is its own pytest session: session fixtures (the PostgreSQL schema, the SQLite template, the desktop
  `demo_server`) exist once per worker. Never assume one test ran before another in another module: a test makes or
  asks a fixture for the state it needs.
- A module runs whole on one worker, in file order (the scheduler below), so its module-scoped fixtures (an AT-SPI
  desktop, a module `demo_server`, a signed-in client) are made once. Modules marked `slow` (they start real
  processes) are handed out first, so no long one is left for the end.
- Anything of which there is one per machine or user is yours only inside a private copy: Xvfb with `-displayfd`
  (a free display), a private D-Bus and AT-SPI bus, cupsd on its own socket, gnome-keyring in `dbus-run-session`,
  a server on port 0, a PostgreSQL schema of your own, files under `tmp_path`. The one exception is Orca (one per
  user, it checks): every module under tests/a11y/orca/ runs on the same worker, one after the other. Something
  else that cannot be made private: put its modules in one folder and add it to `_ONE_WORKER` below.
  (`xdist_group` marks do not work: pytest 9.2 ignores the node-id suffix xdist uses for them.)
- Every worker collects the same tests, named alike: no random or per-process value in a parametrize id (a uuid4
  in one shows as <id>, below), no parameters from a set (its order changes with the process).
- Wait on conditions, never on fixed sleeps: with two workers (and other work) every step may be slower.
"""

import os
import re
import sys

import pytest

# Folders whose modules must never run at the same time as each other: they share one thing per user or machine.
_ONE_WORKER = {"tests/a11y/orca/": "orca"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the folders of _ONE_WORKER each handed out as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((name for folder, name in _ONE_WORKER.items() if path.startswith(folder)), path)

    return ByModule(config, log)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def pytest_make_parametrize_id(config, val, argname):
    """A random id (uuid4) inside a parameter shows as <id> in the test's name: every xdist worker must collect
    the same names (a random part differs between workers, and xdist then refuses to run)."""
    if isinstance(val, str) and _UUID.search(val):
        return _UUID.sub("<id>", val)
    return None


def pytest_collection_modifyitems(items):
    """On xdist workers: modules marked `slow` first (the scheduler hands modules out in this order with
    `--no-loadscope-reorder`), so a long module is never the last one left. One process keeps file order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order otherwise


@pytest.fixture(params=[1, 2], ids=["normal-font", "200%-font"])
def font_scale(request, qapp):
    """Run a Qt test at the normal and at twice the application font size (WCAG 1.4.4 resize text)."""
    from PySide6.QtWidgets import QApplication

    original = QApplication.font()
    if request.param != 1:
        bigger = QApplication.font()
        bigger.setPointSizeF(original.pointSizeF() * request.param)
        QApplication.setFont(bigger)
    yield request.param
    QApplication.setFont(original)


@pytest.fixture(autouse=True)
def _none_reserve():
    """Python 3.11 only: keep PySide6's over-released None references topped up (desktop/none_guard.py)."""
    if sys.version_info < (3, 12):
        from desktop import none_guard

        none_guard.top_up()
    yield
