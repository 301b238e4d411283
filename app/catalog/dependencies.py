"""The FastAPI dependency that hands a route the app's cache of rendered projects."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from app.catalog.listing import RenderCache

_creating = threading.Lock()


def get_project_renders(request: Request) -> RenderCache:
    """``app.state.project_renders``; made once and kept there if ``create_app`` set none."""
    state = request.app.state
    renders: RenderCache | None = getattr(state, "project_renders", None)
    if renders is None:
        with _creating:
            renders = getattr(state, "project_renders", None)
            if renders is None:
                renders = RenderCache()
                state.project_renders = renders
    return renders


ProjectRendersDep = Annotated[RenderCache, Depends(get_project_renders)]
