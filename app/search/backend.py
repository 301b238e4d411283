"""The ``SearchBackend`` port: what every search engine adapter offers Ketao, and its types."""

from __future__ import annotations

import enum
import fcntl
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

IndexName = Literal["projects", "needs"]
INDEXES: tuple[IndexName, ...] = ("projects", "needs")
FACETS = ("industry", "city", "trl", "mode")


class SearchUnavailableError(Exception):
    """The engine did not answer or refused; callers fall back or retry, never lose data."""


class SearchSort(enum.StrEnum):
    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"
    trl_desc = "trl_desc"
    trl_asc = "trl_asc"
    price_asc = "price_asc"
    price_desc = "price_desc"


@dataclass(frozen=True)
class SearchDoc:
    """A project or need as both engines index it; display text stays in SQL.

    ``industry`` holds each code and its top-level code; ``city`` the home city and the
    targets; ``trl`` a project's TRL or a need's minimum; ``price`` an asking price or a budget.
    """

    id: int
    external_id: str
    title_zh: str = ""
    title_en: str = ""
    keywords: tuple[str, ...] = ()
    body_zh: str = ""
    body_en: str = ""
    org: str = ""
    industry: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    trl: int | None = None
    mode: tuple[str, ...] = ()
    status: str = ""
    visibility: str = "public"
    price: float | None = None
    created: int = 0  # microseconds since the epoch


@dataclass(frozen=True)
class SearchFilters:
    """Every filter is an allow-listed attribute; tuples mean any of the values."""

    industry: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    mode: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    visibility: tuple[str, ...] = ()
    external_id: str | None = None
    exclude_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: SearchSort = SearchSort.relevance
    offset: int = 0
    limit: int = 20
    facets: bool = False
    match: Literal["all", "any"] = "all"
    prefix_last: bool = True


@dataclass(frozen=True)
class SearchHit:
    id: int
    score: float


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchBackend(Protocol):
    """One port, two adapters: the embedded tantivy engine and Meilisearch."""

    name: str

    def ensure(self) -> None:
        """Create the indexes if missing and bring their settings up to date."""

    def upsert(self, index: IndexName, docs: Sequence[SearchDoc]) -> None:
        """Add or replace documents; returns only once the engine has them."""

    def delete(self, index: IndexName, ids: Sequence[int]) -> None:
        """Remove documents by id; missing ids are fine."""

    def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        """Query, filters, facets, sort and paging; exact totals."""

    def suggest(
        self, index: IndexName, q: str, filters: SearchFilters, limit: int
    ) -> list[SearchHit]:
        """Search-as-you-type over titles, the last word a prefix."""

    def count(self, index: IndexName) -> int:
        """How many documents the index holds."""

    def rebuild(self, index: IndexName, docs: Iterable[SearchDoc]) -> int:
        """Build a new index from ``docs`` and swap it in without downtime; returns the count."""

    def ping(self) -> None:
        """Raise ``SearchUnavailableError`` when the engine does not answer."""

    def close(self) -> None:
        """Release files, threads and connections."""


class FileLock:
    """One holder at a time among the threads of a process and, given a ``path``, among the
    processes of the machine (``flock``); re-entrant in the holding thread.

    The operating system lets go when the holder dies, so a crash never leaves it stuck. Waiting
    is bounded: past ``timeout`` seconds ``held`` raises ``SearchUnavailableError``.
    """

    def __init__(self, path: Path | None, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout
        if not self._thread.acquire(timeout=self.timeout):
            raise SearchUnavailableError(f"{self.path or 'lock'}: busy for {self.timeout:.0f} s")
        try:
            if self._depth == 0 and self.path is not None:
                self._fd = _flock(self.path, deadline)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    os.close(self._fd)  # closing the file lets go of the lock
                    self._fd = None
        finally:
            self._thread.release()


def _flock(path: Path, deadline: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    pause = 0.001
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SearchUnavailableError(f"{path}: held by another process") from None
                # Polled rather than blocking, so the wait stays bounded; holders keep it
                # for one batch.
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.02)
    except BaseException:
        os.close(fd)
        raise
