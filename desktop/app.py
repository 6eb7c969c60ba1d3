"""`bridewell`: arguments, the embedded server when none is configured, QApplication, sign-in, main window.

Start-up order matters for how soon a person sees a window (docs/performance.md, "Start-up"): the embedded
server's child process is started first, before Qt is even imported, so it imports FastAPI and migrates on the
other core; then the sign-in dialog is shown at once; the local store, the keyring and a remembered sign-in are
read on a worker while it is on screen. So only the standard library and server.embedded (which is light) are
imported at the top of this module; Qt and the client's modules are imported inside the functions.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.embedded import (EMBEDDED_SERVER_FLAG, SERVER_COMMAND_FLAG, EmbeddedProcess, EmbeddedStartError,
                             collector_paused, server_command_prefix, spawn_embedded)

if TYPE_CHECKING:  # imported when first used (module docstring)
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.session import Session
    from desktop.sync.client import ApiClient
    from desktop.sync.local_store import LocalStore
    from desktop.views.shell.login_dialog import LoginDialog

DEMO_USER, DEMO_PASSWORD = "sergeant", "bridewell-demo"
SERVER_DB_FILE = "bridewell-server.sqlite3"
SETTINGS_FILE = "settings.ini"
STEP1_WAIT_S = 30.0  # an offline sign-in waits this long for the local store (a cold start on a busy machine)


def _server_url(text: str) -> str:
    from desktop.sync.client import BadServerAddress, normalise_server_url

    try:
        return normalise_server_url(text)
    except BadServerAddress as exc:  # argparse prints it with the usage line and exits with 2
        raise argparse.ArgumentTypeError(str(exc)) from None


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("bridewell", appauthor=False))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bridewell", description="Bridewell custody client.")
    parser.add_argument("--server", metavar="URL", type=_server_url,
                        help="central API address, e.g. https://custody.example.police.uk (default: start one "
                             "inside the client, with its database in the data folder)")
    parser.add_argument("--ca-bundle", metavar="FILE",
                        help="PEM file of the CAs the server's certificate is checked against (default: env "
                             "BRIDEWELL_CA_BUNDLE, else the public CAs)")
    parser.add_argument("--demo", action="store_true", help="embedded API with the fictional demo suite")
    parser.add_argument("--data-dir", metavar="DIR", type=Path,
                        help="local store, saved layout and embedded database (default: the user data folder, "
                             "e.g. ~/.local/share/bridewell)")
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="sign in as the demo custody sergeant, save the main window as PNG, exit (without "
                             "--server it implies --demo)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the keyring, local store, server and main window; print a report")
    args = parser.parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    return args


# `BRIDEWELL_STARTUP_TRACE=MARK` (bench/bench_startup.py): print "bridewell-startup MARK" on stderr when the sign-in
# dialog ("sign-in-painted") or the main window with the board filled ("board-painted") has been painted, and
# quit cleanly at MARK.
TRACE_ENV = "BRIDEWELL_STARTUP_TRACE"


def _trace_paint(widget: Any, mark: str, app: QApplication) -> None:
    """Under BRIDEWELL_STARTUP_TRACE: say `mark` once `widget` has painted; quit there if it is the one asked."""
    from desktop.operations import after_paint

    stop_at = os.environ.get(TRACE_ENV)
    if not stop_at:
        return

    def said() -> None:
        print(f"bridewell-startup {mark}", file=sys.stderr, flush=True)
        if mark == stop_at:
            app.exit(0)

    after_paint(widget, said)


def no_users_message(data_dir: Path) -> str:
    """What to do when the embedded database has no users (a first run without --demo or --server)."""
    db = data_dir / SERVER_DB_FILE
    return ("No one can sign in yet: this workstation's own database has no users. To try Bridewell with the "
            "fictional demo suite, quit and start it with: bridewell --demo. To use it for real, connect to your "
            "force's central server: bridewell --server https://ADDRESS, or create the first administrator for "
            f"this database: {server_command_prefix()} --database-url sqlite:///{db} create-user --username NAME "
            "--display-name \"FULL NAME\" --rank RANK --collar NUMBER --role administrator "
            "(see docs/install.md).")


def start_embedded_process(args: argparse.Namespace) -> EmbeddedProcess | None:
    """Start the embedded server's child process when no --server is given (and the data folder is usable:
    if not, the local store says why, in step 1)."""
    if args.server:
        return None
    data_dir = args.data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return spawn_embedded(f"sqlite:///{data_dir / SERVER_DB_FILE}", demo=args.demo or bool(args.screenshot))


_UNSET = object()


@dataclass
class Prepared:
    store: LocalStore
    server_url: str
    server_key: str
    embedded: EmbeddedProcess | None
    client: ApiClient | None = None  # signed in with a remembered token
    user: dict[str, Any] | None = None
    remembered_username: str = ""
    token_expired: bool = False
    settings: WorkstationSettings | None = None  # the lock and offline start (read with the store)


@dataclass(frozen=True)
class WorkstationSettings:
    """`settings.ini` in the data folder: [lock] idle_minutes (0: never), [offline] allowed_hours (0: no offline
    sign-in). Defaults: 15 minutes, 12 hours."""

    idle_minutes: float = 15.0
    offline_hours: float = 12.0
    # [workstation] suite_id, suite_code, suite_name (issue 15: the suite chosen at sign-in; "" for the whole
    # force) and suites (JSON: the list last read from the server, so the sign-in dialog offers it at once).
    suite: dict[str, Any] | None = None
    suites: tuple[dict[str, Any], ...] = ()

    @classmethod
    def read(cls, data_dir: Path) -> WorkstationSettings:
        import json  # here, like Qt: read on a worker after the first window, which need not wait for it

        from PySide6.QtCore import QSettings

        settings = QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)

        def number(key: str, default: float) -> float:
            try:
                return max(0.0, float(str(settings.value(key, default))))
            except ValueError:
                return default

        suite_id = str(settings.value("workstation/suite_id", "") or "")
        suite = ({"id": suite_id, "code": str(settings.value("workstation/suite_code", "") or ""),
                  "name": str(settings.value("workstation/suite_name", "") or "")} if suite_id else None)
        try:
            listed = json.loads(str(settings.value("workstation/suites", "[]") or "[]"))
        except ValueError:
            listed = []
        suites = tuple(s for s in listed if isinstance(s, dict) and s.get("id")) if isinstance(listed, list) else ()
        return cls(number("lock/idle_minutes", cls.idle_minutes), number("offline/allowed_hours", cls.offline_hours),
                   suite, suites)

    @staticmethod
    def remember_suite(data_dir: Path, suite: dict[str, Any] | None, suites: list[dict[str, Any]] | None) -> None:
        """Keep the suite chosen at sign-in (and the list offered) for the next start. On a worker: disk."""
        import json

        from PySide6.QtCore import QSettings

        settings = QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)
        settings.setValue("workstation/suite_id", (suite or {}).get("id") or "")
        settings.setValue("workstation/suite_code", (suite or {}).get("code") or "")
        settings.setValue("workstation/suite_name", (suite or {}).get("name") or "")
        if suites is not None:
            settings.setValue("workstation/suites", json.dumps(
                [{k: s.get(k) for k in ("id", "code", "name")} for s in suites]))
        settings.sync()


class Startup:
    """Shows the sign-in dialog at once, runs the slow start-up steps on a worker meanwhile, then signs in and
    opens the main window."""

    def __init__(self, app: QApplication, args: argparse.Namespace, embedded: EmbeddedProcess | None = None):
        from desktop.operations import Operations
        from desktop.sync.credentials import Credentials

        self.app = app
        self.args = args
        self.embedded = embedded
        self.ops = Operations()
        self.credentials = Credentials()
        self.prepared: Prepared | None = None
        self.window: MainWindow | None = None
        self.dialog: LoginDialog | None = None
        self.report: list[tuple[bool, str]] = []
        self.no_users = False
        self._failed = False
        self._preparing = False
        # Step 1's result as the worker finished it, for the sign-in dialog's worker (offline sign-in waits for it)
        self._step1_done = threading.Event()
        self._step1: Prepared | None = None
        # (client, user, password the server accepted, password accepted offline)
        self._pending_sign_in: tuple[ApiClient, dict[str, Any] | None, str | None, str | None] | None = None
        self._suite: Any = _UNSET  # the suite chosen in the sign-in dialog (issue 15), once signed in there
        if args.server:
            self.server_url, self.server_key = args.server, args.server
        else:
            self.server_url = embedded.url if embedded is not None else ""
            # the port changes each run; the data folder does not
            self.server_key = f"embedded:{args.data_dir.expanduser().resolve()}"

    @property
    def ready(self) -> Prepared:
        """What step 1 prepared; every later step runs after it."""
        assert self.prepared is not None, "start-up step 1 has not finished"
        return self.prepared

    # Step 1: local store, server, remembered sign-in (worker) -------------------------------------------------
    def begin(self) -> None:
        if self.embedded is not None:  # a worker that only waits on a pipe: it does not compete for the GIL
            self.ops.run(self.embedded.wait_ready, on_done=self._embedded_ready, on_error=self._fatal)
        if not (self.args.self_test or self.args.screenshot) and self.server_url:
            self._ask_sign_in()  # the first window, before the worker has read anything
            # The worker imports SQLAlchemy and the main window's modules, holding the GIL for most of a second:
            # begun once the dialog has painted, so it does not delay that paint.
            # A dialog that is never exposed (another workspace) must not hold start-up back: at most 0.5 s.
            from PySide6.QtCore import QTimer

            from desktop.operations import after_paint

            assert self.dialog is not None
            after_paint(self.dialog, self._begin_prepare)
            QTimer.singleShot(500, self._begin_prepare)
        else:
            self._begin_prepare()

    def _begin_prepare(self) -> None:
        if self._preparing:
            return
        self._preparing = True
        def prepare() -> Prepared:
            try:
                self._step1 = self._prepare()
                return self._step1
            finally:
                self._step1_done.set()

        self.ops.run(prepare, on_done=self._prepared, on_error=self._fatal)

    def _embedded_ready(self, users: int) -> None:
        if self.dialog is not None and self.window is None:
            self.dialog.load_suites()  # the embedded server answers now: offer its suites
        if users == 0 and not self.args.demo and not self.args.screenshot:
            self.no_users = True
            self._say_no_users()

    def _say_no_users(self) -> None:
        from desktop.announcer import announce

        if self.dialog is not None and self.window is None:
            text = no_users_message(self.args.data_dir.expanduser().resolve())
            self.dialog.status_label.setText(text)
            announce(text, assertive=True)

    def _prepare(self) -> Prepared:
        with collector_paused():  # its imports (server.embedded.collector_paused says why)
            from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
            from desktop.sync.local_store import LocalStore

        args = self.args
        data_dir = args.data_dir.expanduser().resolve()
        store = LocalStore(data_dir)
        if self.embedded is None and not args.server:  # the data folder could not be made: LocalStore said why
            store.close()
            raise EmbeddedStartError(f"the data folder {data_dir} is not usable")
        server_url, server_key = self.server_url, self.server_key
        prepared = Prepared(store, server_url, server_key, self.embedded, settings=WorkstationSettings.read(data_dir))
        # The main window's modules (~0.6 s of imports) and httpx (every API client's, ~0.2-0.3 s), loaded here
        # while the person types the password or the server starts, so signing in and opening the window after
        # it do not wait for them. Module imports only: no widget is made off the GUI thread.
        with collector_paused():
            import desktop.main_window  # noqa: F401
            import httpx  # noqa: F401

        if args.screenshot or args.self_test:
            return prepared
        remembered = self.credentials.load(server_key)
        if remembered:
            username, token = remembered
            prepared.remembered_username = username
            client = ApiClient(server_url, token)  # made while the server may still be starting
            self._wait_for_embedded()
            try:
                prepared.user = client.me()
                prepared.client = client
            except ApiError as exc:
                client.close()
                if exc.status == 401:
                    prepared.token_expired = True
                    self.credentials.forget(server_key)
            except ServerUnreachable:
                client.close()
        return prepared

    def _wait_for_embedded(self) -> None:
        """On a worker: a request made before the embedded server is ready would wait in its socket's queue, but
        a cold first start on a busy machine can outlast the client's 10 s timeout; automatic sign-ins wait here."""
        if self.embedded is not None:
            self.embedded.wait_ready()

    def _fatal(self, exc: BaseException) -> None:
        from PySide6.QtWidgets import QMessageBox

        from desktop.sync.local_store import StoreUnavailable

        if self.window is not None or self._failed:
            return  # already running, or already said: one message, once
        self._failed = True
        if isinstance(exc, StoreUnavailable):
            message = str(exc)
        elif isinstance(exc, EmbeddedStartError):
            message = f"Bridewell could not start its own server: {exc}"
        else:
            message = f"Bridewell could not start: {exc}"
        print(f"FAIL  {message}" if self.args.self_test or self.args.screenshot else f"bridewell: {message}",
              file=sys.stderr)
        if not (self.args.self_test or self.args.screenshot):
            if self.dialog is not None:
                self.dialog.rejected.disconnect()
                self.dialog.hide()
            QMessageBox.critical(None, "Bridewell cannot start", message)
        self.app.exit(2)

    def _prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        if self._pending_sign_in is not None:  # the person signed in while step 1 was still running
            if prepared.client is not None:
                prepared.client.close()
            self._after_sign_in(*self._pending_sign_in)
        elif self.args.self_test:
            self._self_test()
        elif self.args.screenshot:
            self._screenshot_sign_in()
        elif prepared.client is not None:
            if self.dialog is not None:  # a remembered sign-in the server accepted: no password needed
                self.dialog.rejected.disconnect()
                self.dialog.accept()
            self.open_main_window(prepared.client, prepared.user)
        elif self.dialog is None:
            self._ask_sign_in()
        else:
            self._remembered_into_dialog(self.dialog)

    # Step 2: sign in ----------------------------------------------------------------------------------------
    def _ask_sign_in(self) -> None:
        from desktop.views.shell.login_dialog import LoginDialog

        p = self.prepared
        username = (p.remembered_username if p else "") or (DEMO_USER if self.args.demo else "")
        dialog = self.dialog = LoginDialog(self.ops, self.credentials, self.server_url, server_key=self.server_key,
                                           username=username, offline=self._offline_sign_in)
        dialog.signed_in.connect(lambda client, result: self._signed_in(dialog, client, result))
        dialog.rejected.connect(lambda: self.app.exit(0))
        _trace_paint(dialog, "sign-in-painted", self.app)
        dialog.show()
        if p is not None:
            self._remembered_into_dialog(dialog)
        if self.no_users:
            self._say_no_users()

    def _signed_in(self, dialog: LoginDialog, client: ApiClient, result: dict[str, Any]) -> None:
        """Signed in through the dialog. The dialog comes before step 1 has finished (the local store), so a quick
        sign-in waits for it: _prepared opens the window (and keeps the offline verifier)."""
        user, password = result["user"], dialog.password_edit.text()
        self._suite = result.get("suite")
        data_dir, suites = self.args.data_dir.expanduser().resolve(), result.get("suites")
        self.ops.run(lambda: WorkstationSettings.remember_suite(data_dir, self._suite, suites),
                     on_error=lambda _exc: None)  # not remembered: asked again at the next sign-in
        offline_password = password if result.get("offline") else None
        if self.prepared is None:
            self._pending_sign_in = (client, user, None if result.get("offline") else password, offline_password)
        else:
            self._after_sign_in(client, user, None if result.get("offline") else password, offline_password)

    def _after_sign_in(self, client: ApiClient, user: dict[str, Any] | None, server_password: str | None,
                       offline_password: str | None) -> None:
        from desktop.announcer import announce
        from desktop.sync.offline import remember_sign_in

        if server_password is not None and user is not None:
            # The server accepted it: keep the verifier (a hash, off the GUI thread) for an offline start later.
            p, name = self.ready, str(user.get("username") or "")
            self.ops.run(lambda: remember_sign_in(p.store, p.server_key, name, server_password, user),
                         on_error=lambda exc: announce(f"Offline sign-in could not be prepared: {exc}"))
        self.open_main_window(client, user, offline_password=offline_password)

    # Offline start (desktop/sync/offline.py) -----------------------------------------------------------------
    @property
    def settings(self) -> WorkstationSettings:
        return self.ready.settings or WorkstationSettings()

    def _offline_sign_in(self, username: str, password: str) -> dict[str, Any]:
        """On the sign-in dialog's worker, when the server cannot be reached: the local verifier decides."""
        from datetime import timedelta

        from desktop.sync.offline import OfflineSignInRefused, sign_in_offline_or_refuse

        # A quick Return can come before step 1 (the local store) has finished: wait for it here, on this worker.
        if not self._step1_done.wait(STEP1_WAIT_S) or self._step1 is None:
            raise OfflineSignInRefused("this workstation could not open its local store; try again in a moment.")
        p = self._step1
        hours = (p.settings or WorkstationSettings()).offline_hours
        if hours <= 0:
            raise OfflineSignInRefused("signing in without the server is switched off on this workstation.")
        return sign_in_offline_or_refuse(p.store, p.server_key, username, password, timedelta(hours=hours))

    def sign_out(self) -> None:
        """From the lock: someone else is signing in. The window closes (its forms were asked about), the server
        forgets the sign-in, and the sign-in dialog opens."""
        window, self.window = self.window, None
        if window is None:
            return
        client, key = window.session.client, self.ready.server_key
        window.close()
        credentials = self.credentials

        def forget() -> None:
            credentials.forget(key)
            if client.token:
                client.logout()

        self.ops.run(forget, on_error=lambda _exc: None)  # unreachable: the token expires on the server anyway
        self._ask_sign_in()

    def _remembered_into_dialog(self, dialog: LoginDialog) -> None:
        """What the worker found once the dialog was up: the remembered user name, or that it expired."""
        p = self.ready
        settings = p.settings or WorkstationSettings()
        dialog.set_suites(dialog.suites or list(settings.suites) or ([settings.suite] if settings.suite else []),
                          settings.suite["id"] if settings.suite else None)
        if p.remembered_username and not dialog.username_edit.text():
            dialog.username_edit.setText(p.remembered_username)
            if dialog.username_edit.hasFocus():
                dialog.password_edit.setFocus()
        if p.token_expired:
            dialog.show_expired()

    def _screenshot_sign_in(self) -> None:
        from desktop.sync.client import ApiClient

        url = self.ready.server_url

        def sign_in() -> tuple[ApiClient, dict[str, Any]]:
            client = ApiClient(url)  # made while the server may still be starting
            self._wait_for_embedded()
            return client, client.login(DEMO_USER, DEMO_PASSWORD)["user"]

        self.ops.run(sign_in, on_done=lambda v: self.open_main_window(*v), on_error=self._fatal)

    # Step 3: the main window --------------------------------------------------------------------------------
    def open_main_window(self, client: ApiClient, user: dict[str, Any] | None, *,
                         offline_password: str | None = None) -> None:
        from desktop.announcer import build_unheard

        session = self.make_session(client, user, offline=offline_password is not None)
        # Built and shown in one step, its hundreds of accessibility events held back (the announcer says why).
        build_unheard(lambda: self._build_main_window(session, offline_password))

    def _build_main_window(self, session: Session, offline_password: str | None) -> MainWindow:
        from PySide6.QtCore import QTimer

        from desktop.main_window import MainWindow
        from desktop.views.custody.area import CustodyArea

        p = self.ready
        window = self.window = MainWindow(session, self.ops, p.store, self.args.data_dir.expanduser().resolve())
        if not self.args.screenshot:
            self.install_workstation(window, offline_password)
        if not window.layout_restored:
            window.resize(1280, 800)
        if os.environ.get(TRACE_ENV):
            board = window.areas["custody"]
            assert isinstance(board, CustodyArea)
            board.board.records_loaded.connect(
                lambda _n: _trace_paint(board.board.view.viewport(), "board-painted", self.app))
        if self.args.screenshot:
            window.resize(1280, 800)
            # A moment after the data arrives, so the views have painted it.
            shot_timer = self._shot_timer = QTimer(window)
            shot_timer.setSingleShot(True)
            shot_timer.setInterval(300)
            shot_timer.timeout.connect(lambda: self._take_screenshot(window))
            custody = window.areas["custody"]
            assert isinstance(custody, CustodyArea)
            custody.log_loaded.connect(lambda _id: shot_timer.start())
            custody.board.records_loaded.connect(lambda n: None if n else shot_timer.start())
        window.show()
        return window

    def make_session(self, client: ApiClient, user: dict[str, Any] | None, *, offline: bool = False) -> Session:
        """The session reads through the local cache, so the board and open records survive the server going."""
        from desktop.session import Session
        from desktop.sync.offline import CachingClient

        p = self.ready
        session = Session(CachingClient.adopt(client, p.store), user, server_key=p.server_key)
        session.offline = offline
        # Chosen in the dialog now, else remembered by this workstation (a remembered sign-in skips the dialog).
        session.suite = self._suite if self._suite is not _UNSET else (p.settings.suite if p.settings else None)
        return session

    def install_workstation(self, window: MainWindow, offline_password: str | None = None) -> None:
        """The lock (idle, expired sign-in, the server back after an offline start), provisional bookings and
        conflicts of rows no form waits for."""
        from datetime import timedelta

        from desktop.views.shell.lock_screen import WorkstationLock
        from desktop.views.shell.offline_work import install_offline_work

        settings = self.settings
        window.workstation_lock = WorkstationLock(  # type: ignore[attr-defined]
            window, store=self.ready.store, server_key=self.ready.server_key, idle_minutes=settings.idle_minutes,
            offline_within=timedelta(hours=settings.offline_hours), password=offline_password,
            sign_out=self.sign_out)
        window.offline_work = install_offline_work(window)  # type: ignore[attr-defined]
        credentials, key = self.credentials, self.ready.server_key

        def keep_remembered(result: dict[str, Any]) -> None:
            """Signed in again from the lock: a remembered sign-in (Remember me) is replaced by the new one."""
            user, token = result.get("user") or {}, str(result.get("token") or "")

            def replace() -> None:
                if token and credentials.load(key) is not None:
                    credentials.save_token(key, str(user.get("username") or ""), token)

            self.ops.run(replace, on_error=lambda _exc: None)

        window.workstation_lock.signed_in.connect(keep_remembered)  # type: ignore[attr-defined]

    def _take_screenshot(self, window: MainWindow) -> None:
        path = self.args.screenshot
        if not window.grab().save(str(path), "PNG"):
            print(f"FAIL  could not write the screenshot to {path}", file=sys.stderr)
            self.app.exit(1)
            return
        print(f"Screenshot saved to {path}")
        window.close()
        self.app.exit(0)

    # --self-test --------------------------------------------------------------------------------------------
    def _self_test(self) -> None:
        from desktop.main_window import MainWindow
        from desktop.session import Session
        from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
        from desktop.sync.credentials import NO_SECURE_KEYRING
        from desktop.views.custody.area import CustodyArea

        p = self.ready
        client = ApiClient(p.server_url)
        window = self.window = MainWindow(Session(client, None, server_key=p.server_key), self.ops, p.store,
                                          self.args.data_dir.expanduser().resolve(), start_background=False)
        window.show()

        def checks() -> list[tuple[bool, str]]:
            self._wait_for_embedded()
            results = [(True, f"Local store: {p.store.path} opened and written")]
            p.store.cache_put("self_test", "ok")
            results.append((p.store.cache_get("self_test") == "ok", "Local store: read back what was written"))
            check = self.credentials.check()
            # Not a failure: the client works without it, it only cannot remember sign-ins.
            results.append((True, f"Keyring: {check.name} is secure; Remember me is available" if check.secure
                            else f"Keyring (warning): {check.name} refused ({check.reason}). {NO_SECURE_KEYRING}"))
            try:
                health = client.health()
                results.append((health.get("status") == "ok",
                                f"Server: {p.server_url} answers (version {health.get('version')}, "
                                f"database {health.get('database')})"))
            except (ServerUnreachable, ApiError) as exc:
                results.append((False, f"Server: {p.server_url} does not answer: {exc}"))
            return results

        def done(results: list[tuple[bool, str]]) -> None:
            custody = window.areas["custody"]
            assert isinstance(custody, CustodyArea)
            shown = window.isVisible() and custody.board.view.isVisible()
            results.append((shown, "Main window: shown with the custody board and "
                            f"{sum(d.isVisible() for d in window.docks.values())} docks"))
            failed = [text for ok, text in results if not ok]
            for ok, text in results:
                print(f"{'ok  ' if ok else 'FAIL'}  {text}")
            print("Self-test passed." if not failed else f"Self-test failed: {len(failed)} problem(s).")
            window.close()
            self.app.exit(0 if not failed else 1)

        self.ops.run(checks, on_done=done, on_error=self._fatal)

    def finish(self) -> None:
        if self.window is not None:
            self.window.shutdown()
        elif self.dialog is not None and self.dialog.isVisible():  # stopped before anyone signed in
            self.dialog.rejected.disconnect()
            self.dialog.hide()
        self.ops.shutdown()
        if self.embedded is not None:
            self.embedded.stop()
        if self.prepared is not None:
            self.prepared.store.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [EMBEDDED_SERVER_FLAG]:  # the frozen client, started again as its own embedded server
        from server.embedded import child_main

        return child_main(argv[1:])
    if argv[:1] == [SERVER_COMMAND_FLAG]:  # `bridewell-server ARGS`, for the frozen client (docs/install.md)
        from server.embedded import server_command

        return server_command(argv[1:])
    args = parse_args(argv)
    if args.ca_bundle:
        from desktop.sync.client import BadServerAddress, use_ca_bundle

        try:
            use_ca_bundle(args.ca_bundle)
        except BadServerAddress as exc:
            print(f"bridewell: {exc}", file=sys.stderr)
            return 2
    embedded = start_embedded_process(args)  # first: it works on the other core while Qt loads
    try:
        return _run(args, embedded)
    finally:
        if embedded is not None:
            embedded.stop()  # again if Startup did: harmless; and when Qt failed to start, it still stops


def _run(args: argparse.Namespace, embedded: EmbeddedProcess | None) -> int:
    with collector_paused():  # Qt's imports (server.embedded.collector_paused says why)
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from desktop import none_guard, theme
        from desktop.announcer import announce

    if args.screenshot or args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication), "Bridewell needs a widgets application, not a QCoreApplication"
    app.setApplicationName("Bridewell")
    app.setOrganizationName("Bridewell")
    from desktop.views.shell.icon import app_icon

    app.setWindowIcon(app_icon())  # every window, the sign-in dialog and the task bar
    theme.start_theme(app, args.data_dir)  # colours and text size
    none_guard.install(app)  # only on Python 3.11: see desktop/none_guard.py
    app.setQuitOnLastWindowClosed(False)  # the sign-in dialog closes before the main window opens
    startup = Startup(app, args, embedded)
    if args.screenshot or args.self_test:  # no one is looking at the window: say it on stderr
        from desktop.announcer import announcer

        announcer().announced.connect(lambda text, _assertive: print(f"[bridewell] {text}", file=sys.stderr))
    QTimer.singleShot(0, startup.begin)
    app.lastWindowClosed.connect(lambda: app.exit(0) if startup.window is not None else None)
    announce("Starting Bridewell")
    try:
        code = app.exec()
    finally:
        startup.finish()
    return code


if __name__ == "__main__":
    sys.exit(main())
