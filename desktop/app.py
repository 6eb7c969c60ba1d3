"""`bridewell`: arguments, QApplication, the embedded server when none is configured, sign-in, main window."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import none_guard, theme
from desktop.announcer import announce
from desktop.sync.client import (ApiClient, ApiError, BadServerAddress, ServerUnreachable, normalise_server_url,
                                 use_ca_bundle)
from desktop.sync.credentials import NO_SECURE_KEYRING, Credentials
from desktop.operations import Operations
from desktop.session import Session
from desktop.sync.local_store import LocalStore, StoreUnavailable

if TYPE_CHECKING:  # imported when first used, after the slow start-up steps
    from desktop.main_window import MainWindow
    from desktop.views.shell.login_dialog import LoginDialog
    from server.embedded import EmbeddedServer

DEMO_USER, DEMO_PASSWORD = "sergeant", "bridewell-demo"
SERVER_DB_FILE = "bridewell-server.sqlite3"
SETTINGS_FILE = "settings.ini"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bridewell", description="Bridewell custody client.")
    parser.add_argument("--server", metavar="URL", help="central API address (default: start one inside the client)")
    parser.add_argument("--ca-bundle", metavar="FILE",
                        help="PEM file of the CAs the server's certificate is checked against (default: env "
                             "BRIDEWELL_CA_BUNDLE, else the public CAs)")
    parser.add_argument("--demo", action="store_true", help="embedded API with the fictional demo suite")
    parser.add_argument("--data-dir", metavar="DIR", type=Path,
                        default=Path(platformdirs.user_data_dir("bridewell", appauthor=False)),
                        help="local store, saved layout and embedded database (default: %(default)s)")
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="sign in as the demo custody sergeant, save the main window as PNG, exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check the keyring, local store, server and main window; print a report")
    return parser.parse_args(argv)


@dataclass
class Prepared:
    store: LocalStore
    server_url: str
    server_key: str
    embedded: EmbeddedServer | None
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

    @classmethod
    def read(cls, data_dir: Path) -> WorkstationSettings:
        from PySide6.QtCore import QSettings

        settings = QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)

        def number(key: str, default: float) -> float:
            try:
                return max(0.0, float(str(settings.value(key, default))))
            except ValueError:
                return default

        return cls(number("lock/idle_minutes", cls.idle_minutes), number("offline/allowed_hours", cls.offline_hours))


class Startup:
    """Runs the slow start-up steps on a worker, then signs in and opens the main window."""

    def __init__(self, app: QApplication, args: argparse.Namespace):
        self.app = app
        self.args = args
        self.ops = Operations()
        self.credentials = Credentials()
        self.prepared: Prepared | None = None
        self.window: MainWindow | None = None
        self.dialog: LoginDialog | None = None
        self.report: list[tuple[bool, str]] = []

    @property
    def ready(self) -> Prepared:
        """What step 1 prepared; every later step runs after it."""
        assert self.prepared is not None, "start-up step 1 has not finished"
        return self.prepared

    # Step 1: local store, server, remembered sign-in (worker) -------------------------------------------------
    def begin(self) -> None:
        self.ops.run(self._prepare, on_done=self._prepared, on_error=self._fatal)

    def _prepare(self) -> Prepared:
        args = self.args
        data_dir = args.data_dir.expanduser().resolve()
        store = LocalStore(data_dir)
        embedded = None
        if args.server:
            server_url = normalise_server_url(args.server)
            server_key = server_url
        else:
            from server.embedded import start_embedded  # the only import of server code, by design

            embedded = start_embedded(f"sqlite:///{data_dir / SERVER_DB_FILE}", demo=args.demo)
            server_url = embedded.url
            server_key = f"embedded:{data_dir}"  # the port changes each run; the data folder does not
        prepared = Prepared(store, server_url, server_key, embedded, settings=WorkstationSettings.read(data_dir))
        if args.screenshot or args.self_test:
            return prepared
        remembered = self.credentials.load(server_key)
        if remembered:
            username, token = remembered
            prepared.remembered_username = username
            client = ApiClient(server_url, token)
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

    def _fatal(self, exc: BaseException) -> None:
        if isinstance(exc, StoreUnavailable):
            message = str(exc)
        elif isinstance(exc, BadServerAddress):
            message = f"The --server address is not usable: {exc}"
        else:
            message = f"Bridewell could not start: {exc}"
        if self.args.self_test or self.args.screenshot:
            print(f"FAIL  {message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Bridewell cannot start", message)
        self.app.exit(2)

    def _prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        if self.args.self_test:
            self._self_test()
        elif self.args.screenshot:
            self._screenshot_sign_in()
        elif prepared.client is not None:
            self.open_main_window(prepared.client, prepared.user)
        else:
            self._ask_sign_in()

    # Step 2: sign in ----------------------------------------------------------------------------------------
    def _ask_sign_in(self) -> None:
        from desktop.views.shell.login_dialog import LoginDialog

        p = self.ready
        username = p.remembered_username or (DEMO_USER if self.args.demo else "")
        dialog = self.dialog = LoginDialog(self.ops, self.credentials, p.server_url, server_key=p.server_key,
                                           username=username, offline=self._offline_sign_in)
        dialog.signed_in.connect(lambda client, result: self._signed_in(dialog, client, result))
        dialog.rejected.connect(lambda: self.app.exit(0))
        dialog.show()
        if p.token_expired:
            dialog.show_expired()

    # Offline start (desktop/sync/offline.py) -----------------------------------------------------------------
    @property
    def settings(self) -> WorkstationSettings:
        return self.ready.settings or WorkstationSettings()

    def _offline_sign_in(self, username: str, password: str) -> dict[str, Any]:
        """On the sign-in dialog's worker, when the server cannot be reached: the local verifier decides."""
        from datetime import timedelta

        from desktop.sync.offline import OfflineSignInRefused, sign_in_offline_or_refuse

        p, hours = self.ready, self.settings.offline_hours
        if hours <= 0:
            raise OfflineSignInRefused("signing in without the server is switched off on this workstation.")
        return sign_in_offline_or_refuse(p.store, p.server_key, username, password, timedelta(hours=hours))

    def _signed_in(self, dialog: LoginDialog, client: ApiClient, result: dict[str, Any]) -> None:
        from desktop.sync.offline import remember_sign_in

        p, user = self.ready, result["user"]
        password = dialog.password_edit.text()
        if result.get("offline"):
            self.open_main_window(client, user, offline_password=password)
            return
        # The server accepted it: keep the verifier (a hash, off the GUI thread) for an offline start later.
        self.ops.run(lambda: remember_sign_in(p.store, p.server_key, str(user.get("username") or ""), password, user),
                     on_error=lambda exc: announce(f"Offline sign-in could not be prepared: {exc}"))
        self.open_main_window(client, user)

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

    def _screenshot_sign_in(self) -> None:
        url = self.ready.server_url

        def sign_in() -> tuple[ApiClient, dict[str, Any]]:
            client = ApiClient(url)
            return client, client.login(DEMO_USER, DEMO_PASSWORD)["user"]

        self.ops.run(sign_in, on_done=lambda v: self.open_main_window(*v), on_error=self._fatal)

    # Step 3: the main window --------------------------------------------------------------------------------
    def open_main_window(self, client: ApiClient, user: dict[str, Any] | None, *,
                         offline_password: str | None = None) -> None:
        from desktop.main_window import MainWindow
        from desktop.views.custody.area import CustodyArea

        p = self.ready
        session = self.make_session(client, user, offline=offline_password is not None)
        window = self.window = MainWindow(session, self.ops, p.store, self.args.data_dir.expanduser().resolve())
        if not self.args.screenshot:
            self.install_workstation(window, offline_password)
        if not window.layout_restored:
            window.resize(1280, 800)
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

    def make_session(self, client: ApiClient, user: dict[str, Any] | None, *, offline: bool = False) -> Session:
        """The session reads through the local cache, so the board and open records survive the server going."""
        from desktop.sync.offline import CachingClient

        p = self.ready
        session = Session(CachingClient.adopt(client, p.store), user, server_key=p.server_key)
        session.offline = offline
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
        from desktop.views.custody.area import CustodyArea

        p = self.ready
        client = ApiClient(p.server_url)
        window = self.window = MainWindow(Session(client, None, server_key=p.server_key), self.ops, p.store,
                                          self.args.data_dir.expanduser().resolve(), start_background=False)
        window.show()

        def checks() -> list[tuple[bool, str]]:
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
        self.ops.shutdown()
        p = self.prepared
        if p is not None:
            if p.embedded is not None:
                p.embedded.stop()
            p.store.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.ca_bundle:
        try:
            use_ca_bundle(args.ca_bundle)
        except BadServerAddress as exc:
            print(f"bridewell: {exc}", file=sys.stderr)
            return 2
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
    startup = Startup(app, args)
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
