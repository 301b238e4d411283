"""FastAPI dependencies shared by every router: the request's database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import session_scope
from app.search.service import SearchEngine


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed once after the handler, rolled back on error.

    Requests that may write (anything but GET/HEAD) get a session that writes from the start.
    """
    state = request.app.state
    reads = request.method in {"GET", "HEAD", "OPTIONS"}
    with session_scope(state.sessionmaker if reads else state.write_sessionmaker) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_search(request: Request) -> SearchEngine:
    engine: SearchEngine = request.app.state.search
    return engine


SearchDep = Annotated[SearchEngine, Depends(get_search)]
