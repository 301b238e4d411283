"""Need lists: filters and facets, answers from SQL or the search engine with highlights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, select, true
from sqlalchemy.orm import Session

from app.geo.models import Industry
from app.geo.service import ReferenceCodes
from app.geo.taxonomy import TransferMode
from app.listing import (
    FacetCounts,
    check_codes,
    count_distinct_by,
    engine_or_sql,
    expand_industries,
    ilike_any,
    total_of,
)
from app.needs import schemas
from app.needs.models import Need, NeedIndustry, NeedStatus, NeedTransferMode, NeedVisibility
from app.needs.records import LOAD, to_public, visible_to_public
from app.search.backend import (
    SearchFilters,
    SearchRequest,
    SearchSort,
)

if TYPE_CHECKING:
    from app.search.service import SearchEngine


_ORDER: dict[Any, tuple[ColumnElement[Any], ...]] = {
    schemas.NeedSort.newest: (Need.created_at.desc(), Need.id.desc()),
    schemas.NeedSort.oldest: (Need.created_at.asc(), Need.id.asc()),
    schemas.NeedSort.budget_desc: (Need.budget_wan.desc().nulls_last(), Need.id.desc()),
    schemas.NeedSort.budget_asc: (Need.budget_wan.asc().nulls_last(), Need.id.desc()),
}


@dataclass(frozen=True)
class NeedFilters:
    q: str | None = None
    industry: Sequence[str] = ()
    city: Sequence[str] = ()
    mode: Sequence[TransferMode] = ()
    status: NeedStatus | None = None
    external_id: str | None = None


def _checked(filters: NeedFilters, refs: ReferenceCodes) -> tuple[list[str], list[str]]:
    industries = check_codes(filters.industry, refs.industries, "industry", "industry")
    cities = check_codes(filters.city, refs.cities, "city", "city or zone")
    return industries, cities


def _conditions(filters: NeedFilters, refs: ReferenceCodes, *, public: bool = True) -> list[Any]:
    industries, cities = _checked(filters, refs)
    conditions: list[Any] = [visible_to_public()] if public else []
    if filters.status is not None:
        conditions.append(Need.status == filters.status)
    if filters.external_id is not None:
        conditions.append(Need.external_id == filters.external_id)
    if industries:
        conditions.append(
            exists().where(
                NeedIndustry.need_id == Need.id,
                NeedIndustry.industry_code.in_(expand_industries(industries, refs)),
            )
        )
    if cities:
        conditions.append(Need.city_code.in_(cities))
    if filters.mode:
        conditions.append(
            exists().where(
                NeedTransferMode.need_id == Need.id,
                NeedTransferMode.mode.in_([m.value for m in filters.mode]),
            )
        )
    if filters.q and filters.q.strip():
        conditions.append(
            ilike_any(
                [Need.title_zh, Need.title_en, Need.description_zh, Need.description_en],
                filters.q.strip(),
            )
        )
    return conditions


def _facets(session: Session, ids: Select[Any]) -> FacetCounts:
    second = count_distinct_by(session, NeedIndustry.industry_code, NeedIndustry.need_id, ids)
    top = count_distinct_by(
        session,
        Industry.parent_code,
        NeedIndustry.need_id,
        ids,
        Industry,
        Industry.code == NeedIndustry.industry_code,
    )
    return FacetCounts(
        industry={**top, **second},
        city=count_distinct_by(session, Need.city_code, Need.id, ids),
        trl=count_distinct_by(session, Need.min_trl, Need.id, ids),
        mode=count_distinct_by(session, NeedTransferMode.mode, NeedTransferMode.need_id, ids),
    )


def list_needs(
    session: Session,
    refs: ReferenceCodes,
    filters: NeedFilters,
    *,
    sort: schemas.NeedSort | None,
    page: int,
    per_page: int,
    search: SearchEngine | None = None,
) -> schemas.NeedList:
    """Free text goes to the search engine; without it (or with the engine down) SQL answers."""

    def by_engine() -> schemas.NeedList:
        assert search is not None
        return _search_needs(session, refs, filters, search, sort, page, per_page)

    return engine_or_sql(
        filters.q,
        search is not None,
        by_engine,
        lambda: _sql_list(session, refs, filters, sort, page, per_page),
    )


def library(
    session: Session,
    refs: ReferenceCodes,
    filters: NeedFilters,
    *,
    sort: schemas.NeedSort | None,
    page: int,
    per_page: int,
) -> schemas.NeedList:
    """Every need in any state and visibility, for the secretariat: the public list's filters
    (``status`` included), answered by SQL (the search engine holds public, open needs only)."""
    return _sql_list(session, refs, filters, sort, page, per_page, public=False)


def library_ids(session: Session, refs: ReferenceCodes, filters: NeedFilters) -> list[int]:
    """The ids of every need in any state that ``filters`` match (an export of a filter)."""
    where = and_(true(), *_conditions(filters, refs, public=False))
    return list(session.scalars(select(Need.id).where(where).order_by(Need.id)))


def _sql_list(
    session: Session,
    refs: ReferenceCodes,
    filters: NeedFilters,
    sort: schemas.NeedSort | None,
    page: int,
    per_page: int,
    *,
    public: bool = True,
) -> schemas.NeedList:
    ids = select(Need.id).where(and_(true(), *_conditions(filters, refs, public=public)))
    order = _ORDER.get(sort or schemas.NeedSort.newest, _ORDER[schemas.NeedSort.newest])
    rows = session.scalars(
        select(Need)
        .where(Need.id.in_(ids))
        .options(*LOAD)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return schemas.NeedList(
        items=[schemas.NeedListItem(**to_public(n).model_dump()) for n in rows],
        total=total_of(session, ids),
        page=page,
        per_page=per_page,
        facets=_facets(session, ids),
    )


def _search_needs(
    session: Session,
    refs: ReferenceCodes,
    filters: NeedFilters,
    search: SearchEngine,
    sort: schemas.NeedSort | None,
    page: int,
    per_page: int,
) -> schemas.NeedList:
    industries, cities = _checked(filters, refs)
    empty = schemas.NeedList(items=[], total=0, page=page, per_page=per_page, facets=FacetCounts())
    if filters.status is not None and filters.status != NeedStatus.open:
        return empty
    q = (filters.q or "").strip()
    request = SearchRequest(
        q=q,
        filters=SearchFilters(
            industry=tuple(industries),
            city=tuple(cities),
            mode=tuple(m.value for m in filters.mode),
            status=(NeedStatus.open.value,),
            visibility=(NeedVisibility.public.value,),
            external_id=filters.external_id,
        ),
        sort=_SEARCH_SORT[sort] if sort else SearchSort.relevance,
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=True,
    )
    result, matched = search.search("needs", request)
    by_id = {
        n.id: n
        for n in session.scalars(
            select(Need)
            .where(Need.id.in_([h.id for h in result.hits]), visible_to_public())
            .options(*LOAD)
        )
    }
    marker = search.highlighter(q)
    items = [
        schemas.NeedListItem(
            **to_public(need).model_dump(),
            score=hit.score,
            highlight={
                k: v
                for k, v in {
                    "title_zh": marker.highlight(need.title_zh),
                    "title_en": marker.highlight(need.title_en),
                    "description_zh": marker.highlight(need.description_zh, window=120),
                    "description_en": marker.highlight(need.description_en, window=240),
                }.items()
                if v
            },
        )
        for hit in result.hits
        if (need := by_id.get(hit.id)) is not None
    ]
    return schemas.NeedList(
        items=items,
        total=result.total,
        page=page,
        per_page=per_page,
        facets=FacetCounts(**result.facets),
        matched=matched,
    )


_SEARCH_SORT = {
    schemas.NeedSort.relevance: SearchSort.relevance,
    schemas.NeedSort.newest: SearchSort.newest,
    schemas.NeedSort.oldest: SearchSort.oldest,
    schemas.NeedSort.budget_desc: SearchSort.price_desc,
    schemas.NeedSort.budget_asc: SearchSort.price_asc,
}
