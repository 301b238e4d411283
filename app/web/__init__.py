"""The website people read (server-rendered pages in 简体 / 繁體 / English), on the same services
as the JSON API; docs/web.md says how it is built."""

from __future__ import annotations

from fastapi import FastAPI

from app.web.access import SignInRequiredError, sign_in_first
from app.web.admin import router as admin_router
from app.web.admin_accounts import router as admin_accounts_router
from app.web.admin_leads import router as admin_leads_router
from app.web.admin_roadshows import router as admin_roadshows_router
from app.web.admin_stats import router as admin_stats_router
from app.web.assets import PREFIX, Assets
from app.web.cities import router as cities_router
from app.web.errors import install_error_pages
from app.web.i18n import load_catalogues
from app.web.me import router as me_router
from app.web.needs import router as needs_router
from app.web.pages import make_environment
from app.web.projects import router as projects_router
from app.web.research import router as research_router
from app.web.roadshows import router as roadshows_router
from app.web.router import router
from app.web.seo import router as seo_router


def install(app: FastAPI) -> None:
    """The site's pages, its versioned static files under ``/static`` and its error pages (call
    after ``install_error_handlers``: the API's handlers keep answering for ``/api``)."""
    load_catalogues()
    assets = Assets()
    app.state.web_assets = assets
    app.state.web_templates = make_environment(assets)
    app.include_router(router)
    app.include_router(admin_router)
    app.include_router(admin_leads_router)
    app.include_router(admin_roadshows_router)
    app.include_router(admin_stats_router)
    app.include_router(admin_accounts_router)
    app.include_router(projects_router)
    app.include_router(me_router)
    app.include_router(research_router)
    app.include_router(needs_router)
    app.include_router(cities_router)
    app.include_router(seo_router)
    app.include_router(roadshows_router)
    app.mount(PREFIX, assets, name="static")
    install_error_pages(app)
    app.add_exception_handler(SignInRequiredError, sign_in_first)
