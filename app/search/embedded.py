"""The embedded search backend: tantivy on disk, fed with our own analysed tokens."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import tantivy

from app.search.analysis import Analyzer, QueryUnit, cjk_bigrams, fold
from app.search.backend import (
    FACETS,
    INDEXES,
    FileLock,
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
# A writer holds the lock for one batch (tens of milliseconds, a merge now and then); waiting
# this long means something is stuck, and the outbox retries the batch later.
WRITER_LOCK_SECONDS = 30.0


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
    Several processes may share ``root`` (``ketao serve --workers 2``, ``ketao index rebuild``
    beside a server): they write one at a time under ``root/WRITER.lock``, each opening a
    tantivy writer for one batch and letting it go before the lock, and each reader follows
    ``CURRENT`` and reloads when the generation's ``meta.json`` changes (another process
    committed). Searches never wait for a writer.
    """

    def __init__(self, root: Path, schema: tantivy.Schema) -> None:
        self.root = root
        self.schema = schema
        self.lock = FileLock(root / "WRITER.lock", timeout=WRITER_LOCK_SECONDS)
        self._switch = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)
        with self.lock.held():  # two processes starting together create one generation
            generation = self._current()
            index = self._open_or_none(generation) if generation else None
            if index is None or generation is None:
                generation = self._new_generation()
                index = self._open(generation)
                self._point_to(generation)
            self.index, self.generation = index, generation
            self._pointer = _stamp(root / "CURRENT")
            self._meta = _stamp(root / generation / "meta.json")

    def _open_or_none(self, generation: str) -> tantivy.Index | None:
        try:
            return self._open(generation)
        except ValueError:
            # Written by an older schema: start an empty generation; the engine's start-up
            # finds it empty and rebuilds it from SQL.
            logger.warning("search index %s has an old schema; starting a new one", self.root)
            return None

    def _current(self) -> str | None:
        pointer = self.root / "CURRENT"
        try:
            name = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def _new_generation(self) -> str:
        while True:
            name = f"g{time.time_ns()}"
            try:
                (self.root / name).mkdir()
                return name
            except FileExistsError:  # another process, the same nanosecond
                continue

    def _open(self, generation: str) -> tantivy.Index:
        return tantivy.Index(self.schema, path=str(self.root / generation), reuse=True)

    def _point_to(self, generation: str) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(generation)
        os.replace(tmp, self.root / "CURRENT")

    # --- reading ---

    def reader(self) -> tantivy.Index:
        """The live generation as of now: two ``stat`` calls when nothing changed."""
        pointer = _stamp(self.root / "CURRENT")
        if pointer != self._pointer:
            self._follow(pointer)
        meta = _stamp(self.root / self.generation / "meta.json")
        if meta != self._meta:
            with self._switch:
                if meta != self._meta:
                    try:
                        self.index.reload()
                        self._meta = meta
                    except ValueError:  # removed after two swaps: CURRENT moved on, follow it
                        logger.debug("search index %s: reload failed", self.root, exc_info=True)
        return self.index

    def _follow(self, pointer: _Stamp) -> None:
        """Open the generation ``CURRENT`` names; keep the old one until that succeeds."""
        with self._switch:
            if pointer == self._pointer:
                return
            generation = self._current()
            if generation is None:
                return
            if generation != self.generation:
                try:
                    index = self._open(generation)
                except ValueError:  # half-written or already replaced: try again next time
                    logger.debug("search index %s: cannot open %s", self.root, generation)
                    return
                meta = _stamp(self.root / generation / "meta.json")
                self.index, self.generation, self._meta = index, generation, meta
            self._pointer = pointer

    # --- writing (each under the lock) ---

    def write(self, change: Callable[[tantivy.IndexWriter], None]) -> None:
        """Apply ``change`` to the live generation and commit it, holding the writer only for
        this batch: the next writer may be another process."""
        with self.lock.held():
            index = self._live()
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                change(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Lets go of tantivy's own writer lock, once merges are done: a writer dropped
                # without waiting abandons them, leaving a segment per batch.
                writer.wait_merging_threads()
            with self._switch:
                index.reload()
                self._meta = _stamp(self.root / self.generation / "meta.json")

    def _live(self) -> tantivy.Index:
        """Under the lock: the generation ``CURRENT`` names, which cannot move meanwhile. Never
        an older one, which a rebuild has replaced: what is written there would be lost."""
        generation = self._current() or self.generation
        if generation != self.generation:
            index = self._open(generation)
            with self._switch:
                self.index, self.generation = index, generation
                self._pointer = _stamp(self.root / "CURRENT")
                self._meta = _stamp(self.root / generation / "meta.json")
        return self.index

    @contextmanager
    def building(self) -> Iterator[str]:
        """A new generation folder for a rebuild; marked as in use (by an ``flock`` on
        ``BUILDING`` inside it) until the block ends, so no swap removes it meanwhile."""
        with self.lock.held():  # a swap elsewhere never sees the folder unmarked
            generation = self._new_generation()
            marker = self.root / generation / "BUILDING"
            fd = os.open(marker, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield generation
        finally:
            marker.unlink(missing_ok=True)
            os.close(fd)

    def swap_in(self, generation: str) -> None:
        """Point ``CURRENT`` at ``generation``. The generation it replaces stays on disk, as a
        process may still be reading it; older ones go now."""
        with self.lock.held():
            replaced = self._current()
            index = self._open(generation)
            self._point_to(generation)
            with self._switch:
                self.index, self.generation = index, generation
                self._pointer = _stamp(self.root / "CURRENT")
                self._meta = _stamp(self.root / generation / "meta.json")
            for folder in self.root.iterdir():
                if folder.name not in {generation, replaced} and _abandoned(folder):
                    shutil.rmtree(folder, ignore_errors=True)

    def discard(self, generation: str) -> None:
        shutil.rmtree(self.root / generation, ignore_errors=True)


_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    """Which version of a file this is: both CURRENT and meta.json are replaced by a rename."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _abandoned(folder: Path) -> bool:
    """A generation folder no rebuild is writing (not, or no longer, marked ``BUILDING``)."""
    if not (folder.is_dir() and folder.name.startswith("g")):
        return False
    try:
        fd = os.open(folder / "BUILDING", os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True  # its rebuild died before the swap


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

    def _index(self, name: IndexName) -> _Index:
        if name not in self._indexes:
            self.ensure()
        return self._indexes[name]

    def _reader(self, name: IndexName) -> tantivy.Index:
        return self._index(name).reader()

    def ping(self) -> None:
        try:
            for name in INDEXES:
                self._reader(name).searcher()
        except (OSError, ValueError) as exc:
            raise SearchUnavailableError(str(exc)) from exc

    def close(self) -> None:
        # Nothing to roll back: no writer outlives its batch.
        self._indexes.clear()
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

        def change(writer: tantivy.IndexWriter) -> None:
            for doc_id, document in prepared:
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(document)

        self._index(index).write(change)

    def delete(self, index: IndexName, ids: Sequence[int]) -> None:
        if not ids:
            return

        def change(writer: tantivy.IndexWriter) -> None:
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

        self._index(index).write(change)

    def rebuild(self, index: IndexName, docs: Iterable[SearchDoc]) -> int:
        """Build a new generation outside the lock (writers go on in the live one), then swap
        it in under the lock."""
        idx = self._index(index)
        with idx.building() as generation:
            try:
                count = self._build(idx.root / generation, docs)
                idx.swap_in(generation)
            except BaseException:
                idx.discard(generation)
                raise
        return count

    def _build(self, folder: Path, docs: Iterable[SearchDoc]) -> int:
        fresh = tantivy.Index(self.schema, path=str(folder))
        writer = fresh.writer(heap_size=REBUILD_HEAP, num_threads=2)
        count = 0
        try:
            for doc in docs:
                writer.add_document(self.document(doc))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return count

    # --- reading ---

    def count(self, index: IndexName) -> int:
        searcher = self._reader(index).searcher()
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
        searcher = self._reader(index).searcher()
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
        searcher = self._reader(index).searcher()
        found = searcher.search(query, limit)
        return _hits(searcher, found.hits)
