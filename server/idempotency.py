"""Idempotency-Key store: a retried write returns the first response; a reused key with another body is 422."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Integer, String, Text
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
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


class Idempotency:
    """Per-request helper: `run(status, produce)` replays or produces, and remembers the answer."""

    def __init__(self, session: Session, user_id: str, key: str | None, method: str, path: str, digest: str):
        self.session, self.user_id, self.key = session, user_id, key
        self.method, self.path, self.digest = method, path, digest

    def run(self, status_code: int, produce: Callable[[], Any]) -> JSONResponse:
        if self.key is None:
            return JSONResponse(jsonable_encoder(produce()), status_code=status_code)
        stored = self.session.get(IdempotencyRecord, (self.user_id, self.key))
        if stored is not None:
            if (stored.method, stored.path, stored.body_sha256) != (self.method, self.path, self.digest):
                raise ProblemError(422, "This Idempotency-Key was already used for a different request; "
                                        "use a new key for a new change.",
                                   errors=[{"field": "Idempotency-Key",
                                            "message": "Already used with a different body."}])
            return JSONResponse(json.loads(stored.response_json), status_code=stored.status_code,
                                headers={"Idempotent-Replayed": "true"})
        content = jsonable_encoder(produce())
        self.session.add(IdempotencyRecord(user_id=self.user_id, key=self.key, method=self.method,
                                           path=self.path, body_sha256=self.digest, status_code=status_code,
                                           response_json=json.dumps(content)))
        return JSONResponse(content, status_code=status_code)


async def idempotency(request: Request, user: CurrentUser, session: SessionDep) -> Idempotency:
    key = request.headers.get("idempotency-key")
    if key is not None:
        key = key.strip()
        if not key or len(key) > KEY_MAX:
            raise ProblemError.field("Idempotency-Key", f"Give 1 to {KEY_MAX} characters.")
    raw = await request.body()
    return Idempotency(session, user.id, key, request.method, request.url.path, body_digest(raw))


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]

