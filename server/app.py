"""create_app(settings) -> the FastAPI application."""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI

from server import __version__
from server.auth.routes import router as auth_router
from server.custody.routes import router as custody_router
from server.db import make_engine, make_sessionmaker
from server.errors import BodySizeLimit, install_error_handlers
from server.events import router as events_router
from server.intelligence.routes import router as intelligence_router
from server.investigations.routes import router as investigations_router
from server.people.routes import router as people_router
from server.prosecution.routes import router as prosecution_router
from server.settings import Settings
from server.whole_person import router as whole_person_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    app = FastAPI(title="Bridewell central API", version=__version__,
                  openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None)
    app.state.settings = settings
    app.state.stopping = threading.Event()  # set on shutdown: long polls answer at once
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    api = APIRouter(prefix=API_PREFIX)

    @api.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    api.include_router(auth_router)
    api.include_router(events_router)
    api.include_router(custody_router)
    api.include_router(people_router)
    api.include_router(investigations_router)
    api.include_router(intelligence_router)
    api.include_router(prosecution_router)
    api.include_router(whole_person_router)  # composed above the areas
    app.include_router(api)
    return app
