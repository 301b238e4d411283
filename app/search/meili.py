"""The Meilisearch backend: the official client, settings as code, pre-analysed fields.

Meilisearch's own Chinese handling folds Traditional text poorly and cuts Traditional queries
into single characters (charabia#331), so Ketao indexes the same analysed terms as the embedded
engine (``*_terms`` fields) and sends analysed queries; filter and facet attributes hold
language-neutral codes. Filters are built from an allow-list with every value quoted and escaped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from app.search.analysis import Analyzer, cjk_bigrams, fold
from app.search.backend import (
    FACETS,
    INDEXES,
    IndexName,
    SearchDoc,
    SearchFilters,
    SearchHit,
    SearchRequest,
    SearchResult,
    SearchSort,
    SearchUnavailableError,
)

logger = logging.getLogger(__name__)

TASK_TIMEOUT_MS = 120_000
BATCH = 5_000
SEARCHABLE = (
    "title_zh_terms",
    "title_en_terms",
    "keywords_terms",
    "syn",
    "body_zh_terms",
    "body_en_terms",
    "org_terms",
    "ngram",
)
FILTERABLE = ("id", "external_id", "industry", "city", "trl", "mode", "status", "visibility")
SORTABLE = ("created", "trl_desc_key", "trl_asc_key", "price_asc_key", "price_desc_key")
SORTS: dict[SearchSort, list[str]] = {
    SearchSort.newest: ["created:desc"],
    SearchSort.oldest: ["created:asc"],
    SearchSort.trl_desc: ["trl_desc_key:desc"],
    SearchSort.trl_asc: ["trl_asc_key:asc"],
    SearchSort.price_asc: ["price_asc_key:asc"],
    SearchSort.price_desc: ["price_desc_key:desc"],
}
_FILTER_VALUES = ("industry", "city", "mode", "status", "visibility")


def quote(value: str) -> str:
    """A filter value as a Meilisearch string literal: user text can never change the filter."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def build_filter(filters: SearchFilters) -> list[str | list[str]]:
    """Outer list: all must hold; inner list: any may hold. Attribute names are ours only."""
    clauses: list[str | list[str]] = []
    for attribute in _FILTER_VALUES:
        values: tuple[str, ...] = getattr(filters, attribute)
        if values:
            clauses.append([f"{attribute} = {quote(v)}" for v in values])
    if filters.external_id is not None:
        clauses.append(f"external_id = {quote(filters.external_id)}")
    if filters.trl_min is not None:
        clauses.append(f"trl >= {int(filters.trl_min)}")
    if filters.trl_max is not None:
        clauses.append(f"trl <= {int(filters.trl_max)}")
    if filters.exclude_ids:
        ids = ", ".join(str(int(i)) for i in filters.exclude_ids)
        clauses.append(f"id NOT IN [{ids}]")
    return clauses


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class MeiliBackend:
    """One client per process; the ``requests`` session under it is safe across threads."""

    name = "meilisearch"

    def __init__(
        self, url: str, api_key: str | None, analyzer: Analyzer, *, prefix: str = "ketao_"
    ) -> None:
        self.analyzer = analyzer
        self.client = meilisearch.Client(url, api_key, timeout=10)
        self.prefix = prefix

    def uid(self, index: IndexName) -> str:
        return f"{self.prefix}{index}"

    # --- tasks ---

    def _wait(self, task: Any) -> None:
        """Await a task and check it: ``wait_for_task`` returns failed tasks without raising."""
        try:
            done = self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        except MeilisearchError as exc:
            raise SearchUnavailableError(f"meilisearch task {task.task_uid}: {exc}") from exc
        if done.status != "succeeded":
            raise SearchUnavailableError(
                f"meilisearch task {task.task_uid} {done.status}: {done.error}"
            )

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise SearchUnavailableError(f"meilisearch {what}: {exc}") from exc

    # --- settings and documents ---

    def settings(self) -> dict[str, Any]:
        """Index settings as code (the same for projects and needs)."""
        synonyms: dict[str, list[str]] = {}
        for group in self.analyzer.synonym_groups:
            forms = list(dict.fromkeys(" ".join(self.analyzer.terms(v)) or fold(v) for v in group))
            for form in forms:
                others = [f for f in forms if f != form]
                if form and others:
                    synonyms[form] = others
        return {
            "searchableAttributes": list(SEARCHABLE),
            "filterableAttributes": list(FILTERABLE),
            "sortableAttributes": list(SORTABLE),
            "displayedAttributes": ["id"],
            "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
            "synonyms": synonyms,
            "typoTolerance": {
                "enabled": True,
                "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            },
            "localizedAttributes": [
                {"attributePatterns": ["*_zh_terms"], "locales": ["cmn"]},
                {"attributePatterns": ["*_en_terms"], "locales": ["eng"]},
            ],
            "faceting": {"maxValuesPerFacet": 1000},
            "pagination": {"maxTotalHits": 1_000_000},
        }

    def document(self, doc: SearchDoc) -> dict[str, Any]:
        a = self.analyzer
        everything = "\n".join(
            [doc.title_zh, doc.title_en, *doc.keywords, doc.body_zh, doc.body_en]
        )
        return {
            "id": doc.id,
            "external_id": doc.external_id,
            "title_zh_terms": " ".join(a.terms(doc.title_zh)),
            "title_en_terms": " ".join(a.terms(doc.title_en)),
            "keywords_terms": " ".join(a.terms("\n".join(doc.keywords))),
            "syn": " ".join(a.synonym_tags(everything)),
            "body_zh_terms": " ".join(a.terms(doc.body_zh)),
            "body_en_terms": " ".join(a.terms(doc.body_en)),
            "org_terms": " ".join(a.terms(doc.org)),
            "ngram": " ".join(cjk_bigrams(fold(everything))),
            "industry": list(doc.industry),
            "city": list(doc.city),
            "trl": doc.trl,
            "mode": list(doc.mode),
            "status": doc.status,
            "visibility": doc.visibility,
            "trl_desc_key": doc.trl if doc.trl is not None else 0,
            "trl_asc_key": doc.trl if doc.trl is not None else 99,
            "price_asc_key": doc.price if doc.price is not None else 1e18,
            "price_desc_key": doc.price if doc.price is not None else -1.0,
            "created": doc.created,
        }

    def query_string(self, q: str, *, prefix_last: bool) -> str:
        """The analysed query: a unit in a synonym group is sent as the group's tag."""
        words: list[str] = []
        for unit in self.analyzer.query_units(q, prefix_last=prefix_last):
            if unit.synonym:
                words.append(unit.synonym)
            elif unit.prefix:
                words.append(unit.prefix)
            else:
                words.extend(unit.terms)
        return " ".join(words)

    def ensure(self) -> None:
        for index in INDEXES:
            self._ensure_index(self.uid(index))

    def _ensure_index(self, uid: str) -> None:
        try:
            self.client.get_index(uid)
        except MeilisearchApiError as exc:
            if getattr(exc, "code", None) != "index_not_found":
                raise SearchUnavailableError(f"meilisearch get index {uid}: {exc}") from exc
            self._wait(
                self._call("create index", self.client.create_index, uid, {"primaryKey": "id"})
            )
        except MeilisearchError as exc:
            raise SearchUnavailableError(f"meilisearch get index {uid}: {exc}") from exc
        index = self.client.index(uid)
        self._wait(self._call("update settings", index.update_settings, self.settings()))

    def upsert(self, index: IndexName, docs: Sequence[SearchDoc]) -> None:
        target = self.client.index(self.uid(index))
        for chunk in _batches((self.document(d) for d in docs), BATCH):
            self._wait(self._call("add documents", target.add_documents, chunk, primary_key="id"))

    def delete(self, index: IndexName, ids: Sequence[int]) -> None:
        if not ids:
            return
        target = self.client.index(self.uid(index))
        self._wait(self._call("delete documents", target.delete_documents, list(ids)))

    def rebuild(self, index: IndexName, docs: Iterable[SearchDoc]) -> int:
        """A temporary index, settings, load, swap, drop the old one: no downtime."""
        live, tmp = self.uid(index), f"{self.uid(index)}_rebuild"
        try:
            self._wait(self._call("delete index", self.client.delete_index, tmp))
        except SearchUnavailableError:
            logger.debug("no leftover %s to delete", tmp)
        self._wait(self._call("create index", self.client.create_index, tmp, {"primaryKey": "id"}))
        target = self.client.index(tmp)
        self._wait(self._call("update settings", target.update_settings, self.settings()))
        count = 0
        for chunk in _batches((self.document(d) for d in docs), BATCH):
            self._wait(self._call("add documents", target.add_documents, chunk, primary_key="id"))
            count += len(chunk)
        self._ensure_index(live)
        self._wait(self._call("swap", self.client.swap_indexes, [{"indexes": [live, tmp]}]))
        self._wait(self._call("delete index", self.client.delete_index, tmp))
        return count

    # --- reading ---

    def search_body(self, request: SearchRequest) -> dict[str, Any]:
        limit = max(request.limit, 1)
        body: dict[str, Any] = {
            "filter": build_filter(request.filters),
            "page": request.offset // limit + 1,
            "hitsPerPage": limit,
            "attributesToRetrieve": ["id"],
            "showRankingScore": True,
            "matchingStrategy": "all" if request.match == "all" else "last",
        }
        if request.facets:
            body["facets"] = list(FACETS)
        if request.sort is not SearchSort.relevance or not request.q.strip():
            body["sort"] = SORTS.get(request.sort, SORTS[SearchSort.newest])
        return body

    def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        q = self.query_string(request.q, prefix_last=request.prefix_last)
        body = self.search_body(request)
        result = self._call("search", self.client.index(self.uid(index)).search, q, body)
        hits = [
            SearchHit(id=int(h["id"]), score=float(h.get("_rankingScore", 0.0)))
            for h in result.get("hits", [])
        ]
        facets = {
            name: {str(k): int(v) for k, v in values.items()}
            for name, values in (result.get("facetDistribution") or {}).items()
        }
        return SearchResult(hits=hits, total=int(result.get("totalHits", len(hits))), facets=facets)

    def suggest(
        self, index: IndexName, q: str, filters: SearchFilters, limit: int
    ) -> list[SearchHit]:
        if not q.strip():
            return []
        body = {
            "filter": build_filter(filters),
            "limit": limit,
            "attributesToRetrieve": ["id"],
            "attributesToSearchOn": ["title_zh_terms", "title_en_terms"],
            "showRankingScore": True,
        }
        result = self._call(
            "suggest",
            self.client.index(self.uid(index)).search,
            self.query_string(q, prefix_last=True),
            body,
        )
        return [
            SearchHit(id=int(h["id"]), score=float(h.get("_rankingScore", 0.0)))
            for h in result.get("hits", [])
        ]

    def count(self, index: IndexName) -> int:
        stats = self._call("stats", self.client.index(self.uid(index)).get_stats)
        return int(stats.number_of_documents)

    def ping(self) -> None:
        self._call("health", self.client.health)

    def close(self) -> None:
        """The client holds no resources that need closing."""
