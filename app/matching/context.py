"""The reference data every match reads — industry names, cities and zones with their profiles
and platforms — and a per-database cache of it, refreshed at most once a minute."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.geo.models import City, Industry
from app.geo.schemas import CitySummary
from app.matching import scoring
from app.matching.terms import term_set
from app.search.analysis import Analyzer

CONTEXT_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Context:
    names: scoring.Names
    places: dict[str, scoring.Place]
    summaries: dict[str, CitySummary]
    assets: dict[str, list[tuple[str, str, frozenset[str]]]]  # place → (zh, en, terms)


def load_context(session: Session, analyzer: Analyzer) -> Context:
    """Cities, zones, profiles and names, read from the database."""
    industries = {i.code: (i.name_zh, i.name_en) for i in session.scalars(select(Industry))}
    cities = session.scalars(
        select(City).options(selectinload(City.profile)).order_by(City.position)
    ).all()
    places = {
        c.code: scoring.Place(
            code=c.code,
            name_zh=c.name_zh,
            name_en=c.name_en,
            parent=c.parent_code,
            weights={w.industry_code: w.weight for w in c.profile},
            basis={w.industry_code: (w.basis_zh, w.basis_en, tuple(w.sources)) for w in c.profile},
        )
        for c in cities
    }
    assets = {
        c.code: [
            (a["name_zh"], a["name_en"], term_set(analyzer, f"{a['name_zh']} {a['name_en']}"))
            for group in (c.clusters, c.platforms, c.research)
            for a in group
        ]
        for c in cities
    }
    return Context(
        names=scoring.Names(
            industries=industries,
            places={c.code: (c.name_zh, c.name_en) for c in cities},
            parents={c.code: c.parent_code for c in cities},
        ),
        places=places,
        summaries={
            c.code: CitySummary(
                code=c.code,
                kind=c.kind,
                parent=c.parent_code,
                name_zh=c.name_zh,
                name_zh_hant=c.name_zh_hant,
                name_en=c.name_en,
            )
            for c in cities
        },
        assets=assets,
    )


class ContextCache:
    """One ``Context`` per database (by URL), read again when older than ``ttl`` seconds; safe
    to share between the threads serving requests."""

    def __init__(self, ttl: float = CONTEXT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Context]] = {}

    def get(self, session: Session, analyzer: Analyzer) -> Context:
        key = str(session.get_bind().engine.url)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
        ctx = load_context(session, analyzer)
        with self._lock:
            self._entries[key] = (time.monotonic(), ctx)
        return ctx

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
