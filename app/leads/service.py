"""Rules about leads: who may show interest, who sees which lead, and the pipeline.

    new → contacted → negotiating → signed → landed      (and any open stage → closed)

Landing records the city or zone, the amount (万元) and the date. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import Organization, Role, User
from app.catalog.models import Project, ProjectStatus
from app.db import utcnow
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.geo.service import ReferenceCodes
from app.leads import schemas
from app.leads.models import Lead, LeadEvent, LeadStage

NEXT: dict[str, set[str]] = {
    LeadStage.new: {LeadStage.contacted, LeadStage.closed},
    LeadStage.contacted: {LeadStage.negotiating, LeadStage.closed},
    LeadStage.negotiating: {LeadStage.signed, LeadStage.closed},
    LeadStage.signed: {LeadStage.landed, LeadStage.closed},
    LeadStage.landed: set(),
    LeadStage.closed: set(),
}


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    """Enterprises see their organisation's leads, researchers the leads on their projects."""
    if user.role == Role.secretariat:
        return stmt
    if user.role == Role.enterprise:
        return stmt.where(Lead.organization_id == (user.organization_id or -1))
    owned = select(Project.id).where(Project.owner_id == user.id)
    return stmt.where(Lead.project_id.in_(owned))


def _open_lead(session: Session, organization_id: int, project_id: int) -> Lead | None:
    return session.scalar(
        select(Lead).where(
            Lead.project_id == project_id,
            Lead.organization_id == organization_id,
            Lead.stage.not_in([LeadStage.landed, LeadStage.closed]),
        )
    )


def _new_lead(
    session: Session, actor: User, organization_id: int, project_id: int, message: str
) -> Lead | None:
    """A new lead at ``new``; None if a racing request opened this organisation's lead on the
    project first (the database keeps one open lead per pair)."""
    lead = Lead(
        project_id=project_id,
        organization_id=organization_id,
        created_by=actor.id,
        message=message,
    )
    session.flush()  # anything pending fails here, outside the savepoint, as itself
    try:
        with session.begin_nested():
            session.add(lead)
            session.flush()
    except IntegrityError:
        if _open_lead(session, organization_id, project_id) is None:
            raise  # not the one-open-lead index: a real error
        return None
    session.add(LeadEvent(lead_id=lead.id, actor_id=actor.id, to_stage=LeadStage.new, note=message))
    session.flush()
    return lead


def show_interest(
    session: Session, user: User, project_id: int, message: str
) -> schemas.LeadPublic:
    project = session.get(Project, project_id)
    if project is None or project.status != ProjectStatus.published:
        raise NotFoundError(f"No published project has the id {project_id}")
    if user.organization_id is None:
        raise ConflictError("Your account belongs to no organisation")
    org = user.organization_id
    lead = _open_lead(session, org, project_id)
    if lead is None:
        lead = _new_lead(session, user, org, project_id, message)
        if lead is not None:
            return get_lead(session, user, lead.id)
        lead = _open_lead(session, org, project_id)  # a racing request opened it first
    which = f" (lead {lead.id})" if lead else ""
    raise ConflictError(f"Your organisation already follows this project{which}")


def record_interest(
    session: Session, actor: User, organization_id: int, project_id: int, note: str
) -> tuple[schemas.LeadPublic, bool]:
    """Interest recorded on an organisation's behalf (at a roadshow): a new lead, or, when the
    organisation already follows the project, a note added to its open lead. True if new."""
    open_lead = _open_lead(session, organization_id, project_id)
    if open_lead is None:
        lead = _new_lead(session, actor, organization_id, project_id, note)
        if lead is not None:
            return get_lead(session, actor, lead.id), True
        open_lead = _open_lead(session, organization_id, project_id)  # opened by a racing request
    if open_lead is not None:
        session.add(
            LeadEvent(
                lead_id=open_lead.id,
                actor_id=actor.id,
                from_stage=open_lead.stage,
                to_stage=open_lead.stage,
                note=note,
            )
        )
        open_lead.updated_at = utcnow()
        session.flush()
        return get_lead(session, actor, open_lead.id), False
    raise ConflictError("The organisation's lead on this project changed meanwhile; try again")


def leads_by_id(session: Session, lead_ids: Sequence[int]) -> dict[int, Lead]:
    if not lead_ids:
        return {}
    return {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(lead_ids)))}


@dataclass(frozen=True)
class LeadFilters:
    """Narrowing a list of leads (the secretariat's board): by project, by organisation, by city
    or zone (where the organisation is based or where the lead landed), to some leads (those
    interest at a roadshow opened or added to)."""

    project_id: int | None = None
    organization_id: int | None = None
    city: str | None = None
    lead_ids: Collection[int] | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.project_id is not None:
            stmt = stmt.where(Lead.project_id == self.project_id)
        if self.organization_id is not None:
            stmt = stmt.where(Lead.organization_id == self.organization_id)
        if self.city is not None:
            based = select(Organization.id).where(Organization.city_code == self.city)
            stmt = stmt.where((Lead.landed_city == self.city) | Lead.organization_id.in_(based))
        if self.lead_ids is not None:
            stmt = stmt.where(Lead.id.in_(list(self.lead_ids)))
        return stmt


def list_leads(
    session: Session,
    user: User,
    stage: LeadStage | None,
    page: int,
    per_page: int,
    filters: LeadFilters | None = None,
) -> schemas.LeadList:
    stmt = _visible(select(Lead), user)
    if stage is not None:
        stmt = stmt.where(Lead.stage == stage)
    if filters is not None:
        stmt = filters.apply(stmt)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    leads = session.scalars(
        stmt.order_by(Lead.updated_at.desc(), Lead.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return schemas.LeadList(
        items=_render(session, list(leads)), total=total, page=page, per_page=per_page
    )


def lead_parties(session: Session, user: User) -> tuple[list[Project], list[Organization]]:
    """The projects and the organisations of the leads ``user`` may see (a board's filters)."""
    leads = _visible(select(Lead), user).subquery()
    projects = session.scalars(
        select(Project).where(Project.id.in_(select(leads.c.project_id))).order_by(Project.id)
    ).all()
    orgs = session.scalars(
        select(Organization)
        .where(Organization.id.in_(select(leads.c.organization_id)))
        .order_by(Organization.name, Organization.id)
    ).all()
    return list(projects), list(orgs)


def get_lead(session: Session, user: User, lead_id: int) -> schemas.LeadPublic:
    lead = session.scalar(_visible(select(Lead).where(Lead.id == lead_id), user))
    if lead is None:
        raise NotFoundError(f"No lead you may see has the id {lead_id}")
    return _render(session, [lead])[0]


def move(
    session: Session,
    user: User,
    lead_id: int,
    update: schemas.LeadUpdate,
    refs: ReferenceCodes,
) -> schemas.LeadPublic:
    """The secretariat moves a lead along the pipeline (or closes it)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError(f"No lead has the id {lead_id}")
    target = update.stage.value
    if target not in NEXT[lead.stage]:
        allowed = ", ".join(sorted(NEXT[lead.stage])) or "none: the lead is finished"
        raise ConflictError(f"A {lead.stage} lead cannot move to {target} (allowed: {allowed})")
    if target == LeadStage.landed:
        if update.landing is None:
            raise InvalidInputError(
                "Landing needs the city or zone, the amount and the date",
                [FieldError(field="landing", location="body", message="required to land")],
            )
        if update.landing.city not in refs.cities:
            raise InvalidInputError(
                f"Unknown city or zone code '{update.landing.city}'",
                [FieldError(field="landing.city", location="body", message="unknown code")],
            )
        lead.landed_city = update.landing.city
        lead.landed_amount_wan = Decimal(str(update.landing.amount_wan))
        lead.landed_on = update.landing.date
    before = lead.stage
    lead.stage = target
    session.add(
        LeadEvent(
            lead_id=lead.id, actor_id=user.id, from_stage=before, to_stage=target, note=update.note
        )
    )
    session.flush()
    return get_lead(session, user, lead.id)


def _render(session: Session, leads: list[Lead]) -> list[schemas.LeadPublic]:
    if not leads:
        return []
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(Project.id.in_([x.project_id for x in leads]))
        )
    }
    orgs = {
        o.id: o
        for o in session.scalars(
            select(Organization).where(Organization.id.in_([x.organization_id for x in leads]))
        )
    }
    events: dict[int, list[LeadEvent]] = {}
    for event in session.scalars(
        select(LeadEvent).where(LeadEvent.lead_id.in_([x.id for x in leads])).order_by(LeadEvent.id)
    ):
        events.setdefault(event.lead_id, []).append(event)
    return [
        schemas.LeadPublic(
            id=lead.id,
            project_id=lead.project_id,
            project_title_zh=projects[lead.project_id].title_zh,
            project_title_en=projects[lead.project_id].title_en,
            organization_id=lead.organization_id,
            organization_name=orgs[lead.organization_id].name,
            message=lead.message,
            stage=lead.stage,
            landed_city=lead.landed_city,
            landed_amount_wan=float(lead.landed_amount_wan)
            if lead.landed_amount_wan is not None
            else None,
            landed_on=lead.landed_on,
            created_at=lead.created_at,
            updated_at=lead.updated_at,
            events=[
                schemas.LeadEventPublic(
                    at=e.at,
                    actor_id=e.actor_id,
                    from_stage=e.from_stage,
                    to_stage=e.to_stage,
                    note=e.note,
                )
                for e in events.get(lead.id, [])
            ],
        )
        for lead in leads
    ]
