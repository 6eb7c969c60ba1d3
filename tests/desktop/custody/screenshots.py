"""Render the custody screens for docs/user-guide-custody.md, at normal and 200% font.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.desktop.custody.screenshots [docs/images]
Uses its own demo server (a temporary SQLite file) and the demo sergeant.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.desktop import harness  # noqa: F401 - offscreen Qt and the memory keyring first
from tests.desktop.harness import custody_board

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop.sync.client import ApiClient
from desktop.main_window import MainWindow
from desktop.operations import Operations
from desktop.session import Session
from desktop.sync.local_store import LocalStore
from desktop.views.custody.booking_dialog import BookingDialog
from desktop.views.custody.cell_check_dialog import CellCheckDialog
from desktop.views.custody.disposal_dialog import DisposalDialog
from desktop.views.custody.review_dialog import ReviewDialog
from desktop.views.custody.rights_dialog import RightsDialog
from domain.offences import packaged_catalogue


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until(condition, timeout_ms: int = 10_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        wait(50)
        waited += 50


def shoot(out: Path, scale: int) -> list[Path]:
    QApplication.instance() or QApplication([])
    original = QApplication.font()
    if scale != 1:
        bigger = QApplication.font()
        bigger.setPointSizeF(original.pointSizeF() * scale)
        QApplication.setFont(bigger)
    suffix = "" if scale == 1 else "-200pct"
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.start_server(f"sqlite:///{Path(tmp) / 'shots.sqlite3'}")
        ops = Operations()
        store = LocalStore(Path(tmp) / "client")
        client = ApiClient(server.url)
        user = client.login("sergeant", harness.DEMO_PASSWORD)["user"]
        window = MainWindow(Session(client, user), ops, store, Path(tmp) / "client", feed_wait=1.0,
                            start_background=False)
        window.resize(1500 * scale if scale == 1 else 2400, 900 if scale == 1 else 1400)
        window.show()
        window.start_background()
        until(lambda: custody_board(window).model.rowCount() > 0)
        model = custody_board(window).model
        row = next(r for r in range(model.rowCount()) if model.record(r).get("appropriate_adult_required"))
        custody_board(window).select_record_id(model.record(row)["id"])
        until(lambda: bool(window.areas["custody"].risk_panel.versions))
        wait(1500)
        window.resizeDocks([window.docks["detaineeLogDock"]], [int(window.width() * 0.3)],
                           Qt.Orientation.Horizontal)
        wait(200)
        path = out / f"custody-board{suffix}.png"
        window.grab().save(str(path))
        saved.append(path)
        record = window.session.selected_record
        dialogs = {
            "custody-book-in": BookingDialog(window, packaged_catalogue(), role="custody_sergeant",
                                             writes=window.writes, person_picker=window.links.person_picker),
            "custody-cell-check": CellCheckDialog(window, record, user, writes=window.writes),
            "custody-rights": RightsDialog(window, record, "custody_sergeant", writes=window.writes),
            "custody-review": ReviewDialog(window, record, user, writes=window.writes),
            "custody-disposal": DisposalDialog(window, record, writes=window.writes),
        }
        booking = dialogs["custody-book-in"]
        booking.surname_edit.setText("Quillfeather")
        booking.forenames_edit.setText("Odo Barnaby")
        booking.offence_edit.setText("TH68010")
        booking.add_offence()
        booking.show_problems(booking.problems())
        for name, dialog in dialogs.items():
            dialog.show()
            hint = dialog.body_widget.sizeHint()  # the offscreen screen is small: show the whole form
            dialog.resize(max(dialog.width(), hint.width() + 60), min(hint.height() + 160, 1500))
            wait(200)
            path = out / f"{name}{suffix}.png"
            dialog.grab().save(str(path))
            saved.append(path)
            dialog.dirty = False
            dialog.reject()
        window.close()
        window.shutdown()
        ops.shutdown()
        client.close()
        store.close()
        server.stop()
    QApplication.setFont(original)
    return saved


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    out.mkdir(parents=True, exist_ok=True)
    for scale in (1, 2):
        for path in shoot(out, scale):
            print(path)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
