"""Sending a built PDF to a QPrinter. Pages are rendered to images on a worker (QPdfDocument and QImage are
safe off the GUI thread); only the painting, which Qt requires on the GUI thread, happens there, one page per
turn of the event loop so the window stays responsive."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

MAX_DPI = 300  # enough for text on paper; more only makes the images (and the spool) bigger


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Every page as an image at `dpi` (call on a worker)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    try:
        if document.status() != QPdfDocument.Status.Ready:
            raise ValueError(f"The document could not be read for printing ({document.error().name}).")
        images = []
        for page in range(document.pageCount()):
            points = document.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(page, size)
            if image.isNull():
                raise ValueError(f"Page {page + 1} could not be rendered for printing.")
            images.append(_opaque(image))
        return images
    finally:
        document.close()


def _opaque(image: QImage) -> QImage:
    """The page on white without an alpha channel: painting an opaque image onto a printer takes about half
    the GUI-thread time of an ARGB one (measured 350 vs 760 ms a page at 300 dpi), and the work is done here."""
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(Qt.GlobalColor.white)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    return flat


def printer_dpi(printer: QPrinter) -> int:
    return max(72, min(MAX_DPI, printer.resolution()))


class PrintJob(QObject):
    """Paint `images` onto `printer`, one page per event-loop turn. `finished(ok, message)` says how it went."""

    finished = Signal(bool, str)

    def __init__(self, printer: QPrinter, images: list[QImage], title: str, parent: QObject | None = None):
        super().__init__(parent)
        self.printer, self.images, self.title = printer, images, title
        self._painter: QPainter | None = None
        self._page = 0

    def _where(self) -> str:
        return self.printer.printerName() or self.printer.outputFileName() or "the printer"

    def start(self) -> None:
        self.printer.setFullPage(True)  # the PDF already has its margins
        self.printer.setDocName(self.title)
        painter = QPainter()
        if not painter.begin(self.printer):
            self.finished.emit(False, f"{self._where()} is not available, so nothing was printed. Check the printer "
                                      "and try again; the record is unchanged.")
            return
        self._painter = painter
        QTimer.singleShot(0, self._next)

    def _failed(self) -> bool:
        return self.printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted)

    def _next(self) -> None:
        painter = self._painter
        assert painter is not None, "scheduled only between start() and the end of the job"
        if self._page > 0 and (self._failed() or not self.printer.newPage()):
            return self._stop(f"{self._where()} stopped after page {self._page} of {len(self.images)}. ")
        image = self.images[self._page]
        target = QRectF(painter.viewport())
        scale = min(target.width() / image.width(), target.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        painter.drawImage(QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h),
                          image)
        self._page += 1
        if self._page < len(self.images):
            QTimer.singleShot(0, self._next)
            return
        painter.end()
        self._painter = None
        if self._failed():
            self.finished.emit(False, f"{self._where()} reported an error; the job may not have printed. Check the "
                                      "printer; the record is unchanged.")
        else:
            count = len(self.images)
            self.finished.emit(True, f"{self.title}: {count} page{'s' if count != 1 else ''} sent to {self._where()}.")

    def _stop(self, what: str) -> None:
        self.printer.abort()
        if self._painter is not None and self._painter.isActive():
            self._painter.end()
        self._painter = None
        self.finished.emit(False, what + "Check the printer and print again; the record is unchanged.")
