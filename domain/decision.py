"""Results that rule checks return instead of raising: a yes/no with a plain-English reason, and field errors.

Rule breaks are expected user situations (an extension asked for too early, a PNC ID mistyped), so the
functions in `domain/` report them as values the client shows beside the field and the server returns as
422 problem+json `errors`.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


ALLOWED = Decision(True)


def refuse(reason: str) -> Decision:
    return Decision(False, reason)


@dataclass(frozen=True)
class FieldError:
    """`field` is the body field name as the API uses it (dotted for nested)."""

    field: str
    message: str


def require_aware(value: datetime, field: str) -> FieldError | None:
    """Naive datetimes are ambiguous (local or UTC?) and break elapsed-time arithmetic, so refuse them."""
    if value.tzinfo is None or value.utcoffset() is None:
        return FieldError(field, "Give the time with its time zone (UTC offset); a time without one is ambiguous.")
    return None
