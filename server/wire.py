"""Types shared by the API schemas, and the check every request body's text passes (TextCheck)."""

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer, Strict, WithJsonSchema
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.text import text_problem
from server.errors import ProblemError, problem_response


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

# Also says what TextCheck below refuses: no control character other than tab and new line.
NOT_BLANK = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
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


# Text the server refuses in any request body, in one place (TextCheck below): a lone surrogate (half of a
# UTF-16 pair, from a bad paste) cannot be stored as UTF-8 and used to end in a 500, and control characters
# other than tab and new line have no place in a record (domain/text.py says which). Both are a 422 naming the
# field. Bytes that may mean a bad character once the JSON is decoded: an escape (\u0001, \ud800, \r, \b, \f),
# DEL or a raw C1 character; a body without any of them is passed on without being decoded twice.
_MAYBE_BAD = re.compile(rb"\\[ubfr]|\x7f|\xc2[\x80-\x9f]")
MAX_TEXT_ERRORS = 20


def text_errors(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[dict[str, str]]:
    """A field error for every string (or key) in a decoded JSON body that `text_problem` refuses."""
    if isinstance(value, str):
        if (problem := text_problem(value)) is not None:
            yield {"field": ".".join(str(p) for p in path) or "body", "message": problem}
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key)) is not None:
                yield {"field": ".".join(str(p) for p in (*path, key)), "message": problem}
            yield from text_errors(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from text_errors(item, (*path, n))


class TextCheck:
    """ASGI middleware: a JSON request body holding a lone surrogate or a control character (other than tab and
    new line) in any string is refused with 422 and a field error per bad field, before any route sees it.

    `exempt_suffixes`: paths whose bodies wrap other requests (POST /batch), checked one by one when they are
    dispatched, so one bad request in a batch does not refuse the others."""

    def __init__(self, app: ASGIApp, exempt_suffixes: tuple[str, ...] = ()):
        self.app = app
        self.exempt_suffixes = exempt_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS")
                or str(scope.get("path", "")).endswith(self.exempt_suffixes)):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        refusal = text_refusal(raw)
        if refusal is not None:
            await problem_response(422, refusal.detail, errors=refusal.errors)(scope, receive, send)
            return
        await self.app(scope, _replay([raw], None, receive), send)


def text_refusal(raw: bytes) -> ProblemError | None:
    """The 422 TextCheck answers for this JSON body, or None when its text may pass (POST /batch's direct path
    asks the same of each request it runs without the middleware)."""
    errors = _body_errors(raw) if _MAYBE_BAD.search(raw) else []
    if not errors:
        return None
    return ProblemError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors)


def _body_errors(raw: bytes) -> list[dict[str, str]]:
    try:
        decoded = json.loads(raw)
    except ValueError:
        return []  # not JSON: the route's own parsing answers (422 for a malformed body)
    return list(itertools.islice(text_errors(decoded), MAX_TEXT_ERRORS))


def _replay(bodies: list[bytes], first: Message | None, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the connection's own messages."""
    pending: list[Message] = [first] if first is not None else [
        {"type": "http.request", "body": body, "more_body": False} for body in bodies]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
