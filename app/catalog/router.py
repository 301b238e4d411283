"""HTTP routes for projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.catalog import schemas, service
from app.catalog.models import ProjectStatus
from app.deps import SearchDep, SessionDep
from app.errors import Problem, json_response
from app.geo.service import reference_codes
from app.geo.taxonomy import TRL_MAX, TRL_MIN, TransferMode
from app.listing import PageQuery, PerPageQuery

router = APIRouter(prefix="/projects", tags=["projects"])

TrlQuery = Annotated[int | None, Query(ge=TRL_MIN, le=TRL_MAX)]


@router.get(
    "",
    response_model=schemas.ProjectList,
    responses={422: {"model": Problem, "description": "A query parameter is invalid"}},
)
def list_projects(
    session: SessionDep,
    search: SearchDep,
    q: Annotated[str | None, Query(max_length=200, description="Free text")] = None,
    industry: Annotated[
        list[str] | None,
        Query(description="Industry code; a top-level code also matches its children"),
    ] = None,
    city: Annotated[
        list[str] | None, Query(description="City or zone code: the home or a target city")
    ] = None,
    trl_min: TrlQuery = None,
    trl_max: TrlQuery = None,
    mode: Annotated[list[TransferMode] | None, Query(description="Transfer mode")] = None,
    status: Annotated[ProjectStatus | None, Query()] = None,
    external_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[
        schemas.ProjectSort | None,
        Query(description="Default: relevance with q, newest without"),
    ] = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 20,
) -> Response:
    filters = service.ProjectFilters(
        q=q,
        industry=industry or (),
        city=city or (),
        trl_min=trl_min,
        trl_max=trl_max,
        mode=mode or (),
        status=status,
        external_id=external_id,
    )
    result = service.list_projects(
        session,
        reference_codes(session),
        filters,
        sort=sort,
        page=page,
        per_page=per_page,
        search=search,
    )
    return json_response(result)


@router.get(
    "/{project_id}",
    response_model=schemas.ProjectPublic,
    responses={404: {"model": Problem, "description": "No such published project"}},
)
def get_project(
    session: SessionDep, project_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> schemas.ProjectPublic:
    return service.get_public_project(session, project_id)
