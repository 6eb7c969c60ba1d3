"""Types shared by the API schemas."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer


def _iso_utc(value: datetime) -> str:
    # The contract writes UTC as "+00:00", not pydantic's default "Z".
    return value.astimezone(UTC).isoformat()


UTCOut = Annotated[datetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]
