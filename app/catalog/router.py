"""HTTP routes for projects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from app.auth.dependencies import CurrentUser, OptionalUser, Secretariat, require_role
from app.auth.models import Role, User
from app.catalog import listing, schemas, workflow
from app.catalog.dependencies import ProjectRendersDep
from app.catalog.models import ProjectStatus
from app.catalog.schemas import ProjectCreate, ProjectPatch
from app.deps import SessionDep
from app.errors import Problem, json_response
from app.geo.service import reference_codes
from app.geo.taxonomy import TRL_MAX, TRL_MIN, TransferMode
from app.listing import PageQuery, PerPageQuery
from app.search.dependencies import SearchDep

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
    renders: ProjectRendersDep,
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
    filters = listing.ProjectFilters(
        q=q,
        industry=industry or (),
        city=city or (),
        trl_min=trl_min,
        trl_max=trl_max,
        mode=mode or (),
        status=status,
        external_id=external_id,
    )
    result = listing.list_projects(
        session,
        reference_codes(session),
        filters,
        sort=sort,
        page=page,
        per_page=per_page,
        renders=renders,
        search=search,
    )
    return json_response(result)


Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOT_VISIBLE: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such project, or not one you may see"}
}
WRITE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **NOT_VISIBLE,
    401: {"model": Problem, "description": "Not signed in"},
    403: {"model": Problem, "description": "Not yours, or not your role"},
    409: {"model": Problem, "description": "Stale version, or not in a state that allows it"},
}


@router.get("/{project_id}", response_model=schemas.ProjectDetail, responses=NOT_VISIBLE)
def get_project(session: SessionDep, user: OptionalUser, project_id: Id) -> schemas.ProjectDetail:
    """A published project; its owner and the secretariat see it in every state, with its
    audit log and any revision under way."""
    return workflow.detail(session, project_id, user)


@router.post(
    "",
    response_model=schemas.ProjectDetail,
    status_code=201,
    responses=WRITE_PROBLEMS,
)
def create_project(
    session: SessionDep,
    user: Annotated[User, Depends(require_role(Role.researcher, Role.secretariat))],
    body: ProjectCreate,
) -> schemas.ProjectDetail:
    """A researcher's new project, as a draft that only they and the secretariat see."""
    return workflow.create(session, user, body, reference_codes(session))


@router.patch("/{project_id}", response_model=schemas.ProjectDetail, responses=WRITE_PROBLEMS)
def edit_project(
    session: SessionDep, user: CurrentUser, project_id: Id, body: ProjectPatch
) -> schemas.ProjectDetail:
    """Edit with the ``version`` you read (a stale one is a 409); a published project's edits
    become a revision that is reviewed before the public sees it."""
    return workflow.update(session, user, project_id, body, reference_codes(session))


@router.post("/{project_id}/submit", response_model=schemas.ProjectDetail, responses=WRITE_PROBLEMS)
def submit_project(session: SessionDep, user: CurrentUser, project_id: Id) -> schemas.ProjectDetail:
    """The owner sends a draft (or changes asked for, or a revision) to the secretariat."""
    return workflow.submit(session, user, project_id)


@router.post("/{project_id}/review", response_model=schemas.ProjectDetail, responses=WRITE_PROBLEMS)
def review_project(
    session: SessionDep, user: Secretariat, project_id: Id, body: schemas.ReviewRequest
) -> schemas.ProjectDetail:
    """The secretariat approves, rejects or asks for changes, with a note."""
    return workflow.review(session, user, project_id, body.decision, body.note)


review_router = APIRouter(prefix="/review", tags=["projects"])


@review_router.get(
    "/queue",
    response_model=schemas.ReviewQueue,
    responses={401: WRITE_PROBLEMS[401], 403: WRITE_PROBLEMS[403]},
)
def review_queue(session: SessionDep, user: Secretariat) -> schemas.ReviewQueue:
    """Submissions and revisions waiting for the secretariat, oldest first."""
    return schemas.ReviewQueue(items=workflow.review_queue(session))


me_router = APIRouter(prefix="/me", tags=["projects"])


@me_router.get(
    "/projects",
    response_model=schemas.MyProjects,
    responses={401: {"model": Problem, "description": "Not signed in"}},
)
def my_projects(session: SessionDep, user: CurrentUser) -> schemas.MyProjects:
    """The projects the signed-in user owns, drafts and submissions included."""
    return schemas.MyProjects(items=workflow.my_projects(session, user))


search_router = APIRouter(prefix="/search", tags=["search"])


@search_router.get("/suggest", response_model=schemas.SuggestionList)
def suggest(
    session: SessionDep,
    search: SearchDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="What has been typed")],
    limit: Annotated[int, Query(ge=1, le=10)] = 10,
) -> schemas.SuggestionList:
    """Titles of published projects for search-as-you-type; the last word is a prefix."""
    return schemas.SuggestionList(items=listing.suggest(session, search, q, limit))
