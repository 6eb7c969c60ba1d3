"""Attribution (issue 11): a change queued on a workstation is its author's. When the lock lets someone else sign
in, the first officer's waiting changes are never sent under the second officer's token: they wait, listed in
Unsent changes with their author's name, until that officer signs in here again, and then reach the server as
theirs. Signing out for someone else, or unlocking with a new sign-in, signs the old session out on the server
(a token copied before the switch is refused). Against the real server, through the running window."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.sync.client import ApiClient, ApiError
from desktop.sync.local_store import PENDING
from desktop.timefmt import to_wire, utc_now
from desktop.views.shell.lock_screen import EXPIRED, IDLE, WorkstationLock
from tests.desktop.harness import DEMO_PASSWORD, custody_board

SERGEANT = "Sgt Alys Penhallow (sergeant)"


def _refused(url: str, token: str) -> bool:
    """True once the server refuses this token (401)."""
    client = ApiClient(url, token)
    try:
        client.me()
    except ApiError as exc:
        return exc.status == 401
    finally:
        client.close()
    return False


def _log(url: str, record_id: str) -> dict[str, dict]:
    client = ApiClient(url)
    try:
        client.login("sergeant", DEMO_PASSWORD)
        return {entry["id"]: entry for entry in client.record_log(record_id)}
    finally:
        client.close()


def _entry(n: int, who: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": f"Fictional entry {n} by {who}.",
            "observed_at": to_wire(utc_now())}


def test_queued_changes_wait_for_their_author_and_are_sent_under_their_own_session(
        qtbot, make_window, demo_server, tmp_path):
    station = tmp_path / "station"  # one workstation: one local store shared by everyone who signs in there
    first = make_window(demo_server.url, station, "sergeant")
    closed: list[bool] = []
    lock = WorkstationLock(first, store=first.store, server_key=first.session.server_key, idle_minutes=0,
                           sign_out=lambda: (closed.append(True), first.close()))
    record_id = custody_board(first).model.record(1)["id"]
    path = f"/custody/records/{record_id}/log"
    # The sergeant's sign-in ends on the server while they queue three entries: the queue pauses, the lock asks.
    other = ApiClient(demo_server.url, first.session.client.token)
    try:
        other.logout()
    finally:
        other.close()
    theirs = [_entry(n, "the sergeant") for n in range(3)]
    for body in theirs:
        first.writes.queue("POST", path, body)
    qtbot.waitUntil(lambda: lock.locked, timeout=15_000)
    assert EXPIRED in lock.screen.message.text()
    rows = {r.id: r for r in first.store.outbox_items()}
    assert {rows[b["id"]].author_name for b in theirs} == {SERGEANT}
    assert all(rows[b["id"]].author_id == first.session.user["id"] and rows[b["id"]].workstation for b in theirs)

    lock.screen.switch_button.click()  # "Sign out, someone else…": nothing unsaved, so no question
    assert closed == [True]

    # The detention officer signs in on the same workstation and saves an entry of their own.
    second = make_window(demo_server.url, station, "detention")
    mine = _entry(9, "the detention officer")
    sent: list[object] = []
    second.writes.queue("POST", path, mine, on_sent=sent.append)
    qtbot.waitUntil(lambda: bool(sent), timeout=15_000)  # theirs was sent; the sergeant's rows came first in order
    qtbot.waitUntil(lambda: second.others_count == 3, timeout=10_000)
    logged = _log(demo_server.url, record_id)
    assert mine["id"] in logged and logged[mine["id"]]["author"]["display_name"] == "Morwenna Trask"
    assert not {b["id"] for b in theirs} & set(logged)  # never sent under the detention officer's token
    assert [r.state for r in second.store.outbox_items() if r.id in {b["id"] for b in theirs}] == [PENDING] * 3
    assert "3 changes by another officer wait for them to sign in" in second.sync_label.text()

    # Unsent changes says whose they are, in words, and offers no resend or discard of another's change.
    dialog = second.areas["unsent"].open()
    qtbot.waitUntil(lambda: dialog.loaded and dialog.list.count() == 3, timeout=10_000)
    texts = [dialog.list.item(n).data(Qt.ItemDataRole.AccessibleTextRole) for n in range(3)]
    assert all(text.startswith("Another officer's:") and f"Made by {SERGEANT} on " in text
               and "sign in on this workstation again" in text for text in texts)
    assert "3 made by another officer" in dialog.summary.text()
    assert not dialog.resend_button.isEnabled() and not dialog.discard_button.isEnabled()
    assert all(f.isReadOnly() for _p, f, _e in dialog.fields)
    assert not second.sender_.core.discard(theirs[0]["id"], "not mine", "detention")  # refused below the view too
    dialog.close()
    second.close()

    # The sergeant signs in here again: their entries go, under their own session, recorded as theirs.
    again = make_window(demo_server.url, station, "sergeant")
    qtbot.waitUntil(lambda: again.store.pending_count() == 0, timeout=15_000)
    logged = _log(demo_server.url, record_id)
    assert {logged[b["id"]]["author"]["display_name"] for b in theirs} == {"Sgt Alys Penhallow"}
    assert again.others_count == 0


@pytest.fixture
def locked_window(make_window, demo_server):
    window = make_window(demo_server.url)
    lock = WorkstationLock(window, store=window.store, server_key=window.session.server_key, idle_minutes=0,
                           sign_out=window.close)
    return window, lock


def test_signing_out_for_someone_else_revokes_the_old_session(qtbot, locked_window, demo_server):
    window, lock = locked_window
    old = window.session.client.token
    assert not _refused(demo_server.url, old)
    lock.lock(IDLE)
    lock.screen.switch_button.click()
    qtbot.waitUntil(lambda: _refused(demo_server.url, old), timeout=10_000)


def test_unlocking_with_a_new_sign_in_revokes_the_one_it_replaces(qtbot, locked_window, demo_server):
    window, lock = locked_window
    old = window.session.client.token
    lock.lock(IDLE)
    edit = lock.screen.password_edit
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=3000)
    qtbot.keyClicks(edit, DEMO_PASSWORD)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lock.locked, timeout=10_000)
    new = window.session.client.token
    assert new != old
    qtbot.waitUntil(lambda: _refused(demo_server.url, old), timeout=10_000)
    assert not _refused(demo_server.url, new)
