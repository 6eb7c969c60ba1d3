"""The layer rules of the design, checked by importing each package in a fresh process.

domain imports nothing of ours; server never imports desktop or Qt; sync/ and printing/ inside
desktop never import QtWidgets.
"""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules_of(package: str) -> list[str]:
    path = ROOT / package.replace(".", "/")
    names = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=package + "."):
        if ".migrations.versions" in info.name or info.name.endswith("__main__"):
            continue  # migration scripts run only under Alembic; __main__ runs the CLI
        names.append(info.name)
    return names


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("server", "desktop", "PySide6", "sqlalchemy", "fastapi", "pydantic")),
        ("server", ("desktop", "PySide6")),
        ("desktop.sync", ("PySide6.QtWidgets", "server")),
        ("desktop.printing", ("PySide6.QtWidgets", "server")),
    ],
)
def test_package_does_not_import_forbidden_layers(package, forbidden):
    if not (ROOT / package.replace(".", "/")).is_dir():
        pytest.fail(f"package {package} is missing")
    loaded = _loaded_after_import(_modules_of(package))
    offending = sorted(
        m for m in loaded for f in forbidden if m == f or m.startswith(f + ".")
    )
    assert not offending, f"{package} pulls in {offending[:10]}"


def test_desktop_talks_to_server_only_through_the_embedded_starter():
    """Only desktop/app.py (the embedded default) may import the server package."""
    offenders = []
    for path in (ROOT / "desktop").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if ("import server" in text or "from server" in text) and path.name != "app.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
