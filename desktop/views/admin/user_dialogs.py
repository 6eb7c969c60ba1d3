"""Creating and changing a user, and resetting a password: administrators only (the server refuses anyone else).

Changes go through the outbox like every write. A password never does: the outbox is a file on this computer, and
no password is ever stored at rest (docs/security.md), so creating a user and resetting a password are sent
straight to the server, on a worker, and need it to be reachable.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.sync.client import ServerUnreachable
from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import value_of
from desktop.views.forms.refusal import refusal_problems
from domain import passwords
from domain.roles import ROLE_TITLES, Role

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes

USERS_PATH = "/admin/users"
NOT_SENT = ("Not saved: the server cannot be reached. Passwords are never kept on this computer, so nothing was "
            "stored; try again when the connection returns.")


def line_edit(name: str, description: str = "", *, password: bool = False, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    if description:
        edit.setAccessibleDescription(description)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class DirectSend(FormDialog):
    """A form whose body carries a password: sent straight to the server (never into the outbox)."""

    direct = True

    def __init__(self, parent: QWidget | None, writes: Writes | None, title: str, object_name: str, *,
                 ops: Operations, client: ApiClient, heading: str | None = None, scroll: bool = False) -> None:
        super().__init__(parent, writes, title, object_name, heading=heading, scroll=scroll)
        self.ops, self.client = ops, client

    def send(self, method: str, path: str, body: dict[str, Any], *,
             headers: dict[str, str] | None = None) -> str | None:
        if not self.direct:
            return super().send(method, path, body, headers=headers)
        self.sending = True
        self.sending_started()
        key = body.get("id") or self.key  # a retried press is the same request (Idempotency-Key)
        sent_headers = {"Idempotency-Key": key, **(headers or {})}
        client = self.client
        self.ops.run(lambda: client.request(method, path, json=body, headers=sent_headers),
                     on_done=self._sent, on_error=self.refused, owner=self)
        return key

    def refusal_problems(self, error: BaseException) -> list[tuple[str, str]]:
        if isinstance(error, ServerUnreachable):
            return [("", NOT_SENT)]
        return refusal_problems(error, self.noun)


class UserDialog(DirectSend):
    """New user (`user=None`: user name, roles and a first password chosen by the administrator) or change one
    (names, rank, collar number, home suite, roles; If-Match with the version shown)."""

    noun = "user"

    def __init__(self, parent: QWidget | None, writes: Writes | None, ops: Operations, client: ApiClient,
                 user: dict[str, Any] | None = None) -> None:
        title = "New user" if user is None else f"Change user {user.get('username', '')}"
        # Scrolls: at 200% text the roles and two passwords are taller than a small screen (issue 13).
        super().__init__(parent, writes, title, "userDialog", ops=ops, client=client, scroll=True)
        self.user = user
        self.direct = user is None  # a change carries no password: it goes through the outbox
        self.version = int((user or {}).get("version") or 1)
        u = user or {}
        if user is None:
            self.username = self.add_row("&User name:", line_edit("userUsername", "Letters, digits, dots, dashes "
                                                                  "and underscores; used to sign in."), "username")
        else:
            shown = QLabel(u.get("username", ""))
            shown.setObjectName("userUsernameShown")
            self.form.addRow("User name:", shown)
        self.display_name = self.add_row("&Name:", line_edit("userDisplayName", "As it appears on records, e.g. "
                                                             "PS Jory Tregarthen.", text=u.get("display_name", "")),
                                         "display_name")
        self.rank = self.add_row("&Rank:", line_edit("userRank", text=u.get("rank", "")), "rank")
        self.collar = self.add_row("&Collar number:", line_edit("userCollar", text=u.get("collar_number", "")),
                                   "collar_number")
        self.home_suite = self.add_row("&Home suite:", line_edit("userHomeSuite", "The custody suite or unit they "
                                                                 "usually work in.", text=u.get("home_suite", "")),
                                       "home_suite")
        self.roles_box = QGroupBox("Roles (one or more)")
        self.roles_box.setObjectName("userRoles")
        box = QVBoxLayout(self.roles_box)
        held = set(u.get("roles") or [])
        self.role_checks: dict[Role, QCheckBox] = {}
        for role in Role:
            check = QCheckBox(ROLE_TITLES[role])
            check.setObjectName(f"role_{role.value}")
            check.setChecked(role.value in held)  # a new user has none: the administrator chooses
            box.addWidget(check)
            self.watch(check)
            self.role_checks[role] = check
        self.form.addRow(self.roles_box)
        first = next(iter(self.role_checks.values()))
        self.form.addRow("", self.field_error("roles", first, "userRolesError"))
        if user is None:
            self.password = line_edit("userPassword", f"{passwords.HINT} Tell the user, who should change it.",
                                      password=True)
            self.confirm = line_edit("userPasswordConfirm", password=True)
            self.add_row("&Password:", self.password, "password")
            self.add_row("Con&firm password:", self.confirm, "password_confirm")
        self.main_field = "display_name"

    def roles(self) -> list[str]:
        return [role.value for role, check in self.role_checks.items() if check.isChecked()]

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.user is None and not value_of(self.username):
            found.append(("username", "Give a user name."))
        if not value_of(self.display_name):
            found.append(("display_name", "Give the name as it appears on records."))
        if not self.roles():
            found.append(("roles", "Choose at least one role."))
        if self.user is None:
            password = self.password.text()
            if len(password) < passwords.MIN_LENGTH:  # the server checks the whole policy; length answers at once
                found.append(("password", passwords.TOO_SHORT))
            elif password != self.confirm.text():
                found.append(("password_confirm", "The two passwords differ; type the same one twice."))
        return found

    def request(self) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"display_name": value_of(self.display_name), "rank": value_of(self.rank),
                                "collar_number": value_of(self.collar), "home_suite": value_of(self.home_suite),
                                "roles": self.roles()}
        if self.user is None:
            body.update(id=str(uuid.uuid4()), username=value_of(self.username), password=self.password.text())
            return "POST", USERS_PATH, body
        return "PATCH", f"{USERS_PATH}/{self.user['id']}", body

    def headers(self) -> dict[str, str] | None:
        return None if self.user is None else {"If-Match": str(self.version)}

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = int(current.get("version") or self.version)  # the next Save is against their version

    def saved(self, response: Any) -> None:
        what = "created" if self.user is None else "changed"
        announce(f"User {response.get('username', '') if isinstance(response, dict) else ''} {what}.")


class PasswordDialog(DirectSend):
    """Reset a user's password (the administrator chooses it). Every session of the user ends."""

    noun = "user"

    def __init__(self, parent: QWidget | None, ops: Operations, client: ApiClient, user: dict[str, Any]) -> None:
        super().__init__(parent, None, f"Reset password: {user.get('username', '')}", "passwordDialog", ops=ops,
                         client=client, heading=f"A new password for {user.get('display_name', '')}. Their "
                                                "sessions end, so they sign in again with it.")
        self.user = user
        self.version = int(user.get("version") or 1)
        self.password = line_edit("newPassword", passwords.HINT, password=True)
        self.confirm = line_edit("newPasswordConfirm", password=True)
        self.add_row("New &password:", self.password, "password")
        self.add_row("Con&firm password:", self.confirm, "password_confirm")
        self.main_field = "password"

    save_text = "&Reset password"

    def problems(self) -> list[tuple[str, str]]:
        if len(self.password.text()) < passwords.MIN_LENGTH:
            return [("password", passwords.TOO_SHORT)]
        if self.password.text() != self.confirm.text():
            return [("password_confirm", "The two passwords differ; type the same one twice.")]
        return []

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"{USERS_PATH}/{self.user['id']}/password", {"password": self.password.text()}

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.version)}

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = int(current.get("version") or self.version)

    def saved(self, response: Any) -> None:
        if isValid(self):
            self.password.clear()
            self.confirm.clear()
        announce(f"Password reset for {self.user.get('username', '')}; their sessions have ended.")


def cancel_by_default(dialog: FormDialog) -> None:
    """A question whose Yes cannot be undone by the form itself: Return (and the focus) are on Cancel; the
    action is its button's mnemonic or Tab then Space."""
    dialog.save_button.setDefault(False)
    dialog.save_button.setAutoDefault(False)
    dialog.cancel_button.setDefault(True)
    dialog.setFocusProxy(dialog.cancel_button)


def user_name(user: dict[str, Any]) -> str:
    return str(user.get("display_name") or user.get("username") or "")


class LockUserDialog(FormDialog):
    """Lock (or unlock) an account, asked first: through the outbox with If-Match like every change. Locked, the
    user is signed out everywhere and cannot sign in until unlocked. Cancel is the default (Return does not lock
    by accident); Alt+L (or Alt+U) confirms."""

    noun = "user"

    def __init__(self, parent: QWidget | None, writes: Writes | None, user: dict[str, Any]) -> None:
        self.user = user
        self.lock = bool(user.get("active", True))  # an active account is locked; a locked one unlocked
        name = user_name(user)
        self.save_text = "&Lock account" if self.lock else "&Unlock account"
        heading = (f"Lock {name}'s account? They are signed out everywhere and cannot sign in until it is "
                   "unlocked." if self.lock else f"Unlock {name}'s account, so they can sign in again?")
        super().__init__(parent, writes, "Lock account" if self.lock else "Unlock account", "lockUserDialog",
                         heading=heading)
        self.version = int(user.get("version") or 1)
        cancel_by_default(self)  # no unsafe default: the administrator presses Lock on purpose

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "PATCH", f"{USERS_PATH}/{self.user['id']}", {"active": not self.lock}

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.version)}

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = int(current.get("version") or self.version)

    def saved(self, response: Any) -> None:
        announce(f"{user_name(self.user)}'s account {'locked' if self.lock else 'unlocked'}.")


class EndSessionsDialog(DirectSend):
    """Sign a user out on every workstation, asked first. Straight to the server: it must happen now or not at
    all (an ending queued for later would leave them signed in meanwhile). Cancel is the default."""

    noun = "user"

    def __init__(self, parent: QWidget | None, ops: Operations, client: ApiClient, user: dict[str, Any]) -> None:
        self.save_text = "&End sessions"
        super().__init__(parent, None, "End all sessions", "endSessionsDialog", ops=ops, client=client,
                         heading=f"Sign {user_name(user)} out on every workstation now?")
        self.user = user
        cancel_by_default(self)

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"{USERS_PATH}/{self.user['id']}/sessions/revoke", {}

    def saved(self, response: Any) -> None:
        announce(f"{user_name(self.user)} is signed out everywhere.")


class UserForms:
    """The dialogs that change a user, each on the one write base, made with the outbox and the client: the users
    window only shows the users and opens these (so it saves nothing itself)."""

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes | None) -> None:
        self.ops, self.client, self.outbox = ops, client, writes

    def new(self, parent: QWidget | None) -> UserDialog:
        return UserDialog(parent, self.outbox, self.ops, self.client)

    def edit(self, parent: QWidget | None, user: dict[str, Any]) -> UserDialog:
        return UserDialog(parent, self.outbox, self.ops, self.client, user)

    def password(self, parent: QWidget | None, user: dict[str, Any]) -> PasswordDialog:
        return PasswordDialog(parent, self.ops, self.client, user)

    def lock(self, parent: QWidget | None, user: dict[str, Any]) -> LockUserDialog:
        return LockUserDialog(parent, self.outbox, user)

    def end_sessions(self, parent: QWidget | None, user: dict[str, Any]) -> EndSessionsDialog:
        return EndSessionsDialog(parent, self.ops, self.client, user)
