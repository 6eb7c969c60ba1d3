"""Argon2 password hashing, and the password policy (length, not a common password)."""

import string
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.passwords import (ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST, MIN_LENGTH,
                              TOO_SHORT)

_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)


# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
# Computed on first use, not at import: a hash is ~0.15 s and most imports (the CLI, the client) never need it.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:  # two threads at once would both hash: harmless, either result verifies
        _DUMMY_HASH = _hasher.hash("not-a-real-password")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _common() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password may not be chosen, or None. A common password stays common with digits or symbols
    added at either end, repeated, or with the user name around it."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    lowered = password.lower()
    trim = string.digits + string.punctuation + " "
    cores = {lowered, lowered.strip(trim)}
    if username and username.lower() in lowered:
        cores.add(lowered.replace(username.lower(), "").strip(trim))
    for core in list(cores):
        for size in range(1, len(core) // 2 + 1):  # "qwertyqwerty" is "qwerty" twice
            if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
                cores.add(core[:size])
                break
    if "" in cores or any(core in _common() for core in cores):
        return ("That password is too easy to guess (on the list of common passwords, or made of your user name "
                "or one character); choose another.")
    return None
