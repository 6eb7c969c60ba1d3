"""The one base for dialogs that save, against the real server: problems beside the field (text, read out,
focus moved), the one wording of a refusal, a 412 that keeps what was typed, the idempotency key, and the
date/time field that Tab leaves in one press."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.sync.client import ApiError, ServerUnreachable
from desktop.timefmt import to_wire, utc_now
from desktop.views.forms.dialog import FormDialog, WriteDialog
from desktop.views.forms.fields import datetime_edit, text_edit, value_of
from desktop.views.forms.refusal import OFFLINE, conflict_text, refusal_problems, refusal_text
from tests.desktop.custody.helpers import Announcements
from tests.desktop.people.helpers import api, people_window
from tests.desktop.harness import custody_board


@pytest.fixture
def heard():
    announcements = Announcements()
    yield announcements
    announcements.close()


class LogEntryDialog(FormDialog):
    """A minimal dialog on the base: a log entry for a custody record (the server checks the text)."""

    def __init__(self, window, record_id: str):
        super().__init__(window, window.writes, "Add log entry", "testLogDialog")
        self.record_id = record_id
        self.kind = self.add_row("&Kind:", QLineEdit("note", objectName="testKind"), "kind")
        self.text = self.add_row("&Entry text:", text_edit("testText", "What happened."), "text")

    def request(self):
        body = {"id": str(uuid.uuid4()), "kind": self.kind.text(), "text": value_of(self.text),
                "observed_at": to_wire(utc_now())}
        return "POST", f"/custody/records/{self.record_id}/log", body


class TransitionDialog(WriteDialog):
    """A dialog with its own layout on the base: a versioned action step, If-Match given by the test."""

    noun = "action"

    def __init__(self, writes, action: dict, version: int):
        super().__init__(None, writes)
        self.action, self.version = action, version
        self.reason = QLineEdit(objectName="testReason")
        self.field_error("reason", self.reason)
        self.main_field = "reason"

    def go(self, reason: str) -> None:
        self.reason.setText(reason)
        self.send("POST", f"/actions/{self.action['id']}/transitions", {"event": "cancel", "reason": reason},
                  headers={"If-Match": str(self.version)})

    def conflict(self, current: dict) -> None:
        self.action = current


@pytest.mark.parametrize(("error", "expected"), [
    (ApiError(422, "Invalid", field_errors={"text": "Write what happened."}), [("text", "Write what happened.")]),
    (ApiError(403, "Forbidden", detail="Only an inspector may do this."),
     [("", "Not allowed: Only an inspector may do this.")]),
    (ApiError(409, "Conflict", detail="Already released."), [("", "Not saved: Already released.")]),
    (ApiError(412, "Precondition failed", detail="version 3 is stale"), [("", conflict_text("action"))]),
    (ServerUnreachable("connection refused"), [("", OFFLINE)]),
    (RuntimeError("the disk is full"), [("", "Not saved: the disk is full")]),
])
def test_every_refusal_is_worded_one_way(error, expected):
    assert refusal_problems(error, "action") == expected


def test_refusal_text_for_a_place_without_fields():
    error = ApiError(422, "Invalid", field_errors={"details": "Say why the marker is set."})
    assert refusal_text(error) == "Not saved: Say why the marker is set."
    assert refusal_text(ApiError(412, "Stale")) == conflict_text("record")
    assert "Someone else changed this report meanwhile" in conflict_text("report")


def test_a_server_refusal_goes_beside_its_field_is_read_out_and_takes_focus(qtbot, make_window, demo_server, heard):
    window = make_window(demo_server.url)
    record = custody_board(window).model.record(0)
    dialog = LogEntryDialog(window, record["id"])
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.kind.setText("no-such-kind")
    dialog.text.setPlainText("Detainee asked for a blanket.")
    with qtbot.waitSignal(dialog.refused_signal, timeout=15_000) as refused:
        dialog.submit()
    assert isinstance(refused.args[0], ApiError) and "kind" in refused.args[0].field_errors
    error = dialog.errors["kind"]
    message = refused.args[0].field_errors["kind"]
    assert error.isVisible() and error.text() == f"Problem: {message}"  # words, not colour alone
    assert dialog.kind.accessibleDescription() == message  # the reader hears it on the field
    assert heard.assertive(message)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind, timeout=3000)
    # Everything typed is kept, and the form can be corrected and saved.
    assert dialog.text.toPlainText() == "Detainee asked for a blanket." and dialog.save_button.isEnabled()
    dialog.kind.setText("note")
    with qtbot.waitSignal(dialog.saved_signal, timeout=15_000) as saved:
        dialog.submit()
    assert saved.args[0]["text"] == "Detainee asked for a blanket."
    assert dialog.row_id == saved.args[0]["id"]  # a body's own client-made id is its Idempotency-Key
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)  # saved: closed, focus back to the window
    assert heard.items[-1] == ("Add log entry: saved.", False)


def test_a_problem_found_before_sending_is_shown_the_same_way(qtbot, make_window, demo_server, heard):
    window = make_window(demo_server.url)
    dialog = LogEntryDialog(window, custody_board(window).model.record(0)["id"])
    dialog.problems = lambda: [("text", "Write what happened."), ("kind", "Choose the kind.")]
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.submit()
    assert dialog.errors["text"].text() == "Problem: Write what happened."
    assert dialog.errors["kind"].text() == "Problem: Choose the kind."
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.text, timeout=3000)  # the first wrong field
    assert heard.assertive("Write what happened.") and not heard.assertive("Choose the kind.")
    assert window.store.pending_count() == 0  # nothing was queued


def test_a_stale_copy_is_refused_with_the_conflict_wording_and_keeps_what_was_typed(
        qtbot, make_window, demo_server, heard):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    client = api(demo_server.url)
    try:
        action = next(a for a in client.actions(mine=False) if a["status"] not in ("cancelled", "filed"))
    finally:
        client.close()
    dialog = TransitionDialog(window.writes, action, version=int(action["version"]) + 7)
    dialog.show()
    try:
        with qtbot.waitSignal(dialog.refused_signal, timeout=15_000) as refused:
            dialog.go("Duplicate of another action.")
        assert refused.args[0].status == 412
        error = dialog.errors["reason"]
        assert error.text() == f"Problem: {conflict_text('action')}"
        assert heard.assertive("Someone else changed this action meanwhile")
        assert dialog.reason.text() == "Duplicate of another action."  # kept
        assert dialog.action["version"] == action["version"]  # the current copy the server sent
        assert dialog.isVisible() and not dialog.sending
        # The conflict path (issue 13): both versions side by side, in a modal dialog the officer answers.
        qtbot.waitUntil(lambda: dialog.conflict_dialog is not None and dialog.conflict_dialog.isVisible(),
                        timeout=5000)
        assert dialog.conflict_dialog.isModal()
    finally:
        # Closed here, not left open: a modal dialog left behind takes the keyboard from every later test's
        # window, so application shortcuts (Unsent changes, Ctrl+Alt+O) never fire there.
        if dialog.conflict_dialog is not None:
            dialog.conflict_dialog.reject()
        dialog.dirty = False
        dialog.reject()
        dialog.deleteLater()


def test_the_date_time_field_is_one_tab_stop(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    before = QLineEdit(host, objectName="before")
    when = datetime_edit("when", "When it happened.")
    when.setParent(host)
    after = QLineEdit(host, objectName="after")
    QWidget.setTabOrder(before, when)
    QWidget.setTabOrder(when, after)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host, timeout=3000)
    before.setFocus()
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is when
    qtbot.keyClick(when, Qt.Key.Key_Tab)  # Qt's own would stop at month, year, hours and minutes first
    assert QApplication.focusWidget() is after
    qtbot.keyClick(after, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is when
    assert "UK local time" in when.accessibleDescription()
