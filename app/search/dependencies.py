"""The FastAPI dependency that hands a route the app's search engine (built in the lifespan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.search.service import SearchEngine


def get_search(request: Request) -> SearchEngine:
    engine: SearchEngine = request.app.state.search
    return engine


SearchDep = Annotated[SearchEngine, Depends(get_search)]
