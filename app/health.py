"""The health endpoint: is the database reachable, and how far behind is the search index."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import DatabaseDep
from app.search.backend import SearchUnavailableError
from app.search.dependencies import SearchDep

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    backend: str


class SearchHealth(BaseModel):
    status: Literal["ok", "lagging", "unavailable"]
    backend: str
    outbox_pending: int | None
    outbox_failing: int | None
    lag_seconds: float | None
    last_error: str | None


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    database: DatabaseHealth
    search: SearchHealth


LAG_WARNING_SECONDS = 60.0


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(response: Response, db: DatabaseDep, search: SearchDep) -> Health:
    """200 when the database answers (``degraded`` when search is down or behind); else 503."""
    factory = db.read
    backend = factory.kw["bind"].dialect.name
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
        database = DatabaseHealth(status="ok", backend=backend)
    except SQLAlchemyError:
        logger.exception("health check: database unavailable")
        response.status_code = 503
        database = DatabaseHealth(status="unavailable", backend=backend)
        search_health = SearchHealth(
            status="unavailable",
            backend=search.backend.name,
            outbox_pending=None,
            outbox_failing=None,
            lag_seconds=None,
            last_error=None,
        )
        return Health(status="unavailable", database=database, search=search_health)
    outbox = search.indexer.status()
    try:
        search.backend.ping()
        state: Literal["ok", "lagging", "unavailable"] = (
            "lagging" if outbox.failing or outbox.lag_seconds > LAG_WARNING_SECONDS else "ok"
        )
    except SearchUnavailableError:
        logger.warning("health check: search engine unavailable")
        state = "unavailable"
    search_health = SearchHealth(
        status=state,
        backend=search.backend.name,
        outbox_pending=outbox.pending,
        outbox_failing=outbox.failing,
        lag_seconds=round(outbox.lag_seconds, 3),
        last_error=outbox.last_error,
    )
    overall: Literal["ok", "degraded"] = "ok" if state == "ok" else "degraded"
    return Health(status=overall, database=database, search=search_health)
