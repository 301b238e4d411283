"""HTTP routes for matches (contracts in DESIGN.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.auth.dependencies import OptionalUser
from app.deps import SessionDep, reads_only
from app.errors import Problem
from app.matching import schemas, service
from app.matching.dependencies import MatcherDep
from app.search.dependencies import SearchDep

router = APIRouter(tags=["matching"])

Limit = Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="How many matches")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unknown or not visible"},
    409: {"model": Problem, "description": "The need is closed"},
}


@router.get("/needs/{need_id}/matches", response_model=schemas.NeedMatches, responses=NOT_FOUND)
def need_matches(
    session: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    user: OptionalUser,
    need_id: Id,
    limit: Limit = 10,
) -> schemas.NeedMatches:
    """Projects that could answer a need, best first, with reasons (a private need's for its
    organisation and the secretariat; a closed need is a 409)."""
    return service.need_to_projects(session, search, matcher, need_id, limit, user)


@router.get(
    "/projects/{project_id}/matches/needs",
    response_model=schemas.ProjectNeedMatches,
    responses=NOT_FOUND,
)
def project_need_matches(
    session: SessionDep, search: SearchDep, matcher: MatcherDep, project_id: Id, limit: Limit = 10
) -> schemas.ProjectNeedMatches:
    """Public open needs a published project could answer."""
    return service.project_to_needs(session, search, matcher, project_id, limit)


@router.get(
    "/projects/{project_id}/matches/cities",
    response_model=schemas.ProjectCityMatches,
    responses=NOT_FOUND,
)
def project_city_matches(
    session: SessionDep, search: SearchDep, matcher: MatcherDep, project_id: Id, limit: Limit = 15
) -> schemas.ProjectCityMatches:
    """The cities and zones that fit a project: their profiles, open needs and platforms."""
    return service.project_to_cities(session, search, matcher, project_id, limit)


@router.get(
    "/cities/{code}/matches", response_model=schemas.CityProjectMatches, responses=NOT_FOUND
)
def city_matches(
    session: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    code: Annotated[str, Path(max_length=16)],
    limit: Limit = 10,
) -> schemas.CityProjectMatches:
    """Published projects that fit a city's or zone's industry profile and open needs."""
    return service.city_to_projects(session, search, matcher, code, limit)


@router.post("/matches", response_model=schemas.AdHocNeedMatches)
@reads_only
def adhoc_matches(
    session: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    need: schemas.AdHocNeed,
    limit: Limit = 10,
) -> schemas.AdHocNeedMatches:
    """Match a need that is not stored: text and/or industries, city, min_trl, modes, budget."""
    return service.adhoc_to_projects(session, search, matcher, need, limit)
