"""Sign-in throttle: failed sign-ins counted per user name and per address, in the database (so every server
process sees the same counts), with a growing lock-out answered 429 + Retry-After.

A few failures are free (typing mistakes); after that each failure locks that user name (or address) for
base x 2^(n - free - 1) seconds, up to a cap. During a lock-out no password is checked at all, so the right one
is refused too until Retry-After has passed. Failures are forgotten after a quiet window; a successful sign-in
forgets the user name's failures (not the address's: an account of one's own must not reset a guessing run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Integer, String, Table, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base, UTCDateTime, utcnow


class SignInThrottle(Base):
    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "user:<name>" or "addr:<address>"
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class Policy:
    free_per_user: int = 5
    free_per_address: int = 20  # a suite's workstations may share one address
    base_delay_s: float = 1.0
    max_delay_s: float = 900.0
    forget_after_s: float = 3600.0

    def delay(self, failures: int, free: int) -> float:
        if failures <= free:
            return 0.0
        return float(min(self.base_delay_s * 2 ** min(failures - free - 1, 30), self.max_delay_s))


def keys(username: str, address: str | None) -> list[tuple[str, bool]]:
    """The throttle keys of an attempt, with whether each is the per-user one."""
    found = [(f"user:{username.strip().lower()[:200]}", True)]
    if address:
        found.append((f"addr:{address[:200]}", False))
    return found


def retry_after(session: Session, username: str, address: str | None, now: datetime | None = None) -> int | None:
    """Seconds until this user name and address may try again, or None if they may now."""
    now = now or utcnow()
    names = [k for k, _ in keys(username, address)]
    latest = session.scalar(select(SignInThrottle.locked_until).where(SignInThrottle.key.in_(names),
                                                                    SignInThrottle.locked_until > now)
                            .order_by(SignInThrottle.locked_until.desc()).limit(1))
    if latest is None:
        return None
    return max(1, math.ceil((latest - now).total_seconds()))


def failed(session: Session, policy: Policy, username: str, address: str | None,
           now: datetime | None = None) -> None:
    """Count a failure (one atomic upsert per key, so processes racing on the same key both count)."""
    now = now or utcnow()
    stale = now - timedelta(seconds=policy.forget_after_s)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, SignInThrottle.__table__)
    for key, per_user in keys(username, address):
        statement = insert(table).values(key=key, failures=1, last_failure_at=now, locked_until=None)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
                  "last_failure_at": now})
        session.execute(statement)
        count = session.execute(select(table.c.failures).where(table.c.key == key)).scalar_one()
        wait = policy.delay(count, policy.free_per_user if per_user else policy.free_per_address)
        if wait:
            session.execute(table.update().where(table.c.key == key)
                            .values(locked_until=now + timedelta(seconds=wait)))


def succeeded(session: Session, username: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == keys(username, None)[0][0]))
