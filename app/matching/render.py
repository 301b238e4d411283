"""Scored projects rendered as the matches the API returns."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.catalog.listing import RenderCache, published_projects
from app.catalog.schemas import ProjectListItem, ProjectPublic
from app.matching import scoring
from app.matching.schemas import ProjectMatch


def public_project(item: ProjectListItem) -> ProjectPublic:
    """A project as a match shows it: without the search score and highlight of a list item."""
    return ProjectPublic(**item.model_dump(exclude={"score", "highlight"}))


def project_matches(
    session: Session, renders: RenderCache, ranked: Sequence[tuple[int, scoring.Scored]]
) -> list[ProjectMatch]:
    """Ranked (project id, score) pairs rendered (through ``renders``) as matches; unpublished
    ones drop out."""
    rendered = published_projects(session, renders, [project_id for project_id, _ in ranked])
    return [
        ProjectMatch(
            project=public_project(entry.item),
            score=result.score,
            components=result.components,
            reasons=result.reasons,
        )
        for project_id, result in ranked
        if (entry := rendered.get(project_id)) is not None
    ]
