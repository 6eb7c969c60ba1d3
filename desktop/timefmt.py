"""Times on the wire are UTC; people read Europe/London local time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def parse_utc(text: str | None) -> datetime | None:
    """An ISO 8601 string from the API as an aware UTC datetime (None stays None)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:  # the contract says offsets are always sent; be forgiving
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_wire(value: datetime) -> str:
    """An aware datetime as the ISO 8601 UTC string the API expects."""
    return value.astimezone(timezone.utc).isoformat()


def local(value: datetime) -> datetime:
    return value.astimezone(LONDON)


def format_local(value: datetime | str | None, *, seconds: bool = False) -> str:
    """'21/11/2026 10:20 GMT' — day first, with the zone name so BST/GMT is never ambiguous."""
    if isinstance(value, str):
        value = parse_utc(value)
    if value is None:
        return ""
    pattern = "%d/%m/%Y %H:%M:%S %Z" if seconds else "%d/%m/%Y %H:%M %Z"
    return local(value).strftime(pattern)


def format_short(value: datetime | str | None) -> str:
    """'21/11 10:20' for table cells; the header says the times are UK local."""
    if isinstance(value, str):
        value = parse_utc(value)
    return "" if value is None else local(value).strftime("%d/%m %H:%M")


def format_elapsed(delta: timedelta) -> str:
    """Elapsed time as H:MM:SS (hours can exceed 24); real time, so clock changes do not matter."""
    total = max(0, int(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def spoken_elapsed(delta: timedelta) -> str:
    """The same duration in words for screen readers: '5 hours 3 minutes'."""
    total = max(0, int(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes = rest // 60
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
