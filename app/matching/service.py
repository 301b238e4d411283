"""Matching for other domains and the routes: need → projects (stored or ad hoc), project →
needs, project → cities and zones, city or zone → projects, roadshow theme → projects and
needs. Each direction lives in its own module and takes the app's ``Matcher`` explicitly;
candidates come from the search engine (``candidates``), the scorer (``scoring``) explains
every score."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.matching.city_projects import city_to_projects
from app.matching.matcher import Matcher
from app.matching.need_projects import (
    adhoc_to_projects,
    need_to_projects,
    need_to_projects_by_external_id,
)
from app.matching.project_cities import NEED_FIT, project_to_cities
from app.matching.project_needs import project_to_needs, theme_to_needs
from app.matching.roadshow_projects import roadshow_to_projects
from app.matching.schemas import ProjectCityMatches, ProjectNeedMatches
from app.matching.specs import Theme
from app.search.service import SearchEngine

__all__ = [
    "MAX_LIMIT",
    "NEED_FIT",
    "Matcher",
    "Theme",
    "adhoc_to_projects",
    "city_to_projects",
    "need_to_projects",
    "need_to_projects_by_external_id",
    "project_to_cities",
    "project_to_needs",
    "project_to_needs_by_external_id",
    "roadshow_to_projects",
    "theme_to_needs",
]

MAX_LIMIT = 50


def project_to_needs_by_external_id(
    session: Session, search: SearchEngine, matcher: Matcher, external_id: str, limit: int
) -> tuple[ProjectNeedMatches, ProjectCityMatches]:
    """A project's needs and its cities and zones, by the project's external id."""
    project = catalog.public_project_by_external_id(session, external_id)
    return (
        project_to_needs(session, search, matcher, project.id, limit),
        project_to_cities(session, search, matcher, project.id, limit),
    )
