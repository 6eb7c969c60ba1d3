"""Issue 6: record a cell check in the Detainee log dock with only the keyboard, and hear it read back.

Controls are found only by their accessible names and ids (an unnamed control could not be driven), keys
go through xdotool, the Save button is pressed through its AT-SPI action, and the result is read from the
log table through queryTable(), after the round trip outbox -> server -> model.
"""

import re
import uuid

import pytest

from tests.a11y.atspi.harness import poll

pytestmark = pytest.mark.slow

BOARD = {"id": "custodyBoard", "role": "table"}
LOG_TABLE = {"name": "Detainee log entries", "role": "table"}


def test_a_cell_check_typed_in_the_detainee_log_is_read_back_from_the_log_table(signed_in):
    c = signed_in
    board = poll(lambda: (t := c.table(**BOARD))["n_rows"] >= 3 and t, what="three detainees on the board")

    # Choose the third detainee: Alt+0 (View > Custody board) puts focus on the board, then arrow keys.
    c.focus_window()
    c.key("alt+0")
    c.wait_focused(**BOARD)
    c.key("ctrl+Home", "Down", "Down")
    poll(lambda: c.table(max_rows=3, **BOARD)["selected_rows"] == [2], what="row 3 of the board selected")
    person = board["rows"][2][board["headers"].index("Name")]["name"]
    heading = c.wait(id="logHeading", name_re=re.escape(person), timeout=10)[0]
    assert heading["name"].startswith("Log for ")
    before = poll(lambda: c.table(**LOG_TABLE), what="the log table")

    # Kind: type-ahead in the combo box picks "Cell check"; then the text, typed key by key.
    # (Qt names a combo box by its current item, with the "Kind:" label as its labelled-by relation, so it
    # is found by its accessibility id.)
    kind = {"id": "logKindCombo", "role": "combo box"}
    # Reach it as a keyboard user does, by its label's mnemonic (Alt+K for "&Kind:"). Qt puts no "focused"
    # state on a combo box itself, so the result is what is checked.
    c.focus(name="Entry text", focusable=True, within_id="detaineeLogDock")
    c.wait_focused(name="Entry text", focusable=True, within_id="detaineeLogDock")
    c.key("alt+k")
    c.type("c")
    poll(lambda: c.find(**kind)["name"] == "Cell check", what='"Cell check" chosen in Kind')
    text = f"Cell check {uuid.uuid4().hex[:8]}: awake, sitting up, asked for water."
    field = c.focus_field_and_type(text, name="Entry text", within_id="detaineeLogDock")
    assert field["text"] == text, field

    pressed = c.press(action="Press", name="Save entry", role="push button", within_id="detaineeLogDock")
    assert pressed["ok"], pressed

    def saved_row():
        table = c.table(**LOG_TABLE)
        headers = table["headers"]
        for row in table["rows"]:
            cells = {h: cell["name"] for h, cell in zip(headers, row)}
            if cells.get("Text") == text and cells.get("State") == "Saved":
                return cells
        return None

    row = poll(saved_row, timeout=30, what="the new entry, saved, in the log table")
    assert row["Kind"] == "Cell check"
    assert row["Author"], row
    assert row["Observed"] and row["Recorded"], row
    after = c.table(**LOG_TABLE)
    assert after["n_rows"] == before["n_rows"] + 1
    # the form is ready for the next entry, and the field says so to a screen reader
    assert not c.text(name="Entry text", focusable=True, within_id="detaineeLogDock")
