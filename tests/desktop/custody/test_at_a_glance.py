"""Issue 13, seeing the state at a glance on a 1280x800 screen: the board's cell, name, flags and three clocks
without scrolling, the overdue state at 200% text too; the log's Author and State on screen, its text cut only
after a whole word, and a newly saved entry scrolled into view. Screenshots: BRIDEWELL_SHOTS=dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from desktop.models.custody import log_model
from desktop.models.custody.board_model import (CELL, FLAGS, LIMIT, NAME, NEXT_CHECK, NEXT_REVIEW, OVERDUE_ROLE,
                                                overdue_text, spoken_overdue)
from desktop.views.custody.detainee_log import LINE_BREAK, elide_at_word
from tests.desktop.custody.test_detainee_log import select
from tests.desktop.harness import custody_board


def at_1280_by_800(window) -> None:
    """As a sergeant first sees it: the window at 1280x800 with the default dock split."""
    window.resize(1280, 800)
    QApplication.processEvents()
    window._default_split()  # as made when the window is first shown at its size
    QApplication.processEvents()


def shot(window, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("BRIDEWELL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / f"{name}.png"))


def on_screen(view, column: int) -> bool:
    left = view.columnViewportPosition(column)
    return not view.isColumnHidden(column) and left >= 0 and left + view.columnWidth(column) <= view.viewport().width()


def test_the_board_shows_the_clocks_without_scrolling_and_the_overdue_state_at_200_percent(
        qtbot, make_window, demo_server, font_scale, tmp_path):
    window = make_window(demo_server.url)
    at_1280_by_800(window)
    board = custody_board(window)
    view = board.view
    qtbot.waitUntil(lambda: bool(board.model.overdue_rows()), timeout=5000)  # the demo's overdue check (C5)
    view.horizontalScrollBar().setValue(0)
    shot(window, f"board-1280x800-{font_scale}x", tmp_path)
    if font_scale == 1:
        for column in (CELL, NAME, FLAGS, NEXT_CHECK, NEXT_REVIEW, LIMIT):
            assert on_screen(view, column), board.model.headerData(column, Qt.Orientation.Horizontal)
            # and wide enough for what it says (nothing clipped to "OVERDUE 26 r")
            assert view.columnWidth(column) >= view.sizeHintForColumn(column)
    # At any text size the overdue row is marked in the first column (a warning sign, bold, spoken) and the
    # heading says it in words.
    assert on_screen(view, CELL)
    row = board.model.overdue_rows()[0]
    cell = board.model.index(row, CELL)
    assert cell.data(OVERDUE_ROLE) and cell.data(Qt.ItemDataRole.DecorationRole) is not None
    assert cell.data(Qt.ItemDataRole.FontRole).bold()
    assert "OVERDUE" in cell.data(Qt.ItemDataRole.AccessibleTextRole)
    heading = board.heading
    assert "1 OVERDUE" in heading.text() or " OVERDUE (" in heading.text()
    assert heading.wordWrap() or QFontMetrics(heading.font()).horizontalAdvance(heading.text()) <= heading.width()
    # The row's place on screen: visible in the viewport without scrolling sideways
    proxy_row = board.proxy.mapFromSource(cell).row()
    view.scrollTo(board.proxy.index(proxy_row, CELL))
    assert view.viewport().rect().intersects(view.visualRect(board.proxy.index(proxy_row, CELL)))


def test_overdue_in_its_first_minute_says_now_not_zero():
    assert overdue_text(5) == "OVERDUE now" and overdue_text(59) == "OVERDUE now"
    assert overdue_text(60) == "OVERDUE 1 min" and overdue_text(26 * 60 + 5) == "OVERDUE 26 min"
    assert spoken_overdue(10) == "OVERDUE by less than a minute"
    assert spoken_overdue(120) == "OVERDUE by 2 minutes"


def test_log_text_is_cut_only_after_a_whole_word():
    metrics = QFontMetrics(QFont())
    text = ("Looked through the hatch: lying on the bed, breathing normally, responded to his name and asked "
            "for a blanket, which was given.")
    words = set(text.split())
    for width in (60, 90, 140, 220):
        shown = elide_at_word(text, metrics, width, 2)
        lines = shown.split(LINE_BREAK)
        assert 1 <= len(lines) <= 2
        assert set(" ".join(lines).replace(" …", "").split()) <= words, shown  # no word cut in two
        assert shown.endswith("…")
    assert elide_at_word("Drink given.", metrics, 400, 2) == "Drink given."


def test_the_log_shows_author_and_state_and_brings_a_new_entry_into_view(qtbot, make_window, demo_server,
                                                                          tmp_path):
    window = make_window(demo_server.url)
    at_1280_by_800(window)
    record_id = custody_board(window).model.record(0)["id"]
    select(qtbot, window, record_id)
    panel = window.areas["custody"].log_panel
    table = panel.table
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    shown = (log_model.OBSERVED, log_model.KIND, log_model.TEXT, log_model.AUTHOR, log_model.STATE)
    # The dock split and the table's column fit follow the window's first show and the rows' arrival (a vertical
    # scroll bar narrows the viewport): wait for the layout to settle, then say which column is not on screen.
    try:
        qtbot.waitUntil(lambda: all(on_screen(table, c) for c in shown), timeout=5000)
    except qtbot.TimeoutError:
        off = [log_model.COLUMNS[c] for c in shown if not on_screen(table, c)]
        raise AssertionError(f"not on screen at 1280x800: {off}; viewport {table.viewport().width()} px, "
                             f"columns {[table.columnWidth(c) for c in range(table.model().columnCount())]}") from None
    assert table.columnWidth(log_model.TEXT) >= QFontMetrics(table.font()).horizontalAdvance("M" * 8)
    # An author whose display name carries the rank is not given it twice.
    authors = {panel.model.index(r, log_model.AUTHOR).data() for r in range(panel.model.rowCount())}
    assert not any(a.startswith(("Sergeant Sgt", "Inspector Insp")) for a in authors), authors
    # Enough entries that the newest would sit below the visible rows, then one more saved: in view.
    def save(words: str) -> None:
        panel.text_edit.setPlainText(words)
        panel.save()

    for n in range(4):
        save(f"Checked through the hatch, round {n}: asleep, breathing normally.")
    text = "Offered a drink; accepted water."
    save(text)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.entry(r)["text"] == text)
    qtbot.waitUntil(lambda: table.viewport().rect().contains(
        table.visualRect(panel.model.index(row, log_model.TEXT)).center()), timeout=3000)
    assert isinstance(table.visualRect(panel.model.index(row, log_model.STATE)), QRect)
    shot(window, "log-1280x800", tmp_path)
    window.close()


@pytest.fixture(autouse=True)
def _no_leftover_focus(qapp):
    yield
    QApplication.processEvents()
