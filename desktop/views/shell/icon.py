"""Bridewell's icon (a custody-suite door), for the application, its windows and the sign-in dialog."""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtGui import QIcon

ICON_SIZES = (32, 64, 256)


def app_icon() -> QIcon:
    """The icon at the sizes drawn from resources/icons/bridewell.svg (PNG, so no image plugin is needed)."""
    icon = QIcon()
    folder = files("resources.icons")
    for size in ICON_SIZES:
        icon.addFile(str(folder / f"bridewell-{size}.png"))
    return icon
