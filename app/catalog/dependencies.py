"""The FastAPI dependency that hands a route the app's cache of rendered projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.catalog.listing import RenderCache


def get_project_renders(request: Request) -> RenderCache:
    """The app's render cache (``app.state.project_renders``, made in ``create_app``)."""
    renders: RenderCache = request.app.state.project_renders
    return renders


ProjectRendersDep = Annotated[RenderCache, Depends(get_project_renders)]
