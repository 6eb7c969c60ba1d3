"""The lock: a sign-in that expired, or a workstation left idle, asks for the password again over the window.

`WorkstationLock` watches three things and owns the `LockScreen` dialog:

- the outbox sender's `authentication_needed` (a 401: the queue has paused, nothing was refused). With the
  password typed at an offline sign-in still in memory it signs in again by itself; otherwise it locks;
- input: no key or mouse for the configured idle time (setting `lock/idle_minutes`, default 15) locks;
- the server coming back after an offline start: it signs in to the server with the in-memory password, so
  everything queued drains without anyone doing anything.

Locked, the window is covered and every other window of Bridewell (a half-filled form, say) is hidden, not
closed: what was typed is kept and comes back on unlock. Unlocking is the same user's password (checked by the
server, or, when it cannot be reached, by the local verifier of desktop/sync/offline.py); the new token replaces
the client's and the sender resumes. Someone else signs out (asked first when forms hold unsaved input) and
signs in afresh. Keyboard only: the password field has the focus; Escape does not unlock.

The session a lock leaves behind is signed out on the server (POST /auth/logout with the old token, on a worker):
the one replaced by an unlock's new sign-in, and the one of a user who signs out for someone else, so a token
copied before the switch is refused (401). Changes the first user queued are theirs (desktop/sync/local_store.py:
`Author`): they are never sent under the next user's token and wait for the first user to sign in here again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
from desktop.sync.offline import DEFAULT_OFFLINE_HOURS, offline_sign_in, remember_sign_in, why_not_offline
from desktop.views.forms.dialog import fit_on_screen
from desktop.views.forms.field_error import FieldError

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

log = logging.getLogger("bridewell.lock")

DEFAULT_IDLE_MINUTES = 15.0
IDLE = "the workstation was left idle"
EXPIRED = "your sign-in has expired; changes waiting to be sent are kept and go once you unlock"
_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel})


class WrongPassword(Exception):
    """The server (or, offline, the local verifier) did not accept the password."""


class LockScreen(QDialog):
    """Covers the main window; asks the signed-in user's password. Escape and closing do not unlock."""

    unlock_requested = Signal(str)  # the password typed
    switch_requested = Signal()

    def __init__(self, parent: QWidget | None, who: str) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setWindowTitle("Bridewell is locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.busy = False
        self.message = QLabel(wordWrap=True)
        self.message.setObjectName("lockMessage")
        self.message.setAccessibleName("Why Bridewell is locked")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.who = QLabel(f"Signed in as {who}.", wordWrap=True)
        self.who.setObjectName("lockUser")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("lockPasswordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_error = FieldError(self.password_edit, "lockPasswordError", self)
        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("lockStatus")
        form = QFormLayout()
        caption = QLabel("&Password:")
        caption.setBuddy(self.password_edit)
        form.addRow(caption, self.password_edit)
        form.addRow("", self.password_error)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton("Sign out, &someone else…")
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setAutoDefault(False)  # Enter in the password field unlocks, never signs out
        buttons = QDialogButtonBox()
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.switch_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.unlock_button.clicked.connect(self._unlock)
        self.switch_button.clicked.connect(self.switch_requested.emit)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.who)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        layout.addStretch(1)

    def show_locked(self, reason: str) -> None:
        self.password_error.clear_problem()
        self.password_edit.clear()
        self.status.clear()
        self.set_busy(False)
        self.message.setText(f"Bridewell is locked: {reason}. Type your password to unlock; nothing you were "
                             "typing is lost.")
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.geometry())  # over the window: no record shows while locked
        self.show()
        self.raise_()
        self.activateWindow()
        self.password_edit.setFocus()
        announce(f"{self.message.text()} {self.who.text()} Password.", assertive=True)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.unlock_button.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        if not busy:
            self.unlock_button.setDefault(True)
            self.password_edit.setFocus()

    def _unlock(self) -> None:
        if self.busy:
            return
        password = self.password_edit.text()
        if not password:
            self.password_error.show_problem("Type your password.")
            self._make_room()
            return
        self.password_error.clear_problem()
        self.set_busy(True)
        self.status.setText("Checking your password…")
        announce("Checking your password")
        self.unlock_requested.emit(password)

    def refused(self, message: str) -> None:
        self.status.clear()
        self.set_busy(False)
        self.password_error.show_problem(message)
        self.password_edit.selectAll()
        self._make_room()

    def _make_room(self) -> None:
        """The problem line takes room: grow (within the screen) so nothing is squashed (issue 13: 200% text)."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        hint = self.sizeHint()
        if hint.width() > self.width() or hint.height() > self.height():
            fit_on_screen(self, max(self.width(), hint.width()), max(self.height(), hint.height()))

    def reject(self) -> None:  # Escape: stays locked
        announce("Bridewell stays locked until you type your password, or sign out.", assertive=True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.switch_button.hasFocus():
            self._unlock()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not getattr(self, "unlocking", False):
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


class WorkstationLock(QObject):
    """Installed on the main window by desktop/app.py. `password` is the one typed at an offline sign-in (kept in
    memory only, to sign in to the server when it returns); `sign_out` signs out for someone else."""

    locked_changed = Signal(bool)
    signed_in = Signal(dict)  # the server accepted the password again: the login result

    def __init__(self, window: MainWindow, *, store: Any, server_key: str, idle_minutes: float = DEFAULT_IDLE_MINUTES,
                 offline_within: timedelta = timedelta(hours=DEFAULT_OFFLINE_HOURS), password: str | None = None,
                 sign_out: Callable[[], None] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("workstationLock")
        self.window = window
        self.session = window.session
        self.ops = window.ops
        self.store, self.server_key, self.offline_within = store, server_key, offline_within
        self._password = password
        self._sign_out = sign_out
        self._hidden: list[QWidget] = []
        self._signing_in = False
        user = self.session.user or {}
        self.username = str(user.get("username") or "")
        who = f"{user.get('display_name') or self.username} ({self.username})"
        self.screen = LockScreen(window, who)
        self.screen.unlock_requested.connect(self._unlock)
        self.screen.switch_requested.connect(self._switch_user)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(lambda: self.lock(IDLE))
        self.set_idle_minutes(idle_minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if window.sender_ is not None:
            window.sender_.authentication_needed.connect(self._authentication_needed)
        window.reachability_changed.connect(self._reachability_changed)

    @property
    def locked(self) -> bool:
        return self.screen.isVisible()

    def set_idle_minutes(self, minutes: float) -> None:
        self.idle.setInterval(max(0, int(minutes * 60_000)))
        if minutes > 0:
            self.idle.start()
        else:
            self.idle.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT and not self.locked and self.idle.interval() > 0:
            self.idle.start()  # restarted by any input
        return False

    # Locking ----------------------------------------------------------------------------------------------
    def lock(self, reason: str) -> None:
        if self.locked or self.window.is_closed():
            if self.locked and reason == EXPIRED:
                self.screen.show_locked(reason)
            return
        self.idle.stop()
        # Every other window of ours (open forms, the conflict dialog) is hidden, not closed: typed input is kept.
        self._hidden = [w for w in QApplication.topLevelWidgets()
                        if w.isVisible() and w is not self.window and w is not self.screen
                        and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)]
        for widget in self._hidden:
            widget.hide()
        self.screen.show_locked(reason)
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        self.screen.unlocking = True  # type: ignore[attr-defined]
        self.screen.hide()
        self.screen.unlocking = False  # type: ignore[attr-defined]
        for widget in self._hidden:
            if isValid(widget):
                widget.show()
                widget.raise_()
                widget.activateWindow()
        self._hidden = []
        if self.idle.interval() > 0:
            self.idle.start()
        announce("Unlocked. Welcome back.")
        self.locked_changed.emit(False)

    # Signing in again -------------------------------------------------------------------------------------
    def _attempt(self, password: str) -> tuple[str, dict[str, Any] | None]:
        """On a worker: the server first; when it cannot be reached, the local verifier (offline unlock)."""
        client = ApiClient(self.session.server_url)
        try:
            result = client.login(self.username, password)
        except ServerUnreachable:
            if offline_sign_in(self.store, self.server_key, self.username, password, self.offline_within) is None:
                raise WrongPassword(why_not_offline(self.store, self.server_key, self.username,
                                                    self.offline_within)) from None
            return "offline", None
        except ApiError as exc:
            if exc.status == 401:
                raise WrongPassword("The password is wrong. Check it and try again.") from None
            raise
        finally:
            client.close()
        remember_sign_in(self.store, self.server_key, self.username, password, result.get("user") or {})
        return "online", result

    def _unlock(self, password: str) -> None:
        def done(value: tuple[str, dict[str, Any] | None]) -> None:
            how, result = value
            if how == "online" and result is not None:
                self._signed_in(result)
            else:
                self._password = password  # offline: kept in memory only, to sign in when the server returns
            self.unlock()

        def failed(exc: BaseException) -> None:
            self.screen.refused(str(exc) if isinstance(exc, WrongPassword) else f"Unlocking failed: {exc}")

        self.ops.run(lambda: self._attempt(password), on_done=done, on_error=failed, owner=self.screen)

    def revoke(self, token: str | None) -> None:
        """Sign this session out on the server (on a worker), so the token is refused from now on. One already
        expired or revoked is fine; unreachable, it is logged and lapses at its expiry on the server."""
        if not token:
            return
        url = self.session.server_url

        def sign_out() -> None:
            client = ApiClient(url, token)
            try:
                client.logout()
            except ApiError as exc:
                if exc.status != 401:  # 401: already signed out or expired, which is what was wanted
                    raise
            finally:
                client.close()

        self.ops.run(sign_out, on_error=lambda exc: log.warning("the previous session could not be signed out on "
                                                                "the server (it lapses at its expiry): %s", exc))

    def _signed_in(self, result: dict[str, Any]) -> None:
        token = result.get("token")
        old = self.session.client.token
        self.session.client.token = token
        if old and old != token:
            self.revoke(old)  # the new sign-in replaces it: nothing may use the old one any more
        self.window.feed.set_token(token)
        self.session.offline = False
        self._password = None  # the server has it now; nothing kept in memory longer than needed
        if self.window.sender_ is not None:
            self.window.sender_.resume()
        self.window.check_health()
        self.signed_in.emit(result)
        announce("Signed in to the server again; waiting changes are being sent.")

    def _sign_in_quietly(self, then_lock: bool) -> None:
        """With the password typed at an offline sign-in: no one is asked unless the server refuses it."""
        password = self._password
        if password is None or self._signing_in:
            if password is None and then_lock:
                self.lock(EXPIRED)
            return
        self._signing_in = True

        def done(value: tuple[str, dict[str, Any] | None]) -> None:
            self._signing_in = False
            how, result = value
            if how == "online" and result is not None:
                self._signed_in(result)

        def failed(_exc: BaseException) -> None:
            self._signing_in = False
            self._password = None  # changed meanwhile on the server: ask
            self.lock(EXPIRED)

        self.ops.run(lambda: self._attempt(password), on_done=done, on_error=failed, owner=self.screen)

    def _authentication_needed(self) -> None:
        self._sign_in_quietly(then_lock=True)

    def _reachability_changed(self, reachable: bool) -> None:
        if reachable and self.session.offline:
            self._sign_in_quietly(then_lock=True)

    # Someone else -----------------------------------------------------------------------------------------
    def unsaved_forms(self) -> int:
        return sum(1 for w in self._hidden if isValid(w) and getattr(w, "dirty", False))

    def _switch_user(self) -> None:
        unsaved = self.unsaved_forms()
        if unsaved:
            box = QMessageBox(QMessageBox.Icon.Warning, "Sign out?",
                              f"{unsaved} open form{'s hold' if unsaved != 1 else ' holds'} typing that has not "
                              "been saved; signing out throws it away. Changes already saved on this computer "
                              "are kept and sent later.",
                              QMessageBox.StandardButton.Cancel, self.screen)
            box.setObjectName("signOutQuestion")
            sign_out = box.addButton("Sign &out and discard", QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is not sign_out:
                self.screen.password_edit.setFocus()
                return
        for widget in self._hidden:
            if isValid(widget):
                if hasattr(widget, "dirty"):
                    widget.dirty = False  # asked above
                widget.close()
        self._hidden = []
        self.screen.unlocking = True  # type: ignore[attr-defined]
        self.screen.hide()
        # Nothing more goes under this user's token: the sender stops (their queued rows stay theirs, for their
        # next sign-in) and the server refuses the token from now on.
        if self.window.sender_ is not None:
            self.window.sender_.core.pause()
        self.revoke(self.session.client.token)
        announce("Signed out.")
        if self._sign_out is not None:
            self._sign_out()
