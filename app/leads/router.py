"""HTTP routes for leads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from app.auth.dependencies import CurrentUser, Secretariat, require_role
from app.auth.models import Role, User
from app.deps import SessionDep
from app.errors import Problem
from app.geo.service import reference_codes
from app.leads import schemas, service
from app.leads.models import LeadStage
from app.listing import PageQuery, PerPageQuery

router = APIRouter(tags=["leads"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in"},
    403: {"model": Problem, "description": "Not your role"},
    404: {"model": Problem, "description": "No such lead or project, or not one you may see"},
    409: {"model": Problem, "description": "Already followed, or not a move the stage allows"},
}


@router.post(
    "/projects/{project_id}/interest",
    response_model=schemas.LeadPublic,
    status_code=201,
    responses=PROBLEMS,
)
def show_interest(
    session: SessionDep,
    user: Annotated[User, Depends(require_role(Role.enterprise))],
    project_id: Id,
    body: schemas.InterestRequest,
) -> schemas.LeadPublic:
    """An enterprise shows interest in a published project: a new lead."""
    return service.show_interest(session, user, project_id, body.message)


@router.get("/leads", response_model=schemas.LeadList, responses=PROBLEMS)
def list_leads(
    session: SessionDep,
    user: CurrentUser,
    stage: Annotated[LeadStage | None, Query()] = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 20,
) -> schemas.LeadList:
    """Enterprises see their organisation's leads, researchers those on their projects, the
    secretariat all."""
    return service.list_leads(session, user, stage, page, per_page)


@router.get("/leads/{lead_id}", response_model=schemas.LeadPublic, responses=PROBLEMS)
def get_lead(session: SessionDep, user: CurrentUser, lead_id: Id) -> schemas.LeadPublic:
    return service.get_lead(session, user, lead_id)


@router.patch("/leads/{lead_id}", response_model=schemas.LeadPublic, responses=PROBLEMS)
def move_lead(
    session: SessionDep, user: Secretariat, lead_id: Id, body: schemas.LeadUpdate
) -> schemas.LeadPublic:
    """The secretariat moves a lead: new → contacted → negotiating → signed → landed, or closed;
    landing records the city or zone, the amount (万元) and the date."""
    return service.move(session, user, lead_id, body, reference_codes(session))
