"""What the administration windows (users, suites and cells, force configuration) share: a list, a grid of
command buttons with Close last, Enter on the list for the main command, and a first size that fits the screen
(at 200% text a window larger than the screen would hide its buttons)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QGridLayout, QPushButton, QWidget

from desktop.views.forms.dialog import fit_on_screen
from desktop.views.forms.tables import ENTER_KEYS

# (key, text with its Alt+letter, objectName, handler)
ButtonSpec = tuple[str, str, str, Callable[[], object]]


class AdminWindow(QDialog):
    loaded = Signal()
    # The first size at least; the window grows to its content and never beyond the screen.
    MIN_WIDTH = 900
    MIN_HEIGHT = 480

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        self._enter_target: tuple[QWidget, Callable[[], object]] | None = None
        self._fitted = False

    def button_grid(self, specs: Iterable[ButtonSpec], per_row: int, close_name: str) -> QGridLayout:
        """The command buttons, `per_row` to a row, then Close at the end of the next row."""
        grid = QGridLayout()
        for key, text, name, handler in specs:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(handler)
            at = len(self.buttons)
            grid.addWidget(button, at // per_row, at % per_row)
            self.buttons[key] = button
        close = QPushButton("Close")
        close.setObjectName(close_name)
        close.clicked.connect(self.close)
        grid.addWidget(close, (len(self.buttons) - 1) // per_row + 1, per_row - 1)
        return grid

    def enter_opens(self, view: QWidget, handler: Callable[[], object]) -> None:
        """Enter (or Return) on the list runs the window's main command, as a double click would."""
        self._enter_target = (view, handler)
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        target = self._enter_target
        if (target is not None and watched is target[0] and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS):
            target[1]()
            return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            fit_on_screen(self, max(self.MIN_WIDTH, self.sizeHint().width()),
                          max(self.MIN_HEIGHT, self.sizeHint().height()))
