"""Issue 12, through the screen-reader view (AT-SPI) with only keystrokes: a supervisor finds a person (Ctrl+F),
opens them, opens the subject access export (Ctrl+F3), hears the missing request reference beside its field,
types it, chooses where to save, and hears where the PDF and the JSON were saved and what was withheld. Controls
are found only by what a screen reader is told; the files are then read from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.a11y.atspi.harness import poll
from tests.a11y.conftest import signed_in_as

pytestmark = pytest.mark.slow

SURNAME = "Abernethy-Vole"  # a fictional demo detainee (server/demo.py)
TITLE = "Subject access export: ABERNETHY-VOLE, Cosmo James"


@pytest.fixture(scope="module")
def supervisor(bridewell):
    return signed_in_as(bridewell, "supervisor")


def test_a_supervisor_exports_everything_held_on_a_person_with_the_keyboard(supervisor, tmp_path):
    c = supervisor
    c.focus_window("Bridewell")
    c.key("ctrl+f")
    c.wait(role="dialog", name="Find person", showing=True, timeout=15)
    c.focus_window("Find person")
    c.focus_field_and_type(SURNAME, name="Name", within_name="Find person")
    c.key("Return")  # searches and moves to the results
    poll(lambda: any(SURNAME.upper() in (cell.get("name") or "").upper()
                     for row in c.table(role="table", within_name="Find person")["rows"] for cell in row),
         timeout=20, what="the person in the search results")
    c.key("Return")  # opens the selected result and closes the search
    c.wait_gone(role="dialog", name="Find person", showing=True, timeout=15)

    c.focus_window("Bridewell")
    c.key("ctrl+F3")
    c.wait(role="dialog", name=TITLE, showing=True, timeout=15)
    c.focus_window(TITLE)
    within = {"within_name": TITLE, "showing": True}
    reference = c.find(name="Request reference", role="text", **within)
    assert "reference" in reference["description"].lower() and "focusable" in reference["states"], reference

    # Export without a reference: the problem is said beside the field, and the focus goes back to it.
    assert c.press(action="Press", name="Export…", role="push button", **within)["ok"]
    c.wait(name_re="Give the request's reference", role="label", showing=True, timeout=10)
    reference = c.wait_focused(name="Request reference", role="text", **within)
    assert "Give the request's reference" in reference["description"], reference

    c.type("SAR-2026-0042")
    assert c.press(action="Press", name="Export…", role="push button", **within)["ok"]
    c.wait(role="dialog", name="Save the subject access export", showing=True, timeout=15)
    c.focus_window("Save the subject access export")
    target = tmp_path / "sar-abernethy.pdf"
    c.wait_focused(role="text", within_name="Save the subject access export", timeout=10)  # its file name
    c.key("ctrl+a")
    c.type(str(target))
    c.key("Return")
    c.wait_gone(role="dialog", name="Save the subject access export", showing=True, timeout=15)

    status = c.wait(name_re="Subject access export saved", showing=True, timeout=60)[0]
    assert str(target) in status["name"] and str(target.with_suffix(".json")) in status["name"], status
    assert "withheld" in status["name"].lower(), status  # what was left out is said, not only shown
    pdf, data = Path(target), target.with_suffix(".json")
    assert pdf.read_bytes().startswith(b"%PDF")
    exported = json.loads(data.read_text(encoding="utf-8"))
    assert exported["request_reference"] == "SAR-2026-0042"
    assert SURNAME.upper() in exported["person_name"].upper() and exported["sections"]
    c.key("Escape")
    c.wait_gone(role="dialog", name=TITLE, showing=True, timeout=10)
