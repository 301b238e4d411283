"""Paging, filter validation and facet counting shared by the project and need lists."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.errors import FieldError, InvalidInputError
from app.geo.service import ReferenceCodes
from app.search.backend import SearchUnavailableError

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 100

PageQuery = Annotated[int, Query(ge=1, le=10_000, description="Page number, from 1")]
PerPageQuery = Annotated[
    int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1–{MAX_PER_PAGE}")
]


class FacetCounts(BaseModel):
    """Counts per value under the current filters; selecting a value yields exactly its count."""

    industry: dict[str, int] = {}
    city: dict[str, int] = {}
    trl: dict[str, int] = {}
    mode: dict[str, int] = {}


def check_codes(
    values: Sequence[str] | None, known: Iterable[str], field: str, what: str
) -> list[str]:
    """Reject unknown codes with a 422 naming the query parameter."""
    if not values:
        return []
    known_set = set(known)
    unknown = [v for v in values if v not in known_set]
    if unknown:
        raise InvalidInputError(
            f"Unknown {what} code(s) in query parameter '{field}': {', '.join(unknown)}",
            [
                FieldError(field=field, location="query", message=f"unknown {what} code '{v}'")
                for v in unknown
            ],
        )
    return list(dict.fromkeys(values))


def expand_industries(codes: Sequence[str], refs: ReferenceCodes) -> set[str]:
    expanded: set[str] = set()
    for code in codes:
        expanded |= refs.expand_industry(code)
    return expanded


def check_range(low: int | None, high: int | None, low_name: str, high_name: str) -> None:
    if low is not None and high is not None and low > high:
        raise InvalidInputError(
            f"Query parameter '{low_name}' ({low}) is greater than '{high_name}' ({high})",
            [FieldError(field=low_name, location="query", message=f"must be ≤ {high_name}")],
        )


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def ilike_any(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    """True where any column contains ``text``, case-insensitively, wildcards inert."""
    pattern = like_pattern(text)
    return or_(*(func.lower(col).like(pattern, escape="\\") for col in columns))


def count_distinct_by(
    session: Session,
    key: InstrumentedAttribute[Any] | ColumnElement[Any],
    owner: InstrumentedAttribute[Any] | ColumnElement[Any],
    ids: Select[Any],
    *joins: Any,
) -> dict[str, int]:
    """Count distinct owners per ``key`` among the owners in ``ids``."""
    stmt = select(key, func.count(func.distinct(owner))).where(owner.in_(ids)).group_by(key)
    for target, onclause in zip(joins[::2], joins[1::2], strict=True):
        stmt = stmt.join(target, onclause)
    return {str(k): int(n) for k, n in session.execute(stmt) if k is not None}


def total_of(session: Session, ids: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def values_by_owner(
    session: Session,
    owner: InstrumentedAttribute[int],
    value: InstrumentedAttribute[str],
    position: InstrumentedAttribute[int],
    ids: Sequence[int],
) -> dict[int, list[str]]:
    """The values of an association table (industries, modes, cities) per owner id, in order."""
    out: dict[int, list[str]] = {}
    rows = session.execute(select(owner, value).where(owner.in_(ids)).order_by(owner, position))
    for owner_id, item in rows:
        out.setdefault(owner_id, []).append(item)
    return out


class _Degradable(Protocol):
    degraded: bool


ListT = TypeVar("ListT", bound=_Degradable)


def engine_or_sql(
    q: str | None,
    engine_available: bool,
    by_engine: Callable[[], ListT],
    by_sql: Callable[[], ListT],
) -> ListT:
    """Free text goes to the search engine; without it, or with the engine down, SQL answers
    (marked ``degraded`` in the second case)."""
    if q and q.strip() and engine_available:
        try:
            return by_engine()
        except SearchUnavailableError as exc:
            logger.warning("search unavailable, answering from SQL: %s", exc)
            result = by_sql()
            result.degraded = True
            return result
    return by_sql()
