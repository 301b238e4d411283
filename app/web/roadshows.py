"""The roadshow pages: upcoming and past public roadshows with the API's filters, one roadshow
with its lineup, and an enterprise's registration and invitation answered by form.

Visibility is the API's (``app.roadshows.service``: drafts are the secretariat's, a 404 for
everyone else); registering, cancelling and answering an invitation go through
``app.roadshows.attendance``, so seats and the waitlist behave exactly as ``/api/v1/roadshows``.
Every POST checks its CSRF token and answers with a redirect (to the roadshow, or to a ``next``
path on this site) carrying a ``notice`` code, or with the page and the service's refusal as a
message in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_time
from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from app.auth.models import Role
from app.deps import SessionDep
from app.errors import ConflictError, NotFoundError
from app.geo import service as geo_service
from app.geo.schemas import CitySummary, Taxonomy
from app.roadshows import attendance, lineup, schemas, service
from app.roadshows.models import InvitationStatus, RegistrationStatus, RoadshowStatus
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import LANGUAGES, N_
from app.web.pages import Page, PageDep, remember, render
from app.web.router import safe_next

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = 10_000
NOTE_MAX = 1000

# What a redirect's ``?notice=`` says (other pages that post here, such as /me, read them too).
NOTICES: dict[str, str] = {
    "registration-confirmed": N_("You are registered: your seat is confirmed."),
    "registration-waitlisted": N_("The roadshow is full: you are on the waitlist."),
    "registration-cancelled": N_("Your registration is cancelled."),
    "invitation-accepted": N_("You accepted the invitation."),
    "invitation-declined": N_("You declined the invitation."),
}
# Why registering (or accepting, or cancelling) is refused, by the roadshow's state.
HELD = N_("This roadshow has been held: registration is closed.")
CLOSED = N_("Registration for this roadshow is closed.")
ENDED = N_("This roadshow has ended: registration is closed.")
ALREADY = N_("You are already registered for this roadshow.")
FOR_ENTERPRISES = N_("Registration is for enterprise accounts.")
INVITATION_FOR_ENTERPRISES = N_("Only the invited organisation's enterprise accounts can answer.")
NO_REGISTRATION = N_("You have no registration for this roadshow.")
NO_INVITATION = N_("Your organisation has no invitation to this roadshow.")
CHECKED_IN = N_("You have checked in: your registration stands.")
HELD_RECORD = N_("This roadshow has been held: its registrations are its attendance record.")
HELD_INVITATIONS = N_("This roadshow has been held: its invitations are closed.")
DRAFT = N_("Registration opens once the roadshow is published.")
CHOOSE_ANSWER = N_("Choose to accept or to decline the invitation.")
NOTE_PROBLEM = N_("Write a note of at most 1,000 characters, as plain text.")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- formatting ---


def clock(page: Page, moment: dt.datetime) -> str:
    """A time of day as the reader's language writes it (14:30 / 下午2:30), in the value's zone."""
    locale = LANGUAGES[page.language].babel_locale
    return format_time(moment.timetz(), format="short", locale=locale)


def span(page: Page, starts: dt.datetime, ends: dt.datetime) -> str:
    """When a roadshow runs: one day with two times, or two full moments."""
    if starts.date() == ends.date():
        return f"{page.moment(starts)}–{clock(page, ends)}"
    return f"{page.moment(starts)} – {page.moment(ends)}"


@dataclass(frozen=True)
class Names:
    """Cities, zones and industries in the reader's language, by code."""

    city: dict[str, str]
    industry: dict[str, str]

    @classmethod
    def of(cls, page: Page, taxonomy: Taxonomy, places: list[CitySummary]) -> Names:
        industries = {}
        for node in taxonomy.industries:
            industries[node.code] = page.name(node.name_zh, node.name_en)
            for child in node.children:
                industries[child.code] = page.name(child.name_zh, child.name_en)
        cities = {p.code: page.name(p.name_zh, p.name_en, p.name_zh_hant) for p in places}
        return cls(city=cities, industry=industries)


@dataclass(frozen=True)
class State:
    """Where a roadshow stands for a reader: a label, and whether one may register."""

    key: str  # draft, open, full, closed, ended, completed
    label: str  # msgid
    open: bool


STATE_LABELS: dict[str, str] = {
    "draft": N_("Draft: only the secretariat sees it"),
    "open": N_("Registration open"),
    "full": N_("Full: join the waitlist"),
    "closed": N_("Registration closed"),
    "ended": N_("Ended"),
    "completed": N_("Held"),
}


def state_of(roadshow: schemas.RoadshowSummary) -> State:
    status = roadshow.status
    if status == RoadshowStatus.draft:
        key = "draft"
    elif status == RoadshowStatus.completed:
        key = "completed"
    elif roadshow.ends_at <= now():
        key = "ended"
    elif status == RoadshowStatus.closed:
        key = "closed"
    else:
        key = "open" if roadshow.seats_left > 0 else "full"
    return State(key, STATE_LABELS[key], key in ("open", "full"))


def refusal(roadshow: schemas.RoadshowSummary) -> str:
    """Why registration is refused, from the roadshow's state (the service's 409)."""
    key = state_of(roadshow).key
    return {"completed": HELD, "closed": CLOSED, "ended": ENDED}.get(key, ALREADY)


# --- the list ---


@dataclass
class ListQuery:
    """``/roadshows``' parameters, checked as the API checks them; a bad one is named."""

    when: schemas.When = schemas.When.upcoming
    city: str | None = None
    industry: str | None = None
    page: int = 1
    errors: FormErrors = field(default_factory=FormErrors)

    def url(self, *, when: str | None = None, page: int = 1) -> str:
        pairs = [("when", when or self.when.value)]
        if self.city:
            pairs.append(("city", self.city))
        if self.industry:
            pairs.append(("industry", self.industry))
        if page > 1:
            pairs.append(("page", str(page)))
        return f"/roadshows?{urlencode(pairs)}"

    def without(self, name: str) -> str:
        kept = ListQuery(self.when, self.city, self.industry)
        setattr(kept, name, None)
        return kept.url()


def parse_list(params: QueryParams, refs: geo_service.ReferenceCodes) -> ListQuery:
    query = ListQuery()
    when = params.get("when", "")
    if when in {w.value for w in schemas.When}:
        query.when = schemas.When(when)
    elif when:
        query.errors.add("when", N_("Choose upcoming or past roadshows."))
    city = params.get("city", "")
    if city in refs.cities:
        query.city = city
    elif city:
        query.errors.add("city", N_("There is no such city or zone: choose one from the list."))
    industry = params.get("industry", "")
    if industry in refs.industries:
        query.industry = industry
    elif industry:
        query.errors.add("industry", N_("There is no such industry: choose one from the list."))
    raw = params.get("page", "")
    if raw:
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
        if not 1 <= number <= MAX_PAGE:
            query.errors.add("page", N_("There is no such page of results."))
            number = 1
        query.page = number
    return query


@router.get("/roadshows")
def roadshows(page: PageDep, db: SessionDep) -> Response:
    refs = geo_service.reference_codes(db)
    query = parse_list(page.request.query_params, refs)
    result = service.list_roadshows(
        db,
        page.user,
        refs,
        status=None,
        city=query.city,
        industry=query.industry,
        when=query.when,
        page=query.page,
        per_page=PER_PAGE,
    )
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    names = Names.of(page, taxonomy, places)
    active = []
    if query.city:
        active.append((names.city.get(query.city, query.city), query.without("city")))
    if query.industry:
        label = names.industry.get(query.industry, query.industry)
        active.append((label, query.without("industry")))
    return render(
        page,
        "roadshows.html",
        status=422 if query.errors else 200,
        search=query,
        result=result,
        items=[(r, state_of(r), span(page, r.starts_at, r.ends_at)) for r in result.items],
        names=names,
        taxonomy=taxonomy,
        cities=[p for p in places if p.kind == "city"],
        zones=[p for p in places if p.kind != "city"],
        active=active,
        last_page=max(1, math.ceil(result.total / PER_PAGE)),
    )


# --- one roadshow ---


def _roadshow_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such roadshow")
    return number


def detail(db: Session, page: Page, roadshow_id: int) -> schemas.RoadshowPublic:
    """The roadshow as ``GET /api/v1/roadshows/{id}`` answers it for this reader."""
    roadshow = service.roadshow_for(db, roadshow_id, page.user)
    return schemas.RoadshowPublic(
        **service.summary(db, roadshow, page.user).model_dump(),
        slots=lineup.render_slots(db, lineup.slots_of(db, roadshow.id), page.user),
        my_registration=attendance.registration_of(db, roadshow.id, page.user),
        my_invitation=attendance.invitation_of(db, roadshow.id, page.user),
    )


@dataclass(frozen=True)
class Row:
    """A line of the agenda: a slot, or the break before the next one."""

    starts: dt.datetime
    ends: dt.datetime
    slot: schemas.SlotPublic | None


def agenda(slots: list[schemas.SlotPublic]) -> list[Row]:
    rows: list[Row] = []
    for slot in slots:
        if rows and slot.starts_at > rows[-1].ends:
            rows.append(Row(rows[-1].ends, slot.starts_at, None))
        rows.append(Row(slot.starts_at, slot.ends_at, slot))
    return rows


def structured_data(page: Page, roadshow: schemas.RoadshowPublic, names: Names, url: str) -> Markup:
    """schema.org/Event as JSON-LD, escaped so it cannot close its element."""
    english = page.language == "en"
    title = (roadshow.title_en if english else roadshow.title_zh) or roadshow.title_zh
    description = (
        roadshow.description_en if english else roadshow.description_zh
    ) or roadshow.description_zh
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": title or roadshow.title_en,
        "description": description or roadshow.description_en or "",
        "startDate": roadshow.starts_at.isoformat(),
        "endDate": roadshow.ends_at.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": url,
        "maximumAttendeeCapacity": roadshow.capacity,
        "remainingAttendeeCapacity": roadshow.seats_left,
        "location": {
            "@type": "Place",
            "name": roadshow.venue or names.city.get(roadshow.city, roadshow.city),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": names.city.get(roadshow.city, roadshow.city),
                "addressCountry": "CN",
            },
        },
        "organizer": {"@type": "Organization", "name": page.gettext(N_("Ketao"))},
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Safe: JSON with every <, > and & escaped cannot close the element or open another.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704


def _detail_page(
    page: Page,
    db: Session,
    roadshow_id: int,
    *,
    status: int = 200,
    message: str | None = None,
    about: str = "registration",
    note: str = "",
    errors: FormErrors | None = None,
) -> Response:
    roadshow = detail(db, page, roadshow_id)
    places = geo_service.list_cities(db).items
    names = Names.of(page, geo_service.taxonomy(db), places)
    url = page.absolute(f"/roadshows/{roadshow.id}")
    notice = page.request.query_params.get("notice", "") if status == 200 else ""
    public = roadshow.status != RoadshowStatus.draft
    return render(
        page,
        "roadshow.html",
        status=status,
        roadshow=roadshow,
        state=state_of(roadshow),
        when=span(page, roadshow.starts_at, roadshow.ends_at),
        rows=[
            (row, clock(page, row.starts), clock(page, row.ends)) for row in agenda(roadshow.slots)
        ],
        names=names,
        canonical=url,
        structured_data=structured_data(page, roadshow, names, url) if public else None,
        notice=NOTICES.get(notice) and notice,
        notices=NOTICES,
        message=message,
        about=about,
        note=note,
        errors=errors or FormErrors(),
        registration=roadshow.my_registration,
        invitation=roadshow.my_invitation
        if page.user is not None and page.user.role == Role.enterprise
        else None,
        closed_reason=DRAFT if roadshow.status == RoadshowStatus.draft else refusal(roadshow),
        for_enterprises=FOR_ENTERPRISES,
        waiting=RegistrationStatus.waitlisted.value,
        invited=InvitationStatus.invited.value,
        accepted=InvitationStatus.accepted.value,
        declined=InvitationStatus.declined.value,
    )


@router.get("/roadshows/{roadshow_id}")
def roadshow(page: PageDep, db: SessionDep, roadshow_id: str) -> Response:
    return _detail_page(page, db, _roadshow_id(roadshow_id))


# --- registration and invitation ---


def _back(page: Page, form: Any, roadshow_id: int, notice: str, anchor: str) -> Response:
    """303 to the form's ``next`` (a path on this site) or to the roadshow, with the notice."""
    raw = text(form, "next", 2000)
    if raw and safe_next(raw) == raw:
        target = raw.split("#", 1)[0]
        separator = "&" if "?" in target else "?"
        url = f"{target}{separator}notice={notice}"
    else:
        url = f"/roadshows/{roadshow_id}?notice={notice}#{anchor}"
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


def _sign_in(page: Page, roadshow_id: int) -> Response:
    response = RedirectResponse(f"/login?next=%2Froadshows%2F{roadshow_id}", status_code=303)
    remember(page, response)
    return response


@router.post("/roadshows/{roadshow_id}/registration")
def register(page: PageDep, db: SessionDep, form: PostedForm, roadshow_id: str) -> Response:
    number = _roadshow_id(roadshow_id)
    if page.user is None:
        return _sign_in(page, number)
    if page.user.role != Role.enterprise:
        service.roadshow_for(db, number, page.user)  # a draft stays a 404
        return _detail_page(page, db, number, status=403, message=FOR_ENTERPRISES)
    note = text(form, "note", NOTE_MAX + 1).strip()
    try:
        body = schemas.RegistrationCreate(note=note)
    except ValidationError:
        errors = FormErrors()
        errors.add("note", NOTE_PROBLEM)
        return _detail_page(page, db, number, status=422, note=note, errors=errors)
    try:
        registration = attendance.register(db, page.user, number, body.note)
    except ConflictError:
        summary = service.summary(db, service.roadshow_for(db, number, page.user), page.user)
        return _detail_page(page, db, number, status=409, message=refusal(summary))
    confirmed = registration.status == RegistrationStatus.confirmed
    notice = "registration-confirmed" if confirmed else "registration-waitlisted"
    return _back(page, form, number, notice, "registration")


@router.post("/roadshows/{roadshow_id}/registration/cancel")
def cancel(page: PageDep, db: SessionDep, form: PostedForm, roadshow_id: str) -> Response:
    number = _roadshow_id(roadshow_id)
    if page.user is None:
        return _sign_in(page, number)
    mine = attendance.registration_of(db, service.roadshow_for(db, number, page.user).id, page.user)
    if mine is None:
        return _detail_page(page, db, number, status=404, message=NO_REGISTRATION)
    try:
        attendance.cancel(db, page.user, number, mine.id)
    except ConflictError:
        message = CHECKED_IN if mine.checked_in_at else HELD_RECORD
        return _detail_page(page, db, number, status=409, message=message)
    return _back(page, form, number, "registration-cancelled", "registration")


@router.post("/roadshows/{roadshow_id}/invitation")
def answer_invitation(
    page: PageDep, db: SessionDep, form: PostedForm, roadshow_id: str
) -> Response:
    number = _roadshow_id(roadshow_id)
    if page.user is None:
        return _sign_in(page, number)
    roadshow = service.roadshow_for(db, number, page.user)
    if page.user.role != Role.enterprise:
        return _detail_page(
            page, db, number, status=403, message=INVITATION_FOR_ENTERPRISES, about="invitation"
        )
    invitation = attendance.invitation_of(db, roadshow.id, page.user)
    if invitation is None:
        return _detail_page(page, db, number, status=404, message=NO_INVITATION, about="invitation")
    answer = text(form, "answer", 20)
    if answer not in (InvitationStatus.accepted, InvitationStatus.declined):
        return _detail_page(page, db, number, status=422, message=CHOOSE_ANSWER, about="invitation")
    body = schemas.InvitationResponse(status=InvitationStatus(answer))
    try:
        attendance.respond(db, page.user, number, invitation.id, body)
    except ConflictError:
        summary = service.summary(db, roadshow, page.user)
        held = summary.status == RoadshowStatus.completed
        return _detail_page(
            page,
            db,
            number,
            status=409,
            message=HELD_INVITATIONS if held else refusal(summary),
            about="invitation",
        )
    return _back(page, form, number, f"invitation-{answer}", "invitation")
