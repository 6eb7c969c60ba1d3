"""Types shared by the API schemas."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, PlainSerializer


def _iso_utc(value: datetime) -> str:
    # The contract writes UTC as "+00:00", not pydantic's default "Z".
    return value.astimezone(UTC).isoformat()


UTCOut = Annotated[datetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it as a field error rather than fail at the database.
    if "\x00" in value:
        raise ValueError("Remove the NUL character (\\0): it cannot be stored.")
    return value


CleanStr = Annotated[str, AfterValidator(_no_nul)]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _plausible_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("This date is out of range.") from None
    if utc < EARLIEST:
        raise ValueError("This date is before 2000; check the year.")
    return utc


UTCIn = Annotated[AwareDatetime, AfterValidator(_plausible_utc)]
