"""User administration (administrators): every user, and what may be done to one. A window of its own, opened from
Administration > Users… (Ctrl+Alt+U); the server refuses anyone but an administrator.

Loading runs on a worker. The window saves nothing itself: each change is its own dialog on the one write base
(user_dialogs.UserForms), through the outbox (changing, locking) or straight to the server (a password, or ending
sessions, which must happen now or not at all), and the row is updated from the server's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.models.admin.users_model import UsersModel
from desktop.views.admin.user_dialogs import USERS_PATH, UserForms
from desktop.views.admin.admin_window import AdminWindow
from desktop.views.forms.refusal import refusal_text
from desktop.views.forms.tables import make_table

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient


class UsersWindow(AdminWindow):
    MIN_WIDTH = 1000
    changed = Signal(dict)  # a user as the server now has them

    def __init__(self, ops: Operations, client: ApiClient, forms: UserForms | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("usersWindow")
        self.setWindowTitle("User administration")
        self.ops, self.client = ops, client
        self.forms = forms if forms is not None else UserForms(ops, client, None)
        self.dialog: QDialog | None = None  # the dialog opened last (tests)
        self.model = UsersModel(self)
        self.table = make_table("usersTable", "Users", self.model, stretch=0)
        self.enter_opens(self.table, self.edit_user)
        self.status = QLabel("Loading users…", wordWrap=True)
        self.status.setObjectName("usersStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status.setAccessibleName("Users: status")

        # Three to a row: at 200% text one row of seven buttons is wider than a small screen (issue 13).
        row = self.button_grid((
                ("new", "&New user…", "newUserButton", self.new_user),
                ("edit", "&Change…", "editUserButton", self.edit_user),
                ("password", "Reset &password…", "resetPasswordButton", self.reset_password),
                ("lock", "&Lock account", "lockUserButton", self.toggle_lock),
                ("sessions", "End all &sessions", "endSessionsButton", self.end_sessions),
                ("refresh", "Re&fresh", "refreshUsersButton", self.reload)), per_row=3, close_name="closeUsersButton")

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
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
        dialog = self.forms.new(self)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def edit_user(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = self.forms.edit(self, user)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def reset_password(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = self.forms.password(self, user)
        dialog.saved_signal.connect(self._apply)
        return self._open(dialog)

    def toggle_lock(self) -> QDialog | None:
        """Lock or unlock the chosen account, asked first (its own dialog, through the outbox)."""
        user = self.selected()
        if user is None:
            return None
        dialog = self.forms.lock(self, user)
        dialog.saved_signal.connect(self._apply)
        dialog.refused_signal.connect(self._refused)
        return self._open(dialog)

    def end_sessions(self) -> QDialog | None:
        """Sign the chosen user out everywhere, asked first (straight to the server: now or not at all)."""
        user = self.selected()
        if user is None:
            return None
        dialog = self.forms.end_sessions(self, user)
        dialog.saved_signal.connect(lambda _answer: self.reload() if isValid(self) else None)
        return self._open(dialog)

    def _refused(self, error: BaseException) -> None:
        message = refusal_text(error, "user")
        if isValid(self):
            self.status.setText(message)
        announce(message, assertive=True)
        if getattr(error, "status", None) == 412:
            self.reload()
