"""The lock (issue 11): left idle, or with a sign-in that expired mid-queue, the workstation asks for the password
again over the window; what was typed in open forms is kept; the queue pauses (nothing refused) and drains once
the password is given. Keyboard only, against the real server."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.sync.client import ApiClient
from desktop.sync.local_store import REJECTED
from desktop.timefmt import to_wire, utc_now
from desktop.views.shell.lock_screen import EXPIRED, IDLE, WorkstationLock
from tests.desktop.custody.helpers import Announcements, open_by_shortcut, select
from tests.desktop.harness import DEMO_PASSWORD, custody_board

SHIFT_CTRL = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def heard():
    announcements = Announcements()
    yield announcements
    announcements.close()


def _type_password(qtbot, lock: WorkstationLock, password: str) -> None:
    edit = lock.screen.password_edit
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=3000)
    edit.selectAll()
    qtbot.keyClicks(edit, password)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_idle_locks_keeps_the_open_form_and_unlocks_with_the_password(qtbot, make_window, demo_server, heard):
    window = make_window(demo_server.url)
    lock = WorkstationLock(window, store=window.store, server_key=window.session.server_key, idle_minutes=0)
    record = custody_board(window).model.record(1)
    with qtbot.waitSignal(window.areas["custody"].risk_panel.loaded, timeout=10_000):
        select(qtbot, window, record["id"])
    form = open_by_shortcut(qtbot, window, Qt.Key.Key_A, SHIFT_CTRL)
    qtbot.keyClicks(form.notes_edit, "Fictional: asked for a solicitor.")
    old_token = window.session.client.token

    lock.set_idle_minutes(0.005)  # 0.3 s without a key or the mouse
    qtbot.waitUntil(lambda: lock.locked, timeout=5000)
    assert not form.isVisible()  # hidden, not closed: no record shows while locked
    assert IDLE in lock.screen.message.text() and heard.assertive("Bridewell is locked")
    assert lock.screen.password_edit.accessibleName() == "Password"

    lock.screen.reject()  # Escape does not unlock
    assert lock.locked
    _type_password(qtbot, lock, "not-the-password")
    qtbot.waitUntil(lambda: lock.screen.password_error.isVisible(), timeout=10_000)
    assert "wrong" in lock.screen.password_error.text() and lock.locked
    assert QApplication.focusWidget() is lock.screen.password_edit

    _type_password(qtbot, lock, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not lock.locked, timeout=10_000)
    qtbot.waitUntil(lambda: form.isVisible(), timeout=3000)
    assert form.notes_edit.toPlainText() == "Fictional: asked for a solicitor."  # nothing typed was lost
    assert window.session.client.token != old_token  # the new sign-in's token
    lock.set_idle_minutes(0)
    form.dirty = False
    form.reject()


def test_a_sign_in_that_expires_mid_queue_pauses_asks_again_and_everything_is_delivered(
        qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    lock = WorkstationLock(window, store=window.store, server_key=window.session.server_key, idle_minutes=0)
    record = custody_board(window).model.record(1)
    other = ApiClient(demo_server.url, window.session.client.token)
    try:
        other.logout()  # the server ends the sign-in
    finally:
        other.close()
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for n, entry_id in enumerate(ids):
        window.writes.queue("POST", f"/custody/records/{record['id']}/log",
                            {"id": entry_id, "kind": "note", "text": f"Fictional queued entry {n}.",
                             "observed_at": to_wire(utc_now())})
    qtbot.waitUntil(lambda: lock.locked, timeout=15_000)
    assert EXPIRED in lock.screen.message.text()
    assert window.store.outbox_items(REJECTED) == []  # paused, never refused
    assert window.store.pending_count() == 5

    _type_password(qtbot, lock, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not lock.locked, timeout=10_000)
    qtbot.waitUntil(lambda: window.store.pending_count() == 0, timeout=15_000)
    client = ApiClient(demo_server.url)
    try:
        client.login("sergeant", DEMO_PASSWORD)
        logged = {e["id"] for e in client.record_log(record["id"])}
    finally:
        client.close()
    assert set(ids) <= logged


def _answer_when_asked(qtbot, button_text: str) -> None:
    """Answer the sign-out question (a modal message box) once it is up."""
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "signOutQuestion":
            QTimer.singleShot(20, answer)
            return
        next(b for b in box.buttons() if b.text().replace("&", "").startswith(button_text)).click()

    QTimer.singleShot(0, answer)


def test_someone_else_signs_out_after_being_asked_about_unsaved_typing(qtbot, make_window, demo_server):
    window = make_window(demo_server.url)
    signed_out: list[bool] = []
    lock = WorkstationLock(window, store=window.store, server_key=window.session.server_key, idle_minutes=0,
                           sign_out=lambda: signed_out.append(True))
    record = custody_board(window).model.record(1)
    with qtbot.waitSignal(window.areas["custody"].risk_panel.loaded, timeout=10_000):
        select(qtbot, window, record["id"])
    form = open_by_shortcut(qtbot, window, Qt.Key.Key_A, SHIFT_CTRL)
    qtbot.keyClicks(form.notes_edit, "Fictional: typed, not saved.")
    lock.lock(IDLE)
    assert lock.unsaved_forms() == 1

    _answer_when_asked(qtbot, "Cancel")  # changed their mind: still locked, the typing kept
    lock.screen.switch_button.click()
    assert lock.locked and not signed_out and form.notes_edit.toPlainText() == "Fictional: typed, not saved."

    _answer_when_asked(qtbot, "Sign out and discard")
    lock.screen.switch_button.click()
    assert signed_out == [True] and not lock.locked and not form.isVisible()
