"""Main window: docks by shortcut, saved layout restored, old layout versions ignored, status bar."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from desktop import main_window
from desktop.main_window import LAYOUT_FILE, MainWindow
from tests.desktop.harness import custody_board

# In the order of their shortcuts, Alt+1 to Alt+5, then Investigations (Alt+7, issue 14), Force view (Alt+8).
DOCK_NAMES = ["detaineeLogDock", "riskAssessmentDock", "investigationActionsDock", "intelligenceGradingDock",
              "personDock", "investigationsDock", "forceViewDock"]  # Alt+1..5, then Alt+7 and Alt+8


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.AltModifier):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, key, modifier)


def test_docks_have_stable_names_and_are_movable_floatable_closable(make_window, demo_server):
    window = make_window(demo_server.url)
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    assert sorted(docks) == sorted(DOCK_NAMES)
    for dock in docks.values():
        features = dock.features()
        for feature in (QDockWidget.DockWidgetFeature.DockWidgetClosable,
                        QDockWidget.DockWidgetFeature.DockWidgetMovable,
                        QDockWidget.DockWidgetFeature.DockWidgetFloatable):
            assert features & feature
    # Tabbed by default: actions and intelligence share the risk assessment's area.
    assert window.tabifiedDockWidgets(docks["riskAssessmentDock"])


def test_a_dock_shortcut_goes_to_its_dock_and_never_closes_it(qtbot, make_window, demo_server):
    """Issue 13: Alt+1 on an open Detainee log closed it, and Alt+3..5 closed docks hidden behind tabs. The
    shortcut must show, raise and focus its dock, pressed once or twice, whether it was open, behind a tab or
    closed."""
    window = make_window(demo_server.url)
    window.docks["personDock"].close()  # one closed, to be reopened by its shortcut
    qtbot.waitUntil(lambda: not window.docks["personDock"].isVisible(), timeout=2000)
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5)
    for key, name in zip(keys, DOCK_NAMES):
        dock = window.docks[name]
        for _press_again in range(2):
            press(qtbot, window, key)
            qtbot.waitUntil(lambda d=dock: d.isVisible() and d.widget().isVisible(), timeout=2000)
            assert window.dock_actions[name].shortcut().toString() == f"Alt+{keys.index(key) + 1}"
            # Raised (its tab is the current one) and focused, so keyboard users land inside it.
            qtbot.waitUntil(lambda d=dock: d.isAncestorOf(QApplication.focusWidget()), timeout=2000)
            assert not dock.visibleRegion().isEmpty(), name
    press(qtbot, window, Qt.Key.Key_0)
    assert QApplication.focusWidget() is custody_board(window).view


def test_docks_behind_a_tab_hide_their_content_and_the_view_menu_still_closes_a_dock(qtbot, make_window,
                                                                                    demo_server):
    """Issue 13: controls in docks behind tabs were exposed to screen readers as showing (at negative
    coordinates). Only the current tab's content is visible; closing a dock stays in View > Show or hide docks."""
    window = make_window(demo_server.url)
    risk = window.docks["riskAssessmentDock"]
    # As the window first shows them (the risk assessment in front), then after the user picks another tab.
    for front in (risk, window.docks["investigationActionsDock"]):
        front.raise_() if front is not risk else None
        qtbot.waitUntil(lambda f=front: f.widget().isVisible(), timeout=2000)
        behind = [d for d in window.tabifiedDockWidgets(front) if d.isVisible()]
        assert behind, "the default layout tabs docks together"
        for dock in behind:
            qtbot.waitUntil(lambda d=dock: not d.widget().isVisible(), timeout=2000)
            assert not window.panels[dock.objectName()].isVisible()
    toggle = window.docks["detaineeLogDock"].toggleViewAction()
    assert toggle in window.findChild(QMenu, "dockTogglesMenu").actions()
    toggle.trigger()
    assert not window.docks["detaineeLogDock"].isVisible()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.docks["detaineeLogDock"].widget().isVisible(), timeout=2000)


def test_view_menu_lists_every_dock_with_its_shortcut(make_window, demo_server):
    window = make_window(demo_server.url)
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    texts = {a.text(): a.shortcut().toString() for a in view_menu.actions() if a.text()}
    assert texts["&Detainee log"] == "Alt+1"
    assert texts["&Risk assessment"] == "Alt+2"
    assert texts["&Investigation actions"] == "Alt+3"
    assert texts["&Intelligence grading"] == "Alt+4"
    assert texts["Custody &board"] == "Alt+0"


def test_layout_is_saved_on_exit_and_restored(qtbot, make_window, demo_server, tmp_path):
    data = tmp_path / "layout-client"
    window = make_window(demo_server.url, data)
    window.docks["intelligenceGradingDock"].setFloating(True)
    window.docks["investigationActionsDock"].close()
    window.close()
    assert (data / LAYOUT_FILE).exists()

    again = make_window(demo_server.url, data)
    assert again.layout_restored
    assert again.docks["intelligenceGradingDock"].isFloating()
    assert not again.docks["investigationActionsDock"].isVisible()
    assert again.docks["detaineeLogDock"].isVisible()


def test_a_layout_from_another_version_falls_back_to_the_default(qtbot, make_window, demo_server, tmp_path,
                                                                monkeypatch):
    data = tmp_path / "old-layout"
    window = make_window(demo_server.url, data)
    window.docks["detaineeLogDock"].close()
    window.close()
    settings = QSettings(str(data / LAYOUT_FILE), QSettings.Format.IniFormat)
    assert int(settings.value("layout/version")) == main_window.LAYOUT_VERSION

    monkeypatch.setattr(main_window, "LAYOUT_VERSION", main_window.LAYOUT_VERSION + 1)
    again = make_window(demo_server.url, data)
    assert not again.layout_restored
    assert again.docks["detaineeLogDock"].isVisible()  # the default layout, not the saved one


def test_status_bar_shows_server_and_sync_state(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    qtbot.waitUntil(lambda: window.reachable is True, timeout=5000)
    assert window.server_label.text() == f"Server {demo_server.url}: connected"
    assert window.sync_label.text() == "All changes sent"
    window._set_pending(2)
    assert window.sync_label.text() == "2 changes waiting to send"


def test_board_is_loaded_sorted_and_filterable(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    assert custody_board(window).proxy.rowCount() >= 12
    cells = [custody_board(window).proxy.index(r, 0).data() for r in range(custody_board(window).proxy.rowCount())]
    assert cells[:3] == ["C1", "C2", "C3"]
    first_name = custody_board(window).proxy.index(0, 1).data()
    qtbot.keyClicks(custody_board(window).filter_edit, first_name.split(",")[0].lower())
    assert custody_board(window).proxy.rowCount() == 1
    assert "1 shown" in custody_board(window).heading.text()


def test_window_is_a_main_window(make_window, demo_server):
    assert isinstance(make_window(demo_server.url), MainWindow)


def test_a_safety_message_stays_on_the_status_bar_and_is_not_cut_under_its_labels(qtbot, make_window, demo_server):
    """Issue 13: an overdue message was replaced two seconds later by a routine one, and long messages were cut
    under the permanent labels (signed in as, server, changes sent)."""
    from desktop.announcer import announce, announcer

    # The demo suite always has one check overdue (Elsworth): the board says so just after it loads. Let that
    # alert be said first, so the one below is the newest safety message (a newer one rightly takes the bar).
    with qtbot.waitSignal(announcer().announced, timeout=10_000,
                          check_params_cb=lambda text, assertive: assertive and "ELSWORTH" in text):
        window = make_window(demo_server.url)
    window.resize(900, 700)
    bar = window.statusBar()
    overdue = ("Cell check OVERDUE by 26 minutes, was due 30/11/2026 07:08 GMT: ELSWORTH, Barnaby in cell C5. "
               "Review 2 OVERDUE by 3 minutes: DUNMORE-OKAFOR, Tamsin in cell C4.")
    announce(overdue, assertive=True)
    announce("Custody board")  # routine, a moment later: spoken, but it does not push the warning off
    QApplication.processEvents()
    assert bar.currentMessage() == overdue
    labels = [window.user_label, window.server_label, window.sync_label]
    shown = [label for label in labels if label.isVisible()]
    room = bar.message_rect()
    assert room.right() <= min((label.geometry().left() for label in shown), default=bar.width())
    # Longer than the bar is wide: it wraps, and the bar grows to show every line.
    needed = bar.fontMetrics().boundingRect(QRect(0, 0, room.width(), 100_000), Qt.TextFlag.TextWordWrap, overdue)
    assert needed.height() > bar.fontMetrics().height()  # more than one line...
    assert needed.height() <= room.height(), "the message is cut"  # ...and all of them shown
    assert bar.toolTip() == overdue
    bar.clearMessage()
    QApplication.processEvents()
    assert all(label.isVisible() for label in labels)  # back once the message has gone


def test_the_first_banner_waits_for_the_first_loads_and_a_quiet_second(qtbot, make_window, demo_server,
                                                                         monkeypatch):
    """Orca 43 drops a banner queued behind the burst of events the window's first loads send (CI lost "Signed in
    as…" to it): the window counts as settling while a load is out, and for QUIET_AFTER_LOADS_S after the last
    one is back; never longer than OPENING_S after it was shown."""
    window = make_window(demo_server.url)
    qtbot.waitUntil(lambda: window.ops.in_flight == 0, timeout=10_000)
    now = [window._shown_at + 1.0]
    monkeypatch.setattr(main_window.time, "monotonic", lambda: now[0])
    window._loads_back_at = None
    assert window._settling()  # the loads were just seen back: a quiet second first
    now[0] += main_window.QUIET_AFTER_LOADS_S - 0.1
    assert window._settling()
    now[0] += 0.2
    assert not window._settling()
    window.ops.in_flight += 1  # a load out again, within the opening: settling again, the quiet second anew
    try:
        assert window._settling()
        now[0] = window._shown_at + main_window.OPENING_S  # however busy, the opening ends
        assert not window._settling()
    finally:
        window.ops.in_flight -= 1
