"""Read in order: the printed document as headings and paragraphs in a read-only browser, so screen-reader
users read the same record inside the app (reportlab cannot write a tagged PDF)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop.announcer import announce


class RecordReaderDialog(QDialog):
    def __init__(self, title: str, html: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recordReaderDialog")
        self.setWindowTitle(f"Read in order: {title}")
        intro = QLabel("The document as text, in reading order. Move by heading with your screen reader; "
                       "Escape closes.")
        intro.setObjectName("recordReaderIntro")
        intro.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("recordReaderText")
        self.browser.setAccessibleName(f"{title}, read in order")
        self.browser.setOpenLinks(False)
        self.browser.document().setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("recordReaderButtons")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("x") * 100, self.fontMetrics().height() * 40)
        self.browser.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        announce(self.windowTitle())
