"""Who comes to a roadshow and what comes of it: invitations, registrations with a waitlist,
check-in, interest recorded per project (each a lead), and the outcome.

Seats are taken and given back only under the roadshow's row lock (``roadshow_for(lock=True)``),
so of many registrations racing for the last seat exactly one gets it, on PostgreSQL as on
SQLite; a partial unique index keeps one live registration per account whatever happens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Organization, OrganizationKind, Role, User
from app.db import utcnow
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.leads import service as leads
from app.leads.models import Lead, LeadStage
from app.leads.schemas import LeadPublic
from app.needs.schemas import OrganizationRef
from app.roadshows import schemas
from app.roadshows.lineup import slots_of
from app.roadshows.models import (
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    Roadshow,
    RoadshowInterest,
    RoadshowStatus,
)
from app.roadshows.service import (
    confirmed_count,
    fill_seats,
    is_secretariat,
    local,
    project_titles,
    roadshow_for,
    seat_counts,
    summary,
)


def _org_refs(session: Session, ids: Sequence[int | None]) -> dict[int, OrganizationRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        o.id: OrganizationRef(id=o.id, name=o.name, kind=o.kind)
        for o in session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    }


def _guest(session: Session, organization_id: int) -> Organization:
    """An organisation a roadshow can invite or record interest for (not the secretariat)."""
    org = session.get(Organization, organization_id)
    if org is None or org.kind == OrganizationKind.secretariat:
        raise InvalidInputError(
            f"No organisation to invite or record interest for has the id {organization_id}",
            [FieldError.in_body("organization_id", "unknown organisation")],
        )
    return org


# --- registrations ---


def render_registrations(
    session: Session, registrations: Sequence[Registration]
) -> list[schemas.RegistrationPublic]:
    if not registrations:
        return []
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({r.user_id for r in registrations}))
        )
    }
    orgs = _org_refs(session, [r.organization_id for r in registrations])
    waiting: dict[int, int] = {}
    for roadshow_id in {r.roadshow_id for r in registrations}:
        queue = session.scalars(
            select(Registration.id)
            .where(
                Registration.roadshow_id == roadshow_id,
                Registration.status == RegistrationStatus.waitlisted,
            )
            .order_by(Registration.created_at, Registration.id)
        ).all()
        waiting.update({rid: place for place, rid in enumerate(queue, start=1)})
    return [
        schemas.RegistrationPublic(
            id=r.id,
            roadshow_id=r.roadshow_id,
            status=RegistrationStatus(r.status),
            waitlist_position=waiting.get(r.id),
            user_id=r.user_id,
            full_name=users[r.user_id].full_name,
            email=users[r.user_id].email,
            organization=orgs.get(r.organization_id) if r.organization_id else None,
            note=r.note,
            created_at=local(r.created_at),
            confirmed_at=local(r.confirmed_at) if r.confirmed_at else None,
            cancelled_at=local(r.cancelled_at) if r.cancelled_at else None,
            checked_in_at=local(r.checked_in_at) if r.checked_in_at else None,
        )
        for r in registrations
    ]


def _live_registration(session: Session, roadshow_id: int, user_id: int) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.roadshow_id == roadshow_id,
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.cancelled,
        )
    )


def _open_for_registration(roadshow: Roadshow) -> None:
    if roadshow.status != RoadshowStatus.published:
        raise ConflictError(f"Registration is closed: the roadshow is {roadshow.status}")
    if roadshow.ends_at <= utcnow():
        raise ConflictError("Registration is closed: the roadshow has ended")


def _take_seat(session: Session, roadshow: Roadshow, user: User, note: str) -> Registration:
    """A confirmed seat if one is free, else a place on the waitlist (under the lock)."""
    confirmed = confirmed_count(session, roadshow.id)
    seated = confirmed < roadshow.capacity
    now = utcnow()
    registration = Registration(
        created_at=now,
        updated_at=now,
        roadshow_id=roadshow.id,
        user_id=user.id,
        organization_id=user.organization_id,
        status=RegistrationStatus.confirmed if seated else RegistrationStatus.waitlisted,
        note=note,
        confirmed_at=now if seated else None,
    )
    session.add(registration)
    session.flush()
    return registration


def register(session: Session, user: User, roadshow_id: int, note: str) -> Registration:
    """A signed-in enterprise account takes a seat, or a place on the waitlist."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    _open_for_registration(roadshow)
    live = _live_registration(session, roadshow.id, user.id)
    if live is not None:
        raise ConflictError(f"You are already registered (registration {live.id}, {live.status})")
    return _take_seat(session, roadshow, user, note)


def cancel(session: Session, user: User, roadshow_id: int, registration_id: int) -> None:
    """The registrant or the secretariat cancels; a freed seat goes to the first waiting."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    registration = session.get(Registration, registration_id)
    if (
        registration is None
        or registration.roadshow_id != roadshow.id
        or (registration.user_id != user.id and not is_secretariat(user))
    ):
        raise NotFoundError(
            f"Roadshow {roadshow.id} has no registration {registration_id} of yours"
        )
    if registration.status == RegistrationStatus.cancelled:
        return  # already cancelled: DELETE is idempotent
    if roadshow.status == RoadshowStatus.completed:
        raise ConflictError(
            "The roadshow is completed; its registrations are its attendance record"
        )
    _cancel(session, roadshow, registration)


def _cancel(session: Session, roadshow: Roadshow, registration: Registration) -> None:
    """Cancel a live registration (under the lock); a freed seat goes to the first waiting."""
    if registration.checked_in_at is not None:
        raise ConflictError("The registrant has checked in; the registration stands")
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = utcnow()
    session.flush()
    fill_seats(session, roadshow)


def list_registrations(
    session: Session, user: User, roadshow_id: int, status: RegistrationStatus | None
) -> schemas.RegistrationList:
    roadshow = roadshow_for(session, roadshow_id, user)
    stmt = select(Registration).where(Registration.roadshow_id == roadshow.id)
    if status is not None:
        stmt = stmt.where(Registration.status == status)
    rows = session.scalars(stmt.order_by(Registration.created_at, Registration.id)).all()
    return schemas.RegistrationList(
        items=render_registrations(session, rows),
        total=len(rows),
        counts=_counts(session, roadshow.id),
    )


def _counts(session: Session, roadshow_id: int) -> schemas.RegistrationCounts:
    seats = seat_counts(session, [roadshow_id])[roadshow_id]
    checked_in = session.scalar(
        select(func.count()).where(
            Registration.roadshow_id == roadshow_id, Registration.checked_in_at.is_not(None)
        )
    )
    return schemas.RegistrationCounts(
        confirmed=seats.get(RegistrationStatus.confirmed, 0),
        waitlisted=seats.get(RegistrationStatus.waitlisted, 0),
        cancelled=seats.get(RegistrationStatus.cancelled, 0),
        checked_in=checked_in or 0,
    )


def check_in(session: Session, user: User, roadshow_id: int, registration_id: int) -> Registration:
    """The secretariat checks a confirmed registrant in at the door (again: no change)."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)  # not while one cancels
    registration = session.get(Registration, registration_id)
    if registration is None or registration.roadshow_id != roadshow.id:
        raise NotFoundError(f"Roadshow {roadshow.id} has no registration {registration_id}")
    if registration.status != RegistrationStatus.confirmed:
        raise ConflictError(
            f"Registration {registration.id} is {registration.status}, not confirmed; "
            "only confirmed registrants check in"
        )
    if registration.checked_in_at is None:
        registration.checked_in_at = utcnow()
        session.flush()
    return registration


def my_registrations(session: Session, user: User) -> list[schemas.RegistrationPublic]:
    rows = session.scalars(
        select(Registration)
        .where(Registration.user_id == user.id)
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()
    return render_registrations(session, rows)


def registration_of(
    session: Session, roadshow_id: int, user: User | None
) -> schemas.RegistrationPublic | None:
    if user is None:
        return None
    live = _live_registration(session, roadshow_id, user.id)
    return render_registrations(session, [live])[0] if live else None


# --- invitations ---


def render_invitations(
    session: Session, invitations: Sequence[Invitation], user: User | None = None
) -> list[schemas.InvitationPublic]:
    if not invitations:
        return []
    orgs = _org_refs(session, [i.organization_id for i in invitations])
    titles = {
        r.id: (r.title_zh, r.title_en)
        for r in session.scalars(
            select(Roadshow).where(Roadshow.id.in_({i.roadshow_id for i in invitations}))
        )
    }
    return [
        schemas.InvitationPublic(
            id=i.id,
            roadshow_id=i.roadshow_id,
            roadshow_title_zh=titles[i.roadshow_id][0],
            roadshow_title_en=titles[i.roadshow_id][1],
            organization=orgs[i.organization_id],
            status=InvitationStatus(i.status),
            message=i.message,
            created_at=local(i.created_at),
            responded_at=local(i.responded_at) if i.responded_at else None,
            response_note=i.response_note,
            registration=registration_of(session, i.roadshow_id, user)
            if user is not None and user.organization_id == i.organization_id
            else None,
        )
        for i in invitations
    ]


def invite(
    session: Session, user: User, roadshow_id: int, body: schemas.InvitationCreate
) -> Invitation:
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)  # one invitation per org
    if roadshow.status != RoadshowStatus.published:
        raise ConflictError(
            f"Invitations go out for published roadshows; this one is {roadshow.status}"
        )
    org = _guest(session, body.organization_id)
    existing = session.scalar(
        select(Invitation).where(
            Invitation.roadshow_id == roadshow.id, Invitation.organization_id == org.id
        )
    )
    if existing is not None:
        raise ConflictError(
            f"{org.name} is already invited (invitation {existing.id}, {existing.status})",
            [FieldError.in_body("organization_id", f"already invited: invitation {existing.id}")],
        )
    invitation = Invitation(
        roadshow_id=roadshow.id, organization_id=org.id, message=body.message, invited_by=user.id
    )
    session.add(invitation)
    session.flush()
    return invitation


def list_invitations(session: Session, user: User, roadshow_id: int) -> schemas.InvitationList:
    roadshow = roadshow_for(session, roadshow_id, user)
    rows = session.scalars(
        select(Invitation).where(Invitation.roadshow_id == roadshow.id).order_by(Invitation.id)
    ).all()
    return schemas.InvitationList(items=render_invitations(session, rows), total=len(rows))


def my_invitations(session: Session, user: User) -> list[schemas.InvitationPublic]:
    if user.organization_id is None:
        return []
    rows = session.scalars(
        select(Invitation)
        .join(Roadshow, Roadshow.id == Invitation.roadshow_id)
        .where(
            Invitation.organization_id == user.organization_id,
            Roadshow.status != RoadshowStatus.draft,
        )
        .order_by(Roadshow.starts_at.desc(), Invitation.id)
    ).all()
    return render_invitations(session, rows, user)


def invitation_of(
    session: Session, roadshow_id: int, user: User | None
) -> schemas.InvitationPublic | None:
    if user is None or user.organization_id is None:
        return None
    found = session.scalar(
        select(Invitation).where(
            Invitation.roadshow_id == roadshow_id,
            Invitation.organization_id == user.organization_id,
        )
    )
    return render_invitations(session, [found], user)[0] if found else None


def respond(
    session: Session,
    user: User,
    roadshow_id: int,
    invitation_id: int,
    body: schemas.InvitationResponse,
) -> Invitation:
    """The invited organisation's enterprise accounts (or the secretariat, for an answer given
    by phone) accept or decline. An enterprise account that accepts also takes a seat (or a
    place on the waitlist), unless it holds one already; a decline gives that seat back."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    invitation = session.get(Invitation, invitation_id)
    insider = (
        invitation is not None
        and user.role == Role.enterprise
        and user.organization_id == invitation.organization_id
    )
    if (
        invitation is None
        or invitation.roadshow_id != roadshow.id
        or not (insider or is_secretariat(user))
    ):
        raise NotFoundError(f"Roadshow {roadshow.id} has no invitation {invitation_id} for you")
    if roadshow.status == RoadshowStatus.completed:
        raise ConflictError("The roadshow is completed; its invitations are closed")
    if body.status == InvitationStatus.accepted:
        if insider and _live_registration(session, roadshow.id, user.id) is None:
            _open_for_registration(roadshow)
            invitation.registration_id = _take_seat(session, roadshow, user, body.note or "").id
    elif invitation.registration_id is not None:
        # Declining gives back the seat that accepting took (and only that one; whoever
        # answers), unless its holder has already checked in.
        taken = session.get(Registration, invitation.registration_id)
        live = taken is not None and taken.status != RegistrationStatus.cancelled
        if taken is not None and live and taken.checked_in_at is None:
            _cancel(session, roadshow, taken)
        invitation.registration_id = None
    invitation.status = body.status
    invitation.responded_by = user.id
    invitation.responded_at = utcnow()
    invitation.response_note = body.note
    session.flush()
    return invitation


# --- interest and outcome ---


def record_interest(
    session: Session, user: User, roadshow_id: int, body: schemas.InterestCreate
) -> tuple[LeadPublic, bool]:
    """Interest an organisation showed in a presented project: a lead in the pipeline (or a
    note on the lead it already has). True when the lead is new."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)  # one lead per org, project
    if roadshow.status == RoadshowStatus.draft:
        raise ConflictError("The roadshow is a draft; nothing has been presented yet")
    if body.project_id not in {s.project_id for s in slots_of(session, roadshow.id)}:
        raise InvalidInputError(
            f"Project {body.project_id} is not in this roadshow's lineup",
            [FieldError.in_body("project_id", "not presented at this roadshow")],
        )
    if not project_titles(session, [body.project_id])[body.project_id].published:
        raise InvalidInputError(
            f"Project {body.project_id} is no longer published; it takes no new leads",
            [FieldError.in_body("project_id", "not published")],
        )
    org = _guest(session, body.organization_id)
    title = roadshow.title_zh or roadshow.title_en
    note = f"[路演 {title}] {body.note}".strip()
    lead, created = leads.record_interest(session, user, org.id, body.project_id, note)
    session.add(
        RoadshowInterest(
            roadshow_id=roadshow.id,
            organization_id=org.id,
            project_id=body.project_id,
            lead_id=lead.id,
            note=body.note,
            recorded_by=user.id,
        )
    )
    session.flush()
    return lead, created


def outcome(session: Session, user: User, roadshow_id: int) -> schemas.Outcome:
    """Attendance, invitations, interest per presented project, and where its leads stand."""
    roadshow = roadshow_for(session, roadshow_id, user)
    counts = _counts(session, roadshow.id)
    invitations = Counter(
        session.scalars(select(Invitation.status).where(Invitation.roadshow_id == roadshow.id))
    )
    interests = session.scalars(
        select(RoadshowInterest).where(RoadshowInterest.roadshow_id == roadshow.id)
    ).all()
    lead_rows = leads.leads_by_id(session, [i.lead_id for i in interests if i.lead_id])
    orgs = _org_refs(session, [lead.organization_id for lead in lead_rows.values()])
    slot_starts = {s.project_id: s.starts_at for s in slots_of(session, roadshow.id)}
    # Every presented project, and any with interest recorded whose slot was removed since.
    shown = list(dict.fromkeys([*slot_starts, *(i.project_id for i in interests)]))
    titles = project_titles(session, shown)
    projects = []
    for project_id in shown:
        mine = [i for i in interests if i.project_id == project_id]
        lead_ids = list(dict.fromkeys(i.lead_id for i in mine if i.lead_id in lead_rows))
        starts = slot_starts.get(project_id)
        projects.append(
            schemas.ProjectOutcome(
                project_id=project_id,
                project_title_zh=titles[project_id].title_zh,
                project_title_en=titles[project_id].title_en,
                slot_starts_at=local(starts) if starts else None,
                interest=len(mine),
                leads=[_standing(lead_rows[i], orgs) for i in lead_ids if i is not None],
            )
        )
    stages = Counter(lead.stage for lead in lead_rows.values())
    landed = sum(
        float(lead.landed_amount_wan or 0)
        for lead in lead_rows.values()
        if lead.stage == LeadStage.landed
    )
    return schemas.Outcome(
        roadshow=summary(session, roadshow, user),
        attendance=schemas.Attendance(
            capacity=roadshow.capacity,
            confirmed=counts.confirmed,
            waitlisted=counts.waitlisted,
            cancelled=counts.cancelled,
            checked_in=counts.checked_in,
            rate=round(counts.checked_in / counts.confirmed, 4) if counts.confirmed else None,
        ),
        invitations=schemas.InvitationCounts(
            sent=sum(invitations.values()),
            accepted=invitations.get(InvitationStatus.accepted, 0),
            declined=invitations.get(InvitationStatus.declined, 0),
            pending=invitations.get(InvitationStatus.invited, 0),
        ),
        projects=projects,
        leads=schemas.LeadCounts(
            total=len(lead_rows),
            by_stage={stage.value: stages.get(stage.value, 0) for stage in LeadStage},
            landed_amount_wan=round(landed, 2),
        ),
    )


def _standing(lead: Lead, orgs: dict[int, OrganizationRef]) -> schemas.LeadStanding:
    return schemas.LeadStanding(
        lead_id=lead.id,
        organization=orgs[lead.organization_id],
        stage=lead.stage,
        landed_city=lead.landed_city,
        landed_amount_wan=float(lead.landed_amount_wan)
        if lead.landed_amount_wan is not None
        else None,
    )
