"""The PyInstaller spec, the build and smoke scripts, and the desktop entry, checked without building.

The full build (one to several minutes, at most 180 MB) is not part of the suite: run packaging/build.sh
--smoke, or set BRIDEWELL_TEST_PACKAGING=1 to run test_frozen_build_passes_the_smoke_test here.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "bridewell.spec"


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(), filename=str(SPEC))


def assigned(name: str):
    """The literal value assigned to a top-level name in the spec (lists of strings / tuples)."""
    for node in spec_tree().body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


def string_items(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def call_keywords(func_name: str) -> dict[str, ast.AST]:
    for node in ast.walk(spec_tree()):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == func_name:
            return {k.arg: k.value for k in node.keywords}
    raise AssertionError(f"{func_name}(...) is not called in {SPEC.name}")


def test_spec_is_valid_python():
    compile(SPEC.read_text(), str(SPEC), "exec")


def test_spec_ships_the_data_directories_where_the_code_looks_for_them():
    data_dirs = ast.literal_eval(assigned("DATA_DIRS"))
    assert ("resources", "resources") in data_dirs
    assert ("server/migrations", "server/migrations") in data_dirs
    for src, dest in data_dirs:
        assert (REPO / src).exists(), f"{src} is listed in the spec but missing"
        # a single file is copied INTO dest: dest must be the folder the file sits in, so code that reads it
        # beside itself (Path(__file__).with_name) finds it in the bundle too
        expected = src if (REPO / src).is_dir() else Path(src).parent.as_posix()
        assert dest == expected, f"{src} would land in {dest}, the code looks in {expected}"
    # every data file our own packages read at run time is shipped (a new one, like the password policy's
    # list, would otherwise be missing only from the frozen build)
    shipped = [REPO / src for src, _dest in data_dirs]
    tracked = subprocess.run(["git", "ls-files", "server", "desktop", "domain"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.split()
    data_files = [REPO / f for f in tracked if not f.endswith(".py")]
    unshipped = [f.relative_to(REPO).as_posix() for f in data_files
                 if not any(f == s or s in f.parents for s in shipped)]
    assert not unshipped, f"data files the spec does not ship: {unshipped}"
    from server.auth import passwords
    assert passwords._COMMON_FILE.relative_to(REPO).as_posix() in {src for src, _dest in data_dirs}
    # server/migrate.py reads migrations beside itself; the bundle must keep that relative place
    from server import migrate
    assert Path(migrate.MIGRATIONS).relative_to(REPO).as_posix() == "server/migrations"
    assert (REPO / "server/migrations/env.py").is_file()
    assert list((REPO / "server/migrations/versions").glob("*.py")), "no migration versions to ship"


def test_spec_keeps_the_modules_that_are_imported_by_name():
    hidden = string_items(assigned("hiddenimports"))
    for module in ("keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.chainer",
                   "sqlalchemy.dialects.sqlite", "PySide6.QtDBus", "PySide6.QtPdf"):
        assert module in hidden, module
    # The client's own server serves SQLite only (issue 17: the PostgreSQL driver was 10 MB of a 180 MB budget);
    # it must be left out on purpose, not by accident.
    excludes = string_items(assigned("excludes"))
    assert "psycopg" in excludes and "psycopg_binary" in excludes
    collected = [n.args[0].value for n in ast.walk(assigned("hiddenimports"))
                 if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "collect_submodules"]
    for package in ("desktop", "server", "domain", "uvicorn", "alembic"):
        assert package in collected, package
    # a typo in a module name would be silently ignored by PyInstaller: every literal one must exist
    missing = [m for m in hidden if importlib.util.find_spec(m.split(".")[0]) is None
               or importlib.util.find_spec(m) is None]
    assert not missing, f"hidden imports that do not exist here: {missing}"


def test_spec_excludes_tkinter_and_plaintext_keyrings_and_does_not_use_upx():
    excludes = string_items(assigned("excludes"))
    assert "tkinter" in excludes
    assert "keyrings.alt" in excludes
    for func in ("EXE", "COLLECT"):
        upx = call_keywords(func)["upx"]
        assert isinstance(upx, ast.Constant) and upx.value is False, f"{func} must not use UPX"
    assert ast.literal_eval(call_keywords("COLLECT")["name"]) == "bridewell"


def test_spec_entry_point_is_the_client():
    entry = spec_tree()
    scripts = [string_items(n.args[0]) for n in ast.walk(entry)
               if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Analysis"]
    assert scripts and "__main__.py" in scripts[0], scripts
    assert (REPO / "desktop/__main__.py").is_file()


@pytest.mark.parametrize("script", ["build.sh", "smoke_test.sh"])
def test_shell_scripts_parse_and_are_executable(script):
    path = PACKAGING / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_build_script_installs_pyinstaller_from_the_packaging_extra():
    text = (PACKAGING / "build.sh").read_text()
    assert '["optional-dependencies"]["packaging"]' in text
    import tomllib
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["packaging"]
    assert any(req.lower().startswith("pyinstaller") for req in extra)


def test_desktop_entry_is_a_valid_application_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive in desktop entries
    entry.read(PACKAGING / "bridewell.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Name"] == "Bridewell"
    assert section["Exec"].split()[0] == "bridewell"
    assert section["Terminal"] == "false"
    assert section["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run([validator, str(PACKAGING / "bridewell.desktop")], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("BRIDEWELL_TEST_PACKAGING") != "1",
                    reason="the full PyInstaller build takes tens of seconds; set BRIDEWELL_TEST_PACKAGING=1")
def test_frozen_build_passes_the_smoke_test():
    done = subprocess.run([str(PACKAGING / "build.sh"), "--smoke"], capture_output=True, text=True, cwd=REPO,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "smoke: passed" in done.stdout
