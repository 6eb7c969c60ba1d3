"""A dock panel that says what will appear there (filled in by later issues)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPanel(QWidget):
    def __init__(self, object_name: str, title: str, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.label = QLabel(f"<b>{title}</b><br>{what}", objectName=f"{object_name}Text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        # Focusable so keyboard and screen-reader users can land on the panel and hear what it is for.
        self.label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                           | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName(title)
        self.label.setAccessibleDescription(what)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def focus_panel(self) -> None:
        self.label.setFocus()
