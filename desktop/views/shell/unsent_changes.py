"""Unsent changes (File > Unsent changes…, Ctrl+Alt+O): the changes this computer has not delivered.

It lists the rows the outbox SET ASIDE (refused by the server, a conflict, or text that cannot be sent) and the
rows WAITING behind one of them (a later change to the same record: order per record is kept), each in words:
what, which detainee or record, why. The officer selects one, sees the text as it was typed, corrects it and
resends it (Return), or discards it with a reason (kept on this computer with who and when; the server keeps no
copy of a change it never accepted). It also lists, read-only, the changes ANOTHER OFFICER queued on this
workstation: they are sent only under that officer's own sign-in, so they wait for them to sign in here again
(their name is said in the row). Keyboard only: the list, the fields, the reason and the buttons are in Tab
order, each with an accessible name, and every outcome is announced.

Every store and network step runs on a worker (Operations); the sender's signals reload the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QHideEvent, QKeySequence
from PySide6.QtWidgets import (QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.areas import AreaContext, DockSpec, MenuId
from desktop.sync.client import ApiClient
from desktop.sync.local_store import CONFLICT, PENDING, OutboxItem
from desktop.views.forms.dialog import WriteDialog
from desktop.views.forms.field_error import FieldError
from desktop.views.forms.refusal import last_change
from domain.events import EventType
from domain.text import text_problem

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.writes import Writes

SHORTCUT = "Ctrl+Alt+O"
# The last path segment -> what a person calls the change.
NOUNS = {"log": "Log entry", "checks": "Cell check", "charges": "Charge", "risk-assessments": "Risk assessment",
         "reviews": "Review", "rights": "Rights", "extensions": "Extension", "disclosures": "Disclosure record",
         "transitions": "Action step", "actions": "Action", "reports": "Intelligence report", "people": "Person",
         "investigations": "Investigation", "records": "Custody record", "detention-decision": "Detention decision",
         "markers": "Warning marker", "merges": "Merge"}


def describe_what(item: OutboxItem) -> str:
    """'Log entry (cell check)', 'Change to custody record', … from the method, path and body."""
    parts = [p for p in item.path.split("/") if p]
    named = next((NOUNS[p] for p in reversed(parts) if p in NOUNS), None)
    noun = named or (parts[-1].replace("-", " ").capitalize() if parts else "Change")
    if item.method == "PATCH":
        noun = f"Change to {noun.lower()}"
    kind = item.body.get("kind") if isinstance(item.body, dict) else None
    return f"{noun} ({str(kind).replace('_', ' ')})" if isinstance(kind, str) else noun


def custody_record_id(item: OutboxItem) -> str | None:
    parts = [p for p in item.path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "custody" and parts[1] == "records":
        return parts[2]
    return None


def record_words(record: dict[str, Any]) -> str:
    person = record.get("person") or {}
    name = ", ".join(p for p in (person.get("surname"), person.get("forenames")) if p)
    number = record.get("custody_number") or "custody record"
    return f"{number} ({name})" if name else str(number)


def author_words(item: OutboxItem) -> str:
    where = f" on {item.workstation}" if item.workstation else ""
    return f"{item.author_name or 'another officer'}{where}"


def why(item: OutboxItem, rows: dict[str, OutboxItem], whats: dict[str, str], me: str | None = None) -> str:
    if item.by_other_than(me):
        return (f"Made by {author_words(item)}: it is sent only under their own sign-in, so it waits until they "
                "sign in on this workstation again")
    if item.state == PENDING and item.waiting_behind:
        ahead = rows.get(item.waiting_behind)
        ahead_words = whats.get(item.waiting_behind, "an earlier change") if ahead else "an earlier change"
        return f"Waiting behind “{ahead_words}” to the same record: resend or discard that one first"
    if item.state == CONFLICT:
        change = last_change(item.current or {})
        who = f"{change[0]} ({change[1]}" + (f" at {change[2]})" if change[2] else ")") if change else "someone"
        return (f"Conflict: {who} changed this record first. Resending sends yours over the current version; "
                "discarding keeps theirs")
    error = item.error or {}
    status = int(error.get("status") or 0)
    field_errors = error.get("field_errors") or {}
    words = "; ".join(f"{field}: {message}" for field, message in field_errors.items()) or item.last_error or ""
    if status == 0:
        return f"Cannot be sent: {words}"
    if status == 403:
        return f"Not allowed: {words}"
    return f"Refused by the server: {words}"


def _typed(key: str) -> bool:
    """A field a person typed, rather than an id, a time or a choice from a list (shown in the summary)."""
    return not (key in ("id", "kind", "version") or key.endswith(("_id", "_at", "_code")))


def string_fields(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Every typed text in a body, with its path (('charges', 0, 'particulars', 'place'), text), in order."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() if _typed(str(key))
                for found in string_fields(item, (*path, key))]
    if isinstance(value, list):
        return [found for n, item in enumerate(value) for found in string_fields(item, (*path, n))]
    return []


def with_value(body: Any, path: tuple[str | int, ...], value: str) -> Any:
    """A copy of `body` with the text at `path` replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(body, dict):
        return {**body, head: with_value(body[head], rest, value)}
    copy = list(body)
    copy[int(head)] = with_value(copy[int(head)], rest, value)
    return copy


def field_label(path: tuple[str | int, ...]) -> str:
    words = [str(p).replace("_", " ") if isinstance(p, str) else f"#{p + 1}" for p in path]
    text = " › ".join(words) or "text"
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Listed:
    item: OutboxItem
    what: str
    record: str
    reason: str


def load_unsent(store: Any, client: ApiClient | None, me: str | None = None) -> list[Listed]:
    """On a worker: the set-aside and waiting rows, in words (one request per detainee named, if reachable);
    with `me` (the signed-in user's id), other officers' rows too, which wait for them."""
    items: list[OutboxItem] = store.unsent(me)
    names: dict[str, str] = {}
    for record_id in {rid for item in items if (rid := custody_record_id(item))}:
        try:
            names[record_id] = record_words(client.custody_record(record_id)) if client else ""
        except Exception:  # noqa: BLE001 - offline or gone: the record is still named by its id
            names[record_id] = ""
    rows = {item.id: item for item in items}
    whats = {item.id: describe_what(item) for item in items}
    listed = []
    for item in items:
        rid = custody_record_id(item)
        record = (names.get(rid) or f"custody record …{rid[-8:]}") if rid else (item.record_key or "no record")
        listed.append(Listed(item, whats[item.id], record, why(item, rows, whats, me)))
    return listed


class UnsentChangesDialog(WriteDialog):
    """The list, the selected change's text (editable when it is set aside), a reason to discard, and Resend
    (the default button), Discard and Close (Escape). On the one base of dialogs that save (its field errors and
    `writes`): what it saves is an outbox row sent again or given up, never a new one, so it never `send`s."""

    def __init__(self, ops: Operations, writes: Writes, user: dict[str, Any] | None = None,
                 client: ApiClient | None = None, parent: QWidget | None = None):
        super().__init__(parent, writes)
        self.setObjectName("unsentChangesDialog")
        self.setWindowTitle("Unsent changes")
        self.ops, self.user, self.client = ops, user or {}, client
        self.me: str | None = str(self.user["id"]) if self.user.get("id") else None
        self.outbox_writes = writes
        self.listed: list[Listed] = []
        self.fields: list[tuple[tuple[str | int, ...], QPlainTextEdit, FieldError]] = []
        self.loaded = False
        self._shown: tuple[str, str, str] | None = None  # the row whose fields are on screen
        self._as_shown: dict[int, tuple[str, str | None]] = {}  # field -> (text as first shown, its problem)

        layout = QVBoxLayout(self)
        intro = QLabel("Changes this computer has not been able to send. Select one to see what was typed; "
                       "correct it and resend it, or discard it with a reason.", self)
        intro.setWordWrap(True)
        intro.setObjectName("unsentIntro")
        layout.addWidget(intro)
        self.summary = QLabel("Loading…", self)
        self.summary.setObjectName("unsentSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        list_label = QLabel("&Changes:", self)
        self.list = QListWidget(self)
        self.list.setObjectName("unsentList")
        self.list.setAccessibleName("Unsent changes")
        self.list.setWordWrap(True)
        list_label.setBuddy(self.list)
        layout.addWidget(list_label)
        layout.addWidget(self.list, 2)

        self.detail = QLabel(self)
        self.detail.setObjectName("unsentDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                            | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Selected change")
        layout.addWidget(self.detail)
        self.form_host = QWidget(self)
        self.form_host.setObjectName("unsentFields")
        self.form = QFormLayout(self.form_host)
        layout.addWidget(self.form_host, 1)

        reason_row = QFormLayout()
        self.reason = QLineEdit(self)
        self.reason.setObjectName("discardReason")
        self.reason.setAccessibleName("Reason for discarding")
        self.reason.setAccessibleDescription("Why this change will not be sent; kept with your name and the time.")
        reason_label = QLabel("Reason for &discarding:", self)
        reason_label.setBuddy(self.reason)
        reason_row.addRow(reason_label, self.reason)
        self.reason_error = FieldError(self.reason, "discardReasonError", self)
        reason_row.addRow(self.reason_error)
        layout.addLayout(reason_row)

        buttons = QDialogButtonBox(self)
        self.resend_button = QPushButton("&Resend", self)
        self.resend_button.setObjectName("resendButton")
        self.resend_button.setAccessibleName("Resend the selected change")
        self.resend_button.setDefault(True)
        self.discard_button = QPushButton("Di&scard", self)
        self.discard_button.setObjectName("discardButton")
        self.discard_button.setAccessibleName("Discard the selected change")
        self.discard_button.setAutoDefault(False)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        buttons.addButton(self.resend_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.resend_button.clicked.connect(self.resend)
        self.discard_button.clicked.connect(self.discard)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

        self.list.currentRowChanged.connect(self._show_selected)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(150)  # many signals in a burst (a drain) make one reload
        self._reload_timer.timeout.connect(self.reload)
        sender = writes.outbox
        if sender is not None:
            for signal in (sender.rejected, sender.set_aside_changed, sender.pending_changed):
                signal.connect(self._reload_soon)
        self._update_buttons()
        self.resize(760, 560)
        self.list.setFocus()
        self.reload()

    # Loading ------------------------------------------------------------------------------------------------
    def _reload_soon(self, *_args: object) -> None:
        if isValid(self) and self.isVisible():
            self._reload_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._reload_timer.stop()  # nothing to show it to (and the workers may be shutting down)
        super().hideEvent(event)

    def reload(self) -> None:
        store = self.outbox_writes.store
        if store is None:
            self._loaded([])
            return
        client, me = self.client, self.me
        self.ops.run(lambda: load_unsent(store, client, me), on_done=self._loaded,
                     on_error=lambda exc: self._failed(f"The unsent changes could not be read: {exc}"))

    def _failed(self, message: str) -> None:
        if isValid(self):
            self.summary.setText(message)
            announce(message, assertive=True)

    def _loaded(self, listed: list[Listed]) -> None:
        if not isValid(self):
            return
        selected = self.selected.item.id if self.selected else None
        self.listed = listed
        self.loaded = True
        self.list.blockSignals(True)
        self.list.clear()
        for entry in listed:
            state = ("Another officer's" if entry.item.by_other_than(self.me) else
                     "Waiting" if entry.item.state == PENDING else "Set aside")
            text = f"{state}: {entry.what} — {entry.record}. {entry.reason}."
            row = QListWidgetItem(text)
            row.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            row.setData(Qt.ItemDataRole.UserRole, entry.item.id)
            self.list.addItem(row)
        self.list.blockSignals(False)
        others = sum(1 for e in listed if e.item.by_other_than(self.me))
        aside = sum(1 for e in listed if e.item.state != PENDING and not e.item.by_other_than(self.me))
        waiting = len(listed) - aside - others
        summary = ("Nothing is waiting: every change has been sent or dealt with." if not listed else
                   f"{aside} set aside, {waiting} waiting behind them.")
        if others:
            summary += (f" {others} made by another officer wait for them to sign in on this workstation "
                        "(only they can send or discard them).")
        self.summary.setText(summary)
        self.summary.setAccessibleName(summary)
        ids = [e.item.id for e in listed]
        self.list.blockSignals(True)
        self.list.setCurrentRow(ids.index(selected) if selected in ids else (0 if listed else -1))
        self.list.blockSignals(False)
        if self._shown != self._signature(self.selected):  # never wipe what is being typed over the same row
            self._show_selected(self.list.currentRow())
        else:
            self._update_buttons()

    # The selected change ------------------------------------------------------------------------------------
    @property
    def selected(self) -> Listed | None:
        row = self.list.currentRow()
        return self.listed[row] if 0 <= row < len(self.listed) else None

    @staticmethod
    def _signature(entry: Listed | None) -> tuple[str, str, str] | None:
        return None if entry is None else (entry.item.id, entry.item.state, entry.reason)

    def _show_selected(self, _row: int = -1) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = []
        self._as_shown = {}
        self.reason_error.clear_problem()
        entry = self.selected
        self._shown = self._signature(entry)
        if entry is None:
            self.detail.setText("")
            self._update_buttons()
            return
        item = entry.item
        when = item.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
        self.detail.setText(f"{entry.what} for {entry.record}, made at {when}. {entry.reason}.")
        editable = item.state != PENDING and not item.by_other_than(self.me)
        field_errors = (item.error or {}).get("field_errors") or {}
        for n, (path, value) in enumerate(string_fields(item.body)):
            edit = QPlainTextEdit(self.form_host)
            edit.setObjectName(f"unsentField{n}")
            edit.setTabChangesFocus(True)
            edit.setPlainText(value)
            edit.setReadOnly(not editable)
            label_text = field_label(path)
            edit.setAccessibleName(label_text)
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * (3 if len(value) > 60 else 2))
            error = FieldError(edit, f"unsentField{n}Error", self.form_host)
            dotted = ".".join(str(p) for p in path)
            problem = field_errors.get(dotted) or text_problem(value)
            if problem:
                error.show_problem(problem, focus=False)
            label = QLabel(label_text + ":", self.form_host)
            label.setBuddy(edit)
            self.form.addRow(label, edit)
            self.form.addRow(error)
            # Qt shows a lone surrogate as U+FFFD: left as it came, the text still holds the original's problem.
            self.fields.append((path, edit, error))
            self._as_shown[n] = (edit.toPlainText(), text_problem(value))
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self.selected
        mine = entry is not None and not entry.item.by_other_than(self.me)  # another's: only they may act on it
        self.resend_button.setEnabled(mine and entry is not None and entry.item.state != PENDING)
        self.discard_button.setEnabled(mine)

    # Resend and discard -------------------------------------------------------------------------------------
    def resend(self) -> None:
        entry, sender = self.selected, self.outbox_writes.outbox
        if entry is not None and entry.item.by_other_than(self.me):
            announce(f"Only {author_words(entry.item)} can resend this change, once signed in here.", assertive=True)
            return
        if entry is None or sender is None or entry.item.state == PENDING:
            announce("Select a change that was set aside to resend it.", assertive=True)
            return
        body: Any = entry.item.body
        first_problem: FieldError | None = None
        for n, (path, edit, error) in enumerate(self.fields):
            text = edit.toPlainText()
            shown, original_problem = self._as_shown.get(n, ("", None))
            problem = text_problem(text) or (original_problem if text == shown else None)
            if problem:
                error.show_problem(problem, focus=first_problem is None)
                first_problem = first_problem or error
            else:
                error.clear_problem()
            body = with_value(body, path, text)
        if first_problem is not None:
            return
        headers = dict(entry.item.headers)
        current = entry.item.current
        if entry.item.state == CONFLICT and current is not None and "version" in current:
            headers["If-Match"] = str(current["version"])  # the officer chose to send theirs over the current one
        row_id, what = entry.item.id, entry.what
        self.ops.run(lambda: sender.resend(row_id, body, headers),
                     on_done=lambda ok: self._after(ok, f"{what}: sent again.", "It was no longer set aside."),
                     on_error=lambda exc: self._failed(f"Could not resend: {exc}"))

    def discard(self) -> None:
        entry, sender = self.selected, self.outbox_writes.outbox
        if entry is None or sender is None:
            return
        if entry.item.by_other_than(self.me):
            announce(f"Only {author_words(entry.item)} can discard this change, once signed in here.", assertive=True)
            return
        reason = self.reason.text().strip()
        if not reason:
            self.reason_error.show_problem("Give a reason for discarding this change.")
            return
        self.reason_error.clear_problem()
        who = str(self.user.get("username") or self.user.get("display_name") or "")
        row_id, what = entry.item.id, entry.what
        self.ops.run(lambda: sender.discard(row_id, reason, who),
                     on_done=lambda ok: self._after(ok, f"{what}: discarded. Reason kept: {reason}.",
                                                    "It was no longer waiting."),
                     on_error=lambda exc: self._failed(f"Could not discard: {exc}"))

    def _after(self, ok: bool, done: str, gone: str) -> None:
        if not isValid(self):
            return
        announce(done if ok else gone, assertive=not ok)
        if ok:
            self.reason.clear()
        self.reload()
        self.list.setFocus()


class UnsentChangesArea(QObject):
    """File > Unsent changes… (Ctrl+Alt+O). A view that was waiting for a refused change says so itself; one
    made in an earlier run is announced by `Writes` with where to find it."""

    name = "unsent"
    handles: frozenset[EventType] = frozenset()

    def __init__(self, context: AreaContext):
        super().__init__(context.parent)
        self.window, self.ops, self.writes, self.session = context.parent, context.ops, context.writes, context.session
        self.dialog: UnsentChangesDialog | None = None
        self.open_action = QAction("&Unsent changes…", self.window)
        self.open_action.setObjectName("unsentChangesAction")
        self.open_action.setShortcut(QKeySequence(SHORTCUT))
        self.open_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.open_action.triggered.connect(self.open)

    def menu_items(self) -> dict[MenuId, list[QAction | None]]:
        return {MenuId.FILE: [self.open_action]}

    def docks(self) -> list[DockSpec]:
        return []

    def open(self) -> UnsentChangesDialog:
        if self.dialog is None or not isValid(self.dialog):
            self.dialog = UnsentChangesDialog(self.ops, self.writes, self.session.user, self.session.client,
                                              self.window)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog
