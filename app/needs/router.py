"""HTTP routes for needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from app.auth.dependencies import CurrentUser, OptionalUser, require_role
from app.auth.models import Role, User
from app.deps import SessionDep
from app.errors import Problem, json_response
from app.geo.service import reference_codes
from app.geo.taxonomy import TransferMode
from app.listing import PageQuery, PerPageQuery
from app.needs import listing, records, schemas, workflow
from app.needs.models import NeedStatus
from app.needs.schemas import NeedCreate, NeedPatch
from app.search.dependencies import SearchDep

router = APIRouter(prefix="/needs", tags=["needs"])


@router.get(
    "",
    response_model=schemas.NeedList,
    responses={422: {"model": Problem, "description": "A query parameter is invalid"}},
)
def list_needs(
    session: SessionDep,
    search: SearchDep,
    q: Annotated[str | None, Query(max_length=200, description="Free text")] = None,
    industry: Annotated[
        list[str] | None,
        Query(description="Industry code; a top-level code also matches its children"),
    ] = None,
    city: Annotated[list[str] | None, Query(description="City or zone code")] = None,
    mode: Annotated[list[TransferMode] | None, Query(description="Transfer mode")] = None,
    status: Annotated[NeedStatus | None, Query()] = None,
    external_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[
        schemas.NeedSort | None,
        Query(description="Default: relevance with q, newest without"),
    ] = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 20,
) -> Response:
    filters = listing.NeedFilters(
        q=q,
        industry=industry or (),
        city=city or (),
        mode=mode or (),
        status=status,
        external_id=external_id,
    )
    result = listing.list_needs(
        session,
        reference_codes(session),
        filters,
        sort=sort,
        page=page,
        per_page=per_page,
        search=search,
    )
    return json_response(result)


Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
WRITE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in"},
    403: {"model": Problem, "description": "Not yours, or not your role"},
    404: {"model": Problem, "description": "No such need, or not one you may see"},
    409: {"model": Problem, "description": "Stale version, or the need is closed"},
}


@router.get(
    "/{need_id}",
    response_model=schemas.NeedPublic,
    responses={404: WRITE_PROBLEMS[404]},
)
def get_need(session: SessionDep, user: OptionalUser, need_id: Id) -> schemas.NeedPublic:
    """A public open need; private and closed ones to their organisation and the secretariat."""
    return records.to_public(workflow.need_for(session, need_id, user))


@router.post("", response_model=schemas.NeedPublic, status_code=201, responses=WRITE_PROBLEMS)
def post_need(
    session: SessionDep,
    user: Annotated[User, Depends(require_role(Role.enterprise, Role.secretariat))],
    body: NeedCreate,
) -> schemas.NeedPublic:
    """An enterprise posts for its organisation; the secretariat posts for cities and zones
    (``organization`` names the body)."""
    return workflow.create_need(session, user, body, reference_codes(session))


@router.patch("/{need_id}", response_model=schemas.NeedPublic, responses=WRITE_PROBLEMS)
def edit_need(
    session: SessionDep, user: CurrentUser, need_id: Id, body: NeedPatch
) -> schemas.NeedPublic:
    """Edit with the ``version`` you read; a stale one is a 409."""
    return workflow.update_need(session, user, need_id, body, reference_codes(session))


@router.post("/{need_id}/close", response_model=schemas.NeedPublic, responses=WRITE_PROBLEMS)
def close_need(session: SessionDep, user: CurrentUser, need_id: Id) -> schemas.NeedPublic:
    """Close a need: it leaves the public lists and gets no new matches."""
    return workflow.close_need(session, user, need_id)


me_router = APIRouter(prefix="/me", tags=["needs"])


@me_router.get(
    "/needs",
    response_model=schemas.MyNeeds,
    responses={401: {"model": Problem, "description": "Not signed in"}},
)
def my_needs(session: SessionDep, user: CurrentUser) -> schemas.MyNeeds:
    """The needs of the signed-in user's organisation (or posted by them), private and closed
    ones included."""
    return schemas.MyNeeds(items=workflow.my_needs(session, user))
