"""The health endpoint: is the database reachable, and how far behind is the search index."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.search.outbox import pending_count

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    backend: str


class SearchHealth(BaseModel):
    status: Literal["ok", "not_configured", "unavailable"]
    backend: str | None
    outbox_pending: int | None


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    database: DatabaseHealth
    search: SearchHealth


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(request: Request, response: Response) -> Health:
    """200 when the database answers; 503 (with the same body) when it does not."""
    factory = request.app.state.sessionmaker
    backend = factory.kw["bind"].dialect.name
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
            pending: int | None = pending_count(session)
        database = DatabaseHealth(status="ok", backend=backend)
    except SQLAlchemyError:
        logger.exception("health check: database unavailable")
        database = DatabaseHealth(status="unavailable", backend=backend)
        pending = None
    # No search engine is wired in yet: changes wait in the outbox for the indexer.
    search = SearchHealth(status="not_configured", backend=None, outbox_pending=pending)
    if database.status != "ok":
        response.status_code = 503
        return Health(status="unavailable", database=database, search=search)
    return Health(status="ok", database=database, search=search)
