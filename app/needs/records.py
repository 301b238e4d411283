"""A need as the API shows it and as the import format holds it; lookup and upsert by record."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import Organization, OrganizationKind
from app.auth.service import get_or_create_organization
from app.common import new_external_id, same_record
from app.needs import schemas
from app.needs.models import Need, NeedIndustry, NeedStatus, NeedTransferMode, NeedVisibility
from app.search.models import OutboxEntity, OutboxOp
from app.search.outbox import record_change

LOAD = (
    selectinload(Need.industries),
    selectinload(Need.transfer_modes),
    selectinload(Need.organization),
)


def visible_to_public() -> Any:
    """Anonymous readers see public, open needs only."""
    return and_(Need.visibility == NeedVisibility.public, Need.status == NeedStatus.open)


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
    rows = session.scalars(select(Need).where(Need.external_id.in_(external_ids)).options(*LOAD))
    return {n.external_id: n for n in rows}


def all_needs(session: Session) -> Sequence[Need]:
    return session.scalars(select(Need).options(*LOAD).order_by(Need.id)).all()


def upsert_need(
    session: Session,
    existing: Need | None,
    values: dict[str, Any],
    *,
    owner_id: int | None = None,
) -> tuple[str, Need]:
    """Create or update from import-format ``values``; see ``catalog.records.upsert_project``."""
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
