"""What other domains (matching) read of published projects: one by id, and light facts of many."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import schemas
from app.catalog.models import Project, ProjectIndustry, ProjectTargetCity, ProjectTransferMode
from app.catalog.records import LOAD, to_public, visible_to_public
from app.errors import NotFoundError
from app.listing import values_by_owner


def get_public_project(session: Session, project_id: int) -> schemas.ProjectPublic:
    project = session.scalar(
        select(Project).where(Project.id == project_id, visible_to_public()).options(*LOAD)
    )
    if project is None:
        raise NotFoundError(f"No published project has the id {project_id}")
    return to_public(project)


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
