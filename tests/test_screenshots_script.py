"""docs/screenshots.py, the script that regenerates the user guide's pictures from the real application, works:
in its quick form it writes non-empty PNGs of the main window at 1280×800 and of the handover, at 100% and 200%
text, in both themes."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.slow
def test_the_screenshot_script_writes_every_variant(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "screenshots.py"), "--quick", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    for suffix in ("", "-200pct", "-hc", "-200pct-hc"):
        board = tmp_path / f"custody-board{suffix}.png"
        assert png_size(board) == (1280, 800)
        assert board.stat().st_size > 20_000  # a real picture, not a blank
        width, height = png_size(tmp_path / f"custody-handover{suffix}.png")
        assert 600 <= width <= 1280 and 500 <= height <= 800  # fits the 1280×800 screen
