"""The start-up floor: a bare PySide6 window, from process start to its first paint (bench/bench_startup.py).

Prints "bridewell-startup bare-painted" on stderr once the window has painted, then quits, like the client does
under BRIDEWELL_STARTUP_TRACE.
"""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class Watcher(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False


def done() -> None:
    print("bridewell-startup bare-painted", file=sys.stderr, flush=True)
    QApplication.instance().exit(0)  # type: ignore[union-attr]


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Bridewell"))
window.resize(400, 300)
watcher = Watcher(window)
window.installEventFilter(watcher)
window.show()
sys.exit(app.exec())
