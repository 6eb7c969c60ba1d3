"""Server settings: defaults, overridable by BRIDEWELL_* environment variables or arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import platformdirs

MAX_BODY_BYTES_DEFAULT = 12 * 1024 * 1024


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("bridewell", appauthor=False))
    return f"sqlite:///{data_dir / 'bridewell-server.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    token_ttl: timedelta = timedelta(hours=12)
    max_body_bytes: int = MAX_BODY_BYTES_DEFAULT
    # Long poll: the most a client may wait (a waiting request holds no database connection).
    events_max_wait_s: float = 30.0
    # Database connections per server process: workers x (size + overflow) + 1 listener each must stay
    # below PostgreSQL's max_connections. A request that waits longer than the timeout for one gets 503.
    db_pool_size: int = 10
    db_max_overflow: int = 5
    db_pool_timeout_s: float = 5.0
    # How far in the future an observed_at may be (clock drift between workstations).
    future_tolerance: timedelta = timedelta(minutes=2)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        values: dict = {}
        env = os.environ
        if url := env.get("BRIDEWELL_DATABASE_URL"):
            values["database_url"] = url
        if hours := env.get("BRIDEWELL_TOKEN_TTL_HOURS"):
            values["token_ttl"] = timedelta(hours=float(hours))
        if minutes := env.get("BRIDEWELL_FUTURE_TOLERANCE_MINUTES"):
            values["future_tolerance"] = timedelta(minutes=float(minutes))
        if size := env.get("BRIDEWELL_MAX_BODY_BYTES"):
            values["max_body_bytes"] = int(size)
        for name, kind in (("db_pool_size", int), ("db_max_overflow", int), ("db_pool_timeout_s", float)):
            if raw := env.get(f"BRIDEWELL_{name.upper()}"):
                values[name] = kind(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
