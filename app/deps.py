"""FastAPI dependencies shared by every router: the request's database session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from app.db import session_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_ONLY = "__ketao_reads_only__"

F = TypeVar("F", bound=Callable[..., Any])


def reads_only(endpoint: F) -> F:
    """Mark a POST route that writes nothing (a login, an ad-hoc match): it gets a read session,
    so it never waits for SQLite's write lock behind an import."""
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


def _writes(request: Request) -> bool:
    if request.method in SAFE_METHODS:
        return False
    route = request.scope.get("route")
    return not getattr(getattr(route, "endpoint", None), _READS_ONLY, False)


@dataclass(frozen=True)
class Database:
    """The app's two kinds of session on one engine: ``read`` never takes SQLite's write lock,
    ``write`` takes it up front (so a read never has to become a write midway)."""

    read: sessionmaker[Session]
    write: sessionmaker[Session]


def get_database(request: Request) -> Database:
    """The app's database, opened in the lifespan (tests override this dependency)."""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]


def get_session(request: Request, database: DatabaseDep) -> Iterator[Session]:
    """The request's unit of work: committed once when the handler has returned and before the
    response is sent (the dependency's scope is the function, not the request), so a client that
    got a 2xx reads its own write, and a commit that fails is the response (an error).

    Requests that may write get a session that takes the write lock from the start (SQLite);
    reads, and routes marked ``reads_only``, never take it.
    """
    factory = database.write if _writes(request) else database.read
    with session_scope(factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
