"""The secretariat's numbers: the library, the needs, the lead funnel, the landings and the
roadshows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.dependencies import Secretariat
from app.auth.models import Role, User
from app.catalog.models import Project, ProjectIndustry
from app.deps import SessionDep
from app.errors import Problem
from app.geo.models import City, Industry
from app.leads.models import Lead, LeadStage
from app.needs.models import Need, NeedStatus
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


# More numbers for the secretariat's numbers page (/admin/stats), beside ``stats``.

TRL_UNKNOWN = "unknown"
# Where a lead came from: interest recorded at a roadshow, an enterprise's own interest on Ketao
# (from a listing it found by search, a match or a link: the lead does not record which), or
# opened by the secretariat otherwise.
LEAD_SOURCES = ("roadshow", "interest", "secretariat")


def published_projects_by_trl(session: Session) -> dict[str, int]:
    """Published projects by TRL, 1 to 9 in order (zero included), then those without one."""
    counts = _counts(session, Project.trl, Project.status == "published")
    unknown = session.scalar(
        select(func.count()).where(Project.status == "published", Project.trl.is_(None))
    )
    out = {str(level): counts.get(str(level), 0) for level in range(1, 10)}
    out[TRL_UNKNOWN] = int(unknown or 0)
    return out


def lead_sources(session: Session, lead_ids: list[int] | None = None) -> dict[int, str]:
    """Each lead's source (``LEAD_SOURCES``): what opened it. A lead an enterprise account
    opened is its own interest, even if interest at a roadshow was added to it later."""
    stmt = select(Lead.id, User.role).outerjoin(User, User.id == Lead.created_by)
    if lead_ids is not None:
        stmt = stmt.where(Lead.id.in_(lead_ids))
    rows = session.execute(stmt).all()
    interest = select(RoadshowInterest.lead_id).where(RoadshowInterest.lead_id.is_not(None))
    if lead_ids is not None:  # a page's worth; otherwise every lead, without a bound parameter each
        interest = interest.where(RoadshowInterest.lead_id.in_(lead_ids))
    at_roadshows = set(session.scalars(interest.distinct()))
    out = {}
    for lead_id, role in rows:
        if role == Role.enterprise:
            out[lead_id] = "interest"
        elif lead_id in at_roadshows:
            out[lead_id] = "roadshow"
        else:
            out[lead_id] = "secretariat"
    return out


def leads_by_source(session: Session) -> dict[str, int]:
    """Leads by source, every source (zero included) in ``LEAD_SOURCES`` order."""
    counts = Counter(lead_sources(session).values())
    return {source: counts[source] for source in LEAD_SOURCES}


def needs_matched(session: Session) -> dict[str, int]:
    """Open needs that met a project (their organisation holds a lead: it showed interest in a
    project, on Ketao or at a roadshow), open needs that have not yet, and closed needs."""
    open_needs = session.execute(
        select(Need.id, Need.organization_id).where(Need.status == NeedStatus.open)
    ).all()
    following = set(session.scalars(select(Lead.organization_id).distinct()))
    matched = sum(1 for _, org in open_needs if org is not None and org in following)
    closed = session.scalar(select(func.count()).where(Need.status == NeedStatus.closed))
    return {
        "open_matched": matched,
        "open_unmatched": len(open_needs) - matched,
        "closed": int(closed or 0),
    }


@router.get(
    "/stats",
    response_model=Stats,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
def get_stats(session: SessionDep, user: Secretariat) -> Stats:
    """Projects by status, industry and city; needs; the lead funnel; landings by place;
    roadshows by status and the leads they produced."""
    return stats(session)
