"""The main window (the shell): the central view, docks and menus the areas declare (desktop/areas.py, installed
in the order of desktop/views/registry.py), status bar, saved layout, the change feed and the outbox sender.
It knows no area's internals: areas use only the public `Shell` methods below."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QMainWindow, QMenu, QScrollArea, QVBoxLayout, QWidget

from desktop import theme
from desktop.announcer import AlertBanner, MessageBar, announce, announcer
from desktop.areas import MENU_TITLES, Area, AreaContext, CentralSpec, DockPanel, DockPlace, DockSpec, MenuId
from desktop.operations import Operations
from desktop.session import Session
from desktop.timefmt import format_local
from desktop.sync.client import ServerUnreachable
from desktop.sync.local_store import Author, LocalStore
from desktop.sync.qt_feed import QtChangeFeed
from desktop.sync.qt_outbox import QtOutboxSender
from desktop.views.registry import AREAS
from desktop.writes import Writes

# Bump when docks are added, removed or renamed: an old saved layout is then ignored, not half-applied.
LAYOUT_VERSION = 5  # 4: the Investigations dock (issue 14); 5: the Force view dock (issue 15)
LAYOUT_FILE = "layout.ini"
HEALTH_INTERVAL_MS = 5000
# How long after it is first shown the window counts its first loads as still coming (a slow machine or server
# can take seconds), and how long it stays quiet after they are back before its first banner: Orca 43 works
# through the loads' burst of events in its own time (seconds when the CPU is busy), and drops a banner that
# arrives while more than 50 events wait (AlertBanner.settling). CI's loaded run lost "Signed in as…" to it.
OPENING_S = 10.0
QUIET_AFTER_LOADS_S = 1.0


class MainWindow(QMainWindow):
    reachability_changed = Signal(bool)

    def __init__(self, session: Session, ops: Operations, store: LocalStore | None, data_dir: Path, *,
                 feed_wait: float = 25.0, start_background: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Bridewell")
        self.session = session
        self.ops = ops
        self.store = store
        self.data_dir = Path(data_dir)
        self.reachable: bool | None = None
        self.offline_since: datetime | None = None  # when the server stopped answering (shown in the status bar)
        self.pending_count = 0
        self.set_aside_count = 0  # changes the outbox set aside (File > Unsent changes)
        self.others_count = 0  # changes other officers queued here, waiting for them to sign in again
        self._closed = False
        self._sized = False

        # Rows are queued as this user's and only theirs are sent, under their own token (issue 11).
        self.sender_ = (QtOutboxSender(store, session.client, author=Author.of(session.user))
                        if store is not None else None)
        self.writes = Writes(ops, store, self.sender_, self)
        self.feed = QtChangeFeed(session.client, wait=feed_wait)
        changes = session.changes
        self.feed.events.connect(changes.deliver)  # the one way events enter: the hub, on the GUI thread
        self.writes.queued.connect(self._queued)
        if self.sender_ is not None:
            self.sender_.pending_changed.connect(self._set_pending)
            self.sender_.set_aside_count_changed.connect(self._set_set_aside)
            self.sender_.others_count_changed.connect(self._set_others)

        self.menus: dict[MenuId, QMenu] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self._placed: list[tuple[str, DockPlace]] = []  # dock name, where it went, in order of adding
        self._shortcuts: dict[str, str] = {}  # dock name -> its View shortcut
        self._central: CentralSpec | None = None
        self._background: list[tuple[Callable[[], None], Callable[[], None]]] = []  # (start, stop) by areas
        self._first_focus_done = False
        # What is announced also appears here, above the central view (desktop/announcer.py says why).
        self.alert_banner = AlertBanner(self)
        self._shown_at: float | None = None
        self._loads_back_at: float | None = None  # when the first loads were all back (see _settling)
        self.alert_banner.settling = self._settling
        self._build_menus()
        self._build_status_bar()
        announcer().attach(self.statusBar(), self, self.alert_banner)
        self.areas: dict[str, Area] = {}
        # The areas' first reads (the docks' lists, the offence catalogue) wait until the board's has been
        # delivered: the board is what a person waits for, and it used to queue behind them (Operations).
        ops.hold_reads()
        context = AreaContext(session=session, ops=ops, writes=self.writes, store=store, shell=self, parent=self)
        self.links = context.links  # what the areas provide each other (tests build an area's dialog with them)
        for make in AREAS:
            self.install_area(make(context))
        self._finish_menus()
        self.theme_actions = theme.install(self)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self.layout_restored = self.restore_layout()

        self._health_timer = QTimer(self, interval=HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.check_health)
        if start_background:
            self.start_background()
        ops.release_reads()  # at once, or when the board's first read (start_background) has been delivered

    @property
    def user(self) -> dict[str, Any] | None:
        return self.session.user

    # Areas ------------------------------------------------------------------------------------------------
    def install_area(self, area: Area) -> None:
        """Add what an area declares: its docks (in order) and its menu items (after earlier areas' items in
        the same menu, with a separator between)."""
        self.areas[area.name] = area
        for spec in area.docks():
            self._add_dock(spec)
        for menu_id, items in area.menu_items().items():
            menu = self.menus[menu_id]
            if menu.actions():
                menu.addSeparator()
            for item in items:
                menu.addSeparator() if item is None else menu.addAction(item)

    def _add_dock(self, spec: DockSpec) -> None:
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(spec.name)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self._set_dock_widget(dock, spec.panel)
        first_bottom = next((self.docks[n] for n, place in self._placed if place is DockPlace.BOTTOM), None)
        if spec.place is DockPlace.RIGHT:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        elif spec.place is DockPlace.BOTTOM or first_bottom is None:
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            spec = DockSpec(spec.name, spec.title, spec.shortcut, spec.panel, DockPlace.BOTTOM)
        else:
            self.tabifyDockWidget(first_bottom, dock)
        self._placed.append((spec.name, spec.place))
        self._shortcuts[spec.name] = spec.shortcut
        self.docks[spec.name] = dock
        self.panels[spec.name] = spec.panel
        # Qt keeps a dock behind another's tab "visible" at negative coordinates, so a screen reader would list
        # its controls as showing: hide its content while its tab is not the one shown.
        dock.visibilityChanged.connect(lambda visible, d=dock: self._dock_visibility(d, visible))
        dock.installEventFilter(self)  # and when the layout moves it behind a tab (a move, no visibility signal)

    @staticmethod
    def _set_dock_widget(dock: QDockWidget, panel: QWidget) -> None:
        # A scroll area per dock: at 200% text on a small screen the docks share too little room, and a panel
        # squeezed below its minimum would clip its labels; it scrolls instead.
        scroll = QScrollArea(dock)
        scroll.setObjectName(dock.objectName().removesuffix("Dock") + "Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(panel)
        dock.setWidget(scroll)

    def _build_menus(self) -> None:
        """Every menu, empty, in the menu bar's order: areas add to them by id, so install order does not matter
        for where a menu stands."""
        for menu_id in MenuId:
            menu = QMenu(MENU_TITLES[menu_id], self)
            menu.setObjectName(menu_id.value)
            self.menuBar().addMenu(menu)
            self.menus[menu_id] = menu

    def _finish_menus(self) -> None:
        """The shell's own items, after the areas': File > Quit; View > the central view, every dock, the layout."""
        file_menu = self.menus[MenuId.FILE]
        if file_menu.actions():
            file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setObjectName("quitAction")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view = self.menus[MenuId.VIEW]
        if self._central is not None:
            central = self._central
            self.focus_central_action = QAction(central.title, self)
            self.focus_central_action.setObjectName(central.action_name)
            self.focus_central_action.setShortcut(QKeySequence(central.shortcut))
            panel = central.panel
            assert isinstance(panel, DockPanel)  # CentralSpec's promise
            self.focus_central_action.triggered.connect(panel.focus_panel)
            view.addAction(self.focus_central_action)
            view.addSeparator()
        # A dock's shortcut always goes to it (shows, raises, focuses): pressed on an open dock it must not close
        # it, nor close one hidden behind a tab. Showing and hiding are the checkable items of a submenu.
        self.dock_actions: dict[str, QAction] = {}
        toggles = QMenu("Show or &hide docks", self)
        toggles.setObjectName("dockTogglesMenu")
        for name, dock in self.docks.items():
            action = QAction(f"&{dock.windowTitle()}", self)
            action.setObjectName(name.removesuffix("Dock") + "Action")
            action.setShortcut(QKeySequence(self._shortcuts[name]))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda _checked=False, n=name: self.go_to_dock(n))
            view.addAction(action)
            self.dock_actions[name] = action
            toggle = dock.toggleViewAction()
            toggle.setObjectName(name.removesuffix("Dock") + "ToggleAction")
            toggle.setText(f"&{dock.windowTitle()}")
            toggle.triggered.connect(lambda checked, n=name: self._dock_toggled(n, checked))
            toggles.addAction(toggle)
        view.addSeparator()
        view.addMenu(toggles)
        reset = QAction("&Restore default layout", self)
        reset.setObjectName("resetLayoutAction")
        reset.triggered.connect(self.reset_layout)
        view.addAction(reset)
        # The right-hand dock runs the full height; the others sit under the board, not under it.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        first_bottom = next((n for n, place in self._placed if place is DockPlace.BOTTOM), None)
        if first_bottom is not None:
            self.docks[first_bottom].raise_()

    # The Shell interface (desktop/areas.py): all an area may use of the window ---------------------------
    def menu(self, menu_id: MenuId) -> QMenu:
        return self.menus[menu_id]

    def dock(self, name: str) -> QDockWidget:
        return self.docks[name]

    def raise_dock(self, name: str) -> None:
        dock = self.docks[name]
        dock.show()
        dock.raise_()

    def set_central(self, spec: CentralSpec) -> None:
        self._central = spec
        holder = QWidget(self)
        holder.setObjectName("centralHolder")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.alert_banner)
        layout.addWidget(spec.panel, 1)
        self.setCentralWidget(holder)

    def add_background(self, start: Callable[[], None], stop: Callable[[], None]) -> None:
        self._background.append((start, stop))

    def follow_changes(self, after_seq: int) -> None:
        self.feed.last_seq = after_seq
        self.feed.start()

    def is_closed(self) -> bool:
        return self._closed

    def _build_status_bar(self) -> None:
        self.setStatusBar(MessageBar(self))  # messages wrap rather than being cut (issue 13)
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.server_label = QLabel()
        self.server_label.setObjectName("serverStatus")
        self.sync_label = QLabel("All changes sent")
        self.sync_label.setObjectName("syncStatus")
        self.user_label = QLabel()
        self.user_label.setObjectName("userStatus")
        for label in (self.user_label, self.server_label, self.sync_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        bar.messageChanged.connect(self._make_room_for_message)
        self._show_server_state()
        self._show_user()

    def _make_room_for_message(self, message: str) -> None:
        """A message is never cut under the permanent labels (issue 13): while one is shown that needs their
        room, they step aside; they come back when it goes. The whole message is also the bar's tooltip."""
        bar = self.statusBar()
        labels = (self.user_label, self.server_label, self.sync_label)
        needed = bar.fontMetrics().horizontalAdvance(message) + 4 * bar.fontMetrics().averageCharWidth()
        room = bar.width() - sum(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setVisible(not message or needed <= room)
        bar.setToolTip(message)
        if isinstance(bar, MessageBar):
            bar.fit_message()  # with the labels gone or back, the message has a new width to wrap in

    # Start and stop ---------------------------------------------------------------------------------------
    def start_background(self) -> None:
        """Start sending the outbox and polling /health; the areas start theirs (the custody board loads, then
        the change feed follows)."""
        if self.sender_ is not None:
            self.sender_.start()
        self._health_timer.start()
        self.check_health()
        for start, _stop in self._background:
            start()

    def _settling(self) -> bool:
        """Just shown, and its first loads still out or back less than QUIET_AFTER_LOADS_S ago (the banner waits
        for them: AlertBanner.settling). Asked again and again while a banner waits."""
        now = time.monotonic()
        if self._shown_at is None or now - self._shown_at >= OPENING_S:
            return False
        if self.ops.in_flight > 0:
            self._loads_back_at = None
            return True
        if self._loads_back_at is None:
            self._loads_back_at = now
        return now - self._loads_back_at < QUIET_AFTER_LOADS_S

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_at is None:
            self._shown_at = time.monotonic()
        if not self._first_focus_done:
            QTimer.singleShot(0, self._focus_first)
        if not self._sized and not self.layout_restored:
            self._sized = True
            self._default_split()

    def _default_split(self) -> None:
        """The board and the right-hand dock (the detainee log) share the width, whatever the font size; the
        tabbed docks under the board take a third of the height."""
        right = next((self.docks[n] for n, place in self._placed if place is DockPlace.RIGHT), None)
        if right is not None:
            self.resizeDocks([right], [int(self.width() * 0.38)], Qt.Orientation.Horizontal)
        bottom = next((self.docks[n] for n, place in self._placed if place is DockPlace.BOTTOM), None)
        if bottom is not None:
            self.resizeDocks([bottom], [int(self.height() * 0.34)], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._health_timer.stop()
        for _start, stop in self._background:
            stop()
        self.feed.stop()
        if self.sender_ is not None:
            self.sender_.stop()

    # Layout -----------------------------------------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings(str(self.data_dir / LAYOUT_FILE), QSettings.Format.IniFormat)

    def save_layout(self) -> None:
        settings = self._settings()
        settings.setValue("layout/version", LAYOUT_VERSION)
        settings.setValue("layout/geometry", self.saveGeometry())
        settings.setValue("layout/state", self.saveState(LAYOUT_VERSION))
        settings.sync()

    def restore_layout(self) -> bool:
        """True when a saved layout of this version was applied; otherwise the default stays."""
        settings = self._settings()
        try:
            version = int(str(settings.value("layout/version", -1)))  # an ini file gives text
        except (TypeError, ValueError):
            version = -1
        if version != LAYOUT_VERSION:
            return False
        geometry, state = settings.value("layout/geometry"), settings.value("layout/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        return state is not None and self.restoreState(state, LAYOUT_VERSION)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.setFloating(False) if dock.isFloating() else None
        announce("Default layout restored")

    # Keyboard ---------------------------------------------------------------------------------------------
    def go_to_dock(self, name: str) -> None:
        """A dock's shortcut: show it (also when closed or behind a tab), raise it and focus its first control."""
        dock = self.docks[name]
        dock.show()
        dock.raise_()
        self._dock_visibility(dock, True)
        if dock.isFloating():
            dock.activateWindow()
        panel = self.panels[name]
        assert isinstance(panel, DockPanel)  # DockSpec's promise
        panel.focus_panel()

    def _dock_toggled(self, name: str, checked: bool) -> None:
        dock = self.docks[name]
        if checked:
            self.go_to_dock(name)
            announce(f"{dock.windowTitle()} shown")
        else:
            announce(f"{dock.windowTitle()} closed")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Qt puts a dock behind a tab by moving it to negative coordinates, and says so (visibilityChanged) only
        # when the tab changes, not when the layout first places it there: judge by the geometry as Qt does.
        if event.type() == QEvent.Type.Move and isinstance(watched, QDockWidget) and not watched.isFloating():
            box = watched.geometry()
            self._dock_visibility(watched, watched.isVisible() and box.right() >= 0 and box.bottom() >= 0)
        return super().eventFilter(watched, event)

    @staticmethod
    def _dock_visibility(dock: QDockWidget, visible: bool) -> None:
        content = dock.widget()
        if content is not None and content.isHidden() == visible:
            content.setVisible(visible)

    def _focus_first(self) -> None:
        """After sign-in the keyboard starts on the central view (the custody board), not on a dock's tab."""
        if self._first_focus_done or self._central is None:
            return
        self._first_focus_done = True
        panel = self._central.panel
        assert isinstance(panel, DockPanel)  # CentralSpec's promise
        panel.focus_panel()

    # Writing through the outbox ---------------------------------------------------------------------------
    def _queued(self, _row_id: str) -> None:
        self._set_pending(self.pending_count + 1)  # at once; the sender's own count follows

    def _set_pending(self, count: int) -> None:
        self.pending_count = count
        self._show_sync()

    def _set_set_aside(self, count: int) -> None:
        self.set_aside_count = count
        self._show_sync()

    def _set_others(self, count: int) -> None:
        self.others_count = count
        self._show_sync()

    def _show_sync(self) -> None:
        count, aside, others = self.pending_count, self.set_aside_count, self.others_count
        if count == 0 and aside == 0:
            text = "All changes sent"
        else:
            parts = [f"{count} change{'s' if count != 1 else ''} waiting to send"] if count else []
            if aside:  # never "All changes sent" while one is held back for the officer
                parts.append(f"{aside} set aside (File > Unsent changes)")
            text = "; ".join(parts)
        if others:  # never sent under this sign-in: they go when their author signs in here again
            text += (f"; {others} change{'s' if others != 1 else ''} by another officer wait for them to sign in "
                     "(File > Unsent changes)")
        self.sync_label.setText(text)
        self.sync_label.setAccessibleName(text)

    # Server reachability ----------------------------------------------------------------------------------
    def check_health(self) -> None:
        self.ops.run(self.session.client.health, on_done=lambda _r: self._set_reachable(True),
                     on_error=lambda exc: self._set_reachable(not isinstance(exc, ServerUnreachable)))

    def _set_reachable(self, reachable: bool) -> None:
        if self._closed:
            return
        previous, self.reachable = self.reachable, reachable
        if not reachable and previous is not False:
            self.offline_since = datetime.now(timezone.utc)
        elif reachable:
            self.offline_since = None
        self._show_server_state()
        if previous is not None and previous != reachable:
            if reachable:
                announce(f"Connection to the server restored: {self.session.server_url}")
                if self.sender_ is not None:
                    self.sender_.wake()
            else:
                announce(f"Cannot reach the server at {self.session.server_url}. "
                         "Work is kept on this computer and sent when it returns.", assertive=True)
        if previous != reachable:
            self.reachability_changed.emit(reachable)

    def _show_server_state(self) -> None:
        state = {None: "checking…", True: "connected", False: "not reachable"}[self.reachable]
        if self.reachable is False and self.offline_since is not None:
            # Both facts for the sergeant: the server cannot be reached now, and since when (the changes waiting
            # are on the label beside it).
            state = f"not reachable, offline since {format_local(self.offline_since.isoformat(), seconds=False)}"
        if getattr(self.session, "offline", False):
            state += " (signed in on this computer only)"
        text = f"Server {self.session.server_url}: {state}"
        self.server_label.setText(text)
        self.server_label.setAccessibleName(text)

    def _show_user(self) -> None:
        user = self.session.user or {}
        text = f"Signed in as {user.get('display_name') or user.get('username')}" if user else "Not signed in"
        self.user_label.setText(text)
