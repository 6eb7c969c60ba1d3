"""The one wording of a write that did not go through: refused by the server, changed meanwhile (412), not
allowed (403), or waiting because the server cannot be reached. Every dialog and panel that saves says it
these ways, so a user hears the same words for the same thing wherever they are."""

from __future__ import annotations

from desktop.sync.client import ApiError, ServerUnreachable

# Writes go through the outbox: offline they wait on this computer and are sent when the server returns.
OFFLINE = ("Waiting to send: the server cannot be reached. The change is kept on this computer and will be sent "
           "when the connection returns; you may close this window.")
NO_STORE = "there is no local store on this computer, so nothing can be saved"


def conflict_text(noun: str = "record") -> str:
    """A versioned write refused with 412 (or 409 with the current copy): what the user typed is kept."""
    return (f"Someone else changed this {noun} meanwhile; it has been reloaded with their change. "
            "Check it and try again.")


def is_conflict(error: BaseException) -> bool:
    return isinstance(error, ApiError) and error.status == 412


def refusal_problems(error: BaseException, noun: str = "record") -> list[tuple[str, str]]:
    """(server field name or "", message) pairs. Field messages go beside their fields as the server wrote
    them (the field's label says "Problem:"); the rest get one of three prefixes."""
    if isinstance(error, ServerUnreachable):  # only from a direct send; the outbox waits instead
        return [("", OFFLINE)]
    if isinstance(error, ApiError):
        if error.status == 412:
            return [("", conflict_text(noun))]
        if error.field_errors:
            return list(error.field_errors.items())
        if error.status == 403:
            return [("", f"Not allowed: {error}")]
    return [("", f"Not saved: {error}")]


def refusal_text(error: BaseException, noun: str = "record") -> str:
    """The refusal as one sentence, for a place with no fields (a panel's status line, an announcement)."""
    problems = refusal_problems(error, noun)
    if any(field for field, _message in problems):
        return "Not saved: " + " ".join(message for _field, message in problems)
    return " ".join(message for _field, message in problems)
