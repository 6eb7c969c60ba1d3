"""Remember me: tokens only in secure keyrings; the fail, null and plaintext backends are refused."""

from __future__ import annotations

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from desktop.sync.credentials import Credentials, check_backend
from tests.support.memory_keyring import MemoryKeyring


class PlaintextKeyring(KeyringBackend):
    """Shaped like keyrings.alt.file.PlaintextKeyring: works, but writes secrets to a readable file."""

    priority = 0.5
    stored: dict = {}

    def set_password(self, service, username, password):
        self.stored[(service, username)] = password

    def get_password(self, service, username):
        return self.stored.get((service, username))

    def delete_password(self, service, username):
        self.stored.pop((service, username), None)


def test_the_pinned_test_backend_is_the_memory_keyring():
    assert isinstance(keyring.get_keyring(), MemoryKeyring)


def test_fail_backend_is_refused_and_nothing_is_stored():
    creds = Credentials(fail.Keyring())
    check = creds.check()
    assert not check.secure and "fail" in check.reason
    result = creds.save_token("http://srv", "sergeant", "tok")
    assert not result.secure
    assert creds.load("http://srv") is None


def test_plaintext_backend_is_refused_and_nothing_is_written():
    backend = PlaintextKeyring()
    creds = Credentials(backend)
    assert not creds.check().secure
    creds.save_token("http://srv", "sergeant", "secret-token")
    assert backend.stored == {}


def test_chainer_with_only_insecure_members_is_refused():
    class OnlyInsecure(chainer.ChainerBackend):
        @property
        def backends(self):
            return [fail.Keyring(), PlaintextKeyring()]

    check = check_backend(OnlyInsecure())
    assert not check.secure
    assert "fail" in check.reason and "file" in check.reason


def test_chainer_with_a_secure_member_is_accepted():
    class WithMemory(chainer.ChainerBackend):
        @property
        def backends(self):
            return [PlaintextKeyring(), MemoryKeyring()]

    assert check_backend(WithMemory()).secure


def test_memory_backend_stores_loads_and_forgets():
    creds = Credentials()
    assert creds.check().secure
    assert creds.save_token("http://srv", "sergeant", "tok-1").secure
    assert creds.load("http://srv") == ("sergeant", "tok-1")
    assert creds.load("http://other") is None
    creds.forget("http://srv")
    assert creds.load("http://srv") is None
