"""create_app(settings) -> the FastAPI application."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from server import __version__
from server.admin.config_routes import router as admin_config_router
from server.admin.routes import audit_router, subject_router
from server.admin.routes import users as admin_users_router
from server.audit import AuditContext, AuditWriter
from server.auth.routes import router as auth_router
from server.batch import router as batch_router
from server.config_store import ConfigContext, ConfigStore
from server.config_store import register as register_config_store
from server import force
from server.custody.routes import router as custody_router
from server.db import PoolSize, make_engine, make_sessionmaker, side_engine
from server.errors import BodySizeLimit, install_error_handlers
from server.events import ChangeFeed
from server.events import router as events_router
from server.gate import DatabaseGate, DatabaseGateMiddleware
from server.intelligence.routes import router as intelligence_router
from server import openapi
from server.investigations.routes import router as investigations_router
from server.people.routes import router as people_router
from server.prosecution.routes import router as prosecution_router
from server.settings import Settings
from server.whole_person import router as whole_person_router
from server.wire import TextCheck

if TYPE_CHECKING:
    from server.integration.relay import Relay

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    force.configure(settings)  # loads the force files now: a bad one stops start-up, naming its setting
    pool = PoolSize(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout_s)
    engine = make_engine(settings.database_url, pool)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        # A served process listens from the start (so /health/process shows it); in-process test clients,
        # which skip the lifespan, start the listener with their first wait.
        application.state.feed.start()
        relay = application.state.relay
        if relay is not None:
            relay.start()
        yield
        application.state.feed.stop()
        if relay is not None:
            relay.stop()

    # FastAPI's OpenTelemetry hooks off: Bridewell configures no OpenTelemetry provider, and with the hooks on
    # every request asked whether one had been set since (~4% of a small request's CPU, docs/performance.md).
    app = FastAPI(title="Bridewell central API", version=__version__, lifespan=lifespan,
                  openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.relay = _bus(settings, engine)
    # As many requests inside at once as the pool has connections (the feed's reads and sign-in checks too).
    app.state.gate = DatabaseGate(pool.size + pool.overflow, pool.timeout_s)
    # At most half the pool reads the feed at once, so waking many waiters never starves other requests.
    app.state.feed = ChangeFeed(engine, app.state.sessionmaker, app.state.gate,
                                max_concurrent_reads=max(1, pool.size // 2))
    # The change feed's audit rows, stored in groups (server.audit.AuditWriter).
    app.state.audit_writer = AuditWriter(app.state.sessionmaker, app.state.gate)
    # The force configuration held in the database: read again when a change commits (server/config_store.py).
    # Its reads come in the middle of requests that hold a pool connection: on a connection of their own.
    app.state.config_store = ConfigStore(make_sessionmaker(side_engine(engine)))
    register_config_store(engine, app.state.config_store)
    app.state.feed.wake_hooks.append(app.state.config_store.on_wake)
    app.state.stopping = app.state.feed.stopping  # set on shutdown: long polls answer at once
    install_error_handlers(app)
    # /batch holds no connection itself; each request it dispatches passes the gate (and TextCheck) on its own.
    app.add_middleware(DatabaseGateMiddleware, gate=app.state.gate,
                       exempt_suffixes=("/events", "/events/latest", "/events/data", "/health", "/health/process",
                                        "/openapi.json", "/docs", "/batch"))
    app.add_middleware(TextCheck, exempt_suffixes=("/batch",))  # bad text is a 422, never a 500
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AuditContext)  # the workstation each audit row names
    app.add_middleware(ConfigContext, store=app.state.config_store)  # the configuration in force, per request

    api = APIRouter()  # the health routes; included under API_PREFIX below

    @api.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        # No database work, no thread hop: it answers while the pool is busy.
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    @api.get("/health/process", tags=["health"])
    async def process_health() -> dict[str, Any]:
        """This process's figures for monitoring (no personal data): open waits, listener, pool use."""
        body: dict[str, Any] = {"pid": os.getpid(), "feed": app.state.feed.status(), "gate": app.state.gate.status()}
        if isinstance(engine.pool, QueuePool):
            body["pool"] = {"size": engine.pool.size(), "checked_out": engine.pool.checkedout(),
                            "overflow": max(0, engine.pool.overflow())}
        if app.state.relay is not None:  # the integration bus's relay in this process (docs/integration.md)
            body["bus_relay"] = app.state.relay.status()
        return body

    # Each router is included straight into the app with the prefix given here: FastAPI (0.165) checks an
    # include without a prefix by building every route of the included tree once more (~0.3 s of the embedded
    # server's start, docs/performance.md), and a nested router would be built again for the app's own tree.
    for router in (api, auth_router, events_router, custody_router, people_router, investigations_router,
                   intelligence_router, prosecution_router,
                   whole_person_router,  # composed above the areas
                   admin_config_router,  # the force configuration (issue 15)
                   admin_users_router,  # administration, audit viewer, subject access: above the areas too
                   audit_router, subject_router,
                   batch_router):  # many writes in one request, each dispatched through this app
        app.include_router(router, prefix=API_PREFIX)
    openapi.install(app)
    return app


def _bus(settings: Settings, engine: Engine) -> Relay | None:
    """With a broker configured, changes also write bus messages, and (unless told not to) a relay runs here."""
    if settings.broker_url is None:
        return None
    from server.integration import outbox
    from server.integration.relay import Relay

    outbox.enable(engine)
    if not settings.bus_relay:
        return None
    return Relay(engine, settings.broker_url, exchange=settings.bus_exchange, keep_hours=settings.bus_keep_hours,
                 name=f"relay[{os.getpid()}]")
