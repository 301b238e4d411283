"""The embedded search backend: tantivy on disk, fed with our own analysed tokens."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import tantivy

from app.search.analysis import Analyzer, QueryUnit, cjk_bigrams, fold
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

# Word fields and their weight; a unit scores by its best field (dis-max) plus a little of
# the others.
WORD_FIELDS = {"title": 3.0, "keywords": 2.5, "body": 1.0, "org": 0.8}
SYNONYM_BOOST = 2.0
BIGRAM_BOOST = 0.6
FUZZY_FACTOR = 0.5
PREFIX_FACTOR = 0.7
TIE_BREAKER = 0.2
RAW_FIELDS = ("external_id", "industry", "city", "mode", "status", "visibility")
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000


def fuzzy_distance(term: str) -> int:
    """Typos allowed in a Latin word: one from 5 letters, two from 9."""
    return 2 if len(term) >= 9 else 1 if len(term) >= 5 else 0


def _hits(searcher: tantivy.Searcher, found: list[tuple[Any, Any]]) -> list[SearchHit]:
    """Ids read from the fast field, not the document store (no decompression)."""
    ids = searcher.fast_field_values("id", [address for _, address in found])
    return [
        SearchHit(id=int(doc_id or 0), score=float(score))
        for (score, _), doc_id in zip(found, ids, strict=True)
    ]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in (*WORD_FIELDS, "syn", "ngram", "title_ngram", "raw"):
        sb.add_text_field(name, stored=False, tokenizer_name="whitespace")
    for name in RAW_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    sb.add_integer_field("trl", indexed=True, fast=True)
    sb.add_integer_field("trl_desc_key", fast=True)
    sb.add_integer_field("trl_asc_key", fast=True)
    sb.add_float_field("price_asc_key", fast=True)
    sb.add_float_field("price_desc_key", fast=True)
    sb.add_integer_field("created", indexed=True, fast=True)
    return sb.build()


class _Index:
    """One tantivy index (projects or needs) in generation folders under ``root``.

    ``root/CURRENT`` names the live generation; a rebuild writes a new one and swaps the name.
    One writer, guarded by a lock; searches use fresh searchers and never wait for it.
    """

    def __init__(self, root: Path, schema: tantivy.Schema) -> None:
        self.root = root
        self.schema = schema
        self.lock = threading.RLock()
        root.mkdir(parents=True, exist_ok=True)
        generation = self._current() or self._new_generation()
        try:
            index = self._open(generation)
        except ValueError:
            # Written by an older schema: start an empty generation; the engine's start-up
            # finds it empty and rebuilds it from SQL.
            logger.warning("search index %s has an old schema; starting a new one", root)
            generation = self._new_generation()
            index = self._open(generation)
            self._point_to(generation)
        self.index = index
        self.generation = generation
        self._writer: tantivy.IndexWriter | None = None
        self._seen = self._pointer_stamp()

    def _pointer_stamp(self) -> int:
        try:
            return (self.root / "CURRENT").stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def refresh(self) -> None:
        """Follow a rebuild made by another process: reopen when ``CURRENT`` moved."""
        stamp = self._pointer_stamp()
        if stamp == self._seen:
            return
        with self.lock:
            self._seen = stamp
            current = self._current()
            if current and current != self.generation:
                if self._writer is not None:
                    self._writer.rollback()
                    self._writer = None
                self.index, self.generation = self._open(current), current

    def _current(self) -> str | None:
        pointer = self.root / "CURRENT"
        if pointer.exists():
            name = pointer.read_text().strip()
            if name and (self.root / name).is_dir():
                return name
        return None

    def _new_generation(self) -> str:
        name = f"g{time.time_ns()}"
        (self.root / name).mkdir()
        return name

    def _open(self, generation: str) -> tantivy.Index:
        return tantivy.Index(self.schema, path=str(self.root / generation), reuse=True)

    def _point_to(self, generation: str) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(generation)
        os.replace(tmp, self.root / "CURRENT")

    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def commit(self) -> None:
        self.writer().commit()
        self.index.reload()

    def swap_in(self, generation: str, index: tantivy.Index) -> None:
        with self.lock:
            old = self.generation
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None
            self._point_to(generation)
            self._seen = self._pointer_stamp()
            self.index, self.generation = index, generation
        # Another process may still read the old files: on POSIX they live until it lets go.
        shutil.rmtree(self.root / old, ignore_errors=True)

    def close(self) -> None:
        with self.lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None


class EmbeddedBackend:
    """The default engine: no server, an index per kind under ``data_dir/index``."""

    name = "embedded"

    def __init__(self, data_dir: Path, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.schema = _schema()
        self._root = data_dir / "index"
        self._indexes: dict[str, _Index] = {}
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ketao-facets")

    # --- lifecycle ---

    def ensure(self) -> None:
        for name in INDEXES:
            if name not in self._indexes:
                self._indexes[name] = _Index(self._root / name, self.schema)
            self._write_pointer_if_missing(name)

    def _write_pointer_if_missing(self, name: str) -> None:
        idx = self._indexes[name]
        if not (idx.root / "CURRENT").exists():
            idx._point_to(idx.generation)

    def _index(self, name: IndexName) -> _Index:
        if name not in self._indexes:
            self.ensure()
        idx = self._indexes[name]
        idx.refresh()
        return idx

    def ping(self) -> None:
        try:
            for name in INDEXES:
                self._index(name).index.searcher()
        except (OSError, ValueError) as exc:
            raise SearchUnavailableError(str(exc)) from exc

    def close(self) -> None:
        for idx in self._indexes.values():
            idx.close()
        self._pool.shutdown(wait=False)

    # --- writing ---

    def document(self, doc: SearchDoc) -> tantivy.Document:
        a = self.analyzer
        title = f"{doc.title_zh}\n{doc.title_en}"
        keywords = "\n".join(doc.keywords)
        body = f"{doc.body_zh}\n{doc.body_en}"
        raw: list[str] = []
        terms = {
            "title": a.terms(title, raw),
            "keywords": a.terms(keywords, raw),
            "body": a.terms(body, raw),
        }
        title_grams = cjk_bigrams(fold(title))
        out = tantivy.Document()
        out.add_integer("id", doc.id)
        for name, field_terms in terms.items():
            out.add_text(name, " ".join(field_terms))
        out.add_text("org", " ".join(a.terms(doc.org)))
        tags = {tag for field_terms in terms.values() for tag in a.synonym_tags_of(field_terms)}
        out.add_text("syn", " ".join(sorted(tags)))
        grams = title_grams + cjk_bigrams(fold(f"{keywords}\n{body}"))
        out.add_text("ngram", " ".join(grams))
        out.add_text("title_ngram", " ".join(title_grams))
        out.add_text("raw", " ".join(dict.fromkeys(raw)))
        out.add_text("external_id", doc.external_id)
        for name in ("industry", "city", "mode"):
            for value in getattr(doc, name):
                out.add_text(name, value)
        out.add_text("status", doc.status)
        out.add_text("visibility", doc.visibility)
        if doc.trl is not None:
            out.add_integer("trl", doc.trl)
        out.add_integer("trl_desc_key", doc.trl if doc.trl is not None else 0)
        out.add_integer("trl_asc_key", doc.trl if doc.trl is not None else 99)
        out.add_float("price_asc_key", doc.price if doc.price is not None else 1e18)
        out.add_float("price_desc_key", doc.price if doc.price is not None else -1.0)
        out.add_integer("created", doc.created)
        return out

    def upsert(self, index: IndexName, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return
        prepared = [(d.id, self.document(d)) for d in docs]  # analyse outside the lock
        idx = self._index(index)
        with idx.lock:
            writer = idx.writer()
            for doc_id, document in prepared:
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(document)
            idx.commit()

    def delete(self, index: IndexName, ids: Sequence[int]) -> None:
        if not ids:
            return
        idx = self._index(index)
        with idx.lock:
            writer = idx.writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
            idx.commit()

    def rebuild(self, index: IndexName, docs: Iterable[SearchDoc]) -> int:
        idx = self._index(index)
        generation = idx._new_generation()
        fresh = tantivy.Index(self.schema, path=str(idx.root / generation))
        writer = fresh.writer(heap_size=REBUILD_HEAP, num_threads=2)
        count = 0
        try:
            for doc in docs:
                writer.add_document(self.document(doc))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            shutil.rmtree(idx.root / generation, ignore_errors=True)
            raise
        fresh.reload()
        idx.swap_in(generation, fresh)
        return count

    # --- reading ---

    def count(self, index: IndexName) -> int:
        searcher = self._index(index).index.searcher()
        return int(searcher.num_docs)

    def _filters(self, filters: SearchFilters) -> list[tantivy.Query]:
        s = self.schema
        out: list[tantivy.Query] = []
        for name, values in (
            ("industry", filters.industry),
            ("city", filters.city),
            ("mode", filters.mode),
            ("status", filters.status),
            ("visibility", filters.visibility),
        ):
            if values:
                out.append(tantivy.Query.term_set_query(s, name, list(values)))
        if filters.external_id is not None:
            out.append(tantivy.Query.term_query(s, "external_id", filters.external_id))
        if filters.trl_min is not None or filters.trl_max is not None:
            out.append(
                tantivy.Query.range_query(
                    s,
                    "trl",
                    tantivy.FieldType.Integer,
                    filters.trl_min if filters.trl_min is not None else 0,
                    filters.trl_max if filters.trl_max is not None else 100,
                )
            )
        return out

    def _unit_query(self, unit: QueryUnit, *, titles_only: bool = False) -> tantivy.Query:
        s = self.schema
        fields = {"title": WORD_FIELDS["title"]} if titles_only else WORD_FIELDS
        alternatives: list[tantivy.Query] = []
        for name, weight in fields.items():
            per_term = [tantivy.Query.term_query(s, name, term) for term in unit.terms]
            exact = (
                per_term[0]
                if len(per_term) == 1
                else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in per_term])
            )
            alternatives.append(tantivy.Query.boost_query(exact, weight))
            if unit.prefix and len(unit.prefix) >= 2:
                prefix = tantivy.Query.fuzzy_term_query(
                    s, name, unit.prefix, distance=0, prefix=True
                )
                alternatives.append(tantivy.Query.boost_query(prefix, weight * PREFIX_FACTOR))
        if unit.raw and not titles_only and fuzzy_distance(unit.raw):
            # Typos are judged on words as typed, never on stems: "ambulanses" is one edit from
            # "ambulances" though its stem ("ambulans") is three from theirs ("ambul"), and the
            # stem of "batery" ("bateri") is one from that of "material" ("materi").
            typo = tantivy.Query.fuzzy_term_query(
                s, "raw", unit.raw, distance=fuzzy_distance(unit.raw), transposition_cost_one=True
            )
            alternatives.append(tantivy.Query.boost_query(typo, FUZZY_FACTOR))
        if unit.bigrams:
            field = "title_ngram" if titles_only else "ngram"
            grams: list[str | tuple[int, str]] = list(unit.bigrams)
            if len(unit.bigrams) == 1 and len(unit.bigrams[0]) == 1:
                gram_query = tantivy.Query.regex_query(s, field, f"{unit.bigrams[0]}.?")
            elif len(unit.bigrams) == 1:
                gram_query = tantivy.Query.term_query(s, field, unit.bigrams[0])
            else:
                gram_query = tantivy.Query.phrase_query(s, field, grams)
            alternatives.append(tantivy.Query.boost_query(gram_query, BIGRAM_BOOST))
        if unit.synonym and not titles_only:
            syn = tantivy.Query.term_query(s, "syn", unit.synonym)
            alternatives.append(tantivy.Query.boost_query(syn, SYNONYM_BOOST))
        return tantivy.Query.disjunction_max_query(alternatives, tie_breaker=TIE_BREAKER)

    def _query(
        self,
        q: str,
        filters: SearchFilters,
        *,
        match: str,
        prefix_last: bool,
        titles_only: bool = False,
    ) -> tantivy.Query:
        units = self.analyzer.query_units(q, prefix_last=prefix_last) if q.strip() else []
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if units:
            occur = tantivy.Occur.Must if match == "all" else tantivy.Occur.Should
            text = [(occur, self._unit_query(u, titles_only=titles_only)) for u in units]
            if match == "all":
                clauses.extend(text)
            else:
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(text)))
        for f in self._filters(filters):
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)))
        if filters.exclude_ids:
            excluded = tantivy.Query.term_set_query(self.schema, "id", list(filters.exclude_ids))
            clauses.append((tantivy.Occur.MustNot, excluded))
        if not clauses or all(o == tantivy.Occur.MustNot for o, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        if len(clauses) == 1 and clauses[0][0] == tantivy.Occur.Must:
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    _SORT: ClassVar[dict[SearchSort, tuple[str, tantivy.Order]]] = {
        SearchSort.newest: ("created", tantivy.Order.Desc),
        SearchSort.oldest: ("created", tantivy.Order.Asc),
        SearchSort.trl_desc: ("trl_desc_key", tantivy.Order.Desc),
        SearchSort.trl_asc: ("trl_asc_key", tantivy.Order.Asc),
        SearchSort.price_asc: ("price_asc_key", tantivy.Order.Asc),
        SearchSort.price_desc: ("price_desc_key", tantivy.Order.Desc),
    }

    def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        query = self._query(
            request.q, request.filters, match=request.match, prefix_last=request.prefix_last
        )
        searcher = self._index(index).index.searcher()
        kwargs: dict[str, Any] = {"count": True, "offset": request.offset}
        if request.sort is not SearchSort.relevance or not request.q.strip():
            name, order = self._SORT.get(request.sort, self._SORT[SearchSort.newest])
            kwargs |= {"order_by_field": name, "order": order}
        limit = max(request.limit, 1)
        # Facets and hits are two passes over the matches; tantivy releases the GIL for both,
        # so they run side by side.
        pending = self._pool.submit(self._facets, searcher, query) if request.facets else None
        found = searcher.search(query, limit, **kwargs)
        hits = _hits(searcher, found.hits[: request.limit])
        facets = pending.result() if pending is not None else {}
        total = getattr(found, "count", None)
        return SearchResult(hits=hits, total=int(total or 0), facets=facets)

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": name, "size": 1000}} for name in FACETS}
        result: dict[str, Any] = searcher.aggregate(query, spec)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in result[name]["buckets"]}
            for name in FACETS
        }

    def suggest(
        self, index: IndexName, q: str, filters: SearchFilters, limit: int
    ) -> list[SearchHit]:
        if not q.strip():
            return []
        query = self._query(q, filters, match="all", prefix_last=True, titles_only=True)
        searcher = self._index(index).index.searcher()
        found = searcher.search(query, limit)
        return _hits(searcher, found.hits)
