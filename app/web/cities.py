"""The city and zone pages: a place's profile (industries with their weights and cited sources,
clusters, platforms, research) and the published projects that fit it best, with the reasons.

The profile is ``app.geo.service.city_detail`` (``GET /api/v1/cities/{code}``), the projects
``app.matching``'s city → projects direction with the app's ``Matcher``
(``GET /api/v1/cities/{code}/matches``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.deps import SessionDep
from app.errors import NotFoundError
from app.geo import service as geo_service
from app.matching import service as matching
from app.matching.dependencies import MatcherDep
from app.search.dependencies import SearchDep
from app.web.needs import content
from app.web.pages import PageDep, render
from app.web.projects import listing_names

router = APIRouter(include_in_schema=False)

MATCHES = 10  # the API's default for /cities/{code}/matches
CODE_MAX = 16  # the API's limit on a code


@router.get("/cities/{code}")
def city(
    page: PageDep, db: SessionDep, search: SearchDep, matcher: MatcherDep, code: str
) -> Response:
    if len(code) > CODE_MAX:
        raise NotFoundError("No such city or zone")
    place = geo_service.city_detail(db, code)  # an unknown code: the 404 page
    matches = matching.city_to_projects(db, search, matcher, place.code, MATCHES).items
    places = geo_service.list_cities(db).items
    names = listing_names(page, geo_service.taxonomy(db), places)
    parent = next((p for p in places if p.code == place.parent), None)
    return render(
        page,
        "city.html",
        place=place,
        parent=parent,
        matches=matches,
        names=names,
        institutions={
            m.project.id: content(page, m.project.institution)
            for m in matches
            if m.project.institution
        },
        canonical=page.absolute(f"/cities/{place.code}"),
    )
