"""Regenerate the user guide's custody screenshots from the real application.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [--out docs/images] [--quick]

The real client (MainWindow) against the real embedded server with the fictional demo suite, signed in as the demo
custody sergeant, on a 1280×800 screen: the main window at 1280×800 and each dialog as it opens on that screen
(never larger), and Find person with the Person dock, at 100% and 200% text, in the default and the high-contrast
theme. Files:
``<screen>.png``, ``<screen>-200pct.png``, ``<screen>-hc.png``, ``<screen>-200pct-hc.png``. ``--quick`` takes only
the main window and the handover, at 100% in the default theme and 200% in high contrast (for the test that the
script works). Takes well under two minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from PySide6.QtCore import QEventLoop, QTimer, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

SCREEN_W, SCREEN_H = 1280, 800
VARIANTS = (("", 1.0, False), ("-200pct", 2.0, False), ("-hc", 1.0, True), ("-200pct-hc", 2.0, True))


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until(condition: Callable[[], Any], timeout_ms: int = 15_000) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the application did not get there in time")
        wait(30)


def fit_on_screen(dialog: QWidget) -> None:
    """The size the dialog opens at on a 1280×800 screen: its own wish, never bigger than the screen."""
    hint = dialog.sizeHint()
    dialog.resize(min(max(dialog.width(), hint.width()), SCREEN_W), min(max(dialog.height(), hint.height()), SCREEN_H))


def handover_loaded(dialog: Any) -> Callable[[], bool]:
    return lambda: dialog.data is not None


def save(widget: QWidget, path: Path, saved: list[Path]) -> None:
    wait(150)  # one more turn of the event loop: the last layout pass is painted
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    saved.append(path)


def shoot_people(window: Any, out: Path, suffix: str, saved: list[Path]) -> None:
    """Find person (ranked results, each with why it matched) and the Person dock it opens."""
    people = window.areas["people"]
    search = people.find_person()
    searched: list[bool] = []
    search.panel.searched.connect(lambda *_args: searched.append(True))
    search.panel.name_edit.setText("Steven Macdonald")
    search.panel.search()
    until(lambda: bool(searched))
    fit_on_screen(search)
    save(search, out / f"people-search{suffix}.png", saved)
    loaded: list[bool] = []
    people.person_panel.person_loaded.connect(lambda *_args: loaded.append(True))
    search.panel.open_current()
    until(lambda: bool(loaded))
    window.docks["personDock"].raise_()
    save(window, out / f"people-person-dock{suffix}.png", saved)
    window.docks["riskAssessmentDock"].raise_()  # the next variant's board shows the risk dock again


def shoot_investigations(window: Any, out: Path, suffix: str, saved: list[Path]) -> None:
    """The Investigations full view (Investigations > Investigations window): the list, and the chosen one's
    timeline."""
    area = window.areas["investigations"]
    full = area.open_window()
    full.resize(SCREEN_W, SCREEN_H)
    panel = full.panel
    until(lambda: panel.model.rowCount() > 0 and panel.current() is not None)
    until(lambda: panel.timeline_model.rowCount() > 0)
    panel.tabs.setCurrentIndex(1)
    save(full, out / f"investigations-window{suffix}.png", saved)
    panel.tabs.setCurrentIndex(0)
    full.close()


def shoot(out: Path, quick: bool = False, server_url: str | None = None) -> list[Path]:
    """Take the pictures into ``out``. ``server_url``: a running server with the demo suite (else an embedded one
    is started with it, as `bridewell --demo` does)."""
    from desktop import theme
    from desktop.main_window import MainWindow
    from desktop.operations import Operations
    from desktop.session import Session
    from desktop.sync.client import ApiClient
    from desktop.sync.local_store import LocalStore
    from desktop.views.custody.area import CustodyArea
    from desktop.views.custody.booking_dialog import BookingDialog
    from desktop.views.custody.cell_check_dialog import CellCheckDialog
    from desktop.views.custody.disposal_dialog import DisposalDialog
    from desktop.views.custody.interview_dialog import EndInterviewDialog, InterviewDialog
    from desktop.views.custody.property_dialog import PropertyDialog
    from desktop.views.custody.review_dialog import ReviewDialog
    from desktop.views.custody.rights_dialog import RightsDialog
    from desktop.views.forms.dialog import CustodyDialog
    from domain.offences import packaged_catalogue
    from server.embedded import start_embedded

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "client"
        data_dir.mkdir()
        server = None if server_url else start_embedded(f"sqlite:///{Path(tmp) / 'bridewell.sqlite3'}", demo=True)
        ops = Operations()
        store = LocalStore(data_dir)
        url = server.url if server is not None else server_url
        assert url is not None
        client = ApiClient(url)
        user = client.login("sergeant", "bridewell-demo")["user"]
        current = theme.theme(data_dir)
        window = MainWindow(Session(client, user), ops, store, data_dir, feed_wait=1.0, start_background=False)
        custody = window.areas["custody"]
        assert isinstance(custody, CustodyArea)
        try:
            window.resize(SCREEN_W, SCREEN_H)
            window.show()
            window.start_background()
            board = custody.board
            until(lambda: board.model.rowCount() > 0 and board.handover_label.text() != "")
            model = board.model
            row = next(r for r in range(model.rowCount()) if model.record(r).get("appropriate_adult_required"))
            board.select_record_id(model.record(row)["id"])
            until(lambda: bool(custody.risk_panel.versions))
            record = window.session.selected_record
            assert record is not None
            # --quick: the two extremes (100% default theme, 200% high contrast) cover both sizes and both themes
            for suffix, scale, contrast in (VARIANTS[::3] if quick else VARIANTS):
                current.set_high_contrast(contrast)
                current.set_text_scale(scale)
                window.resize(SCREEN_W, SCREEN_H)
                wait(300)
                save(window, out / f"custody-board{suffix}.png", saved)
                if not suffix:
                    save(window, out / "main-window.png", saved)  # the user guide's first picture
                handover = custody.open_handover()
                until(handover_loaded(handover))
                handover.resize(min(int(900 * scale), SCREEN_W), SCREEN_H if scale > 1 else 680)
                save(handover, out / f"custody-handover{suffix}.png", saved)
                handover.reject()
                if quick:
                    continue
                shoot_people(window, out, suffix, saved)
                shoot_investigations(window, out, suffix, saved)
                dialogs: dict[str, CustodyDialog] = {
                    "custody-book-in": BookingDialog(window, packaged_catalogue(),
                                                     roles=frozenset({"custody_sergeant"}), writes=window.writes,
                                                     person_picker=window.links.person_picker),
                    "custody-cell-check": CellCheckDialog(window, record, user, writes=window.writes),
                    "custody-rights": RightsDialog(window, record, "custody_sergeant", writes=window.writes),
                    "custody-review": ReviewDialog(window, record, user, writes=window.writes),
                    "custody-disposal": DisposalDialog(window, record, writes=window.writes),
                    "custody-interview": InterviewDialog(window, record, writes=window.writes),
                    "custody-interview-end": EndInterviewDialog(window, record, {
                        "id": "00000000-0000-4000-8000-000000000001", "started_at": record["arrived_at"],
                        "location": "Interview room 2", "interviewing_officers": ["DC 4093 Rafe Illingsworth"],
                        "special_warnings": ["s36"]}, writes=window.writes),
                    "custody-property": PropertyDialog(window, record, writes=window.writes),
                }
                interview = dialogs["custody-interview"]
                assert isinstance(interview, InterviewDialog)
                interview.officers_edit.setPlainText("DC 4093 Rafe Illingsworth")
                interview.show_problems(interview.problems())  # the appropriate adult awaited: said at the top
                end = dialogs["custody-interview-end"]
                assert isinstance(end, EndInterviewDialog)
                end.breaks_edit.setPlainText("14:05-14:20 Solicitor consultation")
                end.recording_edit.setText("BW-DIR-004471")
                prop = dialogs["custody-property"]
                assert isinstance(prop, PropertyDialog)
                for text, kind, bag, seal in (("Brown leather wallet, £23.40", "retained", "PB-00912", ""),
                                              ("Mobile phone, black", "evidence", "EV-5521", "SEAL-77310"),
                                              ("Spectacles", "kept", "", "")):
                    prop.description_edit.setText(text)
                    prop.disposition_combo.setCurrentIndex(prop.disposition_combo.findData(kind))
                    prop.bag_edit.setText(bag)
                    prop.seal_edit.setText(seal)
                    prop.add_item()
                booking = dialogs["custody-book-in"]
                assert isinstance(booking, BookingDialog)
                booking.surname_edit.setText("Quillfeather")
                booking.forenames_edit.setText("Odo Barnaby")
                booking.offence_edit.setText("TH68010")
                booking.add_offence()
                booking.show_problems(booking.problems())  # the guide shows problems beside their fields
                for name, dialog in dialogs.items():
                    dialog.show()
                    fit_on_screen(dialog)
                    save(dialog, out / f"{name}{suffix}.png", saved)
                    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
                    dialog.dirty = False  # nothing was meant to be saved: close without asking
                    dialog.reject()
        finally:
            current.restore_defaults()
            window.close()
            window.shutdown()
            ops.shutdown()
            client.close()
            store.close()
            if server is not None:
                server.stop()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "images",
                        help="where to write the PNG files (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="only the main window and the handover")
    parser.add_argument("--server", metavar="URL", help="a running Bridewell server with the demo suite (default: "
                                                         "start an embedded one)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for path in shoot(args.out, quick=args.quick, server_url=args.server):
        print(path)
    print(f"Done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
