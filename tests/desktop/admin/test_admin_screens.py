"""The administration screens against the real demo server: user administration (administrators), the audit viewer
and the subject access export (supervisors and administrators), each reached from its menu."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

from PySide6.QtWidgets import QLabel

from desktop.areas import MenuId
from domain.roles import Role
from server.demo import demo_id
from tests.desktop.harness import custody_board, signed_in_client
from tests.printing.pdf_tools import flat


def _admin_menu_shown(window) -> bool:
    return window.menu(MenuId.ADMIN).menuAction().isVisible()


def test_an_administrator_creates_changes_locks_and_resets_a_user(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="admin")
    area = window.areas["admin"]
    assert _admin_menu_shown(window) and area.actions["users"].isVisible()
    area.actions["users"].trigger()
    users = area.users_window
    qtbot.waitUntil(lambda: users.model.rowCount() >= 8, timeout=10_000)
    assert "users" in users.status.text()

    # New user: the password policy is answered beside the field, with the focus there, and nothing is sent.
    name = f"pc.{uuid.uuid4().hex[:6]}"
    dialog = users.new_user()
    dialog.username.setText(name)
    dialog.display_name.setText("PC Morwenna Pascoe")
    dialog.rank.setText("Police Constable")
    dialog.collar.setText("PC5120")
    dialog.home_suite.setText("Bodmin custody suite")
    dialog.role_checks[next(iter(dialog.role_checks))].setChecked(True)  # detention officer
    dialog.password.setText("short")
    dialog.confirm.setText("short")
    dialog.save_button.click()
    assert dialog.errors["password"].isVisible() and "at least 12" in dialog.errors["password"].text()
    assert dialog.focusWidget() is dialog.password
    dialog.password.setText("harbour-light-22")
    dialog.confirm.setText("harbour-light-22")
    with qtbot.waitSignal(users.changed, timeout=10_000):
        dialog.save_button.click()
    assert window.store.outbox_items() == []  # a password never goes into the outbox on disk
    assert users.select_user(name) and users.selected()["roles"] == ["detention_officer"]

    # Change roles and home suite (through the outbox, with If-Match).
    edit = users.edit_user()
    edit.role_checks[Role.CUSTODY_SERGEANT].setChecked(True)
    edit.home_suite.setText("Truro custody suite")
    with qtbot.waitSignal(users.changed, timeout=10_000):
        edit.save_button.click()
    changed = users.selected()
    assert changed["roles"] == ["detention_officer", "custody_sergeant"] and changed["version"] == 2
    row = users.model.row_of(changed["id"])
    assert "Custody sergeant" in users.model.index(row, 4).data()

    # Lock: asked first in its own write dialog (Cancel is the default), then the row says Locked in words.
    ask = users.toggle_lock()
    qtbot.waitUntil(ask.isVisible, timeout=5_000)
    assert ask.cancel_button.isDefault() and not ask.save_button.isDefault()
    assert "signed out everywhere" in ask.findChild(QLabel, "lockUserDialogHeading").text()
    with qtbot.waitSignal(users.changed, timeout=10_000):
        ask.save_button.click()
    qtbot.waitUntil(lambda: not ask.isVisible(), timeout=5_000)
    assert users.selected()["active"] is False
    assert users.model.index(users.model.row_of(changed["id"]), 6).data() == "Locked"
    assert users.buttons["lock"].text() == "Un&lock account"

    # Reset the password (sent straight to the server); the user's version moves on.
    reset = users.reset_password()
    reset.password.setText("harbour-light-23")
    reset.confirm.setText("harbour-light-24")
    reset.save_button.click()
    assert reset.errors["password_confirm"].isVisible()
    # A common password is long enough here but the server's one policy refuses it: said beside the field.
    reset.password.setText("Password12345!")
    reset.confirm.setText("Password12345!")
    reset.save_button.click()
    qtbot.waitUntil(lambda: reset.errors["password"].isVisible(), timeout=10_000)
    assert "too easy to guess" in reset.errors["password"].text()
    qtbot.waitUntil(lambda: reset.focusWidget() is reset.password, timeout=5_000)
    reset.password.setText("harbour-light-23")
    reset.confirm.setText("harbour-light-23")
    with qtbot.waitSignal(users.changed, timeout=10_000):
        reset.save_button.click()
    assert users.selected()["version"] == 4

    # End all sessions: asked first too, sent straight to the server, then the list is read again.
    ask = users.end_sessions()
    qtbot.waitUntil(ask.isVisible, timeout=5_000)
    assert ask.cancel_button.isDefault()
    with qtbot.waitSignal(users.loaded, timeout=10_000):  # read again only once the server has ended them
        ask.save_button.click()


def test_the_audit_menu_is_hidden_from_a_sergeant(qtbot, make_window, demo_server):
    window = make_window(demo_server.url, username="sergeant")
    area = window.areas["admin"]
    assert not _admin_menu_shown(window)
    assert not area.actions["person_audit"].isVisible() and not area.actions["record_audit"].isVisible()
    assert area.open_users() is None and area.open_audit(None) is None


def test_who_has_looked_at_this_person_with_filters_pages_and_csv(qtbot, make_window, demo_server, tmp_path):
    person_id = demo_id("person", "macdonald")
    looker = signed_in_client(demo_server.url, "investigator")
    for _ in range(3):
        looker.person(person_id)
    looker.close()
    window = make_window(demo_server.url, username="supervisor")
    people, area = window.areas["people"], window.areas["admin"]
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=10_000):
        people.open_person(person_id)
    qtbot.waitUntil(area.actions["person_audit"].isEnabled, timeout=5_000)
    with qtbot.waitSignal(area.actions["person_audit"].triggered, timeout=1_000):
        area.actions["person_audit"].trigger()
    viewer = area.dialog
    qtbot.waitUntil(lambda: viewer.model.rowCount() > 0, timeout=10_000)
    assert "MACDONALD" in viewer.windowTitle()
    rows = viewer.model.rows()
    assert sum(1 for r in rows if (r.get("user") or {}).get("username") == "investigator") >= 3
    assert "audit entries shown" in viewer.status.text()

    # Filter to one user and one kind of use, with a reason; one page of 2 at a time.
    viewer.username.setText("investigator")
    viewer.action.setCurrentIndex(viewer.action.findData("consultation"))
    viewer.reason.setText("Complaint PSD-0211")
    viewer.page_size = 2  # pages of two, so paging is seen with few rows
    with qtbot.waitSignal(viewer.page_loaded, timeout=10_000):
        viewer.search_button.click()
    assert viewer.model.rowCount() == 2 and viewer.more_button.isEnabled()
    with qtbot.waitSignal(viewer.page_loaded, timeout=10_000):
        viewer.more_button.click()
    assert viewer.model.rowCount() >= 3
    ids = [r["id"] for r in viewer.model.rows()]
    assert ids == sorted(set(ids), reverse=True)
    assert {(r["user"]["username"], r["action"]) for r in viewer.model.rows()} == {("investigator", "consultation")}

    target = tmp_path / "audit.csv"
    with qtbot.waitSignal(viewer.exported, timeout=15_000):
        viewer.export_to(str(target))
    with target.open(encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) >= 3 and {e["username"] for e in exported} == {"investigator"}
    assert all(person_id in e["entity_id"].split() for e in exported)  # a list read's row names several (issue 9)

    # The viewer's own searches are in the audit, with the reason.
    client = signed_in_client(demo_server.url, "supervisor")
    try:
        own = client.request("GET", "/audit", params={"entity": "audit_log", "entity_id": person_id})["entries"]
    finally:
        client.close()
    assert any("Complaint PSD-0211" in (e["justification"] or "") for e in own)

    # The selected custody record: Administration > Who has looked at this custody record? (Shift+F3).
    board = custody_board(window)
    record = board.model.record(0)
    assert board.select_record_id(record["id"])
    qtbot.waitUntil(area.actions["record_audit"].isEnabled, timeout=5_000)
    area.actions["record_audit"].trigger()
    record_viewer = area.dialog
    assert record_viewer is not viewer and record["custody_number"] in record_viewer.windowTitle()
    qtbot.waitUntil(lambda: record_viewer.model.rowCount() > 0, timeout=10_000)
    assert all(record["id"] in ([r["entity_id"]] if r["entity_id"] else r["subjects"])
               for r in record_viewer.model.rows())  # alone, or among a list read's subjects (issue 9)


def test_subject_access_saves_json_and_a_pdf_with_withheld_marked(qtbot, make_window, demo_server, tmp_path):
    window = make_window(demo_server.url, username="supervisor")
    people, area = window.areas["people"], window.areas["admin"]
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=10_000):
        people.open_person(demo_id("person", "rahman"))
    qtbot.waitUntil(area.actions["subject_access"].isEnabled, timeout=5_000)
    area.actions["subject_access"].trigger()
    dialog = area.dialog
    dialog.save_button.click()  # no reference: said beside the field
    assert dialog.errors["request_reference"].isVisible() and dialog.focusWidget() is dialog.reference
    dialog.reference.setText("SAR-2026-0077")
    dialog.save_button.click()
    assert dialog.file_dialog is not None and dialog.file_dialog.isVisible()
    dialog.file_dialog.close()
    with qtbot.waitSignal(dialog.exported, timeout=30_000) as saved:
        dialog.export_to(str(tmp_path / "rahman"))
    pdf_path, json_path, withheld = saved.args
    assert pdf_path.endswith("rahman.pdf") and json_path.endswith("rahman.json") and withheld >= 1
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    assert data["request_reference"] == "SAR-2026-0077" and "SRC-0107" not in json.dumps(data)
    text = flat(Path(pdf_path))
    assert "Subject access export" in text and "RAHMAN" in text.upper()
    assert "WITHHELD: The whole intelligence report" in text and "Handling code C" in text
    assert "What was withheld and why" in text
    assert "SRC-0107" not in text and "cigarettes" not in text
    assert "saved" in dialog.status_label.text() and dialog.save_button.text() == "&Close"
