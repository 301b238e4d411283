"""HTTP routes for needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.deps import SearchDep, SessionDep
from app.errors import Problem, json_response
from app.geo.service import reference_codes
from app.geo.taxonomy import TransferMode
from app.listing import PageQuery, PerPageQuery
from app.needs import schemas, service
from app.needs.models import NeedStatus

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
    filters = service.NeedFilters(
        q=q,
        industry=industry or (),
        city=city or (),
        mode=mode or (),
        status=status,
        external_id=external_id,
    )
    result = service.list_needs(
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
    "/{need_id}",
    response_model=schemas.NeedPublic,
    responses={404: {"model": Problem, "description": "No such public open need"}},
)
def get_need(
    session: SessionDep, need_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> schemas.NeedPublic:
    return service.get_public_need(session, need_id)
