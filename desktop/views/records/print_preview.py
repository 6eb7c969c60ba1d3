"""Print preview: the PDF exactly as it will print, in a QPdfView, with Print… and Save as PDF… beside it."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.announcer import announce


class PrintPreviewDialog(QDialog):
    print_requested = Signal()
    save_requested = Signal()

    def __init__(self, title: str, pdf: bytes, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("printPreviewDialog")
        self.setWindowTitle(f"Print preview: {title}")
        # The document reads from memory: the bytes were built on a worker, nothing touches the disk here.
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setObjectName("printPreviewView")
        self.view.setAccessibleName(f"{title}, page preview")
        self.view.setAccessibleDescription("Images of the printed pages. Use Read in order from the File menu "
                                           "to hear the same document as text.")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        pages = self.page_count
        self.pages_label = QLabel(f"{title}: {pages} page{'s' if pages != 1 else ''}")
        self.pages_label.setObjectName("printPreviewPages")

        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("printPreviewPrintButton")
        self.save_button = QPushButton("Save as P&DF…")
        self.save_button.setObjectName("printPreviewSaveButton")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("printPreviewButtons")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.print_button.setDefault(True)

        zoom_in = QAction("Zoom in", self)
        zoom_in.setObjectName("printPreviewZoomIn")
        zoom_in.setShortcut(QKeySequence.StandardKey.ZoomIn)
        zoom_out = QAction("Zoom out", self)
        zoom_out.setObjectName("printPreviewZoomOut")
        zoom_out.setShortcut(QKeySequence.StandardKey.ZoomOut)
        zoom_in.triggered.connect(lambda: self._zoom(1.25))
        zoom_out.triggered.connect(lambda: self._zoom(0.8))
        self.addActions([zoom_in, zoom_out])

        top = QHBoxLayout()
        top.addWidget(self.pages_label, 1)
        top.addWidget(QLabel("Ctrl++ / Ctrl+- zoom"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("x") * 110, self.fontMetrics().height() * 45)
        self.view.setFocus()

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        announce(self.pages_label.text())

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, self.view.zoomFactor() * factor)))
        announce(f"Zoom {round(self.view.zoomFactor() * 100)}%")
