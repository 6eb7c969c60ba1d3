"""Issue 12, through the screen-reader view (AT-SPI) with only keystrokes: an administrator opens User
administration (Ctrl+Alt+U), creates a user whose password is refused beside the field and then accepted, and
reads the new row back from the Users table; then opens the audit viewer (Ctrl+Shift+B), filters it by user name,
and reads who did what from the Audit entries table. Controls are found only by what a screen reader is told."""

from __future__ import annotations

import uuid

import pytest

from tests.a11y.atspi.harness import poll
from tests.a11y.conftest import signed_in_as, table_rows

pytestmark = pytest.mark.slow

USERS_TABLE = {"name": "Users", "role": "table"}
AUDIT_TABLE = {"name": "Audit entries", "role": "table"}


@pytest.fixture(scope="module")
def admin(bridewell):
    return signed_in_as(bridewell, "admin")



def test_an_administrator_creates_a_user_with_the_keyboard_and_hears_it_in_the_table(admin):
    c = admin
    c.focus_window()
    c.key("ctrl+alt+u")
    table = poll(lambda: (t := c.table(**USERS_TABLE))["n_rows"] >= 8 and t, timeout=30, what="the users listed")
    assert {"Name", "User name", "Roles", "Status", "Sessions"} <= set(table["headers"])
    # Cells are read as the spoken text: the state in words, not only shown.
    rows = table_rows(table)
    assert any(r["User name"] == "admin" and r["Status"] == "Account active" for r in rows), rows

    c.focus_window("User administration")
    assert c.press(action="Press", name="New user…", role="push button")["ok"]
    c.wait(role="dialog", name="New user", showing=True, timeout=10)
    c.focus_window("New user")
    name = f"pc.{uuid.uuid4().hex[:6]}"
    c.focus_field_and_type(name, name="User name", within_name="New user")
    c.focus_field_and_type("PC Demelza Rowe", name="Name", within_name="New user")
    detention = c.find(name="Detention officer", role="check box")
    assert "focusable" in detention["states"]
    c.focus(name="Detention officer", role="check box")
    c.wait_focused(name="Detention officer", role="check box")
    c.key("space")
    c.focus_field_and_type("short", name="Password", role="password text", within_name="New user")
    c.focus_field_and_type("short", name="Confirm password", role="password text", within_name="New user")
    within = {"within_id": "userDialog", "showing": True}
    assert c.press(action="Press", name="Save", role="push button", **within)["ok"]
    c.wait(name_re="at least 12 characters", role="label", showing=True, timeout=10)
    password = c.wait_focused(name="Password", role="password text", **within)
    assert "at least 12" in password["description"], password

    c.focus_field_and_type("granite-harbour-9", name="Password", role="password text", **within)
    c.focus_field_and_type("granite-harbour-9", name="Confirm password", role="password text", **within)
    assert c.press(action="Press", name="Save", role="push button", **within)["ok"]
    c.wait_gone(role="dialog", name="New user", showing=True, timeout=20)

    def created():
        return next((r for r in table_rows(c.table(**USERS_TABLE)) if r["User name"] == name), None)

    row = poll(created, timeout=20, what="the new user in the Users table")
    assert row["Roles"] == "Roles: Detention officer" and row["Status"] == "Account active", row


def test_the_audit_viewer_is_driven_by_keyboard_and_read_from_its_table(admin):
    c = admin
    c.focus_window("Bridewell")
    c.key("ctrl+shift+b")
    c.wait(role="dialog", name="Audit viewer", showing=True, timeout=10)
    c.focus_window("Audit viewer")
    c.wait_focused(name="User name", role="text", within_id="auditViewer")
    c.type("admin")
    assert c.press(action="Press", name="Search", role="push button", within_id="auditViewer")["ok"]

    def entries():
        table = c.table(**AUDIT_TABLE)
        return table["n_rows"] > 0 and table

    table = poll(entries, timeout=20, what="audit entries for the administrator")
    assert {"When", "Who", "Did", "What", "Why", "Workstation"} <= set(table["headers"])
    rows = table_rows(table)
    assert all("Perpetua Gathercole" in r["Who"] for r in rows), rows[:3]
    # The user just created is in the audit as recorded by the administrator.
    assert any(r["Did"] == "Recorded" and r["What"].startswith("user account") for r in rows), rows[:5]
