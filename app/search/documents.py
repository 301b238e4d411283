"""Search documents built from the models alone: what the indexer writes for a project or a
need. Search reads the domains' tables here and nowhere else; the domains call search, never
the reverse."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Project
from app.needs.models import Need
from app.search.backend import IndexName, SearchDoc
from app.search.models import OutboxEntity

_PROJECT_LOAD = (
    selectinload(Project.industries),
    selectinload(Project.target_cities),
    selectinload(Project.transfer_modes),
)
_NEED_LOAD = (
    selectinload(Need.industries),
    selectinload(Need.transfer_modes),
    selectinload(Need.organization),
)


def _industries(codes: Sequence[str]) -> tuple[str, ...]:
    """Each code and its top level: a filter on "1" finds "1.2" too."""
    return tuple(dict.fromkeys([*codes, *(c.split(".")[0] for c in codes)]))


def project_doc(project: Project) -> SearchDoc:
    cities = [project.city_code] if project.city_code else []
    cities += [c.city_code for c in project.target_cities]
    return SearchDoc(
        id=project.id,
        external_id=project.external_id,
        title_zh=project.title_zh or "",
        title_en=project.title_en or "",
        keywords=tuple(project.keywords),
        body_zh=project.summary_zh or "",
        body_en=project.summary_en or "",
        org=project.institution or "",
        industry=_industries([i.industry_code for i in project.industries]),
        city=tuple(dict.fromkeys(cities)),
        trl=project.trl,
        mode=tuple(m.mode for m in project.transfer_modes),
        status=project.status,
        price=float(project.price_wan) if project.price_wan is not None else None,
        created=int(project.created_at.timestamp() * 1_000_000),
    )


def need_doc(need: Need) -> SearchDoc:
    return SearchDoc(
        id=need.id,
        external_id=need.external_id,
        title_zh=need.title_zh or "",
        title_en=need.title_en or "",
        keywords=tuple(need.keywords),
        body_zh=need.description_zh or "",
        body_en=need.description_en or "",
        org=need.organization.name if need.organization else "",
        industry=_industries([i.industry_code for i in need.industries]),
        city=(need.city_code,) if need.city_code else (),
        trl=need.min_trl,
        mode=tuple(m.mode for m in need.transfer_modes),
        status=need.status,
        visibility=need.visibility,
        price=float(need.budget_wan) if need.budget_wan is not None else None,
        created=int(need.created_at.timestamp() * 1_000_000),
    )


Loader = Callable[[Session, Sequence[int]], dict[int, SearchDoc]]
Iterate = Callable[[Session], Iterator[SearchDoc]]


def _source(model: Any, load: tuple[Any, ...], to_doc: Any) -> tuple[Loader, Iterate]:
    def docs(session: Session, ids: Sequence[int]) -> dict[int, SearchDoc]:
        """The documents for these ids; an id with no row is absent (to be deleted)."""
        rows = session.scalars(select(model).where(model.id.in_(ids)).options(*load))
        return {row.id: to_doc(row) for row in rows}

    def every(session: Session, batch: int = 2000) -> Iterator[SearchDoc]:
        """Every row as a document, read in batches (for a rebuild)."""
        last = 0
        while True:
            rows = session.scalars(
                select(model).where(model.id > last).options(*load).order_by(model.id).limit(batch)
            ).all()
            if not rows:
                return
            yield from (to_doc(row) for row in rows)
            last = rows[-1].id
            session.expunge_all()

    return docs, every


SOURCES: dict[IndexName, tuple[OutboxEntity, Loader, Iterate]] = {
    "projects": (OutboxEntity.project, *_source(Project, _PROJECT_LOAD, project_doc)),
    "needs": (OutboxEntity.need, *_source(Need, _NEED_LOAD, need_doc)),
}
