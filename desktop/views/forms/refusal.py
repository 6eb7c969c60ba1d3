"""The one wording of a write that did not go through: refused by the server, changed meanwhile (412), not
allowed (403), or waiting because the server cannot be reached. Every dialog and panel that saves says it
these ways, so a user hears the same words for the same thing wherever they are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.sync.client import ApiError, ServerUnreachable

# Writes go through the outbox: offline they wait on this computer and are sent when the server returns.
OFFLINE = ("Waiting to send: the server cannot be reached. The change is kept on this computer and will be sent "
           "when the connection returns; you may close this window.")
NO_STORE = "there is no local store on this computer, so nothing can be saved"


def conflict_text(noun: str = "record") -> str:
    """A versioned write refused with 412 (or 409 with the current copy): what the user typed is kept."""
    return (f"Someone else changed this {noun} meanwhile; it has been reloaded with their change. "
            "Check it and try again.")


VERBS = {"qa": "quality-checked"}


def _person(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("display_name") or value.get("name") or "")
    return ""


def _when(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone().strftime("%H:%M on %d/%m/%Y")
    except ValueError:
        return ""


def last_change(current: dict[str, Any]) -> tuple[str, str, str] | None:
    """(who, what they did, when) of the latest change a record's current copy shows: its history's last step,
    or the latest of its '<verb>_by' / '<verb>_at' pairs (reviewed_by, qa_by, ...). None when it shows nobody."""
    found: list[tuple[str, str, str, str]] = []  # (at, who, what, when)
    for step in current.get("history") or []:
        if isinstance(step, dict) and _person(step.get("by")) and step.get("at"):
            what = str(step.get("to_status") or step.get("event") or "changed it").replace("_", " ")
            found.append((str(step["at"]), _person(step["by"]), f"made it {what}", _when(step["at"])))
    for key, value in current.items():
        if key.endswith("_by") and _person(value):
            verb = key.removesuffix("_by")
            at = current.get(f"{verb}_at")
            if at:
                said = VERBS.get(verb, verb.replace("_", " "))  # the '<verb>_by' names are past tenses but one
                found.append((str(at), _person(value), f"{said} it", _when(at)))
    if not found:
        return None
    _at, who, what, when = max(found)
    return who, what, when


def conflict_words(error: BaseException, noun: str = "record") -> str:
    """A 412 said for a place with no form to compare in (a panel's button, a change queued earlier): what
    changed, by whom, and what to do. Without the server's current copy: `conflict_text`."""
    current = error.current if isinstance(error, ApiError) else None
    if not current:
        return conflict_text(noun)
    who = last_change(current)
    by = f": {who[0]} {who[1]}" + (f" at {who[2]}" if who[2] else "") if who else ""
    state = current.get("status_title") or current.get("status")
    now = [f"it is now {str(state).replace('_', ' ')}"] if state else []
    if current.get("version") is not None:
        now.append(f"version {current['version']}")
    now_text = f" ({', '.join(now)})" if now else ""
    return (f"Someone else changed this {noun} meanwhile{by}{now_text}. Your change was not applied and theirs was "
            "not overwritten. Check the current version and, if yours still applies, make it again. Yours is "
            "kept in File, Unsent changes (Ctrl+Alt+O) until you resend or discard it.")


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
    """The refusal as one sentence, for a place with no fields (a panel's status line, an announcement). A 412
    says what changed, by whom and what to do (`conflict_words`): there is no form to compare it in."""
    if is_conflict(error):
        return conflict_words(error, noun)
    problems = refusal_problems(error, noun)
    if any(field for field, _message in problems):
        return "Not saved: " + " ".join(message for _field, message in problems)
    return " ".join(message for _field, message in problems)
