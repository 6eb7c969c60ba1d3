"""Root test configuration. Area fixtures live in each sub-directory's conftest.py.

The whole suite runs on two pytest-xdist workers (`scripts/test`: `-n 2 --dist loadgroup`); a plain
`python -m pytest PATHS` runs in one process as before. Rules that keep a test right on either:

- Each worker is its own pytest session: session fixtures (the PostgreSQL schema, the SQLite template, the desktop
  `demo_server`) exist once per worker. Never assume one test ran before another, in another module or your own:
  a test makes or asks a fixture for the state it needs.
- A module whose tests share a module- or class-scoped fixture (an AT-SPI desktop, a module `demo_server`, a signed-in
  client) runs whole on one worker, in file order: `pytest_collection_modifyitems` below groups it by itself
  (`xdist_group` = the module's path). Nothing to do but use the fixture scope you mean.
- Anything of which there is one per machine or user is yours only inside a private copy: Xvfb with `-displayfd`
  (a free display), a private D-Bus and AT-SPI bus, cupsd on its own socket, gnome-keyring in `dbus-run-session`,
  a server on port 0, a PostgreSQL schema of your own, files under `tmp_path`. The one exception is Orca (one per
  user, it checks): every test under tests/a11y/orca is in the `orca` group, so they never overlap. Something
  else that cannot be made private: mark its tests `@pytest.mark.xdist_group("NAME")` with one name.
- Every worker collects the same tests, named alike: no random or per-process value in a parametrize id (a uuid4
  in one shows as <id>, below), no parameters from a set (its order changes with the process).
- Wait on conditions, never on fixed sleeps: with two workers (and other work) every step may be slower.
"""

import os
import re
import sys

import pytest

# Module-scoped (or wider, below session) fixtures: a module using one runs whole on one xdist worker.
_SHARED_SCOPES = {"module", "class", "package"}


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def pytest_make_parametrize_id(config, val, argname):
    """A random id (uuid4) inside a parameter shows as <id> in the test's name: every xdist worker must collect
    the same names (a random part differs between workers, and xdist then refuses to run)."""
    if isinstance(val, str) and _UUID.search(val):
        return _UUID.sub("<id>", val)
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the marks into work units
def pytest_collection_modifyitems(items):
    """Group for pytest-xdist (`--dist loadgroup`): Orca's tests together; a module that shares a module- or
    class-scoped fixture as one unit, so the fixture is made once and its tests run in order on one worker."""
    shared_modules = set()
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        for defs in info.name2fixturedefs.values():
            if any(d.scope in _SHARED_SCOPES for d in defs):
                shared_modules.add(item.path)
                break
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        if "orca" in item.path.parts and "a11y" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("orca"))
        elif item.path in shared_modules:
            item.add_marker(pytest.mark.xdist_group(item.path.relative_to(item.config.rootpath).as_posix()))

# Tests never touch the real user data folder's database.
os.environ.pop("BRIDEWELL_DATABASE_URL", None)


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
