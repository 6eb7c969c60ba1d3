"""ProblemError and the handlers that turn every failure into application/problem+json (RFC 9457)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi import HTTPException as FastAPIHTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("bridewell.server")

PROBLEM_JSON = "application/problem+json"
# Seconds a client should wait before trying again after a 503 (the desktop outbox and feed honour it).
RETRY_AFTER_BUSY = "2"
RETRY_AFTER_UNAVAILABLE = "5"


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str, *, title: str | None = None,
                 errors: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title or _title(status), "status": status,
                            "detail": detail}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(status: int, detail: str, *, headers: dict[str, str] | None = None,
                     **kwargs: Any) -> JSONResponse:
    return JSONResponse(problem_body(status, detail, **kwargs), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


class ProblemError(Exception):
    """Raised by services and dependencies; becomes a problem+json response with this status."""

    def __init__(self, status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra

    @classmethod
    def field(cls, field: str, message: str, status: int = 422) -> ProblemError:
        return cls(status, f"{field}: {message}", errors=[{"field": field, "message": message}])


def _field_name(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "Invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def _is_read_only(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "readonly" in text or "read-only" in text or "read only" in text


async def _problem_handler(_request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers, **exc.extra)


async def _validation_handler(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors()]
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    else:
        detail = "The request is not valid."
    return problem_response(422, detail, errors=errors)


async def _http_handler(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _integrity_handler(_request: Request, exc: IntegrityError) -> JSONResponse:
    # Reached only by a race (two writers at once); services check the ordinary cases first.
    log.warning("integrity conflict: %s", exc.orig)
    return problem_response(409, "This change conflicts with one stored at the same moment; "
                                 "reload and try again.")


async def _data_handler(request: Request, exc: DataError) -> JSONResponse:
    # Schemas should catch bad values first; this is the safety net so bad input is never a 500.
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
    return problem_response(422, "A value in this request cannot be stored (wrong type or out of range).")


async def _pool_timeout_handler(request: Request, exc: PoolTimeout) -> JSONResponse:
    # Every pooled connection stayed busy for the whole pool timeout: overload, not a fault. Say so politely
    # and at once rather than queueing the request further (clients retry after Retry-After).
    log.warning("no database connection free on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(503, "The server is busy; try again in a moment.",
                            headers={"Retry-After": RETRY_AFTER_BUSY})


async def _db_handler(request: Request, exc: DBAPIError) -> JSONResponse:
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        text = str(exc.orig).lower()
        retry_after = RETRY_AFTER_UNAVAILABLE
        if _is_read_only(exc):
            detail = ("The database is read-only, so nothing can be saved. Ask the administrator to "
                      "check the database file's permissions and the disk.")
        elif "locked" in text or "busy" in text:
            detail = "The database is busy with other changes; try again in a moment."
            retry_after = RETRY_AFTER_BUSY
        elif "timeout" in text or "canceling statement" in text:
            detail = "The database took too long to answer; try again in a moment."
            retry_after = RETRY_AFTER_BUSY
        else:
            detail = "The database cannot be reached. Try again in a moment; if it persists, tell the administrator."
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem_response(503, detail, headers={"Retry-After": retry_after})
    return await _unexpected_handler(request, exc)


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "Something went wrong on the server. It has been logged.")


_E = TypeVar("_E", bound=Exception)


def _on(app: FastAPI, kind: type[_E], handler: Callable[[Request, _E], Awaitable[JSONResponse]]) -> None:
    """Install `handler` for `kind`, checked here that it takes that kind of exception."""
    # Starlette types every handler as taking any Exception, though it only ever passes one of `kind`.
    app.add_exception_handler(kind, handler)  # type: ignore[arg-type]


def install_error_handlers(app: FastAPI) -> None:
    _on(app, ProblemError, _problem_handler)
    _on(app, RequestValidationError, _validation_handler)
    _on(app, StarletteHTTPException, _http_handler)
    _on(app, IntegrityError, _integrity_handler)
    _on(app, DataError, _data_handler)
    _on(app, DBAPIError, _db_handler)
    _on(app, PoolTimeout, _pool_timeout_handler)
    _on(app, Exception, _unexpected_handler)


class BodySizeLimit:
    """Refuse request bodies over the limit with 413, by Content-Length or by counting streamed bytes."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.max_bytes / (1024 * 1024)
        response = problem_response(413, f"The request is too large: the limit is {mb:g} MB.")
        await response(scope, receive, send)


class _TooLarge(FastAPIHTTPException):
    """An HTTPException so FastAPI's body reader re-raises it rather than turning it into a 400."""

    def __init__(self, max_bytes: int):
        super().__init__(413, f"The request is too large: the limit is {max_bytes / (1024 * 1024):g} MB.")
