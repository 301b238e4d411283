"""The cache of rendered projects: one per app, handed to the routes, keyed so no entry is stale."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import records
from app.catalog.dependencies import get_project_renders
from app.catalog.listing import RenderCache, published_projects
from app.catalog.models import Project, ProjectStatus
from app.config import Settings
from app.main import create_app
from tests.factories import make_project


def _request(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app})


def test_each_app_owns_one_cache_shared_by_lists_and_matching(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    assert get_project_renders(_request(app)) is app.state.project_renders
    assert app.state.matcher.renders is app.state.project_renders
    assert create_app(Settings(data_dir=tmp_path)).state.project_renders is not (
        app.state.project_renders
    )


def test_the_cache_an_app_holds_is_the_one_routes_get() -> None:
    app = FastAPI()
    app.state.project_renders = held = RenderCache(size=10)
    assert get_project_renders(_request(app)) is held


def test_a_rendered_project_is_reused_until_it_changes(session: Session) -> None:
    project = make_project(session, title_en="Render me", status="published")
    renders = RenderCache()
    first = published_projects(session, renders, [project.id])[project.id]
    assert published_projects(session, renders, [project.id])[project.id] is first
    assert published_projects(session, RenderCache(), [project.id])[project.id] is not first

    records.upsert_project(session, project, {"title_en": "Rendered anew"})
    changed = published_projects(session, renders, [project.id])[project.id]
    assert changed.item.title_en == "Rendered anew"


def test_only_published_projects_are_rendered(session: Session) -> None:
    draft = make_project(session, status=ProjectStatus.draft.value)
    assert published_projects(session, RenderCache(), [draft.id]) == {}


def test_a_search_through_the_api_fills_the_apps_cache(
    client: TestClient, session: Session
) -> None:
    project = session.scalars(
        select(Project).where(Project.status == ProjectStatus.published).order_by(Project.id)
    ).first()
    assert project is not None
    assert project.title_zh
    response = client.get("/api/v1/projects", params={"q": project.title_zh})
    assert response.status_code == 200, response.text
    assert project.id in [item["id"] for item in response.json()["items"]]
    renders: RenderCache = cast(FastAPI, client.app).state.project_renders
    assert renders.get((project.id, project.version, project.updated_at)) is not None
