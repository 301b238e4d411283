"""Rules about needs: who sees what, listing with filters and facets, and upserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import Organization, OrganizationKind, Role, User
from app.auth.service import get_or_create_organization
from app.common import checked_edit, new_external_id, same_record
from app.errors import ConflictError, FieldError, ForbiddenError, InvalidInputError, NotFoundError
from app.geo.models import Industry
from app.geo.service import ReferenceCodes, check_references
from app.geo.taxonomy import TransferMode
from app.listing import (
    FacetCounts,
    check_codes,
    count_distinct_by,
    engine_or_sql,
    expand_industries,
    ilike_any,
    total_of,
    values_by_owner,
)
from app.needs import schemas
from app.needs.models import Need, NeedIndustry, NeedStatus, NeedTransferMode, NeedVisibility
from app.needs.schemas import NeedCreate, NeedPatch
from app.search.backend import (
    SearchFilters,
    SearchRequest,
    SearchSort,
)
from app.search.models import OutboxEntity, OutboxOp
from app.search.outbox import record_change

if TYPE_CHECKING:  # the search service's indexer reads needs through this module
    from app.search.service import SearchEngine


_LOAD = (
    selectinload(Need.industries),
    selectinload(Need.transfer_modes),
    selectinload(Need.organization),
)

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


def visible_to_public() -> Any:
    """Anonymous readers see public, open needs only."""
    return and_(Need.visibility == NeedVisibility.public, Need.status == NeedStatus.open)


def _checked(filters: NeedFilters, refs: ReferenceCodes) -> tuple[list[str], list[str]]:
    industries = check_codes(filters.industry, refs.industries, "industry", "industry")
    cities = check_codes(filters.city, refs.cities, "city", "city or zone")
    return industries, cities


def _conditions(filters: NeedFilters, refs: ReferenceCodes) -> list[Any]:
    industries, cities = _checked(filters, refs)
    conditions: list[Any] = [visible_to_public()]
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


def _sql_list(
    session: Session,
    refs: ReferenceCodes,
    filters: NeedFilters,
    sort: schemas.NeedSort | None,
    page: int,
    per_page: int,
) -> schemas.NeedList:
    ids = select(Need.id).where(and_(*_conditions(filters, refs)))
    order = _ORDER.get(sort or schemas.NeedSort.newest, _ORDER[schemas.NeedSort.newest])
    rows = session.scalars(
        select(Need)
        .where(Need.id.in_(ids))
        .options(*_LOAD)
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
            .options(*_LOAD)
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


def to_public(need: Need) -> schemas.NeedPublic:
    org = need.organization
    return schemas.NeedPublic(
        id=need.id,
        external_id=need.external_id,
        title_zh=need.title_zh,
        title_en=need.title_en,
        description_zh=need.description_zh,
        description_en=need.description_en,
        keywords=list(need.keywords),
        industries=[i.industry_code for i in need.industries],
        city=need.city_code,
        min_trl=need.min_trl,
        transfer_modes=[m.mode for m in need.transfer_modes],
        budget_wan=float(need.budget_wan) if need.budget_wan is not None else None,
        organization=schemas.OrganizationRef(id=org.id, name=org.name, kind=org.kind)
        if org
        else None,
        visibility=need.visibility,
        status=need.status,
        version=need.version,
        created_at=need.created_at,
        updated_at=need.updated_at,
    )


# --- the import format ---


def to_record(need: Need) -> dict[str, Any]:
    """The need in the import/export format (DESIGN.md), fields in their documented order."""
    org: Organization | None = need.organization
    return {
        "type": "need",
        "external_id": need.external_id,
        "title_zh": need.title_zh,
        "title_en": need.title_en,
        "description_zh": need.description_zh,
        "description_en": need.description_en,
        "keywords": list(need.keywords),
        "industries": [i.industry_code for i in need.industries],
        "city": need.city_code,
        "min_trl": need.min_trl,
        "transfer_modes": [m.mode for m in need.transfer_modes],
        "budget_wan": need.budget_wan,
        "organization": org.name if org else None,
        "organization_kind": org.kind if org else None,
        "visibility": need.visibility,
        "status": need.status,
    }


def needs_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, Need]:
    if not external_ids:
        return {}
    rows = session.scalars(select(Need).where(Need.external_id.in_(external_ids)).options(*_LOAD))
    return {n.external_id: n for n in rows}


def all_needs(session: Session) -> Sequence[Need]:
    return session.scalars(select(Need).options(*_LOAD).order_by(Need.id)).all()


def upsert_need(
    session: Session,
    existing: Need | None,
    values: dict[str, Any],
    *,
    owner_id: int | None = None,
) -> tuple[str, Need]:
    """Create or update from import-format ``values``; see ``catalog.service.upsert_project``."""
    if existing is not None:
        current = to_record(existing)
        merged = {**current, **values}
        # organization_kind only says what kind a new organisation is; it changes no need.
        if same_record(merged, current, ignore=("organization_kind",)):
            return "unchanged", existing
    else:
        merged = {"visibility": "public", "status": "open", **values}
        merged.setdefault("external_id", new_external_id("KTN"))
    # Resolved before a new need joins the session: creating an organisation flushes.
    organization = None
    if merged.get("organization"):
        kind = OrganizationKind(values.get("organization_kind") or OrganizationKind.enterprise)
        organization = get_or_create_organization(session, merged["organization"], kind)
    if existing is not None:
        need = existing
    else:
        need = Need(external_id=merged["external_id"], owner_id=owner_id)
        session.add(need)

    need.title_zh = merged.get("title_zh")
    need.title_en = merged.get("title_en")
    need.description_zh = merged.get("description_zh")
    need.description_en = merged.get("description_en")
    need.keywords = list(merged.get("keywords") or [])
    need.city_code = merged.get("city")
    need.min_trl = merged.get("min_trl")
    budget = merged.get("budget_wan")
    need.budget_wan = Decimal(str(budget)) if budget is not None else None
    need.visibility = merged["visibility"]
    need.status = merged["status"]
    need.organization = organization
    if existing is not None:
        need.industries.clear()
        need.transfer_modes.clear()
        session.flush()
    need.industries = [
        NeedIndustry(industry_code=code, position=i)
        for i, code in enumerate(merged.get("industries") or [])
    ]
    need.transfer_modes = [
        NeedTransferMode(mode=mode, position=i)
        for i, mode in enumerate(merged.get("transfer_modes") or [])
    ]
    session.flush()
    record_change(session, OutboxEntity.need, need.id, OutboxOp.upsert)
    return ("updated" if existing is not None else "created"), need


# --- what the search index holds of a need ---


def public_needs(session: Session, ids: Sequence[int]) -> dict[int, schemas.NeedPublic]:
    """The public open needs among ``ids`` (what anonymous readers may be matched with)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Need).where(Need.id.in_(ids), visible_to_public()).options(*_LOAD)
    )
    return {n.id: to_public(n) for n in rows}


@dataclass(frozen=True)
class NeedHeadline:
    id: int
    title_zh: str | None
    title_en: str | None
    keywords: tuple[str, ...]


def public_headlines(session: Session, ids: Sequence[int]) -> dict[int, NeedHeadline]:
    """Titles and keywords of the public open needs among ``ids``: one light query."""
    if not ids:
        return {}
    rows = session.execute(
        select(Need.id, Need.title_zh, Need.title_en, Need.keywords).where(
            Need.id.in_(ids), visible_to_public()
        )
    )
    return {r.id: NeedHeadline(r.id, r.title_zh, r.title_en, tuple(r.keywords or ())) for r in rows}


def public_need_by_external_id(session: Session, external_id: str) -> schemas.NeedPublic:
    need = session.scalar(
        select(Need).where(Need.external_id == external_id, visible_to_public()).options(*_LOAD)
    )
    if need is None:
        raise NotFoundError(f"No public open need has the external_id '{external_id}'")
    return to_public(need)


@dataclass(frozen=True)
class NeedFacts:
    """What matching scores a need on, read without building ORM objects."""

    industries: tuple[str, ...]
    city: str | None
    min_trl: int | None
    modes: tuple[str, ...]
    budget: float | None


def public_facts(session: Session, ids: Sequence[int]) -> dict[int, NeedFacts]:
    """Facts of the public open needs among ``ids``: three light queries."""
    if not ids:
        return {}
    rows = session.execute(
        select(Need.id, Need.city_code, Need.min_trl, Need.budget_wan).where(
            Need.id.in_(ids), visible_to_public()
        )
    ).all()
    found = [r.id for r in rows]
    industries = values_by_owner(
        session, NeedIndustry.need_id, NeedIndustry.industry_code, NeedIndustry.position, found
    )
    modes = values_by_owner(
        session, NeedTransferMode.need_id, NeedTransferMode.mode, NeedTransferMode.position, found
    )
    return {
        r.id: NeedFacts(
            industries=tuple(industries.get(r.id, ())),
            city=r.city_code,
            min_trl=r.min_trl,
            modes=tuple(modes.get(r.id, ())),
            budget=float(r.budget_wan) if r.budget_wan is not None else None,
        )
        for r in rows
    }


# --- enterprises, cities and zones post and keep their needs ---


def is_insider(need: Need, user: User | None) -> bool:
    """The posting organisation's enterprise accounts, the poster and the secretariat."""
    if user is None:
        return False
    if user.role == Role.secretariat or (need.owner_id is not None and need.owner_id == user.id):
        return True
    return (
        user.role == Role.enterprise
        and need.organization_id is not None
        and need.organization_id == user.organization_id
    )


def need_for(session: Session, need_id: int, user: User | None) -> Need:
    """The need if this user may see it (public and open, or theirs); a 404 otherwise."""
    need = session.scalar(select(Need).where(Need.id == need_id).options(*_LOAD))
    if need is None or not (
        (need.visibility == NeedVisibility.public and need.status == NeedStatus.open)
        or is_insider(need, user)
    ):
        raise NotFoundError(f"No need you may see has the id {need_id}")
    return need


def create_need(
    session: Session, user: User, data: NeedCreate, refs: ReferenceCodes
) -> schemas.NeedPublic:
    values = data.model_dump(exclude_unset=True)
    check_references(values, refs)
    if user.role == Role.enterprise:
        if data.organization is not None:
            raise InvalidInputError(
                "Enterprises post needs for their own organisation",
                [FieldError(field="organization", location="body", message="not allowed")],
            )
        if user.organization is None:
            raise ConflictError("Your account belongs to no organisation")
        values["organization"] = user.organization.name
    elif data.organization is None and user.organization is not None:
        values["organization"] = user.organization.name
    values.setdefault("organization_kind", OrganizationKind.government.value)
    values["status"] = NeedStatus.open.value
    _, need = upsert_need(session, None, values, owner_id=user.id)
    session.flush()
    return to_public(need_for(session, need.id, user))


def update_need(
    session: Session, user: User, need_id: int, patch: NeedPatch, refs: ReferenceCodes
) -> schemas.NeedPublic:
    need = need_for(session, need_id, user)
    if not is_insider(need, user):
        raise ForbiddenError("Only the posting organisation or the secretariat may edit a need")
    if need.status == NeedStatus.closed:
        raise ConflictError("The need is closed")
    values = patch.model_dump(exclude_unset=True, exclude={"version"})
    checked_edit("need", need, patch.version, values)
    check_references(values, refs)
    upsert_need(session, need, values)
    session.flush()
    return to_public(need)


def close_need(session: Session, user: User, need_id: int) -> schemas.NeedPublic:
    need = need_for(session, need_id, user)
    if not is_insider(need, user):
        raise ForbiddenError("Only the posting organisation or the secretariat may close a need")
    if need.status == NeedStatus.closed:
        raise ConflictError("The need is already closed")
    upsert_need(session, need, {"status": NeedStatus.closed.value})
    session.flush()
    return to_public(need)


def my_needs(session: Session, user: User) -> list[schemas.NeedPublic]:
    """The needs of the user's organisation (enterprises) or posted by the user, any state."""
    mine = Need.owner_id == user.id
    if user.role == Role.enterprise and user.organization_id is not None:
        mine = mine | (Need.organization_id == user.organization_id)
    rows = session.scalars(select(Need).where(mine).options(*_LOAD).order_by(Need.id.desc()))
    return [to_public(n) for n in rows]
