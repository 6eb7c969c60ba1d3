"""What text a record may hold: no lone surrogates (half of a UTF-16 pair, from a bad paste: it cannot be stored
as UTF-8) and no control characters other than tab and new line. The server refuses such text with a field
error (server/wire.py), and the client says so beside the field before sending it (Unsent changes)."""

from __future__ import annotations

import re

BAD_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, in words for the person who typed it, or None."""
    match = BAD_CHAR.search(value)
    if match is None:
        return None
    char = match.group()
    if char == "\x00":
        return "Remove the NUL character (\\0): it cannot be stored."
    if "\ud800" <= char <= "\udfff":
        return (f"This text holds a broken character (a lone surrogate, U+{ord(char):04X}), usually from a bad "
                "paste: retype that part.")
    return f"Remove the control character U+{ord(char):04X}: only tab and new line are allowed in text."
