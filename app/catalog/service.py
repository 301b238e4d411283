"""Rules about projects: who sees what, listing with filters and facets, and upserts."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from app.catalog import schemas
from app.catalog.models import (
    Project,
    ProjectIndustry,
    ProjectPatent,
    ProjectStatus,
    ProjectTargetCity,
    ProjectTransferMode,
)
from app.common import new_external_id, same_record
from app.db import utcnow
from app.errors import NotFoundError
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
    values_by_owner,
)
from app.search.backend import (
    SearchFilters,
    SearchRequest,
    SearchSort,
)
from app.search.highlight import Highlighter, Prepared, prepare
from app.search.models import OutboxEntity, OutboxOp
from app.search.outbox import record_change

if TYPE_CHECKING:  # the search service's indexer reads projects through this module
    from app.search.service import SearchEngine


LOAD = (
    selectinload(Project.industries),
    selectinload(Project.target_cities),
    selectinload(Project.transfer_modes),
    selectinload(Project.patents),
)

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


def visible_to_public() -> Any:
    """Anonymous readers see published projects only."""
    return Project.status == ProjectStatus.published


def _checked(filters: ProjectFilters, refs: ReferenceCodes) -> tuple[list[str], list[str]]:
    """The filter's industry and city codes, each known; a 422 naming the parameter if not."""
    check_range(filters.trl_min, filters.trl_max, "trl_min", "trl_max")
    industries = check_codes(filters.industry, refs.industries, "industry", "industry")
    cities = check_codes(filters.city, refs.cities, "city", "city or zone")
    return industries, cities


def _conditions(filters: ProjectFilters, refs: ReferenceCodes) -> list[Any]:
    industries, cities = _checked(filters, refs)
    conditions: list[Any] = [visible_to_public()]
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
    search: SearchEngine | None = None,
) -> schemas.ProjectList:
    """Free text goes to the search engine; without it (or with the engine down) SQL answers."""

    def by_engine() -> schemas.ProjectList:
        assert search is not None
        return _search_projects(session, refs, filters, search, sort, page, per_page)

    return engine_or_sql(
        filters.q,
        search is not None,
        by_engine,
        lambda: _sql_list(session, refs, filters, sort, page, per_page),
    )


def _sql_list(
    session: Session,
    refs: ReferenceCodes,
    filters: ProjectFilters,
    sort: schemas.ProjectSort | None,
    page: int,
    per_page: int,
) -> schemas.ProjectList:
    ids = select(Project.id).where(and_(*_conditions(filters, refs)))
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
    rendered = published_projects(session, [h.id for h in result.hits])
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


class _RenderCache:
    """Rendered projects by (id, version, updated_at): every write changes both, so an entry is
    never stale (the timestamp also tells apart a new row that reuses a deleted row's id);
    bounded, shared by the threads of one process."""

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


_rendered = _RenderCache()


def published_projects(session: Session, ids: Sequence[int]) -> dict[int, Rendered]:
    """The published projects among ``ids``, rendered; one light query when all are cached."""
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
        cached = _rendered.get((row.id, row.version, row.updated_at))
        if cached is None:
            missing.append(row.id)
        else:
            out[row.id] = cached
    if missing:
        for project in session.scalars(
            select(Project).where(Project.id.in_(missing), visible_to_public()).options(*LOAD)
        ):
            entry = Rendered.of(project)
            _rendered.put((project.id, project.version, project.updated_at), entry)
            out[project.id] = entry
    return out


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


def get_public_project(session: Session, project_id: int) -> schemas.ProjectPublic:
    project = session.scalar(
        select(Project).where(Project.id == project_id, visible_to_public()).options(*LOAD)
    )
    if project is None:
        raise NotFoundError(f"No published project has the id {project_id}")
    return to_public(project)


def to_public(project: Project) -> schemas.ProjectPublic:
    return schemas.ProjectPublic(
        id=project.id,
        external_id=project.external_id,
        title_zh=project.title_zh,
        title_en=project.title_en,
        summary_zh=project.summary_zh,
        summary_en=project.summary_en,
        keywords=list(project.keywords),
        industries=[i.industry_code for i in project.industries],
        trl=project.trl,
        transfer_modes=[m.mode for m in project.transfer_modes],
        institution=project.institution,
        city=project.city_code,
        target_cities=[c.city_code for c in project.target_cities],
        price_wan=float(project.price_wan) if project.price_wan is not None else None,
        patents=[
            schemas.PatentPublic(number=p.number, title=p.title, status=p.status)
            for p in project.patents
        ],
        status=project.status,
        version=project.version,
        created_at=project.created_at,
        updated_at=project.updated_at,
        published_at=project.published_at,
    )


# --- the import format: one project as a record, and a record applied as an upsert ---

# Fields shown only to signed-in accounts (staged disclosure).
DISCLOSED = ("description_zh", "description_en", "contact_name", "contact_email", "contact_phone")


def to_record(project: Project) -> dict[str, Any]:
    """The project in the import/export format (DESIGN.md), fields in their documented order."""
    return {
        "type": "project",
        "external_id": project.external_id,
        "title_zh": project.title_zh,
        "title_en": project.title_en,
        "summary_zh": project.summary_zh,
        "summary_en": project.summary_en,
        "description_zh": project.description_zh,
        "description_en": project.description_en,
        "contact_name": project.contact_name,
        "contact_email": project.contact_email,
        "contact_phone": project.contact_phone,
        "keywords": list(project.keywords),
        "industries": [i.industry_code for i in project.industries],
        "trl": project.trl,
        "transfer_modes": [m.mode for m in project.transfer_modes],
        "institution": project.institution,
        "city": project.city_code,
        "target_cities": [c.city_code for c in project.target_cities],
        "price_wan": project.price_wan,
        "patents": [
            {"number": p.number, "title": p.title, "status": p.status} for p in project.patents
        ],
        "status": project.status,
    }


def projects_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, Project]:
    if not external_ids:
        return {}
    rows = session.scalars(
        select(Project).where(Project.external_id.in_(external_ids)).options(*LOAD)
    )
    return {p.external_id: p for p in rows}


def all_projects(session: Session) -> Sequence[Project]:
    return session.scalars(select(Project).options(*LOAD).order_by(Project.id)).all()


def upsert_project(
    session: Session,
    existing: Project | None,
    values: dict[str, Any],
    *,
    owner_id: int | None = None,
) -> tuple[str, Project | None]:
    """Create or update from import-format ``values`` (only the fields a record carried).

    Returns ``created``, ``updated`` or ``unchanged`` and the project; an unchanged record
    writes nothing, so a repeated import leaves versions, timestamps and the outbox as they were.
    """
    if existing is not None:
        current = to_record(existing)
        merged = {**current, **values}
        if same_record(merged, current):
            return "unchanged", existing
        project = existing
    else:
        merged = {"status": ProjectStatus.published.value, **values}
        merged.setdefault("external_id", new_external_id("KTP"))
        project = Project(external_id=merged["external_id"], owner_id=owner_id)
        session.add(project)

    project.title_zh = merged.get("title_zh")
    project.title_en = merged.get("title_en")
    project.summary_zh = merged.get("summary_zh")
    project.summary_en = merged.get("summary_en")
    for field in DISCLOSED:
        setattr(project, field, merged.get(field))
    project.keywords = list(merged.get("keywords") or [])
    project.trl = merged.get("trl")
    project.institution = merged.get("institution")
    project.city_code = merged.get("city")
    price = merged.get("price_wan")
    project.price_wan = Decimal(str(price)) if price is not None else None
    project.status = merged["status"]
    if project.status == ProjectStatus.published and project.published_at is None:
        project.published_at = utcnow()
    project.updated_at = utcnow()
    if existing is not None:
        for collection in (
            project.industries,
            project.target_cities,
            project.transfer_modes,
            project.patents,
        ):
            collection.clear()
        session.flush()
    project.industries = [
        ProjectIndustry(industry_code=code, position=i)
        for i, code in enumerate(merged.get("industries") or [])
    ]
    project.target_cities = [
        ProjectTargetCity(city_code=code, position=i)
        for i, code in enumerate(merged.get("target_cities") or [])
    ]
    project.transfer_modes = [
        ProjectTransferMode(mode=mode, position=i)
        for i, mode in enumerate(merged.get("transfer_modes") or [])
    ]
    project.patents = [
        ProjectPatent(number=p["number"], title=p.get("title"), status=p.get("status"), position=i)
        for i, p in enumerate(merged.get("patents") or [])
    ]
    session.flush()
    record_change(session, OutboxEntity.project, project.id, OutboxOp.upsert)
    return ("updated" if existing is not None else "created"), project


# --- what the search index holds of a project ---


def public_project_by_external_id(session: Session, external_id: str) -> schemas.ProjectPublic:
    project = session.scalar(
        select(Project)
        .where(Project.external_id == external_id, visible_to_public())
        .options(*LOAD)
    )
    if project is None:
        raise NotFoundError(f"No published project has the external_id '{external_id}'")
    return to_public(project)


@dataclass(frozen=True)
class ProjectFacts:
    """What matching scores a project on, read without building ORM objects."""

    industries: tuple[str, ...]
    trl: int | None
    modes: tuple[str, ...]
    price: float | None
    city: str | None
    targets: tuple[str, ...]


def published_facts(session: Session, ids: Sequence[int]) -> dict[int, ProjectFacts]:
    """Facts of the published projects among ``ids``: four light queries, any number of ids."""
    if not ids:
        return {}
    rows = session.execute(
        select(Project.id, Project.trl, Project.price_wan, Project.city_code).where(
            Project.id.in_(ids), visible_to_public()
        )
    ).all()
    found = [r.id for r in rows]
    industries = values_by_owner(
        session,
        ProjectIndustry.project_id,
        ProjectIndustry.industry_code,
        ProjectIndustry.position,
        found,
    )
    modes = values_by_owner(
        session,
        ProjectTransferMode.project_id,
        ProjectTransferMode.mode,
        ProjectTransferMode.position,
        found,
    )
    targets = values_by_owner(
        session,
        ProjectTargetCity.project_id,
        ProjectTargetCity.city_code,
        ProjectTargetCity.position,
        found,
    )
    return {
        r.id: ProjectFacts(
            industries=tuple(industries.get(r.id, ())),
            trl=r.trl,
            modes=tuple(modes.get(r.id, ())),
            price=float(r.price_wan) if r.price_wan is not None else None,
            city=r.city_code,
            targets=tuple(targets.get(r.id, ())),
        )
        for r in rows
    }


def published_headlines(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Titles and keywords of the published projects among ``ids``, as one text each."""
    if not ids:
        return {}
    rows = session.execute(
        select(Project.id, Project.title_zh, Project.title_en, Project.keywords).where(
            Project.id.in_(ids), visible_to_public()
        )
    )
    return {r.id: " ".join([r.title_zh or "", r.title_en or "", *(r.keywords or [])]) for r in rows}
