"""The secretariat's roadshow work under ``/admin/roadshows``: every roadshow in any state, the
form that plans and edits one (and moves its status), the working page (lineup from the
suggestions, order, invitations, registrations and waitlist, exports), check-in at the door and
the outcome.

Everything goes through the services the API uses (``app.roadshows.service``, ``lineup``,
``attendance``, ``exports``), with the secretariat as the caller, so what may be done, and every
refusal, is exactly ``/api/v1/roadshows``'. The API only takes a bearer token, not the site's
cookie, so the attendee list and the agenda are served here too, from the same exports.
Every POST is CSRF-checked and answers with a redirect carrying a notice code, or with the page
and the refusal next to the field it is about, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import opencc
from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.deps import SessionDep
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.schemas import CitySummary, Taxonomy
from app.matching.dependencies import MatcherDep
from app.roadshows import attendance, exports, lineup, schemas, service
from app.roadshows.models import InvitationStatus, RegistrationStatus, RoadshowStatus, Slot
from app.search.dependencies import SearchDep
from app.web.access import SecretariatPage
from app.web.forms import PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render
from app.web.roadshows import Names, agenda, clock, span, state_of

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = 10_000
SUGGESTED = 10  # projects and organisations suggested on the working page
DEFAULT_MINUTES = 20
_t2s = opencc.OpenCC("t2s")

STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "closed": N_("Registration closed"),
    "completed": N_("Held"),
}
INVITATION_LABELS: dict[str, str] = {
    "invited": N_("Invited: not answered yet"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
}
REGISTRATION_LABELS: dict[str, str] = {
    "confirmed": N_("Seat confirmed"),
    "waitlisted": N_("On the waitlist"),
    "cancelled": N_("Cancelled"),
}
LEAD_STAGES: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "negotiating": N_("Negotiating"),
    "signed": N_("Signed"),
    "landed": N_("Landed"),
    "closed": N_("Closed"),
}
NOTICES: dict[str, str] = {
    "created": N_("The roadshow is planned as a draft: only the secretariat sees it."),
    "saved": N_("Your changes are saved."),
    "published": N_("The roadshow is published: everyone can see it and register."),
    "closed": N_("Registration is closed."),
    "reopened": N_("Registration is open again."),
    "completed": N_("The roadshow is marked as held: its lineup and attendance are its record."),
    "slot-added": N_("The project is in the lineup."),
    "slot-removed": N_("The slot is removed from the lineup."),
    "slot-moved": N_("The lineup is in its new order; the times are laid out again."),
    "invited": N_("The invitation is sent: the organisation's accounts see it on their page."),
}
STATUS_NOTICE = {
    "published": "published",
    "closed": "closed",
    "completed": "completed",
}

# The form's fields, in the order it shows them (and the error summary lists them).
FIELDS = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "industries",
    "city",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
)
LABELS: dict[str, str] = {
    "title_zh": N_("Title in Chinese"),
    "title_en": N_("Title in English"),
    "description_zh": N_("Description in Chinese"),
    "description_en": N_("Description in English"),
    "industries": N_("Theme industries"),
    "city": N_("City or zone"),
    "venue": N_("Venue"),
    "starts_at": N_("Starts"),
    "ends_at": N_("Ends"),
    "capacity": N_("Seats"),
}
MESSAGES: dict[str, str] = {
    "title_zh": N_("A title is one line of at most 300 characters."),
    "title_en": N_("A title is one line of at most 300 characters."),
    "description_zh": N_("A description is at most 4,000 characters."),
    "description_en": N_("A description is at most 4,000 characters."),
    "industries": N_("Choose at most 10 industries from the list."),
    "city": N_("Choose the city or zone where the roadshow takes place."),
    "venue": N_("A venue is one line of at most 300 characters."),
    "starts_at": N_("Enter the day and the time it starts."),
    "ends_at": N_("Enter the day and the time it ends."),
    "capacity": N_("Enter the number of seats: a whole number from 1 to 100,000."),
}
NO_TITLE = N_("Give the roadshow a title, in Chinese or in English.")
UNKNOWN_CODE: dict[str, str] = {
    "industries": N_("There is no such industry: choose one from the list."),
    "city": N_("There is no such city or zone: choose one from the list."),
}
END_BEFORE_START = N_("The end must come after the start.")
TOO_LONG = N_("A roadshow lasts at most 14 days.")
YEARS = N_("Choose a day between the years 2000 and 2099.")
VENUE_TO_PUBLISH = N_("A roadshow needs a venue before it is published: enter where it is held.")
VENUE_KEPT = N_("A published roadshow keeps its venue: enter where it is held.")
SLOTS_OUTSIDE = N_(
    "The lineup's slot %(slot)s would fall outside these times: move or remove it first."
)
CAPACITY_BELOW = N_("%(count)s seats are confirmed: the capacity cannot go below that.")
HELD_FROZEN = N_("This roadshow has been held: it can no longer be changed.")
NOT_YET_HELD = N_("The roadshow can be marked as held once it has started.")
CANNOT_MOVE = N_("The roadshow cannot move to that state from where it is now.")
NOT_PUBLISHED = N_("Invitations go out once the roadshow is published.")
ALREADY_INVITED = N_("This organisation is invited already.")
NO_SUCH_ORGANISATION = N_("There is no such organisation to invite.")
NOT_CONFIRMED = N_("%(name)s is not confirmed (%(status)s): only confirmed registrants check in.")
# The lineup's refusals, next to the field they are about.
SLOT_OVERLAP = N_("Overlaps %(project)s (%(starts)s–%(ends)s): choose another time.")
SLOT_OUTSIDE = N_("The slot must fall within the roadshow, %(starts)s–%(ends)s.")
SLOT_START = N_("Enter the time it starts, like 14:30.")
SLOT_DAY = N_("Choose the day of the roadshow it falls on.")
SLOT_MINUTES = N_("Enter the minutes: a whole number from 1 to 600.")
SLOT_PRESENTER = N_("A presenter is one line of at most 200 characters.")
SLOT_PROJECT = N_("Enter the number of a published project.")
SLOT_ALREADY = N_("This project is in the lineup already.")
SLOT_FROZEN = N_("This roadshow has been held: its lineup is the record of what was shown.")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _roadshow_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such roadshow")
    return number


def _whole(value: str, low: int, high: int) -> int | None:
    value = value.strip().replace(",", "")
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        return None
    number = int(value)
    return number if low <= number <= high else None


def _redirect(page: Page, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


@dataclass
class Errors:
    """Errors by field name, already in the reader's language, in the order they are added."""

    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    children: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class FormNames:
    """The form's choices in the reader's language."""

    industries: list[Choice]
    cities: list[Choice]
    zones: list[Choice]


def _form_names(page: Page, taxonomy: Taxonomy, places: list[CitySummary]) -> FormNames:
    industries = [
        Choice(
            node.code,
            page.name(node.name_zh, node.name_en),
            [Choice(c.code, page.name(c.name_zh, c.name_en)) for c in node.children],
        )
        for node in taxonomy.industries
    ]
    city = {p.code: page.name(p.name_zh, p.name_en, p.name_zh_hant) for p in places}
    return FormNames(
        industries=industries,
        cities=[Choice(p.code, city[p.code]) for p in places if p.kind == "city"],
        zones=[Choice(p.code, city[p.code]) for p in places if p.kind != "city"],
    )


def _names(page: Page, db: Session) -> tuple[Names, FormNames]:
    taxonomy = geo_service.taxonomy(db)
    places = list(geo_service.list_cities(db).items)
    return Names.of(page, taxonomy, places), _form_names(page, taxonomy, places)


# --- the list ---


@router.get("/admin/roadshows")
def roadshows(page: SecretariatPage, db: SessionDep) -> Response:
    params = page.request.query_params
    errors = Errors()
    status_value = params.get("status", "")
    status: RoadshowStatus | None = None
    if status_value in STATUS_LABELS:
        status = RoadshowStatus(status_value)
    elif status_value:
        errors.add("status", page.gettext(N_("Choose a status from the list.")))
    number = 1
    raw = params.get("page", "")
    if raw:
        number = _whole(raw, 1, MAX_PAGE) or 0
        if not number:
            errors.add("page", page.gettext(N_("There is no such page of results.")))
            number = 1
    result = service.list_roadshows(
        db,
        page.user,
        geo_service.reference_codes(db),
        status=status,
        city=None,
        industry=None,
        when=None,
        page=number,
        per_page=PER_PAGE,
    )
    names, _ = _names(page, db)
    last = max(1, math.ceil(result.total / PER_PAGE))

    def url(page_number: int) -> str:
        pairs = [("status", status.value)] if status else []
        if page_number > 1:
            pairs.append(("page", str(page_number)))
        return "/admin/roadshows" + (f"?{urlencode(pairs)}" if pairs else "")

    return render(
        page,
        "admin/roadshows.html",
        status=422 if errors else 200,
        section="roadshows",
        errors=errors,
        chosen=status.value if status else "",
        statuses=STATUS_LABELS,
        result=result,
        items=[(r, span(page, r.starts_at, r.ends_at)) for r in result.items],
        names=names,
        pages=[(n, url(n)) for n in range(1, last + 1)] if last > 1 else [],
        current=number,
    )


# --- the form: plan and edit ---


@dataclass
class RoadshowForm:
    """What the form holds, as typed (so it can be shown again exactly)."""

    title_zh: str = ""
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    industries: list[str] = field(default_factory=list)
    city: str = ""
    venue: str = ""
    starts_date: str = ""
    starts_time: str = ""
    ends_date: str = ""
    ends_time: str = ""
    capacity: str = ""

    @classmethod
    def from_roadshow(cls, roadshow: schemas.RoadshowSummary) -> RoadshowForm:
        starts = roadshow.starts_at.astimezone(service.SHANGHAI)
        ends = roadshow.ends_at.astimezone(service.SHANGHAI)
        return cls(
            title_zh=roadshow.title_zh or "",
            title_en=roadshow.title_en or "",
            description_zh=roadshow.description_zh or "",
            description_en=roadshow.description_en or "",
            industries=list(roadshow.industries),
            city=roadshow.city,
            venue=roadshow.venue or "",
            starts_date=starts.date().isoformat(),
            starts_time=starts.strftime("%H:%M"),
            ends_date=ends.date().isoformat(),
            ends_time=ends.strftime("%H:%M"),
            capacity=str(roadshow.capacity),
        )

    @classmethod
    def from_form(cls, form: FormData) -> RoadshowForm:
        industries = [v.strip() for v in form.getlist("industries") if isinstance(v, str)]
        return cls(
            title_zh=text(form, "title_zh", 301),
            title_en=text(form, "title_en", 301),
            description_zh=text(form, "description_zh", 4001),
            description_en=text(form, "description_en", 4001),
            industries=list(dict.fromkeys(i for i in industries if i))[:50],
            city=text(form, "city", 17).strip(),
            venue=text(form, "venue", 301),
            starts_date=text(form, "starts_date", 20).strip(),
            starts_time=text(form, "starts_time", 20).strip(),
            ends_date=text(form, "ends_date", 20).strip(),
            ends_time=text(form, "ends_time", 20).strip(),
            capacity=text(form, "capacity", 20).strip(),
        )

    def snapshot(self) -> str:
        """The form's values as JSON, kept in a hidden field: what the edit started from."""
        return json.dumps(self.__dict__, ensure_ascii=False, separators=(",", ":"))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def moment(day: str, time: str) -> dt.datetime | None:
    """A day (YYYY-MM-DD) and a time (HH:MM) at the venue, in Asia/Shanghai; None if either is
    not one."""
    if not (_DATE.match(day) and _TIME.match(time)):
        return None
    try:
        date = dt.date.fromisoformat(day)
        clock_time = dt.time.fromisoformat(time if len(time) > 4 else f"0{time}")
    except ValueError:
        return None
    return dt.datetime.combine(date, clock_time.replace(second=0), tzinfo=service.SHANGHAI)


def _values(page: Page, typed: RoadshowForm, errors: Errors, *, edit: bool) -> dict[str, Any]:
    """The body the API would get, checking what the schema would refuse as the page says it;
    errors are added to ``errors``."""
    values: dict[str, Any] = {}
    for name in ("title_zh", "title_en", "description_zh", "description_en", "venue"):
        value = getattr(typed, name)
        if value.strip():
            values[name] = value.strip() if name in ("title_zh", "title_en", "venue") else value
        elif edit:
            values[name] = None
    if not (typed.title_zh.strip() or typed.title_en.strip()):
        errors.add("title_zh", page.gettext(NO_TITLE))
    values["industries"] = typed.industries
    if len(typed.industries) > 10:
        errors.add("industries", page.gettext(MESSAGES["industries"]))
    if typed.city:
        values["city"] = typed.city
    else:
        errors.add("city", page.gettext(MESSAGES["city"]))
    starts = moment(typed.starts_date, typed.starts_time)
    ends = moment(typed.ends_date, typed.ends_time)
    if starts is None:
        errors.add("starts_at", page.gettext(MESSAGES["starts_at"]))
    elif not 2000 <= starts.year < 2100:
        errors.add("starts_at", page.gettext(YEARS))
    if ends is None:
        errors.add("ends_at", page.gettext(MESSAGES["ends_at"]))
    elif not 2000 <= ends.year < 2100:
        errors.add("ends_at", page.gettext(YEARS))
    if starts is not None and ends is not None and "starts_at" not in errors.fields:
        if ends <= starts:
            errors.add("ends_at", page.gettext(END_BEFORE_START))
        elif ends - starts > dt.timedelta(days=schemas.MAX_DAYS):
            errors.add("ends_at", page.gettext(TOO_LONG))
    values["starts_at"] = starts.isoformat() if starts else None
    values["ends_at"] = ends.isoformat() if ends else None
    capacity = _whole(typed.capacity, 1, 100_000)
    if capacity is None:
        errors.add("capacity", page.gettext(MESSAGES["capacity"]))
    values["capacity"] = capacity
    return values


def _schema_errors(page: Page, error: ValidationError, errors: Errors) -> None:
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        if name in MESSAGES:
            errors.add(name, page.gettext(MESSAGES[name]))
        elif not errors:
            errors.add("title_zh", page.gettext(NO_TITLE))


def _service_errors(page: Page, problems: list[FieldError], errors: Errors) -> None:
    for problem in problems:
        name = problem.field
        if name == "venue":
            missing = problem.message == "required to publish"
            errors.add("venue", page.gettext(VENUE_TO_PUBLISH if missing else VENUE_KEPT))
        elif name == "title_zh":
            errors.add("title_zh", page.gettext(NO_TITLE))
        elif name in UNKNOWN_CODE:
            errors.add(name, page.gettext(UNKNOWN_CODE[name]))
        elif name == "ends_at":
            errors.add("ends_at", page.gettext(END_BEFORE_START))
        else:
            errors.add(name, page.gettext(MESSAGES.get(name, N_("Check this field."))))


def _ordered(errors: Errors) -> Errors:
    return Errors({k: errors.fields[k] for k in FIELDS if k in errors.fields})


@dataclass(frozen=True)
class Change:
    label: str
    now: str


def _changes(
    page: Page, names: Names, base: str, typed: RoadshowForm, current: RoadshowForm
) -> list[Change]:
    """What changed since the form was opened (its snapshot); without one, where the saved
    roadshow differs from what the reader typed."""
    try:
        before = json.loads(base)
        if not isinstance(before, dict):
            raise TypeError
    except (ValueError, TypeError):
        before = dict(typed.__dict__)
    shown: list[Change] = []
    separator = page.gettext(N_(", "))
    for name in FIELDS:
        parts = {
            "starts_at": ("starts_date", "starts_time"),
            "ends_at": ("ends_date", "ends_time"),
        }.get(name, (name,))
        if all(before.get(p) == getattr(current, p) for p in parts):
            continue
        if name == "industries":
            value = separator.join(names.industry.get(c, c) for c in current.industries)
        elif name == "city":
            value = names.city.get(current.city, current.city)
        else:
            value = " ".join(getattr(current, p) for p in parts)
        shown.append(Change(page.gettext(LABELS[name]), value or "—"))
    return shown


def _form_page(
    page: Page,
    db: Session,
    typed: RoadshowForm,
    *,
    roadshow: schemas.RoadshowSummary | None = None,
    errors: Errors | None = None,
    status: int = 200,
    version: int | None = None,
    base: str | None = None,
    stale: list[Change] | None = None,
    message: str | None = None,
) -> Response:
    names, choices = _names(page, db)
    return render(
        page,
        "admin/roadshow_form.html",
        status=status,
        section="roadshows",
        form=typed,
        roadshow=roadshow,
        errors=_ordered(errors or Errors()),
        labels={k: page.gettext(v) for k, v in LABELS.items()},
        choices=choices,
        names=names,
        version=version,
        base=base if base is not None else typed.snapshot(),
        stale=stale,
        message=message,
        status_labels=STATUS_LABELS,
    )


@router.get("/admin/roadshows/new")
def new_roadshow(page: SecretariatPage, db: SessionDep) -> Response:
    # A sensible start: four weeks ahead, an afternoon, fifty seats.
    day = (now().astimezone(service.SHANGHAI) + dt.timedelta(days=28)).date().isoformat()
    typed = RoadshowForm(
        starts_date=day, starts_time="14:00", ends_date=day, ends_time="17:00", capacity="50"
    )
    return _form_page(page, db, typed)


@router.post("/admin/roadshows/new")
def create_roadshow(page: SecretariatPage, db: SessionDep, form: PostedForm) -> Response:
    user = page.user
    assert user is not None
    typed = RoadshowForm.from_form(form)
    errors = Errors()
    values = _values(page, typed, errors, edit=False)
    if errors:
        return _form_page(page, db, typed, errors=errors, status=422)
    try:
        body = schemas.RoadshowCreate.model_validate(values)
    except ValidationError as error:
        _schema_errors(page, error, errors)
        return _form_page(page, db, typed, errors=errors, status=422)
    try:
        made = service.create_roadshow(db, user, body, geo_service.reference_codes(db))
    except InvalidInputError as error:
        _service_errors(page, error.errors, errors)
        return _form_page(page, db, typed, errors=errors, status=422)
    return _redirect(page, f"/admin/roadshows/{made.id}?notice=created")


def _summary(db: Session, page: Page, roadshow_id: int) -> schemas.RoadshowSummary:
    return service.summary(db, service.roadshow_for(db, roadshow_id, page.user), page.user)


@router.get("/admin/roadshows/{roadshow_id}/edit")
def edit_roadshow(page: SecretariatPage, db: SessionDep, roadshow_id: str) -> Response:
    current = _summary(db, page, _roadshow_id(roadshow_id))
    message = HELD_FROZEN if current.status == RoadshowStatus.completed else None
    return _form_page(
        page,
        db,
        RoadshowForm.from_roadshow(current),
        roadshow=current,
        version=current.version,
        message=page.gettext(message) if message else None,
    )


@router.post("/admin/roadshows/{roadshow_id}/edit")
def save_roadshow(
    page: SecretariatPage, db: SessionDep, form: PostedForm, roadshow_id: str
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    current = _summary(db, page, number)
    typed = RoadshowForm.from_form(form)
    base = text(form, "base", 100_000)
    known = _whole(text(form, "version", 12), 1, 2**31 - 1) or 0
    publish = text(form, "then", 20) == "publish"
    if current.status == RoadshowStatus.completed:
        return _form_page(
            page,
            db,
            typed,
            roadshow=current,
            status=409,
            version=current.version,
            base=base,
            message=page.gettext(HELD_FROZEN),
        )
    if known != current.version:
        return _stale(page, db, typed, current, base)
    errors = Errors()
    values = _values(page, typed, errors, edit=True)

    def again(status: int) -> Response:
        return _form_page(
            page,
            db,
            typed,
            roadshow=current,
            errors=errors,
            status=status,
            version=known,
            base=base,
        )

    if errors:
        return again(422)
    if publish and current.status == RoadshowStatus.draft:
        values["status"] = RoadshowStatus.published.value
    try:
        body = schemas.RoadshowUpdate.model_validate({**values, "version": known})
    except ValidationError as error:
        _schema_errors(page, error, errors)
        return again(422)
    try:
        with db.begin_nested():
            service.update_roadshow(db, user, number, body, geo_service.reference_codes(db))
    except InvalidInputError as error:
        _service_errors(page, error.errors, errors)
        return again(422)
    except ConflictError as error:
        outside = [p for p in error.errors if p.field == "starts_at"]
        capacity = _whole(typed.capacity, 1, 100_000) or 0
        if outside:
            slot = outside[0].message.split(" (", 1)[0].removeprefix("slot ")
            errors.add("starts_at", page.gettext(SLOTS_OUTSIDE) % {"slot": _slot_name(db, slot)})
            return again(409)
        if capacity < current.confirmed:
            count = page.number(current.confirmed)
            errors.add("capacity", page.gettext(CAPACITY_BELOW) % {"count": count})
            return again(409)
        return _stale(page, db, typed, _summary(db, page, number), base)
    notice = "published" if "status" in values else "saved"
    return _redirect(page, f"/admin/roadshows/{number}?notice={notice}")


def _slot_name(db: Session, slot_id: str) -> str:
    """A slot the service names by its id, as the reader knows it: by its times."""
    number = _whole(slot_id, 1, 2**31 - 1)
    found = db.get(Slot, number) if number is not None else None
    if found is None:
        return slot_id
    return f"{service.clock(found.starts_at)}–{service.clock(found.ends_at)}"


def _stale(
    page: Page,
    db: Session,
    typed: RoadshowForm,
    current: schemas.RoadshowSummary,
    base: str,
) -> Response:
    """Somebody saved first: show what they changed, keep what this reader typed, and let a new
    save (on the current version) replace it knowingly."""
    names, _ = _names(page, db)
    saved = RoadshowForm.from_roadshow(current)
    return _form_page(
        page,
        db,
        typed,
        roadshow=current,
        status=409,
        version=current.version,
        base=saved.snapshot(),
        stale=_changes(page, names, base, typed, saved),
    )


# --- status ---


@router.post("/admin/roadshows/{roadshow_id}/status")
def move_status(
    page: SecretariatPage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    roadshow_id: str,
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    current = _summary(db, page, number)
    target = text(form, "status", 20)
    if target not in ("published", "closed", "completed"):
        return _work_page(page, db, search, matcher, number, status=422, message=CANNOT_MOVE)
    body = schemas.RoadshowUpdate(status=RoadshowStatus(target))
    try:
        with db.begin_nested():
            service.update_roadshow(db, user, number, body, geo_service.reference_codes(db))
    except InvalidInputError as error:
        # Publishing needs a venue: the form, with the refusal next to the venue.
        errors = Errors()
        _service_errors(page, error.errors, errors)
        typed = RoadshowForm.from_roadshow(current)
        return _form_page(
            page,
            db,
            typed,
            roadshow=current,
            errors=errors,
            status=422,
            version=current.version,
        )
    except ConflictError:
        if current.status == RoadshowStatus.completed:
            message = HELD_FROZEN
        elif target == "completed" and current.starts_at > now():
            message = NOT_YET_HELD
        else:
            message = CANNOT_MOVE
        return _work_page(page, db, search, matcher, number, status=409, message=message)
    reopened = target == "published" and current.status == RoadshowStatus.closed
    notice = "reopened" if reopened else STATUS_NOTICE[target]
    return _redirect(page, f"/admin/roadshows/{number}?notice={notice}")


# --- the working page ---


@dataclass
class SlotForm:
    """One "add to the lineup" form as typed, with its errors (already in the reader's words)."""

    project_id: str = ""
    day: str = ""
    start: str = ""
    minutes: str = str(DEFAULT_MINUTES)
    presenter: str = ""
    errors: Errors = field(default_factory=Errors)


@dataclass(frozen=True)
class LineupRow:
    """A line of the lineup: a slot (with its place) or the break before the next one."""

    starts: str
    ends: str
    starts_at: dt.datetime
    slot: schemas.SlotPublic | None
    first: bool = False
    last: bool = False
    withdrawn: bool = False


def _days(roadshow: schemas.RoadshowSummary) -> list[dt.date]:
    first = roadshow.starts_at.astimezone(service.SHANGHAI).date()
    last = roadshow.ends_at.astimezone(service.SHANGHAI).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _work_page(
    page: Page,
    db: Session,
    search: Any,
    matcher: Any,
    number: int,
    *,
    status: int = 200,
    message: str | None = None,
    typed: dict[str, SlotForm] | None = None,
    invite_errors: dict[int, str] | None = None,
) -> Response:
    user = page.user
    assert user is not None
    roadshow_row = service.roadshow_for(db, number, user)
    roadshow = service.summary(db, roadshow_row, user)
    slots = lineup.render_slots(db, lineup.slots_of(db, number), user)
    titles = service.project_titles(db, [s.project_id for s in slots])
    names, _ = _names(page, db)
    editable = roadshow.status != RoadshowStatus.completed
    rows: list[LineupRow] = []
    for row in agenda(slots):
        slot = row.slot
        rows.append(
            LineupRow(
                clock(page, row.starts),
                clock(page, row.ends),
                row.starts,
                slot,
                first=slot is not None and slot.position == 1,
                last=slot is not None and slot.position == len(slots),
                withdrawn=slot is not None and not titles[slot.project_id].published,
            )
        )
    # Where a new slot would go by default: after the last one, else at the start.
    after = slots[-1].ends_at if slots else roadshow.starts_at
    after = after.astimezone(service.SHANGHAI)
    default = SlotForm(day=after.date().isoformat(), start=after.strftime("%H:%M"))
    suggestions = None
    left_out: list[tuple[schemas.LeftOut, Any]] = []
    if editable:
        suggestions = lineup.suggest_projects(
            db, search, matcher, user, number, SUGGESTED, recent_days=180
        )
        left_titles = service.project_titles(db, [o.project_id for o in suggestions.left_out])
        left_out = [
            (o, left_titles[o.project_id])
            for o in suggestions.left_out
            if o.project_id in left_titles
        ]
    enterprises = lineup.suggest_enterprises(db, search, matcher, user, number, SUGGESTED)
    invitations = attendance.list_invitations(db, user, number)
    suggested = {item.organization.id for item in enterprises.items}
    refusals = {(org if org in suggested else 0): why for org, why in (invite_errors or {}).items()}
    registrations = attendance.list_registrations(db, user, number, None)
    notice = page.request.query_params.get("notice", "") if status == 200 else ""
    invited_name = ""
    if notice == "invited":
        wanted = page.request.query_params.get("organization", "")
        invited_name = next(
            (i.organization.name for i in invitations.items if str(i.organization.id) == wanted),
            "",
        )
    typed = dict(typed or {})
    shown = {str(item.project.id) for item in (suggestions.items if suggestions else [])}
    for key in [k for k in typed if k != "other" and k not in shown]:
        typed["other"] = typed.pop(key)  # its project is no longer suggested: show it there
    slot_forms = {"other": typed.get("other") or SlotForm(day=default.day, start=default.start)}
    for item in suggestions.items if suggestions else []:
        key = str(item.project.id)
        slot_forms[key] = typed.get(key) or SlotForm(
            day=default.day, start=default.start, presenter=item.project.institution or ""
        )
    return render(
        page,
        "admin/roadshow_work.html",
        status=status,
        section="roadshows",
        roadshow=roadshow,
        state=state_of(roadshow),
        when=span(page, roadshow.starts_at, roadshow.ends_at),
        names=names,
        rows=rows,
        slot_count=len(slots),
        editable=editable,
        days=_days(roadshow),
        suggestions=suggestions,
        left_out=left_out,
        slot_forms=slot_forms,
        enterprises=enterprises,
        invite_errors=refusals,
        invitations=invitations,
        registrations=registrations,
        live=[r for r in registrations.items if r.status != RegistrationStatus.cancelled],
        cancelled=[r for r in registrations.items if r.status == RegistrationStatus.cancelled],
        notice=NOTICES.get(notice) and notice,
        notices=NOTICES,
        invited_name=invited_name,
        message=page.gettext(message) if message else None,
        status_labels=STATUS_LABELS,
        invitation_labels=INVITATION_LABELS,
        registration_labels=REGISTRATION_LABELS,
        started=roadshow.starts_at <= now(),
        can_invite=roadshow.status == RoadshowStatus.published,
        answered=InvitationStatus.invited.value,
        waiting=RegistrationStatus.waitlisted.value,
    )


@router.get("/admin/roadshows/{roadshow_id}")
def work(
    page: SecretariatPage, db: SessionDep, search: SearchDep, matcher: MatcherDep, roadshow_id: str
) -> Response:
    return _work_page(page, db, search, matcher, _roadshow_id(roadshow_id))


# --- the lineup ---


def _slot_form(form: FormData) -> SlotForm:
    return SlotForm(
        project_id=text(form, "project_id", 12).strip(),
        day=text(form, "day", 20).strip(),
        start=text(form, "start", 20).strip(),
        minutes=text(form, "minutes", 12).strip(),
        presenter=text(form, "presenter", 201),
    )


def _plain_title(page: Page, zh: str | None, en: str | None) -> str:
    """A title as plain text in the reader's language (for a message)."""
    if page.language == "en":
        return en or zh or ""
    return page.text(zh) if zh else en or ""


def _clash(page: Page, db: Session, problem: FieldError) -> str:
    """The slot a new one overlaps, named by its project and times (the service says
    "overlaps slot 12 (09:30–10:00)")."""
    found = re.search(r"slot (\d+)", problem.message)
    slot = db.get(Slot, int(found.group(1))) if found else None
    if slot is None:
        return page.gettext(SLOT_OVERLAP) % {"project": "?", "starts": "", "ends": ""}
    title = service.project_titles(db, [slot.project_id])[slot.project_id]
    project = _plain_title(page, title.title_zh, title.title_en)
    return page.gettext(SLOT_OVERLAP) % {
        "project": f"«{project}»" if page.language == "en" else f"「{project}」",
        "starts": clock(page, service.local(slot.starts_at)),
        "ends": clock(page, service.local(slot.ends_at)),
    }


@router.post("/admin/roadshows/{roadshow_id}/slots")
def add_slot(
    page: SecretariatPage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    roadshow_id: str,
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    roadshow = _summary(db, page, number)
    if roadshow.status == RoadshowStatus.completed:
        return _work_page(page, db, search, matcher, number, status=409, message=SLOT_FROZEN)
    typed = _slot_form(form)
    key = text(form, "key", 12) or typed.project_id
    errors = typed.errors
    project_id = _whole(typed.project_id, 1, 2**31 - 1)
    if project_id is None:
        errors.add("project_id", page.gettext(SLOT_PROJECT))
    day = typed.day or roadshow.starts_at.astimezone(service.SHANGHAI).date().isoformat()
    starts = moment(day, typed.start)
    if starts is None:
        wrong_day = bool(_TIME.match(typed.start))
        errors.add("start", page.gettext(SLOT_DAY if wrong_day else SLOT_START))
    minutes = _whole(typed.minutes, 1, 600)
    if minutes is None:
        errors.add("minutes", page.gettext(SLOT_MINUTES))
    status = 422
    if not errors and project_id and starts and minutes:
        try:
            body = schemas.SlotCreate(
                project_id=project_id,
                starts_at=starts,
                minutes=minutes,
                presenter=typed.presenter.strip(),
            )
        except ValidationError:
            errors.add("presenter", page.gettext(SLOT_PRESENTER))
        else:
            try:
                with db.begin_nested():
                    slot = lineup.add_slot(db, user, number, body)
            except InvalidInputError as error:
                for problem in error.errors:
                    if problem.field == "project_id":
                        errors.add("project_id", page.gettext(SLOT_PROJECT))
                    else:
                        window = {
                            "starts": clock(page, roadshow.starts_at),
                            "ends": clock(page, roadshow.ends_at),
                        }
                        errors.add("start", page.gettext(SLOT_OUTSIDE) % window)
            except ConflictError as error:
                status = 409
                for problem in error.errors:
                    if problem.field == "project_id":
                        errors.add("project_id", page.gettext(SLOT_ALREADY))
                    else:
                        errors.add("start", _clash(page, db, problem))
            else:
                url = f"/admin/roadshows/{number}?notice=slot-added#slot-{slot.id}"
                return _redirect(page, url)
    if not errors:  # every refusal above names a field; this only guards the page
        errors.add("start", page.gettext(SLOT_START))
    return _work_page(page, db, search, matcher, number, status=status, typed={key: typed})


def _slot_id(value: str) -> int:
    number = _whole(value, 1, 2**31 - 1)
    if number is None:
        raise NotFoundError("No such slot")
    return number


@router.post("/admin/roadshows/{roadshow_id}/slots/{slot_id}/move")
def move_slot(
    page: SecretariatPage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    roadshow_id: str,
    slot_id: str,
) -> Response:
    """Move a slot one place up or down: the service's new order, laid out again."""
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    moving = _slot_id(slot_id)
    order = [s.id for s in lineup.slots_of(db, service.roadshow_for(db, number, user).id)]
    if moving not in order:
        raise NotFoundError(f"Roadshow {number} has no slot {moving}")
    place = order.index(moving)
    other = place - 1 if text(form, "direction", 10) == "up" else place + 1
    if 0 <= other < len(order):
        order[place], order[other] = order[other], order[place]
        try:
            with db.begin_nested():
                lineup.reorder(db, user, number, order)
        except ConflictError:
            return _work_page(page, db, search, matcher, number, status=409, message=SLOT_FROZEN)
    return _redirect(page, f"/admin/roadshows/{number}?notice=slot-moved#slot-{moving}")


@router.post("/admin/roadshows/{roadshow_id}/slots/{slot_id}/delete")
def remove_slot(
    page: SecretariatPage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    roadshow_id: str,
    slot_id: str,
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    try:
        with db.begin_nested():
            lineup.delete_slot(db, user, number, _slot_id(slot_id))
    except ConflictError:
        return _work_page(page, db, search, matcher, number, status=409, message=SLOT_FROZEN)
    return _redirect(page, f"/admin/roadshows/{number}?notice=slot-removed#lineup")


# --- invitations ---


@router.post("/admin/roadshows/{roadshow_id}/invitations")
def invite(
    page: SecretariatPage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    roadshow_id: str,
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    organization = _whole(text(form, "organization_id", 12), 1, 2**31 - 1)
    message = text(form, "message", 2001).strip()

    def refused(status: int, why: str) -> Response:
        errors = {organization or 0: page.gettext(why)}
        return _work_page(page, db, search, matcher, number, status=status, invite_errors=errors)

    if organization is None:
        return refused(422, NO_SUCH_ORGANISATION)
    try:
        body = schemas.InvitationCreate(organization_id=organization, message=message)
    except ValidationError:
        return refused(422, N_("Write a message of at most 2,000 characters, as plain text."))
    try:
        with db.begin_nested():
            attendance.invite(db, user, number, body)
    except InvalidInputError:
        return refused(422, NO_SUCH_ORGANISATION)
    except ConflictError as error:
        return refused(409, ALREADY_INVITED if error.errors else NOT_PUBLISHED)
    url = f"/admin/roadshows/{number}?notice=invited&organization={organization}#invitations"
    return _redirect(page, url)


# --- check-in at the door ---


def _folded(value: str) -> str:
    return str(_t2s.convert(value)).casefold()


def _matches(registration: schemas.RegistrationPublic, words: list[str]) -> bool:
    org = registration.organization.name if registration.organization else ""
    haystack = _folded(f"{registration.full_name} {registration.email} {org}")
    return all(w in haystack for w in words)


def _check_in_page(
    page: Page,
    db: Session,
    number: int,
    *,
    query: str,
    status: int = 200,
    message: str | None = None,
) -> Response:
    user = page.user
    assert user is not None
    roadshow = _summary(db, page, number)
    registrations = attendance.list_registrations(db, user, number, None)
    words = [_folded(w) for w in query.split() if w]
    live = [r for r in registrations.items if r.status != RegistrationStatus.cancelled]
    found = [r for r in live if _matches(r, words)] if words else live
    # The confirmed first (not yet checked in before those who are), then the waitlist.
    found.sort(
        key=lambda r: (
            r.status != RegistrationStatus.confirmed,
            r.checked_in_at is not None,
            r.waitlist_position or 0,
            _folded(r.full_name),
        )
    )
    done = None
    raw = page.request.query_params.get("checked", "") if status == 200 else ""
    checked = _whole(raw, 1, 2**31 - 1) if raw else None
    for registration in registrations.items:
        if registration.id == checked and registration.checked_in_at is not None:
            done = registration
    return render(
        page,
        "admin/check_in.html",
        status=status,
        section="roadshows",
        roadshow=roadshow,
        when=span(page, roadshow.starts_at, roadshow.ends_at),
        query=query,
        found=found,
        counts=registrations.counts,
        done=done,
        again=page.request.query_params.get("again") == "1",
        done_at=clock(page, done.checked_in_at) if done and done.checked_in_at else "",
        message=message,
        waiting=RegistrationStatus.waitlisted.value,
        confirmed=RegistrationStatus.confirmed.value,
        clock=lambda value: clock(page, value),
    )


@router.get("/admin/roadshows/{roadshow_id}/check-in")
def check_in_page(page: SecretariatPage, db: SessionDep, roadshow_id: str) -> Response:
    query = page.request.query_params.get("q", "")[:100].strip()
    return _check_in_page(page, db, _roadshow_id(roadshow_id), query=query)


@router.post("/admin/roadshows/{roadshow_id}/check-in/{registration_id}")
def check_in(
    page: SecretariatPage,
    db: SessionDep,
    form: PostedForm,
    roadshow_id: str,
    registration_id: str,
) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    query = text(form, "q", 100).strip()
    registration = _whole(registration_id, 1, 2**31 - 1)
    if registration is None:
        raise NotFoundError("No such registration")
    before = {r.id: r for r in attendance.list_registrations(db, user, number, None).items}
    if registration not in before:
        raise NotFoundError(f"Roadshow {number} has no registration {registration}")
    try:
        with db.begin_nested():
            attendance.check_in(db, user, number, registration)
    except ConflictError:
        who = before[registration]
        why = page.gettext(NOT_CONFIRMED) % {
            "name": who.full_name,
            "status": page.gettext(REGISTRATION_LABELS[who.status.value]).lower(),
        }
        return _check_in_page(page, db, number, query=query, status=409, message=why)
    pairs = [("q", query)] if query else []
    pairs.append(("checked", str(registration)))
    if before[registration].checked_in_at is not None:
        pairs.append(("again", "1"))
    return _redirect(page, f"/admin/roadshows/{number}/check-in?{urlencode(pairs)}#notice")


# --- the outcome ---


@router.get("/admin/roadshows/{roadshow_id}/outcome")
def outcome(page: SecretariatPage, db: SessionDep, roadshow_id: str) -> Response:
    user = page.user
    assert user is not None
    number = _roadshow_id(roadshow_id)
    result = attendance.outcome(db, user, number)
    names, _ = _names(page, db)
    stages = [(key, label, result.leads.by_stage.get(key, 0)) for key, label in LEAD_STAGES.items()]
    stages += [(k, k, v) for k, v in result.leads.by_stage.items() if k not in LEAD_STAGES]
    return render(
        page,
        "admin/outcome.html",
        section="roadshows",
        roadshow=result.roadshow,
        when=span(page, result.roadshow.starts_at, result.roadshow.ends_at),
        outcome=result,
        names=names,
        stages=stages,
        stage_labels=LEAD_STAGES,
        clock=lambda value: clock(page, value),
    )


# --- exports (the API's bytes; the API itself takes only a bearer token) ---


@router.get("/admin/roadshows/{roadshow_id}/attendees.csv")
def attendees_csv(page: SecretariatPage, db: SessionDep, roadshow_id: str) -> Response:
    number = _roadshow_id(roadshow_id)
    return Response(
        exports.attendees(db, page.user, number, None),  # type: ignore[arg-type]
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": exports.attachment(f"roadshow-{number}-attendees.csv"),
            "Cache-Control": "no-store",
        },
    )


@router.get("/admin/roadshows/{roadshow_id}/agenda.ics")
def agenda_ics(page: SecretariatPage, db: SessionDep, roadshow_id: str) -> Response:
    number = _roadshow_id(roadshow_id)
    public_url: str = page.request.app.state.settings.public_url
    return Response(
        exports.agenda(db, page.user, number, public_url),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": exports.attachment(f"roadshow-{number}.ics"),
            "Cache-Control": "no-store",
        },
    )
