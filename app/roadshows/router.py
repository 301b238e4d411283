"""HTTP routes for roadshows: planning, lineup, invitations, registrations, the event and after."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.auth.dependencies import CurrentUser, OptionalUser, Secretariat, require_role
from app.auth.models import Role, User
from app.deps import SessionDep
from app.errors import Problem
from app.geo.service import reference_codes
from app.leads.schemas import LeadPublic
from app.listing import PageQuery, PerPageQuery, check_codes
from app.matching.dependencies import MatcherDep
from app.roadshows import attendance, exports, lineup, schemas, service
from app.roadshows.models import RegistrationStatus, RoadshowStatus
from app.search.dependencies import SearchDep

router = APIRouter(prefix="/roadshows", tags=["roadshows"])
me_router = APIRouter(prefix="/me", tags=["roadshows"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Enterprise = Annotated[User, Depends(require_role(Role.enterprise))]


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "Not signed in",
        403: "Not your role",
        404: "No such roadshow (drafts are the secretariat's), or nothing of yours in it",
        409: "Not possible in the roadshow's state, or it clashes with what is there",
        422: "A field is invalid",
    }
    return {c: {"model": Problem, "description": text[c]} for c in codes}


WRITE = _problems(401, 403, 404, 409, 422)
READ = _problems(401, 403, 404, 422)


@router.get("", response_model=schemas.RoadshowList, responses=_problems(401, 422))
def list_roadshows(
    session: SessionDep,
    user: OptionalUser,
    status: Annotated[RoadshowStatus | None, Query()] = None,
    city: Annotated[str | None, Query(max_length=16, description="City or zone code")] = None,
    industry: Annotated[
        str | None, Query(max_length=8, description="Theme industry; a top-level code too")
    ] = None,
    when: Annotated[
        schemas.When | None,
        Query(description="upcoming: not yet ended, soonest first; past: ended, latest first"),
    ] = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 20,
) -> schemas.RoadshowList:
    """Published, closed and completed roadshows for everyone; drafts for the secretariat too."""
    refs = reference_codes(session)
    check_codes([city] if city else None, refs.cities, "city", "city or zone")
    check_codes([industry] if industry else None, refs.industries, "industry", "industry")
    return service.list_roadshows(
        session,
        user,
        refs,
        status=status,
        city=city,
        industry=industry,
        when=when,
        page=page,
        per_page=per_page,
    )


def _detail(session: SessionDep, roadshow_id: int, user: User | None) -> schemas.RoadshowPublic:
    roadshow = service.roadshow_for(session, roadshow_id, user)
    return schemas.RoadshowPublic(
        **service.summary(session, roadshow, user).model_dump(),
        slots=lineup.render_slots(session, lineup.slots_of(session, roadshow.id), user),
        my_registration=attendance.registration_of(session, roadshow.id, user),
        my_invitation=attendance.invitation_of(session, roadshow.id, user),
    )


@router.post("", response_model=schemas.RoadshowPublic, status_code=201, responses=WRITE)
def create_roadshow(
    session: SessionDep, user: Secretariat, body: schemas.RoadshowCreate
) -> schemas.RoadshowPublic:
    """The secretariat plans a roadshow (a draft until it is published)."""
    roadshow = service.create_roadshow(session, user, body, reference_codes(session))
    return _detail(session, roadshow.id, user)


@router.get("/{roadshow_id}", response_model=schemas.RoadshowPublic, responses=READ)
def get_roadshow(
    session: SessionDep, user: OptionalUser, roadshow_id: Id
) -> schemas.RoadshowPublic:
    """A roadshow with its lineup; signed in, also the caller's registration and invitation."""
    return _detail(session, roadshow_id, user)


@router.patch("/{roadshow_id}", response_model=schemas.RoadshowPublic, responses=WRITE)
def update_roadshow(
    session: SessionDep, user: Secretariat, roadshow_id: Id, body: schemas.RoadshowUpdate
) -> schemas.RoadshowPublic:
    """Edit a roadshow or move its status: draft → published ⇄ closed → completed."""
    service.update_roadshow(session, user, roadshow_id, body, reference_codes(session))
    return _detail(session, roadshow_id, user)


# --- lineup ---


@router.get(
    "/{roadshow_id}/suggestions/projects",
    response_model=schemas.ProjectSuggestions,
    responses=READ,
)
def suggest_projects(
    session: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    user: Secretariat,
    roadshow_id: Id,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    recent_days: Annotated[
        int,
        Query(ge=0, le=730, description="Leave out projects shown in this many days before"),
    ] = 180,
) -> schemas.ProjectSuggestions:
    """Projects for the lineup, ranked on the theme, the host city's profile and its open
    needs, with reasons."""
    return lineup.suggest_projects(session, search, matcher, user, roadshow_id, limit, recent_days)


@router.get(
    "/{roadshow_id}/suggestions/enterprises",
    response_model=schemas.EnterpriseSuggestions,
    responses=READ,
)
def suggest_enterprises(
    session: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    user: Secretariat,
    roadshow_id: Id,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.EnterpriseSuggestions:
    """Organisations whose open needs match the lineup (the theme, while there is none)."""
    return lineup.suggest_enterprises(session, search, matcher, user, roadshow_id, limit)


@router.post(
    "/{roadshow_id}/slots", response_model=schemas.SlotPublic, status_code=201, responses=WRITE
)
def add_slot(
    session: SessionDep, user: Secretariat, roadshow_id: Id, body: schemas.SlotCreate
) -> schemas.SlotPublic:
    """Put a published project in the lineup; a slot overlapping another is a 409 naming it."""
    slot = lineup.add_slot(session, user, roadshow_id, body)
    return _slot(session, user, roadshow_id, slot.id)


def _slot(session: SessionDep, user: User, roadshow_id: int, slot_id: int) -> schemas.SlotPublic:
    rendered = lineup.render_slots(session, lineup.slots_of(session, roadshow_id), user)
    return next(s for s in rendered if s.id == slot_id)


@router.put("/{roadshow_id}/slots/order", response_model=list[schemas.SlotPublic], responses=WRITE)
def reorder_slots(
    session: SessionDep, user: Secretariat, roadshow_id: Id, body: schemas.SlotOrder
) -> list[schemas.SlotPublic]:
    """Reorder the lineup; times are laid out again, keeping each slot's minutes and breaks."""
    slots = lineup.reorder(session, user, roadshow_id, body.slot_ids)
    return lineup.render_slots(session, slots, user)


@router.patch("/{roadshow_id}/slots/{slot_id}", response_model=schemas.SlotPublic, responses=WRITE)
def update_slot(
    session: SessionDep,
    user: Secretariat,
    roadshow_id: Id,
    slot_id: Id,
    body: schemas.SlotUpdate,
) -> schemas.SlotPublic:
    lineup.update_slot(session, user, roadshow_id, slot_id, body)
    return _slot(session, user, roadshow_id, slot_id)


@router.delete("/{roadshow_id}/slots/{slot_id}", status_code=204, responses=WRITE)
def delete_slot(session: SessionDep, user: Secretariat, roadshow_id: Id, slot_id: Id) -> Response:
    lineup.delete_slot(session, user, roadshow_id, slot_id)
    return Response(status_code=204)


# --- invitations ---


@router.post(
    "/{roadshow_id}/invitations",
    response_model=schemas.InvitationPublic,
    status_code=201,
    responses=WRITE,
)
def invite(
    session: SessionDep, user: Secretariat, roadshow_id: Id, body: schemas.InvitationCreate
) -> schemas.InvitationPublic:
    invitation = attendance.invite(session, user, roadshow_id, body)
    return attendance.render_invitations(session, [invitation])[0]


@router.get("/{roadshow_id}/invitations", response_model=schemas.InvitationList, responses=READ)
def list_invitations(
    session: SessionDep, user: Secretariat, roadshow_id: Id
) -> schemas.InvitationList:
    return attendance.list_invitations(session, user, roadshow_id)


@router.patch(
    "/{roadshow_id}/invitations/{invitation_id}",
    response_model=schemas.InvitationPublic,
    responses=WRITE,
)
def respond(
    session: SessionDep,
    user: CurrentUser,
    roadshow_id: Id,
    invitation_id: Id,
    body: schemas.InvitationResponse,
) -> schemas.InvitationPublic:
    """The invited organisation accepts (taking a seat, or a place on the waitlist) or
    declines; the secretariat may record an answer given another way."""
    invitation = attendance.respond(session, user, roadshow_id, invitation_id, body)
    return attendance.render_invitations(session, [invitation], user)[0]


# --- registrations ---


@router.post(
    "/{roadshow_id}/registrations",
    response_model=schemas.RegistrationPublic,
    status_code=201,
    responses=WRITE,
)
def register(
    session: SessionDep,
    user: Enterprise,
    roadshow_id: Id,
    body: schemas.RegistrationCreate | None = None,
) -> schemas.RegistrationPublic:
    """A seat (``confirmed``) while there are seats, then a place on the waitlist."""
    registration = attendance.register(session, user, roadshow_id, body.note if body else "")
    return attendance.render_registrations(session, [registration])[0]


@router.get("/{roadshow_id}/registrations", response_model=schemas.RegistrationList, responses=READ)
def list_registrations(
    session: SessionDep,
    user: Secretariat,
    roadshow_id: Id,
    status: Annotated[RegistrationStatus | None, Query()] = None,
) -> schemas.RegistrationList:
    return attendance.list_registrations(session, user, roadshow_id, status)


@router.delete("/{roadshow_id}/registrations/{registration_id}", status_code=204, responses=WRITE)
def cancel_registration(
    session: SessionDep, user: CurrentUser, roadshow_id: Id, registration_id: Id
) -> Response:
    """The registrant (or the secretariat) cancels; the first on the waitlist gets the seat."""
    attendance.cancel(session, user, roadshow_id, registration_id)
    return Response(status_code=204)


@router.post(
    "/{roadshow_id}/registrations/{registration_id}/check-in",
    response_model=schemas.RegistrationPublic,
    responses=WRITE,
)
def check_in(
    session: SessionDep, user: Secretariat, roadshow_id: Id, registration_id: Id
) -> schemas.RegistrationPublic:
    registration = attendance.check_in(session, user, roadshow_id, registration_id)
    return attendance.render_registrations(session, [registration])[0]


# --- at and after the event ---


@router.post("/{roadshow_id}/interest", response_model=LeadPublic, status_code=201, responses=WRITE)
def record_interest(
    session: SessionDep, user: Secretariat, roadshow_id: Id, body: schemas.InterestCreate
) -> LeadPublic:
    """Interest an organisation showed in a presented project, recorded (201) as its lead: a
    new one at ``new``, or the open lead it already has with this note added to its events."""
    lead, _ = attendance.record_interest(session, user, roadshow_id, body)
    return lead


@router.get("/{roadshow_id}/outcome", response_model=schemas.Outcome, responses=READ)
def outcome(session: SessionDep, user: Secretariat, roadshow_id: Id) -> schemas.Outcome:
    """Attendance, invitations, interest per project, and where each lead now stands."""
    return attendance.outcome(session, user, roadshow_id)


# --- exports ---


@router.get(
    "/{roadshow_id}/agenda.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "One VEVENT per slot"},
        **READ,
    },
)
def agenda(request: Request, session: SessionDep, user: OptionalUser, roadshow_id: Id) -> Response:
    """The agenda as iCalendar: public once the roadshow is published."""
    public_url: str = request.app.state.settings.public_url
    body = exports.agenda(session, user, roadshow_id, public_url)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": exports.attachment(f"roadshow-{roadshow_id}.ics")},
    )


@router.get(
    "/{roadshow_id}/attendees.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "One row per registration"},
        **READ,
    },
)
def attendees(
    session: SessionDep,
    user: Secretariat,
    roadshow_id: Id,
    status: Annotated[RegistrationStatus | None, Query()] = None,
) -> Response:
    return Response(
        exports.attendees(session, user, roadshow_id, status),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": exports.attachment(f"roadshow-{roadshow_id}-attendees.csv")
        },
    )


# --- the caller's own ---


@me_router.get(
    "/registrations",
    response_model=list[schemas.RegistrationPublic],
    responses=_problems(401),
)
def my_registrations(session: SessionDep, user: CurrentUser) -> list[schemas.RegistrationPublic]:
    """Every roadshow registration of the signed-in account, newest first."""
    return attendance.my_registrations(session, user)


@me_router.get(
    "/invitations", response_model=list[schemas.InvitationPublic], responses=_problems(401)
)
def my_invitations(session: SessionDep, user: CurrentUser) -> list[schemas.InvitationPublic]:
    """Roadshow invitations to the signed-in account's organisation."""
    return attendance.my_invitations(session, user)
