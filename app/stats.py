"""The secretariat's numbers: the library, the needs, the lead funnel, the landings and the
roadshows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.dependencies import Secretariat
from app.catalog.models import Project, ProjectIndustry
from app.deps import SessionDep
from app.errors import Problem
from app.geo.models import City, Industry
from app.leads.models import Lead, LeadStage
from app.needs.models import Need
from app.roadshows.models import Roadshow, RoadshowInterest

router = APIRouter(tags=["stats"])


class Landings(BaseModel):
    count: int
    amount_wan: float


class Stats(BaseModel):
    projects_by_status: dict[str, int]
    published_projects_by_industry: dict[str, int]  # top-level code → projects
    published_projects_by_city: dict[str, int]  # home city or zone → projects
    needs_by_status: dict[str, int]
    needs_by_visibility: dict[str, int]
    lead_funnel: dict[str, int]  # every stage, in pipeline order, zero included
    landings_by_place: dict[str, Landings]  # city or zone code → count and amount
    roadshows_by_status: dict[str, int]
    leads_from_roadshows: int  # leads that interest recorded at a roadshow opened or added to


def _counts(session: Session, column: Any, *where: Any) -> dict[str, int]:
    stmt = select(column, func.count()).where(*where).group_by(column)
    return {str(k): int(n) for k, n in session.execute(stmt) if k is not None}


def stats(session: Session) -> Stats:
    published = Project.status == "published"
    by_industry = session.execute(
        select(Industry.parent_code, func.count(func.distinct(ProjectIndustry.project_id)))
        .join(Industry, Industry.code == ProjectIndustry.industry_code)
        .join(Project, Project.id == ProjectIndustry.project_id)
        .where(published)
        .group_by(Industry.parent_code)
    )
    funnel = _counts(session, Lead.stage)
    landings = session.execute(
        select(City.code, func.count(Lead.id), func.coalesce(func.sum(Lead.landed_amount_wan), 0))
        .join(Lead, Lead.landed_city == City.code)
        .where(Lead.stage == LeadStage.landed)
        .group_by(City.code)
    )
    return Stats(
        projects_by_status=_counts(session, Project.status),
        published_projects_by_industry={str(k): int(n) for k, n in by_industry if k},
        published_projects_by_city=_counts(session, Project.city_code, published),
        needs_by_status=_counts(session, Need.status),
        needs_by_visibility=_counts(session, Need.visibility),
        lead_funnel={stage.value: funnel.get(stage.value, 0) for stage in LeadStage},
        landings_by_place={
            code: Landings(count=int(n), amount_wan=float(amount or 0))
            for code, n, amount in landings
        },
        roadshows_by_status=_counts(session, Roadshow.status),
        leads_from_roadshows=session.scalar(
            select(func.count(func.distinct(RoadshowInterest.lead_id)))
        )
        or 0,
    )


@router.get(
    "/stats",
    response_model=Stats,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
def get_stats(session: SessionDep, user: Secretariat) -> Stats:
    """Projects by status, industry and city; needs; the lead funnel; landings by place;
    roadshows by status and the leads they produced."""
    return stats(session)
