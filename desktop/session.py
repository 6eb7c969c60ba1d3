"""Who is signed in, the API client they use, and the change hub (which owns the selected custody record)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient
from desktop.sync.hub import ChangeHub
from desktop.sync.qt_hub import QtChangeHub


def roles_of(user: dict[str, Any] | None) -> frozenset[str]:
    """Every role a /auth/me user holds (issue 12: several per user; a server before it sends only `role`)."""
    user = user or {}
    return frozenset(r for r in (user.get("roles") or [user.get("role")]) if r)


class Session(QObject):
    user_changed = Signal(object)  # user dict or None

    def __init__(self, client: ApiClient, user: dict[str, Any] | None = None, server_key: str = ""):
        super().__init__()
        self.client = client
        self.user = user
        self.server_key = server_key or client.base_url
        # Signed in on this computer only (desktop/sync/offline.py): the server has not seen this sign-in yet.
        self.offline = False
        # The custody suite this workstation is in (issue 15: chosen at sign-in, remembered in settings.ini):
        # {id, code, name}, or None for a workstation that looks across the force (its board shows every suite).
        self.suite: dict[str, Any] | None = None
        # Views subscribe to `changes` (Qt signals, subscriptions tied to a widget's life); it wraps the plain hub.
        self.changes = QtChangeHub(ChangeHub(), self)

    @property
    def server_url(self) -> str:
        return self.client.base_url

    @property
    def suite_id(self) -> str | None:
        return (self.suite or {}).get("id") or None

    def on_this_board(self, record: dict[str, Any]) -> bool:
        """Whether a record belongs on this workstation's board: in its suite, or on its way to it."""
        if self.suite_id is None:
            return True
        return record.get("suite_id") == self.suite_id or (record.get("transfer") or {}).get("to_suite_id") == \
            self.suite_id

    @property
    def role(self) -> str | None:
        """The user's first role (a server before issue 12 sends only this one)."""
        return (self.user or {}).get("role")

    @property
    def roles(self) -> frozenset[str]:
        """Every role the user holds (issue 12: several per user); views that hide by role should use this."""
        return roles_of(self.user)

    @property
    def selected_record(self) -> dict[str, Any] | None:
        """Owned by the hub: set it with `select_record` (a user's choice) or the hub's `update_selected`."""
        return self.changes.selected

    def set_user(self, user: dict[str, Any] | None) -> None:
        self.user = user
        self.user_changed.emit(user)

    def select_record(self, record: dict[str, Any] | None) -> None:
        self.changes.select(record)
