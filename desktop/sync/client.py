"""The HTTP client for the central API. Synchronous httpx: call it only from worker threads."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:  # httpx itself is imported by ApiClient: ~0.12 s the sign-in dialog must not wait for
    import ssl

    import httpx

API_PREFIX = "/api/v1"


class ServerUnreachable(Exception):
    """The server could not be reached (refused, timed out, DNS). Safe to retry later."""


class BadServerAddress(ValueError):
    """The address typed for the server is not an http(s) URL."""


@dataclass
class ApiError(Exception):
    """A problem+json (RFC 9457) answer from the server."""

    status: int
    title: str
    detail: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None  # seconds, from a 503/429 Retry-After header

    def __str__(self) -> str:
        return self.detail or self.title or f"HTTP {self.status}"

    @property
    def current(self) -> dict[str, Any] | None:
        """The server's current copy sent with a 412 (version conflict), or None."""
        current = self.body.get("current")
        return current if isinstance(current, dict) else None

    @property
    def retryable(self) -> bool:
        """Try later, never refused: 5xx (503: the server is busy or its database is away) and 429."""
        return self.status >= 500 or self.status == 429


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (RFC 9110: delay-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None


def normalise_server_url(text: str) -> str:
    """'localhost:8000' is refused; 'http://host:8000/' becomes 'http://host:8000'. Raises BadServerAddress."""
    text = text.strip()
    if not text:
        raise BadServerAddress("Enter the server address, for example https://custody.example.police.uk.")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerAddress(
            "The server address must start with http:// or https:// and name a host, "
            "for example https://custody.example.police.uk."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise BadServerAddress("The port in the server address is not a number between 0 and 65535.") from None
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        # Passwords, tokens and personal data would cross the network readable by anyone on the way.
        raise BadServerAddress("Use https:// for a server on another computer; plain http:// is only for a "
                               "server on this computer.")
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The CA bundle that server certificates are checked against (a force's own CA): BRIDEWELL_CA_BUNDLE, or
# `bridewell --ca-bundle FILE` (use_ca_bundle). None: the public CAs httpx trusts (certifi).
_ca_bundle: str | None = os.environ.get("BRIDEWELL_CA_BUNDLE") or None


def use_ca_bundle(path: str | None) -> None:
    """Check server certificates against this PEM file from now on. Raises BadServerAddress if unreadable."""
    global _ca_bundle
    if path is not None:
        import ssl

        try:
            ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise BadServerAddress(f"The CA bundle {path} cannot be used: {exc}") from None
    _ca_bundle = path


def _verify(ca_bundle: str | None, base_url: str = "https://") -> ssl.SSLContext | bool:
    """Certificates are always verified; only the trusted CAs can be chosen.

    A plain http:// server (only ever on this computer: normalise_server_url) never uses TLS: its client gets a
    context that trusts no CA at all, instead of loading every public CA (~0.1-0.2 s per client, twice on the way
    to the main window, once on the GUI thread: docs/performance.md). A redirect to https:// would then fail its
    certificate check: closed, never open.

    `ssl` is imported here, with the first client (after the sign-in dialog has painted): loading OpenSSL took
    ~50 ms of the first window's path at load 11 (docs/performance.md, issue 17's fourth round)."""
    import ssl

    if base_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verify_mode CERT_REQUIRED, check_hostname, no CAs
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True


def error_from_response(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    return error_from_problem(response.status_code, body, response.headers, response.reason_phrase)


def error_from_problem(status: int, body: Any, headers: Mapping[str, str], reason: str = "") -> ApiError:
    """A problem+json answer (a response's, or one result of POST /batch) as an ApiError."""
    if not isinstance(body, dict):
        body = {}
    field_errors: dict[str, str] = {}
    for item in body.get("errors") or []:
        if isinstance(item, dict) and item.get("field"):
            field_errors.setdefault(str(item["field"]), str(item.get("message", "")))
    retry_after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return ApiError(
        status=status,
        title=str(body.get("title") or reason or f"HTTP {status}"),
        detail=str(body.get("detail") or ""),
        field_errors=field_errors,
        body=body,
        retry_after=retry_after_seconds(retry_after),
    )


class ApiClient:
    """One per server. Holds the bearer token. Thread-safe enough for our use (httpx.Client is)."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None, ca_bundle: str | None = None):
        self.base_url = normalise_server_url(base_url)
        self.token = token
        import httpx

        self._timeout, self._transport = timeout, transport
        self._ca_bundle = ca_bundle or _ca_bundle
        self._http = httpx.Client(base_url=self.base_url + API_PREFIX, timeout=timeout, transport=transport,
                                  verify=_verify(self._ca_bundle, self.base_url))

    def close(self) -> None:
        self._http.close()

    def fork(self) -> ApiClient:
        """A second client with the same token and its own connections (for the long-poll feed, which
        would otherwise hold a pooled connection that other requests wait behind)."""
        return ApiClient(self.base_url, self.token, timeout=self._timeout, transport=self._transport,
                         ca_bundle=self._ca_bundle)

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> Any:
        response = self._send(method, path, json=json, params=params, headers=headers, timeout=timeout)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def _send(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, timeout: float | None = None) -> httpx.Response:
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = timeout
        import httpx  # already loaded by __init__: a dictionary look-up

        try:
            response = self._http.request(method, path, json=json, params=params, headers=all_headers, **kwargs)
        except (httpx.TransportError, OSError) as exc:
            raise ServerUnreachable(f"Cannot reach {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST /batch: many idempotent writes in one request (server/batch.py). Each request is `{key, method,
        path, body, headers, group}`; each result `{key, status, body, headers}`, in order. The server stops at
        a 401 or a retryable answer (results end there) and skips (424) later requests of a refused one's group."""
        answer: dict[str, Any] = self.request("POST", "/batch", json={"requests": requests},
                                              timeout=max(self._timeout, 60.0))
        results: list[dict[str, Any]] = answer["results"]
        return results

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """An answer the contract (docs/api-*.md) promises is a JSON object."""
        answer: dict[str, Any] = self.request(method, path, **kwargs)
        return answer

    def _list(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        """An answer the contract promises is a JSON list of objects."""
        answer: list[dict[str, Any]] = self.request(method, path, **kwargs)
        return answer

    # Endpoints of the contract (docs/architecture.md).
    def offence_catalogue(self, etag: str | None = None) -> tuple[str, dict[str, Any]] | None:
        """(ETag, {version, offences}) of the server's catalogue, or None when `etag` is still current (304)."""
        response = self._send("GET", "/offences/catalogue", headers={"If-None-Match": etag} if etag else None)
        if response.status_code == 304:
            return None
        return response.headers.get("ETag", ""), response.json()

    def health(self) -> dict[str, Any]:
        return self._object("GET", "/health", timeout=3.0)

    def login(self, username: str, password: str) -> dict[str, Any]:
        # The workstation's name goes with the sign-in, so the audit viewer can say where a look came from.
        result = self._object("POST", "/auth/login", json={"username": username, "password": password},
                              headers={"X-Workstation": socket.gethostname()[:200]})
        self.token = result["token"]
        return result

    def logout(self) -> None:
        self.request("POST", "/auth/logout")
        self.token = None

    def me(self) -> dict[str, Any]:
        return self._object("GET", "/auth/me")

    def open_records(self, suite_id: str | None = None) -> list[dict[str, Any]]:
        """The board: every open record, or one suite's (and those on their way to it; issue 15)."""
        params = {"open": "true", **({"suite": suite_id} if suite_id else {})}
        return self._list("GET", "/custody/records", params=params)

    def suites(self) -> list[dict[str, Any]]:
        """The force's custody suites with their cells and how full each is (issue 15)."""
        return self._list("GET", "/custody/suites")

    def suite_names(self) -> list[dict[str, Any]]:
        """The suites' names and codes, without signing in (the sign-in dialog's list)."""
        return self._list("GET", "/custody/suite-names")

    def suite(self, suite_id: str) -> dict[str, Any]:
        return self._object("GET", f"/custody/suites/{suite_id}")

    def transfer_summary(self, record_id: str) -> dict[str, Any]:
        """What a transfer would hand over now, and whether risk must be re-assessed first."""
        return self._object("GET", f"/custody/records/{record_id}/transfer-summary")

    def pending_transfers(self, to_suite_id: str | None = None) -> list[dict[str, Any]]:
        return self._list("GET", "/custody/transfers", params={"to_suite": to_suite_id} if to_suite_id else {})

    def record_log(self, record_id: str) -> list[dict[str, Any]]:
        return self._list("GET", f"/custody/records/{record_id}/log")

    def events(self, after: int, wait: float) -> dict[str, Any]:
        """Ids and types of what changed (no personal data): read the data with event_data."""
        return self._object("GET", "/events", params={"after": after, "wait": wait}, timeout=wait + 10.0)

    def event_data(self, seqs: list[int]) -> dict[int, dict[str, Any]]:
        """seq -> the entity as committed, for the events this user may see (one audited read per batch)."""
        answer = self._object("POST", "/events/data", json={"seqs": seqs})
        return {int(item["seq"]): item["data"] for item in answer.get("events") or []
                if isinstance(item, dict) and isinstance(item.get("data"), dict)}

    def latest_event_seq(self) -> int:
        """The newest event's seq (one cheap call): follow the feed from here after reading a snapshot."""
        return int(self._object("GET", "/events/latest")["last_seq"])

    # People, investigations, intelligence (issue 4; docs/api-people.md). Reads only: writes go through the
    # outbox (desktop/writes.py), including If-Match transitions (`headers=`).
    def search_people(self, q: str = "", dob: str = "", pnc: str = "", gender: str = "", page: int = 1,
                      page_size: int = 20) -> dict[str, Any]:
        terms = {k: v for k, v in (("q", q), ("dob", dob), ("pnc", pnc), ("gender", gender)) if v}
        # In the body, never the URL: search terms must not land in access logs.
        return self._object("POST", "/people/search", json={**terms, "page": page, "page_size": page_size})

    def duplicates_check(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        candidates: list[dict[str, Any]] = self._object("POST", "/people/duplicates-check", json=body)["candidates"]
        return candidates

    def person(self, person_id: str) -> dict[str, Any]:
        return self._object("GET", f"/people/{person_id}")

    def person_picture(self, person_id: str) -> dict[str, Any]:
        return self._object("GET", f"/people/{person_id}/picture")

    def person_merges(self, person_id: str) -> list[dict[str, Any]]:
        return self._list("GET", f"/people/{person_id}/merges")

    def investigations(self, scope: str = "all") -> list[dict[str, Any]]:
        """scope: mine, team or all (issue 14)."""
        return self._list("GET", "/investigations", params={"scope": scope} if scope != "all" else None)

    def investigation(self, investigation_id: str) -> dict[str, Any]:
        return self._object("GET", f"/investigations/{investigation_id}")

    def investigation_timeline(self, investigation_id: str) -> dict[str, Any]:
        return self._object("GET", f"/investigations/{investigation_id}/timeline")

    def investigation_actions(self, investigation_id: str,
                              statuses: list[str] | None = None) -> list[dict[str, Any]]:
        return self._list("GET", f"/investigations/{investigation_id}/actions",
                            params={"status": statuses} if statuses else None)

    def actions(self, mine: bool = True, statuses: list[str] | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"mine": "true" if mine else "false"}
        if statuses:
            params["status"] = statuses
        return self._list("GET", "/actions", params=params)

    def action(self, action_id: str) -> dict[str, Any]:
        return self._object("GET", f"/actions/{action_id}")

    def intel_reports(self, status: str = "", person_id: str = "", place: str = "", event_kind: str = "",
                      event_ref: str = "") -> list[dict[str, Any]]:
        params = {k: v for k, v in (("status", status), ("person_id", person_id), ("place", place),
                                    ("event_kind", event_kind), ("event_ref", event_ref)) if v}
        return self._list("GET", "/intelligence/reports", params=params or None)

    def intel_report(self, report_id: str, reason: str) -> dict[str, Any]:
        """The reason is the DPA 2018 s.62 justification, logged by the server with the consultation."""
        # In a header, never the URL (access logs); percent-encoded, so any character typed survives.
        return self._object("GET", f"/intelligence/reports/{report_id}", headers={"X-Access-Reason": quote(reason)})

    # Custody (issue 3, docs/api-custody.md). Writes go through the outbox (desktop/writes.py), not here.
    def custody_record(self, record_id: str) -> dict[str, Any]:
        return self._object("GET", f"/custody/records/{record_id}")

    def risk_assessments(self, record_id: str) -> list[dict[str, Any]]:
        """Every version, oldest first."""
        return self._list("GET", f"/custody/records/{record_id}/risk-assessments")

    def log_and_risk(self, record_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(log, risk assessment versions oldest first) of one record in one request: what switching detainee
        shows (issue 17)."""
        both = self._object("GET", f"/custody/records/{record_id}/log-and-risk")
        return both["log"], both["risk_assessments"]

    def cell_checks(self, record_id: str) -> list[dict[str, Any]]:
        return self._list("GET", f"/custody/records/{record_id}/checks")
