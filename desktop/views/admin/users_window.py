"""User administration (administrators): every user, and what may be done to one. A window of its own, opened from
Administration > Users… (Ctrl+Alt+U); the server refuses anyone but an administrator.

Loading runs on a worker; a change goes through the outbox (locking) or straight to the server (a password, or
ending sessions, which must happen now or not at all) and the row is updated from the server's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.models.admin.users_model import UsersModel
from desktop.views.admin.user_dialogs import USERS_PATH, PasswordDialog, UserDialog
from desktop.views.forms.refusal import refusal_text
from desktop.views.forms.tables import ENTER_KEYS, make_table

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes


class UsersWindow(QDialog):
    loaded = Signal()
    changed = Signal(dict)  # a user as the server now has them

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("usersWindow")
        self.setWindowTitle("User administration")
        self.ops, self.client, self.writes = ops, client, writes
        self.dialog: QDialog | None = None  # the dialog opened last (tests)
        self.question: QMessageBox | None = None
        self.model = UsersModel(self)
        self.table = make_table("usersTable", "Users", self.model, stretch=0)
        self.table.installEventFilter(self)
        self.status = QLabel("Loading users…", wordWrap=True)
        self.status.setObjectName("usersStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status.setAccessibleName("Users: status")

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, name, handler in (
                ("new", "&New user…", "newUserButton", self.new_user),
                ("edit", "&Change…", "editUserButton", self.edit_user),
                ("password", "Reset &password…", "resetPasswordButton", self.reset_password),
                ("lock", "&Lock account", "lockUserButton", self.toggle_lock),
                ("sessions", "End all &sessions", "endSessionsButton", self.end_sessions),
                ("refresh", "Re&fresh", "refreshUsersButton", self.reload)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(handler)
            row.addWidget(button)
            self.buttons[key] = button
        close = QPushButton("Close")
        close.setObjectName("closeUsersButton")
        close.clicked.connect(self.close)
        row.addStretch(1)
        row.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.resize(1000, 480)
        self._update_buttons()

    # Reading -----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.status.setText("Loading users…")
        client = self.client
        self.ops.run(lambda: client.request("GET", USERS_PATH), on_done=self._loaded, on_error=self._failed,
                     owner=self)

    def _loaded(self, users: list[dict[str, Any]]) -> None:
        selected = (self.selected() or {}).get("id")
        self.model.set_rows(users)
        locked = sum(1 for u in users if not u.get("active", True))
        self.status.setText(f"{len(users)} users, {locked} locked.")
        at = self.model.row_of(selected) if selected else None
        self.table.selectRow(at if at is not None else 0)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        message = f"Could not load the users: {error}"
        self.status.setText(message)
        announce(message, assertive=True)

    def focus_table(self) -> None:
        self.table.setFocus()

    def selected(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select_user(self, username: str) -> bool:
        for n, user in enumerate(self.model.rows()):
            if user.get("username") == username:
                self.table.selectRow(n)
                return True
        return False

    def _update_buttons(self) -> None:
        user = self.selected()
        for key in ("edit", "password", "lock", "sessions"):
            self.buttons[key].setEnabled(user is not None)
        active = user is None or user.get("active", True)
        self.buttons["lock"].setText("&Lock account" if active else "Un&lock account")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in ENTER_KEYS):
            self.edit_user()
            return True
        return super().eventFilter(watched, event)

    # Changes -----------------------------------------------------------------------------------------------
    def _apply(self, user: Any) -> None:
        if isinstance(user, dict) and user.get("id") and isValid(self):
            self.model.upsert(user)
            at = self.model.row_of(user["id"])
            if at is not None:
                self.table.selectRow(at)
            self._update_buttons()
            self.changed.emit(user)

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_user(self) -> QDialog:
        dialog = UserDialog(self, self.writes, self.ops, self.client)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def edit_user(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = UserDialog(self, self.writes, self.ops, self.client, user)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def reset_password(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = PasswordDialog(self, self.ops, self.client, user)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def _ask(self, title: str, text: str, yes: str, then: Any) -> QMessageBox:
        """A question that does not block (so the rest of the application keeps running); No is the default."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.No, self)
        box.setObjectName("adminQuestion")
        confirm = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
        confirm.setObjectName("adminQuestionYes")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda _r: then() if box.clickedButton() is confirm else None)
        self.question = box
        box.open()
        return box

    def toggle_lock(self) -> QMessageBox | None:
        user = self.selected()
        if user is None:
            return None
        lock = user.get("active", True)
        name = user.get("display_name") or user.get("username")
        text = (f"Lock {name}'s account? They are signed out everywhere and cannot sign in until it is unlocked."
                if lock else f"Unlock {name}'s account, so they can sign in again?")
        return self._ask("Lock account" if lock else "Unlock account", text, "&Lock" if lock else "Un&lock",
                         lambda: self._send_lock(user, not lock))

    def _send_lock(self, user: dict[str, Any], active: bool) -> None:
        if self.writes is None:
            return
        said = "unlocked" if active else "locked"
        self.status.setText(f"Saving: {user.get('username')} {said}…")

        def sent(answer: Any) -> None:
            self._apply(answer)
            message = f"{user.get('display_name') or user.get('username')}'s account {said}."
            if isValid(self):
                self.status.setText(message)
            announce(message)

        self.writes.queue("PATCH", f"{USERS_PATH}/{user['id']}", {"active": active},
                          headers={"If-Match": str(user.get("version", 1))}, on_sent=sent,
                          on_rejected=self._refused)

    def end_sessions(self) -> QMessageBox | None:
        user = self.selected()
        if user is None:
            return None
        name = user.get("display_name") or user.get("username")
        return self._ask("End all sessions", f"Sign {name} out on every workstation now?", "&End sessions",
                         lambda: self._send_end_sessions(user))

    def _send_end_sessions(self, user: dict[str, Any]) -> None:
        client = self.client

        def work() -> Any:
            client.request("POST", f"{USERS_PATH}/{user['id']}/sessions/revoke")
            return client.request("GET", f"{USERS_PATH}/{user['id']}")

        def done(answer: Any) -> None:
            self._apply(answer)
            message = f"{user.get('display_name') or user.get('username')} is signed out everywhere."
            if isValid(self):
                self.status.setText(message)
            announce(message)

        self.ops.run(work, on_done=done, on_error=self._refused, owner=self)

    def _refused(self, error: BaseException) -> None:
        message = refusal_text(error, "user")
        if isValid(self):
            self.status.setText(message)
        announce(message, assertive=True)
        if getattr(error, "status", None) == 412:
            self.reload()
