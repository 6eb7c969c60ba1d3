"""Issue 15, through the screen-reader view (AT-SPI) with only keystrokes: an inspector opens the force view
(Ctrl+Alt+F), hears every suite's state in words from the Suites of the force table, drills down into a suite with
Enter and reads its detainees, and finds the review queue. Controls are found only by what a screen reader is
told."""

from __future__ import annotations

import pytest

from tests.a11y.atspi.harness import poll
from tests.a11y.conftest import signed_in_as, table_rows

pytestmark = pytest.mark.slow

SUITES_TABLE = {"name": "Suites of the force", "role": "table"}
DETAINEES_TABLE = {"name": "Detainees of the chosen suite", "role": "table"}
QUEUE_TABLE = {"name": "Reviews due across the suites covered", "role": "table"}


@pytest.fixture(scope="module")
def inspector(bridewell):
    return signed_in_as(bridewell, "inspector")



def test_an_inspector_reads_the_force_and_drills_into_a_suite_by_keyboard(inspector):
    c = inspector
    c.focus_window()
    c.key("ctrl+alt+f")
    table = poll(lambda: (t := c.table(**SUITES_TABLE))["n_rows"] >= 3 and t, timeout=30,
                 what="the demo's three suites in the force view")
    assert {"Suite", "Detained", "Free places", "Checks overdue", "Reviews overdue", "Near limit",
            "Appropriate adult awaited", "State"} <= set(table["headers"])
    rows = table_rows(table)
    # Each suite's state is said in words: the first cell is the whole state, the others name their figure.
    assert all("detained" in r["Suite"] and "places free" in r["Suite"] for r in rows), rows
    assert all(r["State"] == "Nothing overdue" or r["State"].startswith("Attention: ") or r["State"] for r in rows)
    busy = next(n for n, r in enumerate(rows) if not r["Detained"].startswith("0 "))
    c.wait_focused(**SUITES_TABLE)
    for _ in range(busy):
        c.key("Down")
    c.key("Return")
    detainees = poll(lambda: (t := c.table(**DETAINEES_TABLE))["n_rows"] > 0 and t, timeout=20,
                     what="the chosen suite's detainees")
    assert {"Cell", "Detainee", "Next check", "Next review", "Detention limit"} <= set(detainees["headers"])
    assert all(r["Detainee"].startswith("Detainee ") for r in table_rows(detainees))
    queue = c.table(**QUEUE_TABLE)
    assert {"Due", "Detainee", "Suite"} <= set(queue["headers"])
    c.find(name="Force view: summary")
