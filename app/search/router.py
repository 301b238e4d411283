"""HTTP routes of search itself: search-as-you-type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.catalog import schemas as catalog_schemas
from app.catalog import service as catalog
from app.deps import SearchDep, SessionDep

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/suggest", response_model=catalog_schemas.SuggestionList)
def suggest(
    session: SessionDep,
    search: SearchDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="What has been typed")],
    limit: Annotated[int, Query(ge=1, le=10)] = 10,
) -> catalog_schemas.SuggestionList:
    """Titles of published projects for search-as-you-type; the last word is a prefix."""
    return catalog_schemas.SuggestionList(items=catalog.suggest(session, search, q, limit))
