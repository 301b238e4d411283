"""The app-scoped matcher: the weights, the concept rules, the reference-data cache and the
project render cache that every match direction reads, built once from ``Settings`` and passed
in explicitly."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.catalog.listing import RenderCache
from app.config import Settings
from app.matching.context import CONTEXT_TTL_SECONDS, Context, ContextCache
from app.matching.terms import ConceptRule, expand, load_concepts
from app.search.analysis import Analyzer


class Matcher:
    """What matching needs beyond a request's session and search engine.

    ``weights`` score a (need, project) pair, ``city_weights`` a (project, city or zone) pair,
    ``roadshow_weights`` a project for a roadshow's lineup; ``concepts`` are the problem →
    solution rules from ``<seed_dir>/search/concepts.txt``, read once; ``renders`` renders the
    matched projects (the app hands in the one its project lists use; without it the matcher
    keeps its own).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        context_ttl: float = CONTEXT_TTL_SECONDS,
        renders: RenderCache | None = None,
    ) -> None:
        self.weights: Mapping[str, float] = dict(settings.match_weights)
        self.city_weights: Mapping[str, float] = dict(settings.city_match_weights)
        self.roadshow_weights: Mapping[str, float] = dict(settings.roadshow_match_weights)
        self.concepts: tuple[ConceptRule, ...] = load_concepts(
            settings.seed_dir / "search" / "concepts.txt"
        )
        self.contexts = ContextCache(context_ttl)
        self.renders = renders if renders is not None else RenderCache()

    def context(self, session: Session, analyzer: Analyzer) -> Context:
        """Cities, zones, profiles and names; read at most once per TTL per database."""
        return self.contexts.get(session, analyzer)

    def expand(self, text: str) -> str:
        """The text with the solution words of every problem it mentions appended."""
        return expand(text, self.concepts)
