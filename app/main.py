"""The FastAPI application: routers, error handlers and the lifespan that owns the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from app import health, stats, web
from app.auth.dependencies import optional_user
from app.auth.router import router as auth_router
from app.auth.security import LoginThrottle
from app.bulk.router import router as import_router
from app.catalog.listing import RenderCache
from app.catalog.router import me_router as my_projects_router
from app.catalog.router import review_router, search_router
from app.catalog.router import router as projects_router
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.deps import Database
from app.errors import install_error_handlers
from app.geo.router import router as geo_router
from app.leads.router import router as leads_router
from app.matching.matcher import Matcher
from app.matching.router import router as matching_router
from app.middleware import RequestGuard, SecurityHeaders
from app.needs.router import me_router as my_needs_router
from app.needs.router import router as needs_router
from app.openapi import install_openapi
from app.roadshows.router import me_router as my_roadshows_router
from app.roadshows.router import router as roadshows_router
from app.search.service import make_search_engine

API_PREFIX = "/api/v1"

DESCRIPTION = """
科淘网 Ketao — the technology-transfer marketplace of the Greater Bay Area Science Forum.
Errors are RFC 9457 problem details (`application/problem+json`).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One engine and one search engine per process, opened here and closed here. Tests do
        # not run this: they hand in their own through app.dependency_overrides.
        engine = make_engine(settings.effective_database_url)
        database = Database(
            read=make_sessionmaker(engine), write=make_sessionmaker(engine, write=True)
        )
        app.state.database = database
        search = make_search_engine(settings, database.write, background=True)
        app.state.search = search
        search.start()
        try:
            yield
        finally:
            search.stop()
            engine.dispose()

    # The OpenAPI document stays (other tools read it); its UI pages are off in production
    # unless KETAO_PUBLIC_DOCS=true.
    docs = not settings.production or settings.public_docs
    app = FastAPI(
        title="Ketao 科淘网",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    # App-scoped objects, shared by every request of this app (and replaced by tests'
    # overrides where they need to): one render cache for lists and matches alike.
    app.state.project_renders = renders = RenderCache()
    app.state.matcher = Matcher(settings, renders=renders)
    app.state.login_throttle = LoginThrottle()
    install_error_handlers(app)
    # A bearer token that is present must be valid on every route, public lists included: a
    # client with an expired token learns it (401) instead of silently reading as anonymous.
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(optional_user)])
    api.include_router(health.router)
    api.include_router(auth_router)
    api.include_router(geo_router)
    api.include_router(projects_router)
    api.include_router(my_projects_router)
    api.include_router(review_router)
    api.include_router(needs_router)
    api.include_router(my_needs_router)
    api.include_router(search_router)
    api.include_router(matching_router)
    api.include_router(leads_router)
    api.include_router(roadshows_router)
    api.include_router(my_roadshows_router)
    api.include_router(stats.router)
    api.include_router(import_router)
    app.include_router(api)
    install_openapi(app)
    # The website: its pages, its versioned /static files, its error pages off /api.
    web.install(app)
    # Outermost last: headers go on every answer, the guard's refusals included.
    app.add_middleware(RequestGuard, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    return app
