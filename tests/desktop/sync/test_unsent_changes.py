"""Unsent changes (File > Unsent changes…, Ctrl+Alt+O), in the running window against a real server: a row
that could not be sent is listed with the text as typed and why, the row behind it as waiting; the officer
corrects it (a problem beside the field until the text is sendable) and resends it, or discards one with a
reason, keyboard only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.announcer import announcer
from desktop.areas import MenuId
from desktop.sync.local_store import DISCARDED, LocalStore
from desktop.views.shell.unsent_changes import UnsentChangesDialog
from tests.desktop.harness import signed_in_client


def _entry(text: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "note", "text": text, "observed_at": datetime.now(UTC).isoformat()}


def _texts(client, record_id: str) -> list[str]:
    return [e["text"] for e in client.record_log(record_id)]


def _open(qtbot, window) -> UnsentChangesDialog:
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget() or window.areas["unsent"].dialog,
                                       UnsentChangesDialog), timeout=5000)
    dialog = window.areas["unsent"].dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return dialog


def test_a_poison_row_is_corrected_and_resent_then_the_waiting_row_follows(qtbot, make_window, demo_server, tmp_path):
    client = signed_in_client(demo_server.url)
    record = client.open_records()[5]
    tag = uuid.uuid4().hex[:6]
    data = tmp_path / "unsent-client"
    store = LocalStore(data)
    poison = _entry(f"Pasted \ud800 from a bad document {tag}")
    behind = _entry(f"Written after the pasted one {tag}")
    path = f"/custody/records/{record['id']}/log"
    store.add_outbox("POST", path, poison, row_id=poison["id"])
    store.add_outbox("POST", path, behind, row_id=behind["id"])
    store.close()
    heard: list[str] = []
    announcer().announced.connect(lambda text, _assertive: heard.append(text))

    window = make_window(demo_server.url, data)
    qtbot.waitUntil(lambda: len(window.store.unsent()) == 2, timeout=10_000)
    # The status bar never says "All changes sent" while one is held back: it says where to look, in text.
    qtbot.waitUntil(lambda: "1 set aside (File > Unsent changes)" in window.sync_label.text(), timeout=10_000)
    assert "1 change waiting to send" in window.sync_label.accessibleName()
    assert window.areas["unsent"].open_action in window.menu(MenuId.FILE).actions()  # and by its shortcut
    dialog = _open(qtbot, window)
    assert dialog.list.count() == 2
    first, second = (dialog.list.item(n).text() for n in range(2))
    assert first.startswith("Set aside: Log entry (note)") and record["custody_number"] in first
    assert "Cannot be sent" in first
    assert second.startswith("Waiting: Log entry (note)") and "Waiting behind" in second
    assert dialog.list.item(1).data(Qt.ItemDataRole.AccessibleTextRole) == second
    # The text as typed, with the problem beside it.
    [(_path, edit, error)] = dialog.fields
    assert edit.toPlainText().endswith(f"from a bad document {tag}") and not edit.isReadOnly()
    assert error.isVisible() and "surrogate" in error.text()

    # Resend as it is: refused here, beside the field, focus on it; nothing sent.
    dialog.list.setFocus()
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit.hasFocus(), timeout=2000)
    assert "surrogate" in edit.accessibleDescription()
    assert len(window.store.unsent()) == 2

    edit.setPlainText(f"Pasted text, retyped {tag}")
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Resend is the default button
    qtbot.waitUntil(lambda: not window.store.unsent(), timeout=10_000)
    qtbot.waitUntil(lambda: any("sent again" in t for t in heard), timeout=5000)
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=5000)
    assert "Nothing is waiting" in dialog.summary.text()
    expected = [f"Pasted text, retyped {tag}", behind["text"]]  # in order: the waiting row went after it
    qtbot.waitUntil(lambda: [t for t in _texts(client, record["id"]) if tag in t] == expected, timeout=10_000)
    qtbot.waitUntil(lambda: window.sync_label.text() == "All changes sent", timeout=10_000)
    client.close()


def test_a_refused_row_is_discarded_with_a_reason_keyboard_only(qtbot, make_window, demo_server, tmp_path):
    client = signed_in_client(demo_server.url)
    record = client.open_records()[6]
    data = tmp_path / "discard-client"
    store = LocalStore(data)
    refused = _entry("Bell \x07 in a note, fictional")
    store.add_outbox("POST", f"/custody/records/{record['id']}/log", refused, row_id=refused["id"])
    store.close()

    window = make_window(demo_server.url, data)
    qtbot.waitUntil(lambda: len(window.store.unsent()) == 1, timeout=10_000)
    dialog = _open(qtbot, window)
    assert "Refused by the server: text: Remove the control character U+0007" in dialog.list.item(0).text()
    dialog.discard_button.click()  # no reason yet: asked for beside the field
    assert dialog.reason_error.isVisible() and dialog.reason.hasFocus()
    QTest.keyClicks(dialog.reason, "Typed again in the log")
    dialog.discard_button.setFocus()
    QTest.keyClick(dialog.discard_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=10_000)
    item = window.store.outbox_item(refused["id"])
    assert item.state == DISCARDED and item.discard_reason == "Typed again in the log"
    assert item.discarded_by == "sergeant"
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    client.close()


def test_a_refusal_the_form_showed_is_handed_back_not_held(qtbot, make_window, demo_server):
    """A form that was waiting shows the refusal beside the field and keeps the text; the refused row is not
    also held in Unsent changes (nor does it hold back the record's later rows)."""
    window = make_window(demo_server.url)
    record_id = window.session.client.open_records()[7]["id"]
    refused: list[BaseException] = []
    body = _entry("Bell \x07 typed in a form, fictional")
    window.writes.queue("POST", f"/custody/records/{record_id}/log", body, on_rejected=refused.append)
    qtbot.waitUntil(lambda: bool(refused), timeout=10_000)
    assert refused[0].status == 422 and "text" in refused[0].field_errors
    qtbot.waitUntil(lambda: window.store.set_aside_count() == 0, timeout=5000)
    assert window.store.unsent() == []
    assert window.store.outbox_items("rejected")[0].id == body["id"]  # kept (until purged), not lost
    later = _entry("Typed again, without the bell, fictional")
    sent: list[object] = []
    window.writes.queue("POST", f"/custody/records/{record_id}/log", later, on_sent=sent.append)
    qtbot.waitUntil(lambda: bool(sent), timeout=10_000)
    qtbot.waitUntil(lambda: window.sync_label.text() == "All changes sent", timeout=10_000)
