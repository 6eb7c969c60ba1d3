"""Signing in through the dialog with only keystrokes and the screen-reader view (AT-SPI)."""

import pytest

from tests.a11y.atspi.harness import DriverFailed
from tests.a11y.conftest import sign_in

pytestmark = pytest.mark.slow


def test_sign_in_dialog_fields_are_named_and_focus_starts_in_a_field(bridewell):
    dialog = bridewell.find(role="dialog", showing=True)
    assert dialog["name"].startswith("Sign in"), dialog
    for name in ("Server address", "User name", "Password"):
        field = bridewell.find(name=name, focusable=True)
        assert field["role"] in ("text", "password text"), field
        assert "editable" in field["states"], field
    remember = bridewell.find(name_re="^Remember me", role="check box")
    assert "focusable" in remember["states"]
    sign_in_button = bridewell.find(name="Sign in", role="push button")
    assert "Press" in sign_in_button["actions"]
    focused = bridewell.find_all(focusable=True, showing=True)
    assert [n["name"] for n in focused if "focused" in n["states"]], "nothing in the sign-in dialog has focus"


def test_wrong_password_is_reported_beside_the_field_and_keeps_the_dialog(bridewell):
    sign_in(bridewell, password="not-the-password")
    try:
        # the message is a label a screen reader reads, next to the field; the dialog stays open
        bridewell.wait(name_re="user name or password is wrong", role="label", showing=True, timeout=20)
    except DriverFailed:
        pytest.fail(f"no spoken error after a wrong password:\n{bridewell.output()[-2000:]}")
    # focus goes back to the field, whose description now carries the message for the screen reader
    password = bridewell.wait_focused(name="Password", focusable=True)
    assert "showing" in password["states"], "the sign-in dialog closed after a wrong password"
    assert "wrong" in password["description"], password


def test_sign_in_with_keystrokes_opens_the_main_window(signed_in):
    frame = signed_in.find(role="frame", name="Bridewell")
    assert "showing" in frame["states"]
    signed_in.wait_gone(role="password text", showing=True, timeout=10)
