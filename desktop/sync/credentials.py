"""Remember-me tokens in the OS keyring, and only in a secure one.

keyring falls back to its `fail` backend headless, and with keyrings.alt installed to a plaintext file. A
session token in a plain file on a shared custody workstation is worse than typing the password, so those
backends are refused and the caller is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keyring is imported on first use, on a worker: the sign-in dialog must not wait for it
    from keyring.backend import KeyringBackend

SERVICE = "bridewell"

# Backends that write the secret somewhere readable, or store nothing at all.
_INSECURE_MODULE_PREFIXES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")
_INSECURE_NAME_PARTS = ("plaintext", "uncrypted", "file")


@dataclass(frozen=True)
class BackendCheck:
    secure: bool
    name: str
    reason: str  # why it was refused; empty when secure


def _backend_name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _one_is_secure(backend: KeyringBackend) -> tuple[bool, str]:
    name = _backend_name(backend)
    declared = getattr(backend, "secure", None)
    if declared is False:
        return False, f"{name} says it is not secure"
    if type(backend).__module__.startswith(_INSECURE_MODULE_PREFIXES):
        return False, f"{name} does not keep secrets safely"
    if declared is not True and any(part in type(backend).__name__.lower() for part in _INSECURE_NAME_PARTS):
        return False, f"{name} stores secrets in a file"
    try:
        if backend.priority <= 0:
            return False, f"{name} is not usable here"
    except Exception as exc:  # noqa: BLE001 - a backend's priority check may raise anything
        return False, f"{name} is not usable here ({exc})"
    return True, ""


def check_backend(backend: KeyringBackend | None = None) -> BackendCheck:
    """Is there a secure keyring? Looks inside chainers: one secure member is enough."""
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    name = _backend_name(backend)
    members = getattr(backend, "backends", None)
    if members is not None:  # keyring.backends.chainer.ChainerBackend
        reasons = []
        for member in members:
            ok, why = _one_is_secure(member)
            if ok:
                return BackendCheck(True, f"{name} via {_backend_name(member)}", "")
            reasons.append(why)
        return BackendCheck(False, name, "; ".join(reasons) or "no keyring backends are available")
    ok, why = _one_is_secure(backend)
    return BackendCheck(ok, name, why)


NO_SECURE_KEYRING = (
    "This computer has no secure password store (keyring), so Bridewell cannot remember your sign-in. "
    "You will be asked for your password each time."
)


class Credentials:
    """Stores one token per (server, user key). Every method does I/O: call from a worker."""

    def __init__(self, backend: KeyringBackend | None = None):
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def check(self) -> BackendCheck:
        return check_backend(self.backend)

    def save_token(self, server_key: str, username: str, token: str) -> BackendCheck:
        """Store the token if the backend is secure; returns the check so the caller can say why not."""
        from keyring.errors import KeyringError

        result = self.check()
        if not result.secure:
            return result
        try:
            self.backend.set_password(SERVICE, f"{server_key}|token", token)
            self.backend.set_password(SERVICE, f"{server_key}|username", username)
        except KeyringError as exc:
            return BackendCheck(False, result.name, f"the keyring refused to store it: {exc}")
        return result

    def load(self, server_key: str) -> tuple[str, str] | None:
        """(username, token) remembered for this server, or None."""
        from keyring.errors import KeyringError

        if not self.check().secure:
            return None
        try:
            token = self.backend.get_password(SERVICE, f"{server_key}|token")
            username = self.backend.get_password(SERVICE, f"{server_key}|username")
        except KeyringError:
            return None
        if token and username:
            return username, token
        return None

    def forget(self, server_key: str) -> None:
        from keyring.errors import KeyringError

        if not self.check().secure:
            return
        for suffix in ("token", "username"):
            try:
                self.backend.delete_password(SERVICE, f"{server_key}|{suffix}")
            except KeyringError:
                pass  # nothing stored: nothing to forget
