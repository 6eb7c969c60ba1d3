"""Who is signed in, the API client they use, and which custody record is selected."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.sync.client import ApiClient


class Session(QObject):
    user_changed = Signal(object)  # user dict or None
    record_selected = Signal(object)  # CustodyRecordOut dict or None

    def __init__(self, client: ApiClient, user: dict | None = None, server_key: str = ""):
        super().__init__()
        self.client = client
        self.user = user
        self.server_key = server_key or client.base_url
        self.selected_record: dict | None = None

    @property
    def server_url(self) -> str:
        return self.client.base_url

    @property
    def role(self) -> str | None:
        return (self.user or {}).get("role")

    def set_user(self, user: dict | None) -> None:
        self.user = user
        self.user_changed.emit(user)

    def select_record(self, record: dict | None) -> None:
        if (record or {}).get("id") == (self.selected_record or {}).get("id") and record is not None:
            self.selected_record = record
            return
        self.selected_record = record
        self.record_selected.emit(record)
