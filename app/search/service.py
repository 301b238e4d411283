"""The search service other domains call: the engine, its analyzer and the indexer together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.search.analysis import Analyzer, load_analyzer

__all__ = ["SearchEngine", "dictionary_terms", "load_analyzer", "make_search_engine"]
from app.search.backend import (
    INDEXES,
    IndexName,
    SearchBackend,
    SearchFilters,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from app.search.highlight import Highlighter
from app.search.indexer import Indexer, read_sessions, watch_commits

logger = logging.getLogger(__name__)


@dataclass
class SearchEngine:
    backend: SearchBackend
    analyzer: Analyzer
    indexer: Indexer

    def search(self, index: IndexName, request: SearchRequest) -> tuple[SearchResult, str]:
        """Search with every word required; when that finds nothing, with any word.

        Returns the result and which of ``all`` / ``any`` it used.
        """
        result = self.backend.search(index, request)
        if (
            result.total == 0
            and request.match == "all"
            and len(self.analyzer.query_units(request.q)) > 1
        ):
            return self.backend.search(index, replace(request, match="any")), "any"
        return result, request.match

    def suggest(
        self, index: IndexName, q: str, filters: SearchFilters, limit: int
    ) -> list[SearchHit]:
        return self.backend.suggest(index, q, filters, limit)

    def highlighter(self, q: str) -> Highlighter:
        return Highlighter(self.analyzer, self.analyzer.query_units(q, prefix_last=True))

    def rebuild_if_empty(self) -> None:
        """A fresh data directory (or a wiped index) with rows in SQL: rebuild from SQL."""
        with self.indexer.reader() as session:
            from app.catalog.models import Project
            from app.needs.models import Need

            in_sql = {
                "projects": session.scalar(select(func.count()).select_from(Project)) or 0,
                "needs": session.scalar(select(func.count()).select_from(Need)) or 0,
            }
        empty = [i for i in INDEXES if in_sql[i] and self.backend.count(i) == 0]
        if empty:
            logger.info("search: rebuilding empty indexes %s from SQL", empty)
            self.indexer.rebuild(empty)

    def start(self) -> None:
        """Start-up, in the background: indexes ensured and rebuilt if empty (retried until the
        engine answers), then the outbox drained after every commit."""

        def prepare() -> None:
            self.backend.ensure()
            self.rebuild_if_empty()

        self.indexer.start(before=prepare)

    def stop(self) -> None:
        self.indexer.stop()
        self.backend.close()


def dictionary_terms(session: Session) -> list[str]:
    """Domain words for segmentation: taxonomy names and every keyword in the library."""
    from app.catalog.models import Project
    from app.geo.models import Industry
    from app.needs.models import Need

    words: set[str] = set()
    for zh in session.scalars(select(Industry.name_zh)):
        words.update(part for part in zh.replace("、", " ").replace("和", " ").split() if part)
    for keywords in (
        *session.scalars(select(Project.keywords)),
        *session.scalars(select(Need.keywords)),
    ):
        words.update(keywords)
    return sorted(words)


def make_backend(settings: Settings, analyzer: Analyzer) -> SearchBackend:
    if settings.meili_url:
        from app.search.meili import MeiliBackend

        return MeiliBackend(
            settings.meili_url,
            settings.meili_key,
            analyzer,
            prefix=settings.meili_index_prefix,
        )
    from app.search.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.data_dir, analyzer)


def make_search_engine(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    background: bool,
    analyzer: Analyzer | None = None,
    backend: SearchBackend | None = None,
) -> SearchEngine:
    """The engine for this process; ``background`` drains the outbox on a thread after commits,
    otherwise right after each commit in the committing thread (tests and the command line)."""
    if analyzer is None:
        with read_sessions(factory)() as session:  # reads only: no write lock at start-up
            analyzer = load_analyzer(settings.seed_dir, dictionary_terms(session))
    backend = backend or make_backend(settings, analyzer)
    # Drains of every process on this machine take turns (``ketao serve --workers 2``, the CLI).
    indexer = Indexer(factory, backend, lock_path=settings.data_dir / "search-drain.lock")
    if background:
        watch_commits(factory, indexer.notify)
    else:
        watch_commits(factory, lambda: _drain_quietly(indexer))
    return SearchEngine(backend=backend, analyzer=analyzer, indexer=indexer)


def _drain_quietly(indexer: Indexer) -> None:
    try:
        indexer.drain()
    except Exception:  # the write committed; the outbox keeps the change for a later drain
        logger.exception("search: drain after commit failed")
