"""Matching directions: need → projects, project → needs, project → cities and zones,
city or zone → projects, and an ad-hoc need. Candidates come from the search engine, so
matching scales with it; the scorer (``scoring``) explains every score."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.catalog import service as catalog
from app.catalog.schemas import ProjectPublic
from app.config import get_settings
from app.errors import ConflictError, NotFoundError
from app.geo.models import City, Industry
from app.geo.schemas import CitySummary
from app.matching import scoring
from app.matching.schemas import (
    AdHocNeed,
    AdHocNeedMatches,
    CityMatch,
    CityProjectMatches,
    NeedMatch,
    NeedMatches,
    ProjectCityMatches,
    ProjectMatch,
    ProjectNeedMatches,
    Reason,
)
from app.needs import service as needs_service
from app.needs.schemas import NeedPublic
from app.search.analysis import Analyzer, fold
from app.search.backend import SearchFilters, SearchHit, SearchRequest, SearchSort
from app.search.service import SearchEngine

TEXT_CANDIDATES = 100
STRUCTURE_CANDIDATES = 50
CITY_CANDIDATES = 300
QUERY_CHARS = 600  # of a need's or project's text, enough to say what it is about
MAX_LIMIT = 50
NEEDS_IN_PLACE = 50  # open needs of a place weighed for a city's or a roadshow's projects
NEED_FIT = 0.5  # an open need counts for a city only if it matches the project at least this well

PUBLISHED = SearchFilters(status=("published",))
OPEN_PUBLIC = SearchFilters(status=("open",), visibility=("public",))


# --- reference data: names, places, problem → solution concepts ---


@dataclass(frozen=True)
class Context:
    names: scoring.Names
    places: dict[str, scoring.Place]
    summaries: dict[str, CitySummary]
    assets: dict[str, list[tuple[str, str, frozenset[str]]]]  # place → (zh, en, terms)


_context_lock = threading.Lock()
_context: dict[str, tuple[float, Context]] = {}
CONTEXT_TTL_SECONDS = 60.0


def context(session: Session, analyzer: Analyzer) -> Context:
    """Cities, zones, profiles and names; read at most once a minute per database."""
    key = str(session.get_bind().engine.url)
    with _context_lock:
        hit = _context.get(key)
        if hit is not None and time.monotonic() - hit[0] < CONTEXT_TTL_SECONDS:
            return hit[1]
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
            (a["name_zh"], a["name_en"], _term_set(analyzer, f"{a['name_zh']} {a['name_en']}"))
            for group in (c.clusters, c.platforms, c.research)
            for a in group
        ]
        for c in cities
    }
    ctx = Context(
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
    with _context_lock:
        _context[key] = (time.monotonic(), ctx)
    return ctx


# Words too general to count as shared between a need and a project.
_GENERIC = frozenset(
    [
        "技术",
        "研发",
        "系统",
        "产品",
        "应用",
        "项目",
        "合作",
        "企业",
        "需求",
        "开发",
        "产业",
        "平台",
        "服务",
        "材料",
        "设备",
        "制造",
        "technology",
        "system",
        "product",
        "application",
        "project",
        "develop",
        "industry",
        "platform",
        "service",
        "high",
        "low",
        "new",
        "use",
        "base",
        "larg",
        "small",
        "effici",
        "cost",
        "实验室",
        "科学城",
        "园区",
        "中心",
        "基地",
        "研究院",
        "大学",
        "science",
        "laboratori",
        "lab",
        "citi",
        "park",
        "centr",
        "center",
        "univers",
        "institut",
    ]
)


def _term_set(analyzer: Analyzer, text: str, terms: Sequence[str] | None = None) -> frozenset[str]:
    """Meaningful terms and synonym tags of ``text`` (for overlaps and shared-term reasons);
    ``terms``, when the caller has analysed the text already."""
    terms = analyzer.terms(text) if terms is None else terms
    words = {t for t in terms if len(t) >= 2 and t not in _GENERIC and not t.isdigit()}
    return frozenset(words | set(analyzer.synonym_tags_of(terms)))


@lru_cache(maxsize=4)
def _concepts(path: Path) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Problem → solution rules (``seed/search/concepts.txt``), folded for matching."""
    if not path.exists():
        return ()
    rules = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if " => " not in line:
            continue
        problem, solution = line.split(" => ", 1)
        terms = tuple(fold(t.strip()) for t in problem.split(",") if t.strip())
        rules.append((terms, " ".join(t.strip() for t in solution.split(","))))
    return tuple(rules)


def expand(text: str) -> str:
    """The text with the solution words of every problem it mentions appended."""
    folded = fold(text)
    rules = _concepts(get_settings().seed_dir / "search" / "concepts.txt")
    extra = [solution for problems, solution in rules if any(p in folded for p in problems)]
    return f"{text} {' '.join(extra)}" if extra else text


def _query_text(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)[:QUERY_CHARS]


def _normalised(hits: Sequence[SearchHit]) -> dict[int, float]:
    """Engine scores as fractions of the best one (the issue's "normalised per query")."""
    best = max((h.score for h in hits), default=0.0)
    return {h.id: round(h.score / best, 4) if best > 0 else 0.0 for h in hits}


def _with_shared_terms(
    reasons: Sequence[Reason],
    analyzer: Analyzer,
    other_terms: frozenset[str],
    title_zh: str | None,
    title_en: str | None,
    keywords: Sequence[str],
) -> list[Reason]:
    """The reasons, with the text reason naming the terms this title and keywords share."""
    out = list(reasons)
    shared = _shared(analyzer, other_terms, " ".join([title_zh or "", title_en or "", *keywords]))
    if shared and out and out[0].code.startswith("text."):
        out[0] = scoring.text_reason(shared, 1.0) or out[0]
    return out


def _shared(
    analyzer: Analyzer,
    need_terms: frozenset[str],
    text: str,
    terms: Sequence[str] | None = None,
) -> list[str]:
    seen = []
    for term in analyzer.terms(text) if terms is None else terms:
        if term in need_terms and term not in seen and len(term) >= 2 and term not in _GENERIC:
            seen.append(term)
    return sorted(seen, key=len, reverse=True)


# --- need → projects ---


def _need_spec(need: NeedPublic | AdHocNeed, city: str | None) -> scoring.NeedSpec:
    return scoring.NeedSpec(
        industries=tuple(need.industries),
        city=city,
        min_trl=need.min_trl,
        modes=tuple(str(m) for m in need.transfer_modes),  # StrEnum or str: the code either way
        budget=need.budget_wan,
    )


def _project_spec(facts: catalog.ProjectFacts) -> scoring.ProjectSpec:
    return scoring.ProjectSpec(
        industries=facts.industries,
        trl=facts.trl,
        modes=facts.modes,
        price=facts.price,
        city=facts.city,
        targets=facts.targets,
    )


def _public_spec(project: ProjectPublic) -> scoring.ProjectSpec:
    return scoring.ProjectSpec(
        industries=tuple(project.industries),
        trl=project.trl,
        modes=tuple(project.transfer_modes),
        price=project.price_wan,
        city=project.city,
        targets=tuple(project.target_cities),
    )


def _project_candidates(
    search: SearchEngine, query: str, industries: tuple[str, ...]
) -> dict[int, float]:
    """Published projects worth scoring, with their normalised text relevance: the top ones by
    ``query`` (any word may match), and the most mature in ``industries`` (text 0 if new)."""
    relevance: dict[int, float] = {}
    if query:
        found = search.backend.search(
            "projects",
            SearchRequest(
                q=query, filters=PUBLISHED, limit=TEXT_CANDIDATES, match="any", prefix_last=False
            ),
        )
        relevance = _normalised(found.hits)
    if industries:
        by_industry = search.backend.search(
            "projects",
            SearchRequest(
                filters=SearchFilters(status=("published",), industry=industries),
                sort=SearchSort.trl_desc,
                limit=STRUCTURE_CANDIDATES,
            ),
        )
        for hit in by_industry.hits:
            relevance.setdefault(hit.id, 0.0)
    return relevance


def _rank_projects(
    session: Session,
    search: SearchEngine,
    spec: scoring.NeedSpec,
    text: str,
    limit: int,
    *,
    text_only: bool = False,
    weights: dict[str, float] | None = None,
) -> list[ProjectMatch]:
    """Candidates from the engine (by text, and by industry), scored on light facts; only the
    returned matches are rendered."""
    ctx = context(session, search.analyzer)
    query = expand(text) if text.strip() else ""
    relevance = _project_candidates(search, query, () if text_only else spec.industries)
    facts = catalog.published_facts(session, list(relevance))
    place = ctx.places.get(spec.city or "")
    scored = []
    for project_id, text_score in relevance.items():
        project = facts.get(project_id)
        if project is None:
            continue  # no longer published; the index is catching up
        if text_only:
            result = scoring.Scored(text_score, {"text": text_score}, [])
        else:
            result = scoring.score_pair(
                spec,
                _project_spec(project),
                text=text_score if query else None,
                shared_terms=(),
                place=place,
                names=ctx.names,
                weights=weights or get_settings().match_weights,
            )
        scored.append((result.score, text_score, -project_id, result))
    scored.sort(key=lambda row: row[:3], reverse=True)
    top = scored[:limit]
    rendered = catalog.published_projects(session, [-row[2] for row in top])
    need_terms = _term_set(search.analyzer, query) if query else frozenset()
    out = []
    for _, _, negative_id, result in top:
        entry = rendered.get(-negative_id)
        if entry is None:
            continue
        item = entry.item
        out.append(
            ProjectMatch(
                project=ProjectPublic(**item.model_dump(exclude={"score", "highlight"})),
                score=result.score,
                components=result.components,
                reasons=_with_shared_terms(
                    result.reasons,
                    search.analyzer,
                    need_terms,
                    item.title_zh,
                    item.title_en,
                    item.keywords,
                ),
            )
        )
    return out


def _need_text(need: NeedPublic) -> str:
    return _query_text(
        need.title_zh,
        need.title_en,
        " ".join(need.keywords),
        need.description_zh,
        need.description_en,
    )


def need_to_projects(
    session: Session, search: SearchEngine, need_id: int, limit: int, user: User | None = None
) -> NeedMatches:
    """A need's matches: a private need's for its organisation and the secretariat only; a
    closed need gets none."""
    found = needs_service.need_for(session, need_id, user)
    if found.status == "closed":
        raise ConflictError("The need is closed; it gets no new matches")
    need = needs_service.to_public(found)
    items = _rank_projects(session, search, _need_spec(need, need.city), _need_text(need), limit)
    return NeedMatches(need=need, items=items)


def need_to_projects_by_external_id(
    session: Session, search: SearchEngine, external_id: str, limit: int
) -> NeedMatches:
    need = needs_service.public_need_by_external_id(session, external_id)
    return need_to_projects(session, search, need.id, limit)


def adhoc_to_projects(
    session: Session,
    search: SearchEngine,
    need: AdHocNeed,
    limit: int,
    *,
    text_only: bool = False,
    weights: dict[str, float] | None = None,
) -> AdHocNeedMatches:
    ctx = context(session, search.analyzer)
    unknown = [c for c in need.industries if c not in ctx.names.industries]
    places = ctx.places
    _check(unknown, "industries", "industry code")
    _check([need.city] if need.city and need.city not in places else [], "city", "city or zone")
    items = _rank_projects(
        session,
        search,
        _need_spec(need, need.city),
        need.text or "",
        limit,
        text_only=text_only,
        weights=weights,
    )
    return AdHocNeedMatches(need=need, items=items)


def _check(unknown: Sequence[str], field: str, what: str) -> None:
    if unknown:
        from app.errors import FieldError, InvalidInputError

        raise InvalidInputError(
            f"Unknown {what} in '{field}': {', '.join(unknown)}",
            [
                FieldError(field=field, location="body", message=f"unknown {what} '{u}'")
                for u in unknown
            ],
        )


# --- project → needs ---


def _project_text(project: ProjectPublic) -> str:
    return _query_text(
        project.title_zh,
        project.title_en,
        " ".join(project.keywords),
        project.summary_zh,
        project.summary_en,
    )


@dataclass(frozen=True)
class _NeedScore:
    need_id: int
    city: str | None
    text: float
    result: scoring.Scored


def _score_needs(
    session: Session, search: SearchEngine, text: str, spec: scoring.ProjectSpec
) -> list[_NeedScore]:
    """Every candidate need scored against a project (its text and facts), best first."""
    ctx = context(session, search.analyzer)
    found = search.backend.search(
        "needs",
        SearchRequest(
            q=text, filters=OPEN_PUBLIC, limit=TEXT_CANDIDATES, match="any", prefix_last=False
        ),
    )
    relevance = _normalised(found.hits)
    if spec.industries:
        by_industry = search.backend.search(
            "needs",
            SearchRequest(
                filters=SearchFilters(
                    status=("open",), visibility=("public",), industry=spec.industries
                ),
                limit=STRUCTURE_CANDIDATES,
            ),
        )
        for hit in by_industry.hits:
            relevance.setdefault(hit.id, 0.0)
    facts = needs_service.public_facts(session, list(relevance))
    rows = []
    for need_id, text_score in relevance.items():
        need = facts.get(need_id)
        if need is None:
            continue
        result = scoring.score_pair(
            _facts_spec(need),
            spec,
            text=text_score,
            shared_terms=(),
            place=ctx.places.get(need.city or ""),
            names=ctx.names,
            weights=get_settings().match_weights,
        )
        rows.append(_NeedScore(need_id, need.city, text_score, result))
    rows.sort(key=lambda r: (r.result.score, r.text, -r.need_id), reverse=True)
    return rows


def _facts_spec(facts: needs_service.NeedFacts) -> scoring.NeedSpec:
    return scoring.NeedSpec(
        industries=facts.industries,
        city=facts.city,
        min_trl=facts.min_trl,
        modes=facts.modes,
        budget=facts.budget,
    )


def _rank_needs(
    session: Session, search: SearchEngine, text: str, spec: scoring.ProjectSpec, limit: int
) -> list[NeedMatch]:
    top = _score_needs(session, search, text, spec)[:limit]
    needs = needs_service.public_needs(session, [row.need_id for row in top])
    project_terms = _term_set(search.analyzer, text)
    out = []
    for row in top:
        need = needs.get(row.need_id)
        if need is None:
            continue
        out.append(
            NeedMatch(
                need=need,
                score=row.result.score,
                components=row.result.components,
                reasons=_with_shared_terms(
                    row.result.reasons,
                    search.analyzer,
                    project_terms,
                    need.title_zh,
                    need.title_en,
                    need.keywords,
                ),
            )
        )
    return out


def project_to_needs(
    session: Session, search: SearchEngine, project_id: int, limit: int
) -> ProjectNeedMatches:
    project = catalog.get_public_project(session, project_id)
    items = _rank_needs(session, search, _project_text(project), _public_spec(project), limit)
    return ProjectNeedMatches(project=project, items=items)


def theme_to_needs(
    session: Session, search: SearchEngine, theme: Theme, limit: int
) -> list[NeedMatch]:
    """Open public needs that a roadshow's theme speaks to (before it has a lineup)."""
    spec = scoring.ProjectSpec(industries=theme.industries, city=theme.city)
    return _rank_needs(session, search, _query_text(theme.text), spec, limit)


# --- project → cities and zones ---


def _platforms(ctx: Context, code: str, terms: frozenset[str]) -> tuple[float, Reason | None]:
    matched = [(zh, en) for zh, en, asset in ctx.assets.get(code, []) if asset & terms]
    if not matched:
        return 0.0, None
    place = ctx.places[code]
    return min(1.0, 0.5 * len(matched)), Reason(
        code="city.platforms",
        message_zh=f"{place.name_zh}的相关集群与平台：" + "、".join(zh for zh, _ in matched[:4]),
        message_en=f"Related clusters and platforms in {place.name_en}: "
        + ", ".join(en for _, en in matched[:4]),
    )


class _Titled(Protocol):
    @property
    def title_zh(self) -> str | None: ...
    @property
    def title_en(self) -> str | None: ...


def _needs_reason(
    place: scoring.Place, needs: Sequence[_Titled], count: int | None = None
) -> Reason | None:
    if not needs:
        return None
    count = count or len(needs)
    titles_zh = "、".join((n.title_zh or n.title_en or "")[:24] for n in needs[:2])
    titles_en = "; ".join((n.title_en or n.title_zh or "")[:48] for n in needs[:2])
    return Reason(
        code="city.open_needs",
        message_zh=f"{place.name_zh}有 {count} 条相关的公开需求：{titles_zh}",
        message_en=f"{count} related open need(s) in {place.name_en}: {titles_en}",
    )


def project_to_cities(
    session: Session,
    search: SearchEngine,
    project_id: int,
    limit: int,
    *,
    weights: dict[str, float] | None = None,
) -> ProjectCityMatches:
    project = catalog.get_public_project(session, project_id)
    ctx = context(session, search.analyzer)
    scores = _score_needs(session, search, _project_text(project), _public_spec(project))
    by_city: dict[str, list[_NeedScore]] = {}
    for row in scores:
        if row.city and row.result.score >= NEED_FIT and row.text > 0:
            by_city.setdefault(row.city, []).append(row)
    cited = needs_service.public_needs(
        session, [row.need_id for rows in by_city.values() for row in rows[:2]]
    )
    spec = _public_spec(project)
    terms = _term_set(search.analyzer, _project_text(project))
    items = []
    for code, place in ctx.places.items():
        here = by_city.get(code, [])
        platforms, platforms_reason = _platforms(ctx, code, terms)
        result = scoring.score_city(
            spec,
            place,
            needs=max((row.result.score for row in here), default=0.0),
            needs_reason=_needs_reason(
                place, [cited[row.need_id] for row in here[:2] if row.need_id in cited], len(here)
            ),
            platforms=platforms,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=weights or get_settings().city_match_weights,
        )
        items.append(
            CityMatch(
                city=ctx.summaries[code],
                score=result.score,
                components=result.components,
                reasons=result.reasons,
            )
        )
    items.sort(key=lambda m: m.score, reverse=True)
    return ProjectCityMatches(project=project, items=items[:limit])


# --- city or zone → projects ---


def _open_needs_in(
    session: Session, search: SearchEngine, code: str, query: str
) -> list[tuple[needs_service.NeedHeadline, frozenset[str]]]:
    """The open public needs in a city or zone most related to ``query`` (at most
    ``NEEDS_IN_PLACE``, so a place with thousands costs no more), with the terms of their
    titles and keywords."""
    found = search.backend.search(
        "needs",
        SearchRequest(
            q=query,
            filters=SearchFilters(status=("open",), visibility=("public",), city=(code,)),
            limit=NEEDS_IN_PLACE,
            match="any",
            prefix_last=False,
        ),
    )
    needs = needs_service.public_headlines(session, [h.id for h in found.hits])
    return [
        (
            need,
            _term_set(
                search.analyzer,
                " ".join([need.title_zh or "", need.title_en or "", *need.keywords]),
            ),
        )
        for h in found.hits
        if (need := needs.get(h.id)) is not None
    ]


def city_to_projects(
    session: Session, search: SearchEngine, code: str, limit: int
) -> CityProjectMatches:
    ctx = context(session, search.analyzer)
    place = ctx.places.get(code)
    if place is None:
        raise NotFoundError(f"No city or zone has the code '{code}'")
    wanted = tuple(c for c, w in place.weights.items() if w >= 0.5) or tuple(place.weights)
    themes = " ".join(f"{zh} {en}" for zh, en, _ in ctx.assets.get(code, []))
    found = search.backend.search(
        "projects",
        SearchRequest(
            q=themes,
            filters=SearchFilters(status=("published",), industry=wanted),
            limit=CITY_CANDIDATES,
            match="any",
            prefix_last=False,
        ),
    )
    local = search.backend.search(
        "projects",
        SearchRequest(filters=SearchFilters(status=("published",), city=(code,)), limit=50),
    )
    ids = list(dict.fromkeys([h.id for h in found.hits] + [h.id for h in local.hits]))
    facts = catalog.published_facts(session, ids)
    headlines = catalog.published_headlines(session, ids)
    open_needs = _open_needs_in(session, search, code, themes)
    scored = []
    for project_id in ids:
        project = facts.get(project_id)
        if project is None:
            continue
        terms = _term_set(search.analyzer, headlines.get(project_id, ""))
        related = [n for n, need_terms in open_needs if len(need_terms & terms) >= 2]
        platforms, platforms_reason = _platforms(ctx, code, terms)
        result = scoring.score_city(
            _project_spec(project),
            place,
            needs=min(1.0, 0.5 * len(related)),
            needs_reason=_needs_reason(place, related),
            platforms=platforms,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=get_settings().city_match_weights,
        )
        scored.append((result.score, -project_id, result))
    scored.sort(key=lambda row: row[:2], reverse=True)
    items = _project_matches(session, [(-row[1], row[2]) for row in scored[:limit]])
    return CityProjectMatches(city=ctx.summaries[code], items=items)


def _project_matches(
    session: Session, ranked: Sequence[tuple[int, scoring.Scored]]
) -> list[ProjectMatch]:
    """Ranked (project id, score) pairs rendered as matches; unpublished ones drop out."""
    rendered = catalog.published_projects(session, [project_id for project_id, _ in ranked])
    return [
        ProjectMatch(
            project=ProjectPublic(**entry.item.model_dump(exclude={"score", "highlight"})),
            score=result.score,
            components=result.components,
            reasons=result.reasons,
        )
        for project_id, result in ranked
        if (entry := rendered.get(project_id)) is not None
    ]


# --- roadshow → projects ---


@dataclass(frozen=True)
class Theme:
    """What a roadshow is about and where it is held."""

    text: str
    industries: tuple[str, ...]
    city: str


def roadshow_to_projects(
    session: Session,
    search: SearchEngine,
    theme: Theme,
    limit: int,
    *,
    exclude: Collection[int] = (),
    weights: dict[str, float] | None = None,
) -> list[ProjectMatch]:
    """Projects for a roadshow's lineup: candidates by the theme's text and industries, scored
    on the theme, the host's profile, the open needs there, its platforms and presence."""
    ctx = context(session, search.analyzer)
    place = ctx.places[theme.city]
    query = expand(theme.text) if theme.text.strip() else ""
    relevance = _project_candidates(search, query, theme.industries)
    ids = [i for i in relevance if i not in set(exclude)]
    facts = catalog.published_facts(session, ids)
    headlines = catalog.published_headlines(session, ids)
    theme_terms = _term_set(search.analyzer, query) if query else frozenset()
    open_needs = _open_needs_in(session, search, theme.city, query)
    scored = []
    for project_id in ids:
        project = facts.get(project_id)
        if project is None:
            continue
        headline = headlines.get(project_id, "")
        analysed = search.analyzer.terms(headline)
        terms = _term_set(search.analyzer, headline, analysed)
        related = [n for n, need_terms in open_needs if len(need_terms & terms) >= 2]
        platforms, platforms_reason = _platforms(ctx, theme.city, terms)
        text = relevance[project_id]
        result = scoring.score_roadshow(
            theme.industries,
            _project_spec(project),
            place,
            text=text,
            text_reason_=scoring.text_reason(
                _shared(search.analyzer, theme_terms, headline, analysed), text
            ),
            needs=min(1.0, 0.5 * len(related)),
            needs_reason=_needs_reason(place, related),
            platforms=platforms,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=weights or get_settings().roadshow_match_weights,
        )
        scored.append((result.score, text, -project_id, result))
    scored.sort(key=lambda row: row[:3], reverse=True)
    return _project_matches(session, [(-row[2], row[3]) for row in scored[:limit]])


def project_to_needs_by_external_id(
    session: Session, search: SearchEngine, external_id: str, limit: int
) -> tuple[ProjectNeedMatches, ProjectCityMatches]:
    project = catalog.public_project_by_external_id(session, external_id)
    return (
        project_to_needs(session, search, project.id, limit),
        project_to_cities(session, search, project.id, limit),
    )
