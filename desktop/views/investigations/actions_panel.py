"""Investigation actions dock: my actions across investigations, or one investigation's actions; filter by
status; overdue first (text, icon and colour); allocate, submit result, review, refer and cancel from the
keyboard; the selected action's history below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTextBrowser, QVBoxLayout,
                               QWidget)

from desktop.sync.hub import Event
from desktop.announcer import announce
from desktop.session import roles_of
from desktop.models.investigations.action_model import ActionHistoryModel, ActionsModel, sort_actions
from desktop.models.person_text import officer
from desktop.models.record_table import ROW_ROLE
from desktop.views.investigations.action_dialogs import (ActionDialog, AllocateDialog, ReasonTransitionDialog, ResultDialog,
                                          ReviewDialog, action_line)
from desktop.views.forms.refusal import is_conflict
from desktop.views.forms.fields import name_choice_lists, set_plain_text
from desktop.views.forms.tables import make_table
from domain.actions import STATE_TITLES

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.writes import Writes

MINE = "mine"
ALL_OPEN = ["raised", "allocated", "resulted", "referred"]
STATUS_FILTERS = [("Open (not filed or cancelled)", ALL_OPEN), ("Any status", [])] + [
    (title, [state.value]) for state, title in STATE_TITLES.items()]
MANAGER_ROLES = {"supervisor"}
VERBS = {"allocate": "Allocated", "submit_result": "Result submitted", "file": "Filed",
         "further_action": "Filed with a further action", "return": "Returned", "refer": "Referred",
         "cancel": "Cancelled"}


class ActionsPanel(QWidget):
    loaded = Signal(int)  # rows shown
    transition_done = Signal(dict)  # ActionOut after a change

    def __init__(self, ops: Operations, client: ApiClient, writes: Writes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("investigationActionsPanel")
        self.ops, self.client, self.writes = ops, client, writes
        self.user: dict[str, Any] | None = None
        self.investigations: list[dict[str, Any]] = []
        self.dialog: ActionDialog | None = None
        self._serial = 0

        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("actionsScopeCombo")
        self.scope_combo.addItem("My actions (all investigations)", MINE)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("actionsStatusCombo")
        for title, statuses in STATUS_FILTERS:
            self.status_combo.addItem(title, statuses)
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.status_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.heading = QLabel("Actions: not loaded yet.")
        self.heading.setObjectName("actionsHeading")
        self.heading.setWordWrap(True)

        self.model = ActionsModel(self)
        self.table = make_table("actionsTable", "Investigation actions", self.model, stretch=1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._current_changed())
        # Scrolls rather than pushing the dock taller than the window at large text sizes.
        self.detail = QTextBrowser()
        self.detail.setObjectName("actionDetail")
        self.detail.setAccessibleName("Selected action details")
        self.history_model = ActionHistoryModel(self)
        self.history_table = make_table("actionHistoryTable", "History of the selected action", self.history_model,
                                        stretch=4)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text in (("allocate", "A&llocate…"), ("submit_result", "Submit res&ult…"), ("review", "Revie&w…"),
                          ("refer", "Refe&r…"), ("cancel", "Ca&ncel action…"), ("refresh", "Reloa&d")):
            button = QPushButton(text)
            button.setObjectName(f"action{key.title().replace('_', '')}Button")
            button.clicked.connect(lambda _c=False, k=key: self.reload() if k == "refresh" else self.start(k))
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)

        filters = QHBoxLayout()
        for text, combo in (("S&how:", self.scope_combo), ("St&atus:", self.status_combo)):
            label = QLabel(text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo, 1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.setObjectName("actionLowerPane")
        lower.addWidget(self.detail)
        lower.addWidget(self.history_table)
        lower.setStretchFactor(1, 2)
        lower.setChildrenCollapsible(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("actionsSplitter")
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self._current_changed()
        name_choice_lists(self)

    # Loading -----------------------------------------------------------------------------------------------
    def set_user(self, user: dict[str, Any] | None) -> None:
        self.user = user
        manager = bool(roles_of(user) & MANAGER_ROLES)
        for key in ("allocate", "review", "refer", "cancel"):
            self.buttons[key].setToolTip("" if manager else "Only the action manager (a supervisor) can do this.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        """An action's buttons need an action chosen (and the manager's role for the manager's steps)."""
        chosen = self.current() is not None
        manager = bool(roles_of(self.user) & MANAGER_ROLES)  # any role held (issue 12: several roles per user)
        for key in ("allocate", "submit_result", "review", "refer", "cancel"):
            self.buttons[key].setEnabled(chosen and (manager or key == "submit_result"))

    def load_investigations(self) -> None:
        client = self.client
        self.ops.run(client.investigations, on_done=self._investigations,
                     on_error=lambda exc: announce(f"Investigations could not be loaded: {exc}", assertive=True), owner=self)

    def _investigations(self, investigations: list[dict[str, Any]]) -> None:
        self.investigations = investigations
        current = self.scope_combo.currentData()
        self.scope_combo.blockSignals(True)
        while self.scope_combo.count() > 1:
            self.scope_combo.removeItem(1)
        for inv in investigations:
            self.scope_combo.addItem(f"{inv['reference']}: {inv['title']}", inv["id"])
        index = self.scope_combo.findData(current)
        self.scope_combo.setCurrentIndex(max(index, 0))
        self.scope_combo.blockSignals(False)

    def show_investigation(self, investigation_id: str) -> None:
        index = self.scope_combo.findData(investigation_id)
        if index < 0:  # not in the list yet: load the list, then choose it
            def loaded(investigations: list[dict[str, Any]]) -> None:
                self._investigations(investigations)
                self.show_investigation(investigation_id) if self.scope_combo.findData(investigation_id) >= 0 else None
            self.ops.run(self.client.investigations, on_done=loaded, owner=self)
            return
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(1)  # any status: the whole investigation
        self.status_combo.blockSignals(False)
        if self.scope_combo.currentIndex() == index:
            self.reload()
        else:
            self.scope_combo.setCurrentIndex(index)

    def reload(self) -> None:
        self._serial += 1
        serial, client = self._serial, self.client
        scope, statuses = self.scope_combo.currentData(), self.status_combo.currentData() or []
        self.heading.setText("Loading actions…")

        def load() -> list[dict[str, Any]]:
            if scope == MINE:
                return client.actions(mine=True, statuses=statuses)
            return client.investigation_actions(scope, statuses)

        def done(actions: list[dict[str, Any]]) -> None:
            if serial != self._serial:
                return
            current = (self.current() or {}).get("id")
            self.model.set_rows(sort_actions(actions))
            overdue = sum(1 for a in actions if a.get("overdue"))
            text = (f"{self.scope_combo.currentText()}, {self.status_combo.currentText().lower()}: "
                    f"{len(actions)} action{'s' if len(actions) != 1 else ''}, {overdue} overdue")
            self.heading.setText(text)
            row = self.model.row_of(current)
            if self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(row or 0, 0))
            self._current_changed()
            self.loaded.emit(len(actions))

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self.heading.setText(f"Actions could not be loaded: {exc}")
                announce(f"Actions could not be loaded: {exc}", assertive=True)

        self.ops.run(load, on_done=done, on_error=failed, owner=self)

    def current(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def select_action(self, action_id: str) -> bool:
        row = self.model.row_of(action_id)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
        return row is not None

    def _current_changed(self) -> None:
        action = self.current()
        self.history_model.set_history(action)
        self._update_buttons()
        if action is None:
            set_plain_text(self.detail, self.empty_text())
            return
        lines = [action_line(action), f"Origin: {action.get('origin') or 'not recorded'}",
                 f"Raised by {officer(action.get('raised_by'))}"]
        if action.get("details"):
            lines.append(f"Details: {action['details']}")
        if action.get("allocated_to"):
            lines.append(f"Allocated to {officer(action['allocated_to'])}")
        if action.get("overdue"):
            lines.append("OVERDUE")
        if action.get("result_text"):
            lines.append(f"Result: {action['result_text']}")
        if action.get("reason"):
            lines.append(f"Reason: {action['reason']}")
        set_plain_text(self.detail, "\n".join(lines))

    def empty_text(self) -> str:
        """What the panel is for and how to start, when there is no action to show (never a blank pane)."""
        purpose = ("Investigation actions are the tasks raised in an investigation (enquiries, statements, "
                   "exhibits to trace): who must do each, by when, and its result.")
        if self.model.rowCount():
            return f"{purpose}\n\nChoose an action in the list to see its details and history."
        return (f"{purpose}\n\nThere are no actions to show for “{self.scope_combo.currentText()}” with status "
                f"“{self.status_combo.currentText()}”. To see others, choose an investigation under Show (Alt+H) "
                f"or another status under Status (Alt+A); an investigation opened from a person's linked records "
                f"(Person dock, Alt+5) is shown here with all its actions.")

    def apply_event(self, event: Event) -> None:
        """Change feed (through the hub): an action changed (ours or someone else's)."""
        data = event.data
        if data.get("id") and self.model.row_of(data["id"]) is not None:
            self.model.upsert(data)
            if (self.current() or {}).get("id") == data["id"]:
                self._current_changed()

    # Transitions -------------------------------------------------------------------------------------------
    def officers(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for inv in self.investigations:
            for user in [inv.get("officer_in_charge")] + [p.get("added_by") for p in inv.get("people") or []]:
                if user and user.get("id"):
                    seen.setdefault(user["id"], user)
        for action in self.model.rows():
            for key in ("allocated_to", "raised_by"):
                if action.get(key) and action[key].get("id"):
                    seen.setdefault(action[key]["id"], action[key])
        if self.user and self.user.get("id"):
            seen.setdefault(self.user["id"], self.user)
        return sorted(seen.values(), key=lambda u: u.get("display_name") or "")

    def start(self, kind: str) -> ActionDialog | None:
        action = self.current()
        if action is None:
            announce("Choose an action in the list first.", assertive=True)
            return None
        if kind == "allocate":
            dialog: ActionDialog = AllocateDialog(action, self.officers(), self)
        elif kind == "submit_result":
            dialog = ResultDialog(action, self)
        elif kind == "review":
            dialog = ReviewDialog(action, self)
        else:
            dialog = ReasonTransitionDialog(action, kind, self)
        dialog.submitted.connect(lambda body, d=dialog: self.send(d, body))
        dialog.saved_signal.connect(lambda updated, d=dialog: self._step_done(d, updated))
        dialog.refused_signal.connect(self._step_refused)
        self.dialog = dialog
        dialog.open()
        return dialog

    def send(self, dialog: ActionDialog, body: dict[str, Any]) -> None:
        """Through the outbox with If-Match (the forms base): offline it waits and is sent when the server
        returns; a refusal comes back beside the dialog's field."""
        dialog.send_step(self.writes, body)

    def _step_done(self, dialog: ActionDialog, updated: dict[str, Any]) -> None:
        event = dialog.last_event
        self.model.upsert(updated)
        self.select_action(updated["id"])
        self._current_changed()
        announce(f"{VERBS.get(event, 'Changed')}: {action_line(updated)}")
        self.transition_done.emit(updated)
        if event == "further_action" or self.status_combo.currentData() not in ([], None):
            self.reload()  # a new action, or one that no longer matches the filter

    def _step_refused(self, exc: BaseException) -> None:
        current = getattr(exc, "current", None)
        if is_conflict(exc) and isinstance(current, dict):  # the list shows the current copy too
            self.model.upsert(current)
            if (self.current() or {}).get("id") == current.get("id"):
                self._current_changed()

    def focus_panel(self) -> None:
        self.table.setFocus()
