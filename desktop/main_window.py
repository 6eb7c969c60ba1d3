"""The main window (the shell): the custody board in the middle, the docks and menus the areas declare
(desktop/areas.py, installed in the order of desktop/views/registry.py), status bar, saved layout.
It knows no area's internals: areas use only the public `Shell` methods below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QFormLayout, QFrame, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QMenu, QScrollArea, QTableView, QVBoxLayout, QWidget)

from desktop import theme
from desktop.announcer import announce, announcer
from desktop.areas import MENU_TITLES, Area, AreaContext, DockPlace, DockSpec, MenuId
from desktop.models.custody.board_model import NAME, RECORD_ROLE, SORT_ROLE, CustodyBoardModel
from desktop.operations import Operations
from desktop.session import Session
from desktop.sync.client import ServerUnreachable
from desktop.sync.feed import ChangeFeed
from desktop.sync.hub import Event
from desktop.sync.local_store import LocalStore
from desktop.sync.outbox_sender import OutboxSender
from desktop.views.custody.board import BoardProxy
from desktop.views.registry import AREAS
from desktop.writes import Writes
from domain.events import CUSTODY_RECORD_CHANGED

# Bump when docks are added, removed or renamed: an old saved layout is then ignored, not half-applied.
LAYOUT_VERSION = 3
LAYOUT_FILE = "layout.ini"
HEALTH_INTERVAL_MS = 5000



class MainWindow(QMainWindow):
    records_loaded = Signal(int)
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
        self.pending_count = 0
        self._closed = False
        self._sized = False

        self.sender_ = OutboxSender(store, session.client) if store is not None else None
        self.writes = Writes(ops, store, self.sender_, self)
        self.feed = ChangeFeed(session.client, wait=feed_wait)
        changes = session.changes
        self.feed.events.connect(changes.deliver)  # the one way events enter: the hub, on the GUI thread
        self.writes.queued.connect(self._queued)
        if self.sender_ is not None:
            self.sender_.pending_changed.connect(self._set_pending)
        changes.subscribe(CUSTODY_RECORD_CHANGED, self._record_event, self)

        self.menus: dict[MenuId, QMenu] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self._placed: list[tuple[str, DockPlace]] = []  # dock name, where it went, in order of adding
        self._shortcuts: dict[str, str] = {}  # dock name -> its View shortcut
        self._build_board()
        self._build_menus()
        self._build_status_bar()
        announcer().attach(self.statusBar(), self)
        self.areas: dict[str, Area] = {}
        context = AreaContext(session=session, ops=ops, writes=self.writes, store=store, shell=self, parent=self)
        self.links = context.links  # what the areas provide each other (tests build an area's dialog with them)
        for make in AREAS:
            self.install_area(make(context))
        self._finish_menus()
        theme.install(self)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self.layout_restored = self.restore_layout()

        self._health_timer = QTimer(self, interval=HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.check_health)
        if start_background:
            self.start_background()

    @property
    def user(self) -> dict | None:
        return self.session.user

    # Construction -----------------------------------------------------------------------------------------
    def _build_board(self) -> None:
        self.board_model = CustodyBoardModel(self)
        self.board_proxy = BoardProxy(self)  # sorts by SORT_ROLE; text and 'overdue only' filters
        self.board_proxy.setSourceModel(self.board_model)
        self.board_proxy.setSortRole(SORT_ROLE)
        self.board_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.board_proxy.setFilterKeyColumn(-1)
        # The clock column changes every second; re-sorting on each tick would make rows jump under the cursor.
        self.board_proxy.setDynamicSortFilter(False)

        self.filter_edit = QLineEdit(objectName="boardFilterEdit")
        self.filter_edit.setPlaceholderText("Cell, name or status")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.board = QTableView(objectName="custodyBoard")
        self.board.setAccessibleName("Custody board")
        self.board.setModel(self.board_proxy)
        self.board.setSortingEnabled(True)
        self.board.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.board.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.board.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.board.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.board.setTabKeyNavigation(False)
        self.board.verticalHeader().setVisible(False)
        header = self.board.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Eleven columns: names must not be squeezed to "AB…" by a stretch; the status column takes what is left.
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.board.selectionModel().currentRowChanged.connect(self._board_row_changed)
        self.board_heading = QLabel("Custody board: loading…", objectName="boardHeading")

        central = QWidget(objectName="boardPanel")
        self._filter_form = QFormLayout()
        self._filter_form.addRow("&Filter board:", self.filter_edit)
        layout = QVBoxLayout(central)
        layout.addWidget(self.board_heading)
        layout.addLayout(self._filter_form)
        layout.addWidget(self.board, 1)
        self.setCentralWidget(central)

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

    @staticmethod
    def _set_dock_widget(dock: QDockWidget, panel: QWidget) -> None:
        # A scroll area per dock: at 200% text on a small screen the docks share too little room, and a panel
        # squeezed below its minimum would clip its labels; it scrolls instead.
        scroll = QScrollArea(dock, objectName=dock.objectName().removesuffix("Dock") + "Scroll")
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
        """The shell's own items, after the areas': File > Quit; View > the board, every dock, the layout."""
        file_menu = self.menus[MenuId.FILE]
        if file_menu.actions():
            file_menu.addSeparator()
        quit_action = QAction("&Quit", self, objectName="quitAction", shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view = self.menus[MenuId.VIEW]
        self.focus_board_action = QAction("Custody &board", self, objectName="focusBoardAction",
                                          shortcut=QKeySequence("Alt+0"))
        self.focus_board_action.triggered.connect(self.focus_board)
        view.addAction(self.focus_board_action)
        view.addSeparator()
        self.dock_actions: dict[str, QAction] = {}
        for name, dock in self.docks.items():
            action = dock.toggleViewAction()
            action.setObjectName(name.removesuffix("Dock") + "Action")
            action.setText(f"&{dock.windowTitle()}")
            action.setShortcut(QKeySequence(self._shortcuts[name]))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda checked, n=name: self._dock_toggled(n, checked))
            view.addAction(action)
            self.dock_actions[name] = action
        view.addSeparator()
        reset = QAction("&Restore default layout", self, objectName="resetLayoutAction")
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

    def add_board_filter(self, widget: QWidget) -> None:
        """Another control under "Filter board" (the custody area's "Overdue only")."""
        self._filter_form.addRow("", widget)

    def refresh_board_heading(self) -> None:
        self._update_board_heading()

    def is_closed(self) -> bool:
        return self._closed

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.server_label = QLabel(objectName="serverStatus")
        self.sync_label = QLabel("All changes sent", objectName="syncStatus")
        self.user_label = QLabel(objectName="userStatus")
        for label in (self.user_label, self.server_label, self.sync_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        self._show_server_state()
        self._show_user()

    # Start and stop ---------------------------------------------------------------------------------------
    def start_background(self) -> None:
        """Load the board, then follow the change feed; start sending the outbox; poll /health."""
        if self.sender_ is not None:
            self.sender_.start()
        self._health_timer.start()
        self.check_health()
        if self.session.user is not None:
            self.load_board()

    def load_board(self) -> None:
        client = self.session.client

        def load():
            # Skip past history first so the feed only brings what changes after this snapshot.
            after = 0
            for _ in range(1000):
                result = client.events(after, 0)
                if not result.get("events"):
                    after = max(after, int(result.get("last_seq") or 0))
                    break
                after = max(after, int(result.get("last_seq") or 0))
            return after, client.open_records()

        self.ops.run(load, on_done=self._board_loaded, on_error=self._load_failed)

    def _board_loaded(self, value) -> None:
        if self._closed:
            return
        last_seq, records = value
        self.board_model.set_records(records)
        self.board.sortByColumn(self.board.horizontalHeader().sortIndicatorSection(),
                                self.board.horizontalHeader().sortIndicatorOrder())
        self._update_board_heading()
        self.feed.last_seq = last_seq
        self.feed.start()
        if self.board_proxy.rowCount() and not self.board.currentIndex().isValid():
            self.board.setCurrentIndex(self.board_proxy.index(0, 0))
        self.records_loaded.emit(len(records))

    def _load_failed(self, exc: BaseException) -> None:
        self.board_heading.setText("Custody board: could not load")
        announce(f"The custody board could not be loaded: {exc}", assertive=True)

    def _update_board_heading(self) -> None:
        shown, total = self.board_proxy.rowCount(), self.board_model.rowCount()
        text = f"Custody board: {total} in custody"
        if shown != total:
            text += f", {shown} shown"
        self.board_heading.setText(text)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized and not self.layout_restored:
            # The default split: the board and the right-hand dock (the detainee log) share the width, whatever
            # the font size.
            self._sized = True
            right = next((self.docks[n] for n, place in self._placed if place is DockPlace.RIGHT), None)
            if right is not None:
                self.resizeDocks([right], [int(self.width() * 0.38)], Qt.Orientation.Horizontal)
            # The board is the central view: the tabbed docks under it take a third of the height.
            bottom = next((self.docks[n] for n, place in self._placed if place is DockPlace.BOTTOM), None)
            if bottom is not None:
                self.resizeDocks([bottom], [int(self.height() * 0.34)], Qt.Orientation.Vertical)

    def closeEvent(self, event) -> None:
        self.save_layout()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._health_timer.stop()
        self.board_model.stop()
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
            version = int(settings.value("layout/version", -1))
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
    def focus_board(self) -> None:
        self.board.setFocus()
        announce("Custody board")

    def _dock_toggled(self, name: str, checked: bool) -> None:
        dock = self.docks[name]
        if checked:
            dock.raise_()
            self.panels[name].focus_panel()
            announce(f"{dock.windowTitle()} shown")
        else:
            announce(f"{dock.windowTitle()} closed")

    # Board and selection ----------------------------------------------------------------------------------
    def _filter_changed(self, text: str) -> None:
        self.board_proxy.setFilterFixedString(text)
        self._update_board_heading()

    def _board_row_changed(self, current, _previous) -> None:
        record = current.data(RECORD_ROLE) if current.isValid() else None
        self.session.select_record(record)

    def select_record_id(self, record_id: str) -> bool:
        row = self.board_model.row_of(record_id)
        if row is None:
            return False
        self.board.setCurrentIndex(self.board_proxy.mapFromSource(self.board_model.index(row, 0)))
        return True

    # Writing through the outbox ---------------------------------------------------------------------------
    def _queued(self, _row_id: str) -> None:
        self._set_pending(self.pending_count + 1)  # at once; the sender's own count follows

    def _set_pending(self, count: int) -> None:
        self.pending_count = count
        if count == 0:
            text = "All changes sent"
        else:
            text = f"{count} change{'s' if count != 1 else ''} waiting to send"
        self.sync_label.setText(text)
        self.sync_label.setAccessibleName(text)

    # Change feed (through the hub) ------------------------------------------------------------------------
    def _record_event(self, event: Event) -> None:
        if event.data.get("id"):
            self.board_model.upsert(event.data)
            self._update_board_heading()

    # Server reachability ----------------------------------------------------------------------------------
    def check_health(self) -> None:
        self.ops.run(self.session.client.health, on_done=lambda _r: self._set_reachable(True),
                     on_error=lambda exc: self._set_reachable(not isinstance(exc, ServerUnreachable)))

    def _set_reachable(self, reachable: bool) -> None:
        if self._closed:
            return
        previous, self.reachable = self.reachable, reachable
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
        text = f"Server {self.session.server_url}: {state}"
        self.server_label.setText(text)
        self.server_label.setAccessibleName(text)

    def _show_user(self) -> None:
        user = self.session.user or {}
        text = f"Signed in as {user.get('display_name') or user.get('username')}" if user else "Not signed in"
        self.user_label.setText(text)
