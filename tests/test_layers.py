"""The design's layer rules are import-linter contracts in pyproject.toml ([tool.importlinter]): domain imports
nothing of ours, server never imports desktop or Qt, desktop reaches server only through the embedded start-up
in desktop/app.py, desktop areas stay independent, the sync core and printing never touch widgets (with ruff's
TID251 for PySide6.QtWidgets itself). `.ci/run` runs `lint-imports`; these tests keep the suite saying so too.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def _lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_the_layer_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_an_import_inside_a_function_breaks_a_contract(tmp_path):
    """What the old import-walking test missed (a QMessageBox imported inside a function in the store)."""
    package = tmp_path / "layered"
    (package / "core").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "core" / "__init__.py").write_text("")
    (package / "views.py").write_text("")
    (package / "core" / "store.py").write_text(textwrap.dedent("""
        def warn():
            from layered import views  # only when called
            return views
    """))
    (tmp_path / ".importlinter").write_text(textwrap.dedent("""
        [importlinter]
        root_package = layered

        [importlinter:contract:core-no-views]
        name = core never imports views
        type = forbidden
        source_modules = layered.core
        forbidden_modules = layered.views
    """))
    result = _lint_imports(tmp_path)
    assert result.returncode == 1 and "layered.core.store -> layered.views" in result.stdout, result.stdout
