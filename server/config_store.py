"""The force configuration held in the database (issue 15): versioned, audited, changed without a restart.

Two settings, each one row of `force_settings` with a `version` (the conditional update of server/records.py)
and every version kept in `force_setting_versions`:
- "settings": the [U] values of domain.md an administrator edits (clock, observation intervals, rights, notice
  languages, caution, station name), merged over the packaged defaults;
- "offences": the offence catalogue's entries (the file form, domain/offences.py).

Until an administrator first changes one, its row does not exist and the files (BRIDEWELL_FORCE_CONFIG,
BRIDEWELL_OFFENCE_CATALOGUE) are version 0: they seed it. The first change (If-Match: 0) stores version 0 and
version 1 together, so a charge made under version 0 can still be explained.

Every process keeps a copy (a `ConfigStore` per app, reached through a context variable set per request) and
reads the database again only when told a change committed: in its own process by the committing session, in
other processes by a PostgreSQL NOTIFY with the payload CONFIG_NOTICE on the change feed's channel (the feed's
listener passes it on; a reconnect counts too, since a notice may have been missed). SQLite is one process.
"""

from __future__ import annotations

import threading
import weakref
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from server.db import Base, UTCDateTime

SETTINGS = "settings"
OFFENCES = "offences"
KINDS = (SETTINGS, OFFENCES)
CONFIG_NOTICE = "config"  # the NOTIFY payload of a configuration change (server/events.py's listener)
_CHANGED = "bridewell_config_changed"


class ForceSetting(Base):
    __tablename__ = "force_settings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # "settings" or "offences"
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ForceSettingVersion(Base):
    __tablename__ = "force_setting_versions"
    __table_args__ = (UniqueConstraint("setting_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    setting_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[Any] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(500))


@dataclass(frozen=True)
class Held:
    """One setting as this process holds it: its version and data (None: not stored yet, the files hold it)."""
    version: int
    data: Any


class ConfigStore:
    """One app's copy of both settings, read again after a change commits (see the module's docstring)."""

    def __init__(self, factory: sessionmaker[Session]):
        self._factory = factory
        self._lock = threading.Lock()
        self._held: dict[str, Held] | None = None  # None: read at next use
        self.loads = 0  # how many times the database was read (tests)
        # What force.py makes of each version (typed views, the parsed catalogue), kept per app: (kind, version).
        self.derived: dict[tuple[str, int], Any] = {}
        self._expect_wake = False  # a change committed inside POST /batch: read again when the batch commits

    def on_wake(self, payload: str) -> None:
        """The change feed's hook (server/events.py ChangeFeed.wake_hooks)."""
        if payload in (CONFIG_NOTICE, "reconnected") or self._expect_wake:
            self._expect_wake = False
            self.changed()

    def changed(self) -> None:
        """A change may have committed (any thread): read again at next use."""
        self._held = None

    def held(self) -> dict[str, Held]:
        held = self._held
        if held is not None:
            return held
        with self._lock:
            if self._held is None:
                self._held = self._read()
            return self._held

    def _read(self) -> dict[str, Held]:
        self.loads += 1
        with self._factory() as session:
            rows = session.execute(select(ForceSetting.id, ForceSetting.version, ForceSetting.data)).all()
        found = {r.id: Held(r.version, r.data) for r in rows}
        if len(self.derived) > 8:
            self.derived.clear()
        return {kind: found.get(kind, Held(0, None)) for kind in KINDS}


current: ContextVar[ConfigStore | None] = ContextVar("bridewell_config_store", default=None)
"""The store of the app serving this request (server/app.py's ConfigContext sets it); None outside a request
(start-up checks, the demo loader), where the files are the configuration."""

# The store of each engine, so the committing session can tell its own process at once. Weak both ways.
_STORES: weakref.WeakKeyDictionary[Engine, weakref.ref[ConfigStore]] = weakref.WeakKeyDictionary()


def register(engine: Engine, store: ConfigStore) -> None:
    _STORES[engine] = weakref.ref(store)


def mark_changed(session: Session) -> None:
    """Call in the transaction that changes a setting: when it commits, this process reads again."""
    session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    ref = _STORES.get(engine) if isinstance(engine, Engine) else None
    store = ref() if ref is not None else None
    if store is not None:
        if isinstance(bind, Connection):
            store._expect_wake = True
        # Inside POST /batch this is the savepoint's release; the batch's own commit wakes the feed, which tells
        # the store again (server/events.py ChangeFeed.wake), so a read in between is not kept.
        store.changed()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)


class ConfigContext:
    """ASGI middleware: every request of this app reads the configuration through this app's store."""

    def __init__(self, app: Any, store: ConfigStore):
        self.app = app
        self.store = store

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = current.set(self.store)
        try:
            await self.app(scope, receive, send)
        finally:
            current.reset(token)
