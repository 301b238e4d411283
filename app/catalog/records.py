"""A project as the API shows it and as the import format holds it; lookup and upsert by record."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
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
from app.search.models import OutboxEntity, OutboxOp
from app.search.outbox import record_change

LOAD = (
    selectinload(Project.industries),
    selectinload(Project.target_cities),
    selectinload(Project.transfer_modes),
    selectinload(Project.patents),
)


def visible_to_public() -> Any:
    """Anonymous readers see published projects only."""
    return Project.status == ProjectStatus.published


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
