"""An in-memory keyring for tests (PYTHON_KEYRING_BACKEND=tests.support.memory_keyring.MemoryKeyring).

It says it is secure so the client's secure-backend check accepts it, as it would a Secret Service.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 10
    secure = True
    _store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        MemoryKeyring._store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return MemoryKeyring._store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        try:
            del MemoryKeyring._store[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None

    @classmethod
    def clear(cls) -> None:
        cls._store.clear()
