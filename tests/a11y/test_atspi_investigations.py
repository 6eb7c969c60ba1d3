"""Issue 14, through the screen-reader view (AT-SPI) with only keystrokes: an investigator raises the
Investigations dock (Ctrl+Alt+V) and reads the list and the chosen investigation's timeline from their tables,
opens a new investigation (Ctrl+Alt+N) whose type is refused beside the field until chosen, hears the new row,
and opens the full view (Ctrl+Alt+W). Controls are found only by what a screen reader is told."""

from __future__ import annotations

import uuid

import pytest

from tests.a11y.atspi.harness import poll
from tests.a11y.conftest import signed_in_as, table_rows

pytestmark = pytest.mark.slow

LIST = {"name": "Investigations", "role": "table"}
TIMELINE = {"name": "Investigation timeline", "role": "table"}


@pytest.fixture(scope="module")
def investigator(bridewell):
    return signed_in_as(bridewell, "investigator")



def test_an_investigator_opens_an_investigation_by_keyboard_and_reads_it_back(investigator):
    c = investigator
    c.focus_window("Bridewell")
    c.key("ctrl+alt+v")
    table = poll(lambda: (t := c.table(**LIST))["n_rows"] >= 1 and t, timeout=30, what="the investigations listed")
    assert {"Reference", "Title", "Officer in the case", "Open actions"} <= set(table["headers"])
    rows = table_rows(table)
    assert all(r["Reference"].startswith("Investigation INV-") for r in rows), rows  # spoken, not just shown
    timeline = poll(lambda: (t := c.table(**TIMELINE))["n_rows"] >= 1 and t, timeout=30, what="the timeline")
    assert {"When", "What", "Detail", "By"} <= set(timeline["headers"])
    assert table_rows(timeline)[0]["What"] == "Opened" and table_rows(timeline)[0]["By"].startswith("By ")

    c.key("ctrl+alt+n")
    c.wait(role="dialog", name="New investigation", showing=True, timeout=20)
    c.focus_window("New investigation")
    title = f"Theft of outboard motor {uuid.uuid4().hex[:4]}"
    c.focus_field_and_type(title, name="Title", within_name="New investigation")
    within = {"within_id": "investigationDialog", "showing": True}
    assert c.press(action="Press", name="Save", role="push button", **within)["ok"]
    c.wait(name_re="Choose the type of investigation", role="label", showing=True, timeout=10)
    kind = c.wait_focused(name="Type", role="combo box", **within)
    assert "type of investigation" in kind["description"], kind
    c.key("Down")
    assert c.press(action="Press", name="Save", role="push button", **within)["ok"]
    c.wait_gone(role="dialog", name="New investigation", showing=True, timeout=20)

    def created():
        return next((r for r in table_rows(c.table(**LIST)) if r["Title"] == title), None)

    row = poll(created, timeout=20, what="the new investigation in the list")
    assert row["Status"] == "Status: open", row

    c.focus_window("Bridewell")
    c.key("ctrl+alt+w")
    full = c.wait(role="table", name="Investigations", within_id="investigationsWindow", showing=True, timeout=20)
    assert full, "the full view's list"
