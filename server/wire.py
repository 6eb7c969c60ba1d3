"""Types shared by the API schemas."""

import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer, Strict, WithJsonSchema


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

NOT_BLANK = r"\S"
"""json_schema_extra={"pattern": NOT_BLANK}: the document says the text must hold more than spaces (the field's
validator gives the message)."""

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


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: Any) -> Any:
    # JSON has no date type, so a date travels as "YYYY-MM-DD". Left to itself pydantic would also read a number
    # (0 as 1970-01-01): refuse anything else rather than store a date nobody typed.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Give the date as YYYY-MM-DD, e.g. 2026-11-30.")


DateIn = Annotated[date, BeforeValidator(_iso_date_text)]
"""A date in a request (body or query): only "YYYY-MM-DD"."""

Flag = Annotated[bool, Strict()]
"""A yes/no in a request body: only JSON true or false (not 0, 1 or "yes")."""

Count = Annotated[int, Strict()]
"""A whole number in a request body: only a JSON number (not "1")."""


def uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("Give a UUID made by the client, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e.") from None


ClientId = Annotated[str, AfterValidator(uuid_text),
                     WithJsonSchema({"type": "string", "format": "uuid", "maxLength": 36})]
"""A record's id chosen by the client (so a retried create is recognised): a UUID."""
