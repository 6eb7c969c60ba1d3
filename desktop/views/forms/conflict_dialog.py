"""Conflicts side by side: a write refused with 412 (someone else changed the record first) is never dropped and
never sent over the other person's change without the officer choosing.

`ConflictDialog` shows, field by field, the officer's version ("Yours") and the server's current one
("Current"); a field that differs says so in words ("Differs"), not only in colour, and has a "Keep" choice
(yours or current). The officer keeps either version whole or merges field by field:

- **Send** sends the chosen fields (at least one of them the officer's) with the current version's If-Match;
- **Keep current** sends nothing: the officer's version is set aside with that reason;
- **Decide later** leaves it set aside (listed in Unsent changes, or kept in the open form).

The dialog works on flat {field: value} dicts (`flatten_body`) so it serves any record; a dialog that writes
nested bodies (the risk assessment's answers) flattens them itself. `resolve_outbox_conflict` is the handling of
a conflicted outbox row whose form is gone (queued in an earlier run, or the form was closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from desktop.announcer import announce

if TYPE_CHECKING:
    from desktop.sync.client import ApiError
    from desktop.sync.local_store import OutboxItem
    from desktop.writes import Writes

MINE, THEIRS = "mine", "theirs"
SEND, KEEP_CURRENT, LATER = 1, 2, 0  # QDialog results: Rejected (0) is "decide later"
# Not the officer's to choose: identity and bookkeeping the server keeps.
NOT_COMPARED = frozenset({"id", "version", "record_id", "recorded_at", "created_at", "updated_at"})


def label_of(key: str) -> str:
    """'risk_level' -> 'Risk level'; 'responses.self_harm' -> 'Responses: self harm'."""
    head, _, tail = key.partition(".")
    text = head.replace("_", " ").capitalize()
    return f"{text}: {tail.replace('_', ' ')}" if tail else text


def value_text(value: Any) -> str:
    """A value as a person reads it (the same words in the grid and for the screen reader)."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{label_of(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


def flatten_body(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields both copies carry (what the officer sent that the server's copy can be compared with)."""
    keys = [k for k in mine if k in theirs and k not in NOT_COMPARED]
    return {k: mine[k] for k in keys}, {k: theirs[k] for k in keys}


class ConflictDialog(QDialog):
    """`mine` and `theirs` are flat {field: value}; `labels` names fields (else from the key). After `exec()`
    (or `finished`): `result()` is SEND, KEEP_CURRENT or LATER; `chosen()` the merged fields."""

    def __init__(self, parent: QWidget | None, noun: str, mine: Mapping[str, Any], theirs: Mapping[str, Any], *,
                 labels: Mapping[str, str] | None = None, who: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(f"Changed meanwhile: {noun}")
        self.setModal(True)
        self.mine, self.theirs = dict(mine), dict(theirs)
        labels = labels or {}
        self.keys = list(dict.fromkeys([*mine, *theirs]))
        self.differing = [k for k in self.keys if mine.get(k) != theirs.get(k)]
        self.choices: dict[str, QComboBox] = {}

        by = f" ({who})" if who else ""
        self.heading = QLabel(
            f"Someone else{by} changed this {noun} while you were working on it. Nothing has been overwritten. "
            f"{len(self.differing)} field{'s' if len(self.differing) != 1 else ''} differ"
            f"{'s' if len(self.differing) == 1 else ''}: for each, choose which to keep, then Send. Keep current "
            "sends nothing of yours.", wordWrap=True)
        self.heading.setObjectName("conflictHeading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)

        grid_widget = QWidget()
        grid_widget.setObjectName("conflictFields")
        grid = QGridLayout(grid_widget)
        for column, title in enumerate(("Field", "Yours", "Current", "", "Keep")):
            header = QLabel(title)
            header.setObjectName(f"conflictHeader{column}")
            bold = header.font()
            bold.setBold(True)
            header.setFont(bold)
            grid.addWidget(header, 0, column)
        for row, key in enumerate(self.keys, start=1):
            name = labels.get(key) or label_of(key)
            differs = key in self.differing
            grid.addWidget(self._label(f"conflictField_{key}", name), row, 0)
            grid.addWidget(self._label(f"conflictMine_{key}", value_text(mine.get(key))), row, 1)
            grid.addWidget(self._label(f"conflictTheirs_{key}", value_text(theirs.get(key))), row, 2)
            # In words, not only colour (the mark is also in the choice's description).
            mark = self._label(f"conflictMark_{key}", "Differs" if differs else "Same")
            if differs:
                mark.setStyleSheet("QLabel { font-weight: bold; }")
            grid.addWidget(mark, row, 3)
            if differs:
                combo = QComboBox()
                combo.setObjectName(f"conflictChoice_{key}")
                combo.addItem("Yours", MINE)
                combo.addItem("Current", THEIRS)
                combo.setAccessibleName(f"{name}: keep which version")
                combo.setAccessibleDescription(f"Differs. Yours: {value_text(mine.get(key))}. "
                                               f"Current: {value_text(theirs.get(key))}.")
                combo.view().setAccessibleName(f"{name}: versions")
                combo.currentIndexChanged.connect(self._update_send)
                grid.addWidget(combo, row, 4)
                self.choices[key] = combo
        scroll = QScrollArea()
        scroll.setObjectName("conflictScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_widget)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setAccessibleName("Your version and the current one")

        self.all_mine = QPushButton("Take all of &mine")
        self.all_mine.setObjectName("conflictAllMine")
        self.all_mine.clicked.connect(lambda: self.choose_all(MINE))
        self.all_theirs = QPushButton("Take all c&urrent")
        self.all_theirs.setObjectName("conflictAllTheirs")
        self.all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        self.buttons = QDialogButtonBox()
        self.send_button = QPushButton("&Send chosen")
        self.send_button.setObjectName("conflictSend")
        self.keep_button = QPushButton("&Keep current (discard mine)")
        self.keep_button.setObjectName("conflictKeepCurrent")
        self.later_button = QPushButton("Decide &later")
        self.later_button.setObjectName("conflictLater")
        for button, role in ((self.send_button, QDialogButtonBox.ButtonRole.AcceptRole),
                             (self.keep_button, QDialogButtonBox.ButtonRole.DestructiveRole),
                             (self.later_button, QDialogButtonBox.ButtonRole.RejectRole)):
            self.buttons.addButton(button, role)
        self.send_button.clicked.connect(self._send)
        self.keep_button.clicked.connect(lambda: self.done(KEEP_CURRENT))
        self.later_button.clicked.connect(self.reject)
        self.send_button.setDefault(True)
        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("conflictStatus")

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        quick = QDialogButtonBox()
        quick.addButton(self.all_mine, QDialogButtonBox.ButtonRole.ActionRole)
        quick.addButton(self.all_theirs, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(quick)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 420)
        self._update_send()
        first = next(iter(self.choices.values()), None)
        (first or self.send_button).setFocus()

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, wordWrap=True)
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                      | Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        first = next(iter(self.differing), None)
        detail = ""
        if first is not None:
            combo = self.choices[first]
            detail = f" First: {combo.accessibleName().split(':')[0]}. {combo.accessibleDescription()}"
        announce(f"{self.heading.text()}{detail}", assertive=True)

    def choose_all(self, which: str) -> None:
        for combo in self.choices.values():
            combo.setCurrentIndex(combo.findData(which))
        announce("All fields: " + ("yours" if which == MINE else "the current version") + " chosen.")

    def _update_send(self, *_args: object) -> None:
        any_mine = any(c.currentData() == MINE for c in self.choices.values())
        # Every field the current one: that is "Keep current", said as such rather than sending a copy of theirs.
        self.send_button.setEnabled(any_mine or not self.choices)
        text = (f"{sum(c.currentData() == MINE for c in self.choices.values())} of {len(self.choices)} differing "
                "fields: yours.")
        self.status.setText(text)

    def chosen(self) -> dict[str, Any]:
        """The officer's fields, with each field they chose the current version of taken from it."""
        out = dict(self.mine)
        for key, combo in self.choices.items():
            if combo.currentData() == THEIRS:
                out[key] = self.theirs.get(key)
        return out

    def _send(self) -> None:
        if self.send_button.isEnabled():
            self.done(SEND)


def if_match_of(current: Mapping[str, Any] | None, headers: Mapping[str, str]) -> dict[str, str]:
    """The headers to resend with: the current version's If-Match (the one the officer has now seen)."""
    out = dict(headers)
    if current is not None and current.get("version") is not None:
        out["If-Match"] = str(int(current["version"]))
    return out


def resolve_outbox_conflict(parent: QWidget | None, writes: Writes, item: OutboxItem, error: ApiError, *,
                            on_done: Callable[[int], None] | None = None) -> ConflictDialog | None:
    """A conflicted outbox row no form is waiting for: compare, then resend, keep current, or leave it set aside
    (Unsent changes lists it). Returns the dialog (shown, not blocking), or None when nothing can be compared."""
    current = error.current
    if current is None:
        return None
    mine, theirs = flatten_body(item.body, current)
    dialog = ConflictDialog(parent, "record", mine, theirs)

    def finished(result: int) -> None:
        if result == SEND:
            body = {**item.body, **dialog.chosen()}
            writes.resolve(item.id, item.method, item.path, body, if_match_of(current, item.headers))
            announce("Sent again with the fields you chose.")
        elif result == KEEP_CURRENT:
            writes.discard(item.id, "Kept the current version after comparing (conflict).")
            announce("Kept the current version; yours was not sent.")
        else:
            announce("Left in Unsent changes to decide later.")
        if on_done is not None:
            on_done(result)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
