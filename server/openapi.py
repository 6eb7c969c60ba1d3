"""The OpenAPI document says what the server really answers: every status code and content type.

Route modules declare their success responses; the refusals every route can give come from shared machinery
(problem+json from server/errors.py, sign-in, roles, If-Match, the database gate, the body-size limit). They are
added here, once, from what each route actually depends on, so the document cannot drift from the code as routes
are added. `tests/server/openapi_conformance.py` runs schemathesis against a real server to keep it honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.errors import PROBLEM_JSON, problem_response

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each field that was refused and why.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
        "current": {"description": "The stored copy, with 409 and 412: what the client's change would overwrite."},
    },
    "additionalProperties": True,
}

# Why each refusal can happen; the text becomes the response's description in the document.
REASONS = {
    400: "The body is not valid JSON.",
    304: "Not modified: the copy the client holds (If-None-Match) is current.",
    401: "Not signed in, or the sign-in has expired.",
    403: "Signed in, but this role may not do this.",
    404: "No such record.",
    409: "Conflicts with what is stored (an id already taken, or a step the record's state does not allow).",
    412: "The record changed since the client read it (If-Match is not its version); `current` holds it.",
    413: "The request body is over the server's size limit.",
    422: "A field is not valid; `errors` names each one.",
    428: "This change overwrites a record: send If-Match with the version read.",
    429: "Too many attempts; wait for Retry-After seconds.",
    503: "The server or its database is busy or unreachable; try again after Retry-After seconds.",
}
IF_MATCH_PATTERN = r'^\s*(W/)?"?[0-9]+"?\s*$'
# What server/wire.TextCheck refuses in any request body (domain/text.py): control characters other than tab and
# new line, in values and in member names alike.
NO_CONTROL = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
NO_NUL = "^[^\\x00]*$"  # what some schemas said before TextCheck: now NO_CONTROL says more
CLEAN_VALUE_REF = {"$ref": "#/components/schemas/CleanValue"}
CLEAN_VALUE: dict[str, Any] = {  # any JSON value whose texts and member names hold no control character
    "title": "CleanValue",
    "anyOf": [{"type": "string", "pattern": NO_CONTROL}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
              {"type": "array", "items": CLEAN_VALUE_REF},
              {"type": "object", "propertyNames": {"pattern": NO_CONTROL}, "additionalProperties": CLEAN_VALUE_REF}],
}
# Routes that do no database work: the gate never refuses them.
NO_DATABASE = re.compile(r"/health(/process)?$|/openapi\.json$|/docs$")


def install(app: FastAPI) -> None:
    """Make `app.openapi()` build the completed document (once; FastAPI caches it on the app)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            complete(schema, api_routes(app))
            app.openapi_schema = schema
        return app.openapi_schema

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's 405 names only the first route that matched the path; Allow must name every method.
        path = request.scope["path"]
        matching = [r for r in api_routes(app) if r.path_regex.match(path)]
        # /people/duplicates-check also matches /people/{person_id}: the document (and Allow) speak of the
        # most specific path, the one with fewest parameters.
        fewest = min((r.path_format.count("{") for r in matching), default=0)
        allowed = sorted({m for r in matching if r.path_format.count("{") == fewest for m in r.methods})
        detail = exc.detail if isinstance(exc, StarletteHTTPException) else "Method Not Allowed"
        return problem_response(405, detail, headers={"Allow": ", ".join(allowed)})

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
    app.add_exception_handler(405, method_not_allowed)


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route with its full path (FastAPI >= 0.16x wraps included routers; older ones flatten them)."""
    iter_contexts = getattr(routing, "iter_route_contexts", None)
    if iter_contexts is None:
        return [r for r in app.routes if isinstance(r, routing.APIRoute)]
    return [c for c in iter_contexts(app.routes) if isinstance(c.original_route, routing.APIRoute)]


def complete(schema: dict[str, Any], routes: list[Any]) -> None:
    """Add to each operation the refusals its route can give, all as problem+json."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for route in routes:
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            for status in sorted(refusals(route, method)):
                operation.setdefault("responses", {})[str(status)] = {
                    "description": REASONS[status],
                    "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}} if status != 304 else {
                    "description": REASONS[status]}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
                    parameter["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN,
                                           "description": "The version read: 3, \"3\" or W/\"3\"."}
    # FastAPI's own validation-error schemas describe a body the server never sends (it answers problem+json).
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)
    for name, component in schema["components"]["schemas"].items():
        # /batch is not checked for text itself: each request it carries is, as if sent alone.
        if name != "Problem" and not name.startswith("Batch"):
            _no_control_characters(component)
    schema["components"]["schemas"]["CleanValue"] = CLEAN_VALUE


def _no_control_characters(node: Any) -> None:
    """Say on every text and every object what TextCheck refuses, so the document and the server agree."""
    if isinstance(node, list):
        for item in node:
            _no_control_characters(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not ({"format", "enum", "const"} & node.keys()) and \
            node.get("pattern") in (None, NO_NUL):
        node["pattern"] = NO_CONTROL  # (no NUL is part of it)
    if node.get("type") == "object" or "properties" in node or "additionalProperties" in node:
        node.setdefault("propertyNames", {"pattern": NO_CONTROL})
        if node.get("additionalProperties", True) is True:  # members the model ignores are still read for text
            node["additionalProperties"] = CLEAN_VALUE_REF
    for key, value in node.items():
        if key != "propertyNames":
            _no_control_characters(value)


def refusals(route: Any, method: str) -> set[int]:
    calls = set(_calls(route.dependant))
    names = {getattr(call, "__qualname__", "") for call in calls}
    headers = {param.alias.lower() for dependant in _dependants(route.dependant) for param in dependant.header_params}
    statuses = {422} if _has_inputs(route) else set()
    if any(n.startswith(("signed_in_user", "current_user", "current_token", "has_bearer", "require_roles"))
           for n in names):
        statuses |= {401, 403}
    if route.path_format.endswith("/auth/login"):
        statuses |= {401, 429}
    if "{" in route.path_format:
        statuses.add(404)
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses |= {409, 413}
    if any(d.body_params for d in _dependants(route.dependant)):
        statuses.add(400)
    if "if-match" in headers:
        statuses |= {412, 428}
    if "if-none-match" in headers:
        statuses.add(304)
    if not NO_DATABASE.search(route.path_format):
        statuses.add(503)
    return statuses


def _has_inputs(route: Any) -> bool:
    return any(d.path_params or d.query_params or d.header_params or d.body_params
               for d in _dependants(route.dependant))


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in _dependants(dependant):
        if sub.call is not None:
            yield sub.call
