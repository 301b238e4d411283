"""Project lists: filters, facets, SQL or search-engine answers, suggestions, the render cache."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true
from sqlalchemy.orm import Session

from app.catalog import schemas
from app.catalog.models import (
    Project,
    ProjectIndustry,
    ProjectStatus,
    ProjectTargetCity,
    ProjectTransferMode,
)
from app.catalog.records import LOAD, to_public, visible_to_public
from app.geo.models import Industry
from app.geo.service import ReferenceCodes
from app.geo.taxonomy import TransferMode
from app.listing import (
    FacetCounts,
    check_codes,
    check_range,
    count_distinct_by,
    engine_or_sql,
    expand_industries,
    ilike_any,
    total_of,
)
from app.search.backend import (
    SearchFilters,
    SearchRequest,
    SearchSort,
)
from app.search.highlight import Highlighter, Prepared, prepare

if TYPE_CHECKING:
    from app.search.service import SearchEngine


_ORDER: dict[Any, tuple[ColumnElement[Any], ...]] = {
    schemas.ProjectSort.newest: (Project.created_at.desc(), Project.id.desc()),
    schemas.ProjectSort.oldest: (Project.created_at.asc(), Project.id.asc()),
    schemas.ProjectSort.trl_desc: (Project.trl.desc().nulls_last(), Project.id.desc()),
    schemas.ProjectSort.trl_asc: (Project.trl.asc().nulls_last(), Project.id.desc()),
    schemas.ProjectSort.price_asc: (Project.price_wan.asc().nulls_last(), Project.id.desc()),
    schemas.ProjectSort.price_desc: (Project.price_wan.desc().nulls_last(), Project.id.desc()),
}


@dataclass(frozen=True)
class ProjectFilters:
    q: str | None = None
    industry: Sequence[str] = ()
    city: Sequence[str] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    mode: Sequence[TransferMode] = ()
    status: ProjectStatus | None = None
    external_id: str | None = None


def _checked(filters: ProjectFilters, refs: ReferenceCodes) -> tuple[list[str], list[str]]:
    """The filter's industry and city codes, each known; a 422 naming the parameter if not."""
    check_range(filters.trl_min, filters.trl_max, "trl_min", "trl_max")
    industries = check_codes(filters.industry, refs.industries, "industry", "industry")
    cities = check_codes(filters.city, refs.cities, "city", "city or zone")
    return industries, cities


def _conditions(filters: ProjectFilters, refs: ReferenceCodes, *, public: bool = True) -> list[Any]:
    industries, cities = _checked(filters, refs)
    conditions: list[Any] = [visible_to_public()] if public else []
    if filters.status is not None:
        conditions.append(Project.status == filters.status)
    if filters.external_id is not None:
        conditions.append(Project.external_id == filters.external_id)
    if filters.trl_min is not None:
        conditions.append(Project.trl >= filters.trl_min)
    if filters.trl_max is not None:
        conditions.append(Project.trl <= filters.trl_max)
    if industries:
        codes = expand_industries(industries, refs)
        conditions.append(
            exists().where(
                ProjectIndustry.project_id == Project.id, ProjectIndustry.industry_code.in_(codes)
            )
        )
    if cities:
        conditions.append(
            or_(
                Project.city_code.in_(cities),
                exists().where(
                    ProjectTargetCity.project_id == Project.id,
                    ProjectTargetCity.city_code.in_(cities),
                ),
            )
        )
    if filters.mode:
        conditions.append(
            exists().where(
                ProjectTransferMode.project_id == Project.id,
                ProjectTransferMode.mode.in_([m.value for m in filters.mode]),
            )
        )
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        conditions.append(
            ilike_any(
                [
                    Project.title_zh,
                    Project.title_en,
                    Project.summary_zh,
                    Project.summary_en,
                    Project.institution,
                ],
                text,
            )
        )
    return conditions


def _facets(session: Session, ids: Select[Any]) -> FacetCounts:
    second = count_distinct_by(
        session, ProjectIndustry.industry_code, ProjectIndustry.project_id, ids
    )
    top = count_distinct_by(
        session,
        Industry.parent_code,
        ProjectIndustry.project_id,
        ids,
        Industry,
        Industry.code == ProjectIndustry.industry_code,
    )
    home = select(Project.city_code.label("city"), Project.id.label("pid")).where(
        Project.id.in_(ids)
    )
    target = select(ProjectTargetCity.city_code, ProjectTargetCity.project_id).where(
        ProjectTargetCity.project_id.in_(ids)
    )
    places = home.union(target).subquery()
    city = count_distinct_by(session, places.c.city, places.c.pid, ids)
    trl = count_distinct_by(session, Project.trl, Project.id, ids)
    mode = count_distinct_by(session, ProjectTransferMode.mode, ProjectTransferMode.project_id, ids)
    return FacetCounts(industry={**top, **second}, city=city, trl=trl, mode=mode)


def list_projects(
    session: Session,
    refs: ReferenceCodes,
    filters: ProjectFilters,
    *,
    sort: schemas.ProjectSort | None,
    page: int,
    per_page: int,
    renders: RenderCache,
    search: SearchEngine | None = None,
) -> schemas.ProjectList:
    """Free text goes to the search engine; without it (or with the engine down) SQL answers.
    The engine's hits are rendered through ``renders``."""

    def by_engine() -> schemas.ProjectList:
        assert search is not None
        return _search_projects(session, refs, filters, search, renders, sort, page, per_page)

    return engine_or_sql(
        filters.q,
        search is not None,
        by_engine,
        lambda: _sql_list(session, refs, filters, sort, page, per_page),
    )


def library(
    session: Session,
    refs: ReferenceCodes,
    filters: ProjectFilters,
    *,
    sort: schemas.ProjectSort | None,
    page: int,
    per_page: int,
) -> schemas.ProjectList:
    """Every project in any state, for the secretariat: the public list's filters (``status``
    included), answered by SQL (the search engine holds published projects only)."""
    return _sql_list(session, refs, filters, sort, page, per_page, public=False)


def library_ids(session: Session, refs: ReferenceCodes, filters: ProjectFilters) -> list[int]:
    """The ids of every project in any state that ``filters`` match (an export of a filter)."""
    where = and_(true(), *_conditions(filters, refs, public=False))
    return list(session.scalars(select(Project.id).where(where).order_by(Project.id)))


def _sql_list(
    session: Session,
    refs: ReferenceCodes,
    filters: ProjectFilters,
    sort: schemas.ProjectSort | None,
    page: int,
    per_page: int,
    *,
    public: bool = True,
) -> schemas.ProjectList:
    ids = select(Project.id).where(and_(true(), *_conditions(filters, refs, public=public)))
    total = total_of(session, ids)
    order = _ORDER.get(sort or schemas.ProjectSort.newest, _ORDER[schemas.ProjectSort.newest])
    rows = session.scalars(
        select(Project)
        .where(Project.id.in_(ids))
        .options(*LOAD)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return schemas.ProjectList(
        items=[schemas.ProjectListItem(**to_public(p).model_dump()) for p in rows],
        total=total,
        page=page,
        per_page=per_page,
        facets=_facets(session, ids),
    )


def public_search_filters(
    filters: ProjectFilters, industries: Sequence[str], cities: Sequence[str]
) -> SearchFilters | None:
    """What an anonymous reader may search; None when the filters exclude everything."""
    if filters.status is not None and filters.status != ProjectStatus.published:
        return None
    return SearchFilters(
        industry=tuple(industries),
        city=tuple(cities),
        trl_min=filters.trl_min,
        trl_max=filters.trl_max,
        mode=tuple(m.value for m in filters.mode),
        status=(ProjectStatus.published.value,),
        external_id=filters.external_id,
    )


def _search_projects(
    session: Session,
    refs: ReferenceCodes,
    filters: ProjectFilters,
    search: SearchEngine,
    renders: RenderCache,
    sort: schemas.ProjectSort | None,
    page: int,
    per_page: int,
) -> schemas.ProjectList:
    industries, cities = _checked(filters, refs)
    search_filters = public_search_filters(filters, industries, cities)
    q = (filters.q or "").strip()
    if search_filters is None:
        return schemas.ProjectList(
            items=[], total=0, page=page, per_page=per_page, facets=FacetCounts()
        )
    request = SearchRequest(
        q=q,
        filters=search_filters,
        sort=sort or SearchSort.relevance,
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=True,
    )
    result, matched = search.search("projects", request)
    # SQL has the last word on what is visible (the index may lag a change by moments).
    rendered = published_projects(session, renders, [h.id for h in result.hits])
    marker = search.highlighter(q)
    items = [
        entry.item.model_copy(
            update={"score": hit.score, "highlight": _highlight(marker, entry.texts)}
        )
        for hit in result.hits
        if (entry := rendered.get(hit.id)) is not None
    ]
    return schemas.ProjectList(
        items=items,
        total=result.total,
        page=page,
        per_page=per_page,
        facets=FacetCounts(**result.facets),
        matched=matched,
    )


_Key = tuple[int, int, dt.datetime]


_HIGHLIGHTED = {
    "title_zh": 0,
    "title_en": 0,
    "summary_zh": 120,
    "summary_en": 240,
    "keywords": 0,
}  # field → snippet window (0: the whole text)


@dataclass(frozen=True)
class Rendered:
    """A project as lists show it, with its display texts folded once for highlighting."""

    item: schemas.ProjectListItem
    texts: dict[str, Prepared]

    @classmethod
    def of(cls, project: Project) -> Rendered:
        item = schemas.ProjectListItem(**to_public(project).model_dump())
        raw = {
            "title_zh": item.title_zh,
            "title_en": item.title_en,
            "summary_zh": item.summary_zh,
            "summary_en": item.summary_en,
            "keywords": ", ".join(item.keywords),
        }
        return cls(item, {k: prepare(v) for k, v in raw.items() if v})


class RenderCache:
    """Rendered projects by (id, version, updated_at): every write changes both, so an entry is
    never stale (the timestamp also tells apart a new row that reuses a deleted row's id);
    bounded, shared by the threads that hold it (the app keeps one, see ``dependencies``)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: OrderedDict[_Key, Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _Key) -> Rendered | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: _Key, item: Rendered) -> None:
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def published_projects(
    session: Session, renders: RenderCache, ids: Sequence[int]
) -> dict[int, Rendered]:
    """The published projects among ``ids``, rendered through ``renders``; one light query when
    all are cached."""
    if not ids:
        return {}
    rows = session.execute(
        select(Project.id, Project.version, Project.updated_at).where(
            Project.id.in_(ids), visible_to_public()
        )
    )
    out: dict[int, Rendered] = {}
    missing = []
    for row in rows:
        cached = renders.get((row.id, row.version, row.updated_at))
        if cached is None:
            missing.append(row.id)
        else:
            out[row.id] = cached
    if missing:
        for project in session.scalars(
            select(Project).where(Project.id.in_(missing), visible_to_public()).options(*LOAD)
        ):
            entry = Rendered.of(project)
            renders.put((project.id, project.version, project.updated_at), entry)
            out[project.id] = entry
    return out


def in_order(
    session: Session, renders: RenderCache, ids: Sequence[int]
) -> list[schemas.ProjectListItem]:
    """The published projects among ``ids``, as lists show them, in the order given."""
    found = published_projects(session, renders, ids)
    return [found[i].item for i in ids if i in found]


def recently_published(
    session: Session, renders: RenderCache, limit: int
) -> list[schemas.ProjectListItem]:
    """The projects published last (newest first): a project's latest approval counts."""
    ids = session.scalars(
        select(Project.id)
        .where(visible_to_public(), Project.published_at.is_not(None))
        .order_by(Project.published_at.desc(), Project.id.desc())
        .limit(limit)
    ).all()
    return in_order(session, renders, ids)


def _highlight(marker: Highlighter, texts: dict[str, Prepared]) -> dict[str, str]:
    marked = {
        field: marker.highlight(text, window=_HIGHLIGHTED[field]) for field, text in texts.items()
    }
    return {field: text for field, text in marked.items() if text}


def suggest(
    session: Session, search: SearchEngine, q: str, limit: int
) -> list[schemas.ProjectSuggestion]:
    """Titles for search-as-you-type: published projects only."""
    hits = search.suggest(
        "projects", q, SearchFilters(status=(ProjectStatus.published.value,)), limit
    )
    rows = {
        row.id: row
        for row in session.execute(
            select(Project.id, Project.external_id, Project.title_zh, Project.title_en).where(
                Project.id.in_([h.id for h in hits]),
                visible_to_public(),
            )
        )
    }
    marker = search.highlighter(q)
    return [
        schemas.ProjectSuggestion(
            id=row.id,
            external_id=row.external_id,
            title_zh=row.title_zh,
            title_en=row.title_en,
            highlight=marker.highlight(row.title_zh) or marker.highlight(row.title_en),
        )
        for hit in hits
        if (row := rows.get(hit.id)) is not None
    ]
