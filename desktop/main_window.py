"""The main window: the custody board in the middle, four docks, menus, status bar, saved layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QFormLayout, QFrame, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QScrollArea, QTableView, QVBoxLayout, QWidget)

from desktop.announcer import announce, announcer
from desktop.sync.client import ApiError, ServerUnreachable
from desktop.sync.feed import ChangeFeed
from desktop.sync.outbox_sender import OutboxSender
from desktop.models.custody.board_model import RECORD_ROLE, SORT_ROLE, CustodyBoardModel
from desktop.models.custody.log_model import SAVED
from desktop.operations import Operations
from desktop.session import Session
from desktop.sync.local_store import LocalStore
from desktop.views.custody.detainee_log import DetaineeLogPanel
from desktop.views.custody import menu as custody_menu
from desktop.views.people import menu as people_menu
from desktop.views.records import menu as records_menu
from desktop.views.custody.board import BoardProxy
from desktop import theme
from desktop.writes import Writes
from desktop.views.shell.placeholder_panel import PlaceholderPanel

# Bump when docks are added, removed or renamed: an old saved layout is then ignored, not half-applied.
LAYOUT_VERSION = 3
LAYOUT_FILE = "layout.ini"
HEALTH_INTERVAL_MS = 5000

DOCKS = (
    # objectName, title, shortcut, placeholder text (None: a real panel)
    ("detaineeLogDock", "Detainee log", "Alt+1", None),
    ("riskAssessmentDock", "Risk assessment", "Alt+2",
     "The selected detainee's risk assessment will appear here: risk level, observation level, "
     "and the questions asked at booking in."),
    ("investigationActionsDock", "Investigation actions", "Alt+3",
     "Actions raised in the investigation linked to this detainee will appear here, with who holds each "
     "and when it is due."),
    ("intelligenceGradingDock", "Intelligence grading", "Alt+4",
     "Intelligence reports about this detainee will appear here with their 3x5x2 grading and handling code."),
    ("personDock", "Person", "Alt+5", "One person's whole picture across custody, investigations, intelligence and "
     "prosecution."),  # the real panel is put in by people_menu.install
)
LOG_EVENT = "custody.log_entry.created"


class MainWindow(QMainWindow):
    records_loaded = Signal(int)
    log_loaded = Signal(str)  # record id
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
        self._local_entries: dict[str, dict] = {}  # outbox row id -> entry shown as waiting
        self._closed = False
        self.loaded_log_id: str | None = None
        self._sized = False

        self._build_board()
        self._build_docks()
        self._build_menus()
        self._build_status_bar()
        announcer().attach(self.statusBar(), self)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self.layout_restored = self.restore_layout()

        self.sender_ = OutboxSender(store, session.client) if store is not None else None
        self.writes = Writes(ops, store, self.sender_, self)
        self.feed = ChangeFeed(session.client, wait=feed_wait)
        # Log entries queued in an earlier run: confirmed or refused in the log like this run's.
        self.writes.on_earlier(lambda path: path.endswith("/log"), self._earlier_log_sent,
                               self._earlier_log_rejected)
        self.writes.queued.connect(self._queued)
        if self.sender_ is not None:
            self.sender_.pending_changed.connect(self._set_pending)
        self.feed.events.connect(self.apply_events)
        self.session.record_selected.connect(self._record_selected)
        records_menu.install(self)  # File > print/preview/save/read, Custody > Charge… (issue 5)
        custody_menu.install(self)  # Custody menu, risk dock, overdue filter and announcements (issue 3)
        people_menu.install(self)  # People, Investigations, Intelligence menus; Person dock (issue 4)
        theme.install(self)  # View > High contrast, text size (issue 6)

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
        self.board.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.board.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.board.selectionModel().currentRowChanged.connect(self._board_row_changed)
        self.board_heading = QLabel("Custody board: loading…", objectName="boardHeading")

        central = QWidget(objectName="boardPanel")
        form = QFormLayout()
        form.addRow("&Filter board:", self.filter_edit)
        layout = QVBoxLayout(central)
        layout.addWidget(self.board_heading)
        layout.addLayout(form)
        layout.addWidget(self.board, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        previous = None
        for name, title, _shortcut, placeholder in DOCKS:
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                             | QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            panel = (DetaineeLogPanel(self) if placeholder is None
                     else PlaceholderPanel(name.removesuffix("Dock") + "Panel", title, placeholder))
            self._set_dock_widget(dock, panel)
            if previous is None:
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            elif name == "riskAssessmentDock":
                self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            else:
                self.tabifyDockWidget(self.docks["riskAssessmentDock"], dock)
            previous = dock
            self.docks[name] = dock
            self.panels[name] = panel
        self.docks["riskAssessmentDock"].raise_()
        # The log runs the full height on the right; the other docks sit under the board, not under the log.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        self.log_panel: DetaineeLogPanel = self.panels["detaineeLogDock"]  # type: ignore[assignment]

    def set_dock_panel(self, name: str, panel: QWidget) -> None:
        """Put a (new) panel in a dock, replacing the placeholder or the previous panel."""
        dock = self.docks[name]
        old = dock.widget()
        self._set_dock_widget(dock, panel)
        self.panels[name] = panel
        if old is not None:
            old.deleteLater()

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
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self, objectName="quitAction", shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view = self.menuBar().addMenu("&View")
        self.focus_board_action = QAction("Custody &board", self, objectName="focusBoardAction",
                                          shortcut=QKeySequence("Alt+0"))
        self.focus_board_action.triggered.connect(self.focus_board)
        view.addAction(self.focus_board_action)
        view.addSeparator()
        self.dock_actions: dict[str, QAction] = {}
        for name, title, shortcut, _ in DOCKS:
            action = self.docks[name].toggleViewAction()
            action.setObjectName(name.removesuffix("Dock") + "Action")
            action.setText(f"&{title}")
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda checked, n=name: self._dock_toggled(n, checked))
            view.addAction(action)
            self.dock_actions[name] = action
        view.addSeparator()
        reset = QAction("&Restore default layout", self, objectName="resetLayoutAction")
        reset.triggered.connect(self.reset_layout)
        view.addAction(reset)

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
            # The default split: the board and the log share the width, whatever the font size.
            self._sized = True
            self.resizeDocks([self.docks["detaineeLogDock"]], [int(self.width() * 0.38)], Qt.Orientation.Horizontal)
            # The board is the central view: the tabbed docks under it take a third of the height.
            self.resizeDocks([self.docks["riskAssessmentDock"]], [int(self.height() * 0.34)],
                             Qt.Orientation.Vertical)

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

    def _record_selected(self, record: dict | None) -> None:
        self.loaded_log_id = None
        self.log_panel.set_record(record)
        if record is None:
            return
        record_id = record["id"]
        client, store = self.session.client, self.store

        def load():
            entries = client.record_log(record_id)
            pending = []
            if store is not None:
                for item in store.pending():
                    if item.path == log_path(record_id):
                        pending.append({**item.body, "record_id": record_id, "recorded_at": None,
                                        "author": _author_of(self.session.user), "corrects_id": None})
            return entries, pending

        def done(value):
            if self.log_panel.model.record_id != record_id:
                return  # the user moved on while this loaded
            entries, pending = value
            waiting = [e for e in self._local_entries.values() if e["record_id"] == record_id]
            self.log_panel.model.set_entries(record_id, entries, pending + waiting)
            self.loaded_log_id = record_id
            self.log_loaded.emit(record_id)

        self.ops.run(load, on_done=done, on_error=self._log_load_failed)

    def _log_load_failed(self, exc: BaseException) -> None:
        announce(f"The detainee log could not be loaded: {exc}", assertive=True)

    # Writing through the outbox ---------------------------------------------------------------------------
    def queue_log_entry(self, record_id: str, body: dict, local_entry: dict) -> None:
        """Through the outbox (row id = entry id = Idempotency-Key); shown as waiting until confirmed."""
        if self.store is None:
            announce("This entry cannot be saved: there is no local store.", assertive=True)
            return
        self._local_entries[body["id"]] = local_entry
        self.writes.queue("POST", log_path(record_id), body, row_id=body["id"],
                          on_sent=lambda response: self._log_entry_sent(body["id"], response),
                          on_rejected=lambda error: self._log_entry_refused(local_entry, error))

    def _queued(self, _row_id: str) -> None:
        self._set_pending(self.pending_count + 1)  # at once; the sender's own count follows

    def _log_entry_sent(self, row_id: str, response) -> None:
        self._local_entries.pop(row_id, None)
        if isinstance(response, dict) and response.get("record_id"):
            self.log_panel.entry_confirmed(response)
            announce("Log entry saved")

    def _log_entry_refused(self, local_entry: dict, error: BaseException) -> None:
        self._local_entries.pop(local_entry["id"], None)
        message, field = str(error), "text"
        if isinstance(error, ApiError) and error.field_errors:
            field, message = next(iter(error.field_errors.items()))
        self.log_panel.entry_refused(local_entry, message, field)

    def _earlier_log_sent(self, item, response) -> None:
        self._log_entry_sent(item.id, response)

    def _earlier_log_rejected(self, item, error) -> None:
        record_id = item.path.rstrip("/").split("/")[-2]
        self._log_entry_refused({**item.body, "record_id": record_id}, error)

    def _set_pending(self, count: int) -> None:
        self.pending_count = count
        if count == 0:
            text = "All changes sent"
        else:
            text = f"{count} change{'s' if count != 1 else ''} waiting to send"
        self.sync_label.setText(text)
        self.sync_label.setAccessibleName(text)

    # Change feed ------------------------------------------------------------------------------------------
    def apply_events(self, events: list) -> None:
        for event in events:
            kind, data = event.get("type", ""), event.get("data") or {}
            if kind == LOG_EVENT:
                # Ours arrives here too, perhaps before the sender's reply: either way it is saved.
                self._local_entries.pop(data.get("id"), None)
                self.log_panel.model.add_or_update(data, SAVED)
            elif kind.startswith("custody.record.") and data.get("id"):
                self.board_model.upsert(data)
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


def log_path(record_id: str) -> str:
    return f"/custody/records/{record_id}/log"


def _author_of(user: dict | None) -> dict:
    user = user or {}
    return {"id": user.get("id"), "display_name": user.get("display_name", ""), "rank": user.get("rank"),
            "collar_number": user.get("collar_number")}
