"""Working without the server: the local sign-in verifier, the read cache, and provisional custody records.

- **Verifier.** After each sign-in the server accepted, an argon2 hash of the password (never the password) is
  kept in the local store with the time and the user. Within the configured period the same user can sign in on
  this workstation while the server is unreachable (`offline_sign_in`); the server still checks every write
  when it returns, under a sign-in made then with the password typed now (kept only in memory).
- **Read cache.** `CachingClient` is the API client with the custody reads the suite needs (the board, each
  record opened, its log, risk assessments and checks) copied to the local store's cache as they are read, and
  served from there when the server cannot be reached.
- **Provisional records.** A booking-in queued while the server is away is shown at once under a provisional
  custody number ("P-…", `provisional_record`); the server's own number replaces it everywhere (through the
  change hub) once the booking is delivered.

Plain Python, no Qt: every function does I/O, so call it from a worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from desktop.sync.client import ApiClient, ServerUnreachable
from desktop.sync.local_store import LocalStore
from domain import pace_clock
from domain.passwords import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST

DEFAULT_OFFLINE_HOURS = 12.0
BOOKING_PATH = "/custody/records"
PROVISIONAL_PREFIX = "P-"
_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)


class OfflineSignInRefused(Exception):
    """The server is unreachable and this workstation cannot vouch for the user (the message says why)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _verifier_key(server_key: str, username: str) -> str:
    return f"offline.verifier|{server_key}|{username.strip().lower()}"


def remember_sign_in(store: LocalStore, server_key: str, username: str, password: str,
                     user: dict[str, Any]) -> None:
    """The server accepted this password: keep its argon2 hash (salted; never the password) for offline sign-in."""
    store.cache_put(_verifier_key(server_key, username),
                    {"hash": _hasher.hash(password), "signed_in_at": _now().isoformat(), "user": user})


def offline_sign_in(store: LocalStore, server_key: str, username: str, password: str,
                    within: timedelta = timedelta(hours=DEFAULT_OFFLINE_HOURS)) -> dict[str, Any] | None:
    """The user, if this password is the one last accepted by the server for them on this workstation, within
    `within` of that sign-in; None otherwise (never signed in here, too long ago, or the wrong password)."""
    held = store.cache_get(_verifier_key(server_key, username))
    if not isinstance(held, dict):
        return None
    try:
        signed_in_at = datetime.fromisoformat(str(held["signed_in_at"]))
        _hasher.verify(str(held["hash"]), password)
    except (KeyError, ValueError, VerificationError, InvalidHashError):
        return None
    if _now() - signed_in_at > within:
        return None
    user = held.get("user")
    return user if isinstance(user, dict) else None


def sign_in_offline_or_refuse(store: LocalStore, server_key: str, username: str, password: str,
                              within: timedelta = timedelta(hours=DEFAULT_OFFLINE_HOURS)) -> dict[str, Any]:
    """The user, or OfflineSignInRefused with the reason (for the sign-in dialog)."""
    user = offline_sign_in(store, server_key, username, password, within)
    if user is None:
        raise OfflineSignInRefused(why_not_offline(store, server_key, username, within))
    return user


def why_not_offline(store: LocalStore, server_key: str, username: str,
                    within: timedelta = timedelta(hours=DEFAULT_OFFLINE_HOURS)) -> str:
    """The words for a refused offline sign-in (the password is never said to be the reason or not)."""
    held = store.cache_get(_verifier_key(server_key, username))
    if not isinstance(held, dict):
        return (f"{username} has not signed in on this workstation before, so cannot sign in while the server is "
                "unreachable.")
    try:
        signed_in_at = datetime.fromisoformat(str(held["signed_in_at"]))
    except (KeyError, ValueError):
        signed_in_at = None
    if signed_in_at is None or _now() - signed_in_at > within:
        hours = within.total_seconds() / 3600
        return (f"{username} last signed in on this workstation more than {hours:g} hours ago, so cannot sign in "
                "while the server is unreachable.")
    return "The user name or password is wrong. Check them and try again."


class CachingClient(ApiClient):
    """The API client whose custody reads are kept in the local store's cache and served from it offline."""

    def __init__(self, base_url: str, token: str | None = None, *, store: LocalStore, **kwargs: Any):
        super().__init__(base_url, token, **kwargs)
        self.store = store

    @classmethod
    def adopt(cls, client: ApiClient, store: LocalStore) -> CachingClient:
        """The same server and token as `client` (which is closed), reading through the cache."""
        if isinstance(client, CachingClient):
            return client
        adopted = cls(client.base_url, client.token, store=store)
        client.close()
        return adopted

    def _cached(self, key: str, read: Any) -> Any:
        try:
            value = read()
        except ServerUnreachable:
            held = self.store.cache_get(f"read|{key}")
            if held is None:
                raise
            return held
        self.store.cache_put(f"read|{key}", value)
        return value

    def open_records(self, suite_id: str | None = None) -> list[dict[str, Any]]:
        key = f"open_records|{suite_id}" if suite_id else "open_records"
        records: list[dict[str, Any]] = self._cached(key, lambda: super(CachingClient, self).open_records(suite_id))
        return records

    def custody_record(self, record_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self._cached(f"record|{record_id}", lambda: super(CachingClient, self)
                                              .custody_record(record_id))
        return record

    def record_log(self, record_id: str) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self._cached(f"log|{record_id}", lambda: super(CachingClient, self)
                                                     .record_log(record_id))
        return entries

    def risk_assessments(self, record_id: str) -> list[dict[str, Any]]:
        versions: list[dict[str, Any]] = self._cached(f"risk|{record_id}", lambda: super(CachingClient, self)
                                                      .risk_assessments(record_id))
        return versions

    def log_and_risk(self, record_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Kept as the two reads it joins (the same cache entries), so either read serves the other offline."""
        try:
            log, versions = super().log_and_risk(record_id)
        except ServerUnreachable:
            held_log, held_risk = self.store.cache_get(f"read|log|{record_id}"), self.store.cache_get(
                f"read|risk|{record_id}")
            if held_log is None or held_risk is None:
                raise
            return held_log, held_risk
        self.store.cache_put_many({f"read|log|{record_id}": log, f"read|risk|{record_id}": versions})
        return log, versions

    def cell_checks(self, record_id: str) -> list[dict[str, Any]]:
        checks: list[dict[str, Any]] = self._cached(f"checks|{record_id}", lambda: super(CachingClient, self)
                                                    .cell_checks(record_id))
        return checks

    def latest_event_seq(self) -> int:
        """The feed position the board's snapshot was read at. Offline it is the one kept with the cached board,
        so the feed brings everything after it when the server returns."""
        try:
            seq = super().latest_event_seq()
        except ServerUnreachable:
            return int(self.store.cache_get("read|last_seq") or 0)
        self.store.cache_put("read|last_seq", seq)
        return seq

    def events(self, after: int, wait: float) -> dict[str, Any]:
        """The board's snapshot asks with wait=0 to skip history: offline it starts from the last sequence seen,
        so the feed brings everything after it when the server returns. A long poll is never served from here."""
        if wait > 0:
            return super().events(after, wait)
        try:
            result = super().events(after, wait)
        except ServerUnreachable:
            return {"events": [], "last_seq": max(after, int(self.store.cache_get("read|last_seq") or 0))}
        if not result.get("events"):
            self.store.cache_put("read|last_seq", int(result.get("last_seq") or 0))
        return result


def is_booking(method: str, path: str) -> bool:
    return method.upper() == "POST" and path.rstrip("/") == BOOKING_PATH


def provisional_number(record_id: str) -> str:
    """Marked as such wherever it is shown; made from the record's own id, so it is the same after a restart."""
    return f"{PROVISIONAL_PREFIX}{record_id.replace('-', '')[:6].upper()}"


def provisional_record(body: dict[str, Any], user: dict[str, Any] | None, *,
                       now: datetime | None = None) -> dict[str, Any]:
    """What the board, the log and the person dock show for a booking-in the server has not had yet."""
    now = now or _now()
    person = body.get("person") or {}
    arrived = datetime.fromisoformat(str(body["arrived_at"]))
    arrested = datetime.fromisoformat(str(body["arrested_at"]))
    left = body.get("left_first_area_at")
    route = pace_clock.ArrivalRoute(body.get("arrival_route") or pace_clock.ArrivalRoute.ARRESTED_ELSEWHERE)
    relevant = pace_clock.relevant_time(route=route,
                                        arrested_at=arrested, arrived_at=arrived,
                                        left_first_area_at=datetime.fromisoformat(left) if left else None)
    detention = body.get("detention") or {}
    name = (f"{str(person.get('surname') or '').upper()}, {person.get('forenames') or ''}" if person
            else "Booked in offline (name follows from the server)")
    return {
        "id": body["id"], "custody_number": provisional_number(str(body["id"])), "provisional": True,
        "name": name, "person": {k: person.get(k) for k in ("id", "surname", "forenames", "date_of_birth", "gender")}
        if person else {"id": body.get("person_id")},
        "person_id": person.get("id") or body.get("person_id"), "cell": body.get("cell"), "status": "in_custody",
        "arrived_at": body["arrived_at"], "arrested_at": body["arrested_at"],
        "booked_in_at": detention.get("decided_at") or now.isoformat(), "relevant_time": relevant.at.isoformat(),
        "relevant_time_basis": relevant.basis, "offences": [{"code": c} for c in body.get("offences") or []],
        "vulnerable": bool(body.get("vulnerable")), "appears_under_18": bool(body.get("appears_under_18")),
        "detention_authorised_at": detention.get("decided_at") if detention.get("decision") == "authorised" else None,
        "booked_in_by": user or {}, "version": 0,
    }
