"""Sign-in: errors beside the right field with focus there and nothing typed lost; Remember me; stored tokens."""

from __future__ import annotations

import socket

import pytest
from keyring.backends import fail

from desktop.announcer import announcer
from desktop.sync.client import ApiClient, ApiError
from desktop.sync.credentials import NO_SECURE_KEYRING, Credentials
from desktop.app import Startup, parse_args
from desktop.views.shell.login_dialog import LoginDialog


@pytest.fixture
def dialog_for(qtbot, ops):
    made = []

    def make(url: str, credentials: Credentials | None = None, **kwargs) -> LoginDialog:
        dialog = LoginDialog(ops, credentials or Credentials(), url, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        if dialog.client is not None:
            dialog.client.close()


def fill(dialog: LoginDialog, username: str, password: str) -> None:
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_wrong_password_is_shown_beside_the_password_field(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    fill(dialog, "sergeant", "not-the-password")
    with qtbot.waitSignal(announcer().announced, check_params_cb=lambda text, assertive: assertive, timeout=10_000):
        dialog.sign_in_button.click()
    assert dialog.password_error.isVisible()
    assert "password is wrong" in dialog.password_error.text()
    assert dialog.focusWidget() is dialog.password_edit
    assert "password is wrong" in dialog.password_edit.accessibleDescription()
    assert not dialog.server_error.isVisible()
    # Nothing typed is lost.
    assert dialog.username_edit.text() == "sergeant"
    assert dialog.password_edit.text() == "not-the-password"
    assert dialog.server_edit.text() == demo_server.url
    assert dialog.result() == 0 and dialog.isVisible()


def test_unreachable_server_is_shown_beside_the_address(qtbot, dialog_for):
    url = f"http://127.0.0.1:{free_port()}"
    dialog = dialog_for(url)
    fill(dialog, "sergeant", "bridewell-demo")
    dialog.sign_in_button.click()
    assert dialog.busy  # the request is on a worker: the GUI thread carries on
    qtbot.waitUntil(dialog.server_error.isVisible, timeout=10_000)
    assert "Cannot reach the server" in dialog.server_error.text()
    assert dialog.focusWidget() is dialog.server_edit
    assert dialog.password_edit.text() == "bridewell-demo"
    assert dialog.username_edit.text() == "sergeant"


@pytest.mark.parametrize("address", ["localhost:8000", "htp//custody", ""])
def test_malformed_address_is_refused_before_any_request(qtbot, dialog_for, address):
    dialog = dialog_for(address)
    fill(dialog, "sergeant", "bridewell-demo")
    dialog.sign_in_button.click()
    assert dialog.server_error.isVisible() and not dialog.busy
    assert "http://" in dialog.server_error.text() or "Enter the server address" in dialog.server_error.text()
    assert dialog.focusWidget() is dialog.server_edit
    assert dialog.server_edit.text() == address and dialog.password_edit.text() == "bridewell-demo"


def test_empty_user_name_is_refused_beside_the_field(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    fill(dialog, "", "bridewell-demo")
    dialog.sign_in_button.click()
    assert dialog.username_error.isVisible()
    assert dialog.focusWidget() is dialog.username_edit


def test_sign_in_with_remember_me_stores_the_token(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url, server_key="embedded:/data")
    qtbot.waitUntil(lambda: dialog.keyring_secure is True, timeout=5000)
    assert dialog.remember_check.isEnabled()
    fill(dialog, "sergeant", "bridewell-demo")
    dialog.remember_check.setChecked(True)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signal:
        dialog.sign_in_button.click()
    client, result = signal.args
    assert result["user"]["username"] == "sergeant"
    assert Credentials().load("embedded:/data") == ("sergeant", result["token"])


def test_without_remember_me_nothing_is_stored(qtbot, dialog_for, demo_server):
    dialog = dialog_for(demo_server.url)
    fill(dialog, "sergeant", "bridewell-demo")
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        dialog.sign_in_button.click()
    assert Credentials().load(demo_server.url) is None


def test_no_secure_keyring_is_said_in_the_dialog(qtbot, dialog_for, demo_server):
    with qtbot.waitSignal(announcer().announced, check_params_cb=lambda text, _a: text == NO_SECURE_KEYRING,
                          timeout=5000):
        dialog = dialog_for(demo_server.url, Credentials(fail.Keyring()))
    assert not dialog.remember_check.isEnabled() and not dialog.remember_check.isChecked()
    assert dialog.keyring_note.isVisible()
    assert "no secure password store" in dialog.keyring_note.text()
    assert dialog.remember_check.accessibleDescription() == NO_SECURE_KEYRING


def _startup(tmp_path, url):
    from PySide6.QtWidgets import QApplication

    return Startup(QApplication.instance(), parse_args(["--server", url, "--data-dir", str(tmp_path)]))


def test_a_valid_stored_token_skips_the_password(qtbot, tmp_path, demo_server):
    client = ApiClient(demo_server.url)
    token = client.login("sergeant", "bridewell-demo")["token"]
    client.close()
    Credentials().save_token(demo_server.url, "sergeant", token)
    startup = _startup(tmp_path, demo_server.url)
    prepared = startup._prepare()
    try:
        assert prepared.user["username"] == "sergeant"
        assert prepared.client is not None and prepared.client.token == token
    finally:
        prepared.client.close()
        prepared.store.close()
        startup.ops.shutdown()


def test_an_expired_token_asks_for_the_password_beside_the_field(qtbot, tmp_path, demo_server):
    Credentials().save_token(demo_server.url, "sergeant", "a-token-the-server-never-issued")
    startup = _startup(tmp_path, demo_server.url)
    prepared = startup._prepare()
    try:
        assert prepared.token_expired and prepared.client is None
        assert Credentials().load(demo_server.url) is None  # forgotten, not retried every start
        startup.prepared = prepared
        startup._ask_sign_in()
        dialog = startup.dialog
        dialog.rejected.disconnect()  # closing it at teardown must not quit the test's QApplication
        qtbot.addWidget(dialog)
        assert dialog.username_edit.text() == "sergeant"
        assert dialog.password_error.isVisible() and "expired" in dialog.password_error.text()
    finally:
        prepared.store.close()
        startup.ops.shutdown()


def test_too_many_failures_are_shown_with_the_wait(qtbot, dialog_for, demo_server):
    """429 from the throttle: said beside the password, with how long to wait, read out, focus there."""
    from datetime import timedelta

    from sqlalchemy import update

    from server.auth.throttle import SignInThrottle
    from server.db import make_engine, utcnow

    api = ApiClient(demo_server.url)
    try:
        for n in range(6):  # a user name of its own, so the lock-out touches no other test
            with pytest.raises(ApiError) as failed:
                api.login("throttle-check", f"wrong {n}")
            assert failed.value.status == 401
    finally:
        api.close()
    engine = make_engine(demo_server.database_url)
    try:  # the sixth failure locked the name for a second: as if it had been the tenth, for a few minutes
        with engine.begin() as conn:
            conn.execute(update(SignInThrottle).where(SignInThrottle.key == "user:throttle-check")
                         .values(locked_until=utcnow() + timedelta(minutes=3)))
    finally:
        engine.dispose()
    dialog = dialog_for(demo_server.url)
    fill(dialog, "throttle-check", "the right one, perhaps")
    with qtbot.waitSignal(announcer().announced, check_params_cb=lambda text, assertive: assertive, timeout=10_000):
        dialog.sign_in_button.click()
    assert dialog.password_error.isVisible()
    assert "Sign-in is paused after too many wrong passwords" in dialog.password_error.text()
    assert "Try again in 3 minutes" in dialog.password_error.text()
    assert dialog.focusWidget() is dialog.password_edit
