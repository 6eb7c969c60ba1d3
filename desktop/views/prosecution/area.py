"""The prosecution area: Custody > Charge… (Ctrl+Shift+C). Declared to the main window through desktop/areas.py.

The offence list is the server's one catalogue, kept in the local store (desktop/sync/catalogue.py), and the
caution is cached beside it, so a charge can be written offline; the charge goes through the local outbox (row id
= Idempotency-Key) via the area's `writes`.
A refusal (422) opens the dialog again with what was typed and the server's errors beside the fields.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.areas import AreaContext, DockSpec, MenuId
from desktop.sync.catalogue import CatalogueUnavailable, refresh_catalogue
from desktop.sync.client import ApiError, ServerUnreachable
from desktop.sync.local_store import OutboxItem
from desktop.views.forms.refusal import refusal_text
from desktop.views.prosecution.charge_dialog import ChargeDialog
from domain.charging import caution_on_charge
from domain.events import EventType

CHARGES_SUFFIX = "/charges"
CAUTION_CACHE = "prosecution.caution"  # the force's caution on charge, kept for offline charging


def charges_path(record_id: str) -> str:
    return f"/custody/records/{record_id}{CHARGES_SUFFIX}"


class ProsecutionArea(QObject):
    name = "prosecution"
    handles: frozenset[EventType] = frozenset()  # follows the selected record through the hub, no events of its own
    charge_dialog_opened = Signal(object)  # ChargeDialog
    charge_saved = Signal(dict)  # ChargeCaseOut
    failed = Signal(str)

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.window = context.parent  # the parent of its dialogs
        self.shell, self.session, self.ops, self.writes = context.shell, context.session, context.ops, context.writes
        self.changes, self.store = context.changes, context.store
        self.dialog: QDialog | None = None  # the dialog now open, for tests and for closing
        self._charges: dict[str, dict[str, Any]] = {}  # outbox id -> record charged
        self._offences: list[dict[str, Any]] = []
        self._caution = caution_on_charge()
        self.charge_action = QAction("C&harge…", self.window)
        self.charge_action.setObjectName("chargeAction")
        self.charge_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.charge_action.triggered.connect(self.open_charge_dialog)

        self.changes.record_selected.connect(self._update_enabled)
        self.changes.selected_record_updated.connect(self._update_enabled)
        self.session.user_changed.connect(self._update_enabled)
        # Charges queued in an earlier run settle here too.
        self.writes.on_earlier(lambda path: path.endswith(CHARGES_SUFFIX), self._outbox_sent, self._outbox_rejected)
        self._update_enabled()

    # What it declares to the main window ---------------------------------------------------------------------
    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.CUSTODY: [self.charge_action]}

    def docks(self) -> list[DockSpec]:
        return []

    # Enabled state (the server decides; this only spares a pointless dialog) -----------------------------------
    def _update_enabled(self, *_args: object) -> None:
        record = self.session.selected_record
        has = record is not None
        charged = record is not None and bool(record.get("charged_at"))
        sergeant = "custody_sergeant" in self.session.roles
        can_charge = record is not None and sergeant and not charged and record.get("status") != "released"
        self.charge_action.setEnabled(can_charge)
        why = ("" if can_charge else "Select a detainee first." if not has else
               "Only a custody sergeant may charge." if not sergeant else
               "This detainee has already been charged." if charged else "This record is closed.")
        self.charge_action.setToolTip(why or "Charge the selected detainee")
        self.charge_action.setStatusTip(why or "Charge the selected detainee")

    # Charging ------------------------------------------------------------------------------------------------
    def open_charge_dialog(self) -> None:
        record = self.session.selected_record
        if record is None:
            announce("Select a detainee on the custody board first.", assertive=True)
            return
        if not self.charge_action.isEnabled():
            announce(self.charge_action.toolTip(), assertive=True)
            return
        client, store = self.session.client, self.store

        def load() -> tuple[list[dict[str, Any]], str]:
            # The server's one catalogue (a 304 when the workstation's copy is current), else that copy.
            offered = refresh_catalogue(client, store)
            cached_caution = store.cache_get(CAUTION_CACHE) if store is not None else None
            if not offered.confirmed and cached_caution:
                return offered.offences, cached_caution  # offline: don't wait on the server a second time
            try:
                caution = client.request("GET", "/charging/caution")["caution_on_charge"]
                if store is not None:
                    store.cache_put(CAUTION_CACHE, caution)
            except ServerUnreachable:
                # Offline: the last caution seen, so the charge can still be written and sent later.
                if not cached_caution:
                    raise
                caution = cached_caution
            return offered.offences, caution

        def show(value: tuple[list[dict[str, Any]], str]) -> None:
            if not isValid(self.window) or self.shell.is_closed():
                return
            self._offences, self._caution = value
            self._show_charge_dialog(record)

        self.ops.run(load, on_done=show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        # Opening Charge failed: only reached offline when this workstation has never kept the caution wording.
        if isinstance(exc, ServerUnreachable):
            message = ("Cannot reach the server, and this workstation has not yet kept the caution wording, so "
                       "Charge cannot open. Try again when the connection returns.")
        elif isinstance(exc, ApiError | CatalogueUnavailable):
            message = str(exc)
        else:
            message = f"Charge could not open: {exc}"
        announce(message, assertive=True)
        self.failed.emit(message)

    def _show_charge_dialog(self, record: dict[str, Any], body: dict[str, Any] | None = None) -> ChargeDialog:
        dialog = ChargeDialog(record, self._offences, self._caution, self.window)
        if body is not None:
            dialog.set_body(body)
        dialog.accepted.connect(lambda: self._charge_accepted(record, dialog.body()))
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        self.charge_dialog_opened.emit(dialog)
        return dialog

    def _charge_accepted(self, record: dict[str, Any], body: dict[str, Any]) -> None:
        self._charges[body["id"]] = record
        count = len(body["charges"])
        announce(f"Charge of {count} offence{'s' if count != 1 else ''} queued to send")
        self.writes.queue("POST", charges_path(record["id"]), body,
                          on_sent=lambda response: self._settled(body, response, None),
                          on_rejected=lambda error: self._settled(body, None, error))

    def _outbox_sent(self, item: OutboxItem, response: Any) -> None:
        self._settled(item.body, response, None)

    def _outbox_rejected(self, item: OutboxItem, error: BaseException) -> None:
        self._settled(item.body, None, error)

    def _settled(self, body: dict[str, Any], response: Any, error: BaseException | None) -> None:
        record = self._charges.pop(body["id"], None)
        if error is None:
            count = len(response.get("charges") or [])
            announce(f"Charged: {count} charge{'s' if count != 1 else ''} recorded. The charge sheet can be "
                     "printed (F9 previews it).")
            current = self.session.selected_record
            if current and current.get("id") == response.get("record_id"):
                # The feed brings the record itself soon; until then every area sees it charged.
                self.changes.update_selected({**current, "charged_at": response.get("charged_at"),
                                                  "status": "charged"})
            self.charge_saved.emit(response)
        elif record is not None and isinstance(error, ApiError) and error.status == 422:
            self._reopen_charge(record, body, error)
        else:
            message = refusal_text(error, "charge")
            announce(message, assertive=True)
            self.failed.emit(message)

    def _reopen_charge(self, record: dict[str, Any], body: dict[str, Any], error: ApiError) -> None:
        announce("The server refused the charge; it is open again with what you typed.", assertive=True)
        dialog = self._show_charge_dialog(record, body)
        dialog.show_server_errors(error.field_errors, error.detail)
