"""Idempotency-Key store: a retried write returns the first response; a reused key with another body is 422."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Integer, String, Table, Text, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.auth.dependencies import CurrentUser, SessionDep
from server.db import Base, UTCDateTime, utcnow
from server.errors import ProblemError

KEY_MAX = 200


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def body_digest(raw: bytes) -> str:
    """SHA-256 of the body's canonical JSON (key order and spacing do not matter), or of the raw bytes."""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return hashlib.sha256(raw).hexdigest()
    return value_digest(decoded)


def value_digest(value: Any) -> str:
    """body_digest of a body already decoded (POST /batch's requests): the same canonical JSON, the same hash."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# An answer as (status, JSON content, headers): what `run` sends, and what POST /batch returns per request.
Answer = tuple[int, Any, dict[str, str]]


class Idempotency:
    """Per-request helper: `run(status, produce)` replays or produces, and remembers the answer."""

    def __init__(self, session: Session, user_id: str, key: str | None, method: str, path: str, digest: str):
        self.session, self.user_id, self.key = session, user_id, key
        self.method, self.path, self.digest = method, path, digest

    def run(self, status_code: int, produce: Callable[[], Any]) -> JSONResponse:
        status, content, headers = self.answer(status_code, produce)
        return JSONResponse(content, status_code=status, headers=headers or None)

    def answer(self, status_code: int, produce: Callable[[], Any]) -> Answer:
        """The stored answer of a replay, or `produce()`'s (remembered under the key) as (status, content,
        headers); `run` sends it, POST /batch's direct path (server/batch.py) returns it as it is."""
        if self.key is None:
            return status_code, jsonable_encoder(produce()), {}
        if not self._claim():
            return self._replay()
        content = jsonable_encoder(produce())
        self.session.execute(_ANSWERED, {"u": self.user_id, "k": self.key, "status_code": status_code,
                                         "response_json": json.dumps(content)})
        return status_code, content, {}

    def _claim(self) -> bool:
        """Insert this key's row first, in the request's transaction; False when the key is already stored.

        A second request with the same key blocks in this INSERT until the first one's transaction ends (the
        unique key on PostgreSQL, the write lock on SQLite). If the first committed, the row is there with its
        answer and this one replays it; if the first rolled back, this INSERT succeeds and this request does
        the work. So a retry racing a slow first attempt gets the first attempt's answer, never a 409."""
        claim = _CLAIM_PG if self.session.get_bind().dialect.name == "postgresql" else _CLAIM_SQLITE
        return self.session.execute(claim, {
            "user_id": self.user_id, "key": self.key, "method": self.method, "path": self.path,
            "body_sha256": self.digest, "status_code": 0, "response_json": "", "created_at": utcnow()}
        ).first() is not None

    def _replay(self) -> Answer:
        stored = self.session.get(IdempotencyRecord, (self.user_id, self.key), populate_existing=True)
        if stored is None or not stored.status_code:  # not reachable: a visible row always holds its answer
            raise ProblemError(503, "The first request with this Idempotency-Key is still being processed; "
                                    "try again shortly.", headers={"Retry-After": "1"})
        if (stored.method, stored.path, stored.body_sha256) != (self.method, self.path, self.digest):
            raise ProblemError(422, "This Idempotency-Key was already used for a different request; "
                                    "use a new key for a new change.",
                               errors=[{"field": "Idempotency-Key", "message": "Already used with a different body."}])
        return stored.status_code, json.loads(stored.response_json), {"Idempotent-Replayed": "true"}



def stored_keys(session: Session, user_id: str, keys: list[str]) -> set[str]:
    """Which of `keys` this user has already used (one query): POST /batch's bulk path sends those requests the
    one-by-one way (`Idempotency.answer`: replay, or 422 for another body)."""
    if not keys:
        return set()
    return set(session.scalars(select(_KEYS.c.key).where(_KEYS.c.user_id == user_id, _KEYS.c.key.in_(keys))))


def remember(session: Session, user_id: str, answered: list[tuple[str, str, str, str, int, Any]]) -> None:
    """Store many keys at once, each WITH its answer (one INSERT for them all, no claim and UPDATE): (key,
    method, path, body digest, status, content) each. For keys `stored_keys` found free in a transaction that
    holds the write lock (SQLite) or that the unique key guards (PostgreSQL: a racing request's key makes this
    INSERT fail, and POST /batch does those requests one by one)."""
    now = utcnow()
    session.execute(insert(_KEYS), [
        {"user_id": user_id, "key": key, "method": method, "path": path, "body_sha256": digest,
         "status_code": status, "response_json": json.dumps(content), "created_at": now}
        for key, method, path, digest, status, content in answered])

# Built once (a write makes these two statements on every request, so their building and cache keys count).
# RETURNING, not rowcount: the driver may not report a rowcount for an INSERT.
_CLAIM_PG = (pg_insert(cast(Table, IdempotencyRecord.__table__)).on_conflict_do_nothing()
             .returning(IdempotencyRecord.key))
_CLAIM_SQLITE = (sqlite_insert(cast(Table, IdempotencyRecord.__table__)).on_conflict_do_nothing()
                 .returning(IdempotencyRecord.key))
_KEYS = cast(Table, IdempotencyRecord.__table__)
_ANSWERED = update(_KEYS).where(_KEYS.c.user_id == bindparam("u"), _KEYS.c.key == bindparam("k"))


async def idempotency(request: Request, user: CurrentUser, session: SessionDep) -> Idempotency:
    key = request.headers.get("idempotency-key")
    if key is not None:
        key = key.strip()
        if not key or len(key) > KEY_MAX:
            raise ProblemError.field("Idempotency-Key", f"Give 1 to {KEY_MAX} characters.")
    raw = await request.body()
    return Idempotency(session, user.id, key, request.method, request.url.path, body_digest(raw))


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]

