"""A validation message shown beside a field, read out, and tied to the field's accessible description."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop.announcer import announce


class FieldError(QLabel):
    def __init__(self, field: QWidget, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setVisible(False)
        # The message is text (with a "Problem:" prefix), never colour alone.
        self.setStyleSheet("QLabel { color: palette(highlighted-text); background: palette(highlight); padding: 2px; }")
        self._description = field.accessibleDescription()

    def show_problem(self, message: str, *, focus: bool = True) -> None:
        self.setText(f"Problem: {message}")
        self.setVisible(True)
        self.field.setAccessibleDescription(message)
        make_room = getattr(self.window(), "make_room_for_problems", None)
        if callable(make_room):  # the dialog grows (within the screen) so the message squashes nothing
            make_room()
        if focus:
            self.field.setFocus()
        announce(message, assertive=True)

    def clear_problem(self) -> None:
        self.clear()
        self.setVisible(False)
        self.field.setAccessibleDescription(self._description)

    @property
    def message(self) -> str:
        return self.text().removeprefix("Problem: ") if self.isVisible() or self.text() else ""
