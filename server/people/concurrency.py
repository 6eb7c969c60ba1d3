"""If-Match / version checks shared by the people, investigations and intelligence services."""

from __future__ import annotations

from typing import Any

from server.errors import ProblemError


def check_if_match(if_match: str | None, version: int, current: Any) -> None:
    """428 without If-Match; 412 with the server copy when the client edited an older version."""
    if if_match is None or not if_match.strip():
        raise ProblemError(428, "Send If-Match with the version you edited, so a change made meanwhile by "
                                "someone else is not overwritten.")
    given = if_match.strip().strip('"').removeprefix("W/").strip('"')
    if given != str(version):
        raise ProblemError(412, f"Someone changed this since you opened it (you edited version {given[:20]}, "
                                f"it is now version {version}). Reload, check, and make your change again.",
                           current=current.model_dump(mode="json") if hasattr(current, "model_dump") else current)
