"""docs/screenshots.py, the script that regenerates the user guide's pictures from the real application, works:
in its quick form, against the tests' demo server, it writes non-empty PNGs of the main window at 1280×800 and of
the handover (fitting that screen), at 100% text in the default theme and at 200% in high contrast (the full run
takes all four combinations and the dialogs; docs/images holds its output)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _script():
    spec = importlib.util.spec_from_file_location("bridewell_screenshots", ROOT / "docs" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_screenshot_script_writes_every_variant(qapp, demo_server, tmp_path):
    saved = _script().shoot(tmp_path, quick=True, server_url=demo_server.url)
    assert len(saved) == 5  # the board and the handover at both extremes, and main-window.png
    for suffix in ("", "-200pct-hc"):
        board = tmp_path / f"custody-board{suffix}.png"
        assert png_size(board) == (1280, 800)
        assert board.stat().st_size > 20_000  # a real picture, not a blank
        width, height = png_size(tmp_path / f"custody-handover{suffix}.png")
        assert 600 <= width <= 1280 and 500 <= height <= 800  # fits the 1280×800 screen
