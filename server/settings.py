"""Server settings: the one place the server reads its environment (BRIDEWELL_*), validated at start-up.

Every field `name` is set by the environment variable BRIDEWELL_<NAME> (an empty value counts as unset) or by a
keyword argument, which wins. A bad value stops start-up with a SettingsError naming the variable.
To add a setting, add a field with its default, constraints and a one-line comment; nothing else is needed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from pydantic import Field, FilePath, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from server.runtime import StartupError

if TYPE_CHECKING:
    from server.auth.throttle import Policy

ENV_PREFIX = "BRIDEWELL_"
MAX_BODY_BYTES_DEFAULT = 12 * 1024 * 1024


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("bridewell", appauthor=False))
    return f"sqlite:///{data_dir / 'bridewell-server.sqlite3'}"


class SettingsError(StartupError):
    """A setting has a bad value; the message names the environment variable, so an operator can fix it."""


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid")

    database_url: str = Field(default_factory=default_database_url, min_length=1)
    # Where `bridewell-server` listens (the command line's --host/--port win); 0 picks a free port.
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=0, le=65535)
    token_ttl_hours: float = Field(default=12.0, gt=0)  # how long a sign-in lasts
    max_body_bytes: int = Field(default=MAX_BODY_BYTES_DEFAULT, gt=0)
    # Long poll: the most a client may wait (a waiting request holds no database connection).
    events_max_wait_s: float = Field(default=30.0, gt=0)
    # Server processes sharing the port (`--workers` wins); more than 1 needs PostgreSQL.
    workers: int = Field(default=1, ge=1)
    # A line per request on the server's log (uvicorn's access log). Off by default: formatting it cost ~10% of a
    # small request's CPU (docs/performance.md); the audit log records every read and change of personal data
    # with who, when and from where, and a reverse proxy keeps its own access log (docs/operator-guide.md).
    access_log: bool = False
    # Database connections per server process: workers x (size + overflow + 1 listener) must stay below
    # PostgreSQL's max_connections. A request that cannot get one within the timeout answers 503 + Retry-After.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    # How far in the future an observed_at may be (clock drift between workstations).
    future_tolerance_minutes: float = Field(default=2.0, ge=0)
    # A force configuration file (domain.config); None: the packaged defaults.
    force_config: FilePath | None = None
    # A force offence catalogue (domain.offences, mode replace or extend); None: the force configuration's
    # offence_catalogue_file, else the packaged examples.
    offence_catalogue: FilePath | None = None

    # Sign-in throttle (server/auth/throttle.py): failures allowed before a lock-out, per user name and per
    # address, then a lock-out doubling from the base delay up to the cap.
    sign_in_free_failures: int = Field(default=5, ge=0)
    sign_in_free_failures_per_address: int = Field(default=20, ge=0)
    sign_in_base_delay_s: float = Field(default=1.0, gt=0)
    sign_in_max_delay_s: float = Field(default=900.0, gt=0)
    # HTTPS (both or neither): PEM certificate chain and private key; the server then serves only HTTPS.
    certfile: FilePath | None = None
    keyfile: FilePath | None = None
    # The integration bus (docs/integration.md): an AMQP URL (amqp://user:password@host:5672/vhost) turns it on:
    # changes then also write bus messages and a relay sends them. None (the default): no bus, nothing changes.
    broker_url: str | None = Field(default=None, pattern=r"^amqps?://")
    bus_exchange: str = Field(default="bridewell.events", min_length=1, max_length=200)
    # Whether this server process runs a relay (one relay is active at a time however many run); false when a
    # separate `bridewell-server relay` process does it.
    bus_relay: bool = True
    bus_keep_hours: float = Field(default=24.0, gt=0)  # sent bus messages are deleted after this

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("certfile and keyfile go together: give both for HTTPS, or neither")
        return self

    @property
    def sign_in_policy(self) -> Policy:
        from server.auth.throttle import Policy  # settings is imported by everything; keep it light

        return Policy(free_per_user=self.sign_in_free_failures,
                      free_per_address=self.sign_in_free_failures_per_address,
                      base_delay_s=self.sign_in_base_delay_s, max_delay_s=self.sign_in_max_delay_s)

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(hours=self.token_ttl_hours)

    @property
    def future_tolerance(self) -> timedelta:
        return timedelta(minutes=self.future_tolerance_minutes)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The environment, with `overrides` (None values ignored) on top. Raises SettingsError."""
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    def with_(self, **changes: Any) -> Settings:
        """A copy with `changes`, validated like the environment (the environment is not read again)."""
        try:
            return type(self).model_validate({**self.model_dump(), **changes})
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None


def _explain(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        if not error["loc"]:  # a rule across fields: its message names them (never echo the input: a URL)
            problems.append(f"{env_name('certfile')}/{env_name('keyfile')}: {error['msg']}")
            continue
        field = str(error["loc"][0])
        secret = field in ("database_url", "broker_url")  # a URL may hold a password: never echo it
        shown = "" if secret else f" (got {error.get('input')!r})"
        problems.append(f"{env_name(field)}: {error['msg']}{shown}")
    return "Invalid setting: " + "; ".join(problems)
