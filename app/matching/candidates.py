"""Candidate retrieval: which projects and needs are worth scoring, asked of the search engine
(through ``SearchEngine``, whatever backend it runs on), so matching scales with it."""

from __future__ import annotations

from collections.abc import Sequence

from app.search.backend import IndexName, SearchFilters, SearchHit, SearchRequest, SearchSort
from app.search.service import SearchEngine

TEXT_CANDIDATES = 100
STRUCTURE_CANDIDATES = 50
CITY_CANDIDATES = 300
LOCAL_CANDIDATES = 50  # projects based in a city or zone, weighed whatever their text
NEEDS_IN_PLACE = 50  # open needs of a place weighed for a city's or a roadshow's projects

PUBLISHED = SearchFilters(status=("published",))
OPEN_PUBLIC = SearchFilters(status=("open",), visibility=("public",))


def _hits(search: SearchEngine, index: IndexName, request: SearchRequest) -> list[SearchHit]:
    # Every request here either matches any word or has no words: the engine's fallback from
    # "all" to "any" never applies, so this is the backend's answer as it is.
    result, _ = search.search(index, request)
    return result.hits


def _by_text(
    search: SearchEngine, index: IndexName, q: str, filters: SearchFilters, limit: int
) -> list[SearchHit]:
    return _hits(
        search,
        index,
        SearchRequest(q=q, filters=filters, limit=limit, match="any", prefix_last=False),
    )


def normalised(hits: Sequence[SearchHit]) -> dict[int, float]:
    """Engine scores as fractions of the best one (the issue's "normalised per query")."""
    best = max((h.score for h in hits), default=0.0)
    return {h.id: round(h.score / best, 4) if best > 0 else 0.0 for h in hits}


def projects_for(search: SearchEngine, query: str, industries: tuple[str, ...]) -> dict[int, float]:
    """Published projects worth scoring, with their normalised text relevance: the top ones by
    ``query`` (any word may match), and the most mature in ``industries`` (text 0 if new)."""
    relevance: dict[int, float] = {}
    if query:
        relevance = normalised(_by_text(search, "projects", query, PUBLISHED, TEXT_CANDIDATES))
    if industries:
        by_industry = _hits(
            search,
            "projects",
            SearchRequest(
                filters=SearchFilters(status=("published",), industry=industries),
                sort=SearchSort.trl_desc,
                limit=STRUCTURE_CANDIDATES,
            ),
        )
        for hit in by_industry:
            relevance.setdefault(hit.id, 0.0)
    return relevance


def needs_for(search: SearchEngine, text: str, industries: tuple[str, ...]) -> dict[int, float]:
    """Open public needs worth scoring against a project, with their normalised text relevance:
    the top ones by ``text`` (any word may match), and some in ``industries`` (text 0 if new)."""
    relevance = normalised(_by_text(search, "needs", text, OPEN_PUBLIC, TEXT_CANDIDATES))
    if industries:
        by_industry = _hits(
            search,
            "needs",
            SearchRequest(
                filters=SearchFilters(
                    status=("open",), visibility=("public",), industry=industries
                ),
                limit=STRUCTURE_CANDIDATES,
            ),
        )
        for hit in by_industry:
            relevance.setdefault(hit.id, 0.0)
    return relevance


def needs_in_place(search: SearchEngine, code: str, query: str) -> list[int]:
    """The open public needs in a city or zone most related to ``query``, best first (at most
    ``NEEDS_IN_PLACE``, so a place with thousands costs no more)."""
    filters = SearchFilters(status=("open",), visibility=("public",), city=(code,))
    return [h.id for h in _by_text(search, "needs", query, filters, NEEDS_IN_PLACE)]


def projects_for_place(
    search: SearchEngine, code: str, themes: str, wanted: tuple[str, ...]
) -> list[int]:
    """Published projects for a city or zone: those in its ``wanted`` industries best matching
    its ``themes`` (clusters, platforms, research), then those based there."""
    found = _by_text(
        search,
        "projects",
        themes,
        SearchFilters(status=("published",), industry=wanted),
        CITY_CANDIDATES,
    )
    local = _hits(
        search,
        "projects",
        SearchRequest(
            filters=SearchFilters(status=("published",), city=(code,)), limit=LOCAL_CANDIDATES
        ),
    )
    return list(dict.fromkeys([h.id for h in found] + [h.id for h in local]))
