"""The secretariat's leads pipeline: a board by stage (``/admin/leads``), filtered by project,
organisation, city or zone and roadshow; one lead with its history (``/admin/leads/{id}``); and
moving a lead (``POST /admin/leads/{id}/move``), which is the API's ``PATCH /api/v1/leads/{id}``
through ``app.leads.service.move``: landing asks for the city or zone, the amount and the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import stats as stats_service
from app.auth.service import get_user
from app.db import utcnow
from app.deps import SessionDep
from app.errors import ConflictError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.leads import schemas as lead_schemas
from app.leads import service as lead_service
from app.leads.models import LeadStage
from app.roadshows import attendance
from app.roadshows import service as roadshow_service
from app.web.access import SecretariatPage
from app.web.admin_stats import LEAD_SOURCE_NAMES
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render

router = APIRouter(include_in_schema=False)

CARDS = 50  # per column; the filters narrow a longer one
NOTE_MAX = 2000
AMOUNT_MAX = Decimal(10) ** 9
STAGE_NAMES: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "negotiating": N_("Negotiating"),
    "signed": N_("Signed"),
    "landed": N_("Landed"),
    "closed": N_("Closed"),
}
FILTERS = ("project", "organization", "city", "roadshow")


def _id(value: str) -> int | None:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    return number if 1 <= number <= 2**31 - 1 else None


@dataclass
class Titles:
    """A lead's project title in the shape ``page.shown`` reads."""

    title_zh: str | None
    title_en: str | None
    summary_zh: str | None = None
    summary_en: str | None = None


@dataclass
class BoardQuery:
    """The board's filters as asked, those that passed, and what was wrong with the others."""

    project: int | None = None
    organization: int | None = None
    city: str | None = None
    roadshow: int | None = None
    errors: FormErrors = field(default_factory=FormErrors)

    def pairs(self) -> list[tuple[str, str]]:
        return [(k, str(getattr(self, k))) for k in FILTERS if getattr(self, k) is not None]

    @property
    def url(self) -> str:
        pairs = self.pairs()
        return "/admin/leads" + (f"?{urlencode(pairs)}" if pairs else "")


def parse_board(db: Session, page: Page, params: Any) -> BoardQuery:
    query = BoardQuery()
    for name, message in (
        ("project", N_("There is no such project among the leads: choose one from the list.")),
        ("organization", N_("There is no such organisation: choose one from the list.")),
        ("roadshow", N_("There is no such roadshow: choose one from the list.")),
    ):
        raw = str(params.get(name, "")).strip()
        if raw:
            number = _id(raw)
            if number is None:
                query.errors.add(name, message)
            setattr(query, name, number)
    city = str(params.get("city", "")).strip()
    if city:
        if city in geo_service.reference_codes(db).cities:
            query.city = city
        else:
            query.errors.add("city", N_("There is no such city or zone: choose one from the list."))
    if query.roadshow is not None:
        try:
            roadshow_service.roadshow_for(db, query.roadshow, page.user)
        except NotFoundError:
            query.errors.add("roadshow", N_("There is no such roadshow: choose one from the list."))
            query.roadshow = None
    return query


def _filters(db: Session, page: Page, query: BoardQuery) -> lead_service.LeadFilters:
    lead_ids: set[int] | None = None
    if query.roadshow is not None:
        outcome = attendance.outcome(db, _user(page), query.roadshow)
        lead_ids = {lead.lead_id for p in outcome.projects for lead in p.leads}
    return lead_service.LeadFilters(
        project_id=query.project,
        organization_id=query.organization,
        city=query.city,
        lead_ids=lead_ids,
    )


def _user(page: Page) -> Any:
    assert page.user is not None
    return page.user


@dataclass
class MoveState:
    """What a move form shows again after a refusal: the values typed and the errors."""

    lead_id: int
    values: dict[str, str]
    errors: FormErrors


def _places(db: Session, page: Page) -> list[tuple[str, str]]:
    return [
        (c.code, page.name(c.name_zh, c.name_en, c.name_zh_hant))
        for c in geo_service.list_cities(db).items
    ]


def _next_stages(stage: str) -> list[str]:
    allowed = lead_service.NEXT[LeadStage(stage)]
    return [s.value for s in LeadStage if s.value in allowed]


def _days(created: dt.datetime) -> int:
    moment = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    return max(0, (utcnow() - moment).days)


def _common(db: Session, page: Page) -> dict[str, Any]:
    return {
        "stage_names": STAGE_NAMES,
        "source_names": LEAD_SOURCE_NAMES,
        "next_stages": _next_stages,
        "titles": lambda lead: page.shown(
            Titles(lead.project_title_zh, lead.project_title_en), "title"
        ),
        "days": _days,
        "places": _places(db, page),
    }


def _board(
    page: Page,
    db: Session,
    query: BoardQuery,
    *,
    status: int = 200,
    move: MoveState | None = None,
    notice: str | None = None,
) -> Response:
    user = _user(page)
    filters = _filters(db, page, query)
    columns = []
    for stage in LeadStage:
        found = lead_service.list_leads(db, user, stage, 1, CARDS, filters)
        columns.append((stage.value, found))
    ids = [lead.id for _, found in columns for lead in found.items]
    projects, organizations = lead_service.lead_parties(db, user)
    roadshows = roadshow_service.list_roadshows(
        db,
        user,
        geo_service.reference_codes(db),
        status=None,
        city=None,
        industry=None,
        when=None,
        page=1,
        per_page=100,
    ).items
    moved = _id(page.request.query_params.get("moved", ""))
    return render(
        page,
        "admin/leads.html",
        status=status if not query.errors else 422,
        section="leads",
        board=query,
        columns=columns,
        sources=stats_service.lead_sources(db, ids),
        projects=[(p.id, page.shown(p, "title")) for p in projects],
        organizations=[(o.id, o.name) for o in organizations],
        roadshows=[(r.id, page.shown(Titles(r.title_zh, r.title_en), "title")) for r in roadshows],
        move=move,
        notice=notice,
        moved=moved,
        total=sum(found.total for _, found in columns),
        **_common(db, page),
    )


@router.get("/admin/leads")
def board(page: SecretariatPage, db: SessionDep) -> Response:
    return _board(page, db, parse_board(db, page, page.request.query_params))


def _lead_page(
    page: Page,
    db: Session,
    lead_id: int,
    *,
    status: int = 200,
    move: MoveState | None = None,
    notice: str | None = None,
) -> Response:
    lead = lead_service.get_lead(db, _user(page), lead_id)
    actors = {}
    for event in lead.events:
        if event.actor_id is not None and event.actor_id not in actors:
            actor = get_user(db, event.actor_id)
            actors[event.actor_id] = (actor.full_name or actor.email) if actor else ""
    return render(
        page,
        "admin/lead.html",
        status=status,
        section="leads",
        lead=lead,
        source=stats_service.lead_sources(db, [lead.id]).get(lead.id, "secretariat"),
        actors=actors,
        move=move,
        notice=notice,
        moved=page.request.query_params.get("moved") == "1",
        landed_place=dict(_places(db, page)).get(lead.landed_city or "", lead.landed_city),
        **_common(db, page),
    )


@router.get("/admin/leads/{lead_id}")
def lead_detail(page: SecretariatPage, db: SessionDep, lead_id: str) -> Response:
    number = _id(lead_id)
    if number is None:
        raise NotFoundError("No such lead")
    return _lead_page(page, db, number)


def _amount(raw: str) -> Decimal | None:
    cleaned = raw.replace(",", "").replace("，", "").replace(" ", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= AMOUNT_MAX else None


def _check_move(
    form: Any, refs: geo_service.ReferenceCodes
) -> tuple[dict[str, str], FormErrors, lead_schemas.LeadUpdate | None]:
    values = {
        name: text(form, name, NOTE_MAX + 1 if name == "note" else 200).strip()
        for name in ("stage", "note", "landing_city", "landing_amount", "landing_date")
    }
    errors = FormErrors()
    if values["stage"] not in STAGE_NAMES:
        errors.add("stage", N_("Choose the stage to move the lead to."))
    if len(values["note"]) > NOTE_MAX:
        errors.add("note", N_("Write a note of at most 2,000 characters."))
    landing = None
    if values["stage"] == LeadStage.landed:
        if values["landing_city"] not in refs.cities:
            errors.add("landing_city", N_("Choose the city or zone where it landed."))
        amount = _amount(values["landing_amount"])
        if amount is None:
            errors.add(
                "landing_amount", N_("Enter the amount agreed in 万元, a number like 260 or 85.5.")
            )
        try:
            day = dt.date.fromisoformat(values["landing_date"])
        except ValueError:
            day = None
            errors.add("landing_date", N_("Enter the date it landed, like 2026-10-18."))
        if not errors and amount is not None and day is not None:
            landing = lead_schemas.Landing(
                city=values["landing_city"], amount_wan=float(amount), date=day
            )
    if errors:
        return values, errors, None
    try:
        update = lead_schemas.LeadUpdate(
            stage=LeadStage(values["stage"]), note=values["note"] or None, landing=landing
        )
    except ValidationError:
        errors.add("note", N_("Write the note as plain text."))
        return values, errors, None
    return values, errors, update


def _back(form: Any) -> BoardQuery | None:
    """Where the form came from: the board with its filters, or (None) the lead's page."""
    if text(form, "back") == "lead":
        return None
    query = BoardQuery()
    for key, value in parse_qsl(text(form, "filters", 400)):
        if key in ("project", "organization", "roadshow"):
            setattr(query, key, _id(value))
        elif key == "city" and value.isascii() and value.replace("-", "").isalnum():
            query.city = value[:16]
    return query


@router.post("/admin/leads/{lead_id}/move")
def move_lead(page: SecretariatPage, db: SessionDep, form: PostedForm, lead_id: str) -> Response:
    number = _id(lead_id)
    if number is None:
        raise NotFoundError("No such lead")
    current = lead_service.get_lead(db, _user(page), number)
    query = _back(form)

    def again(status: int, move: MoveState | None = None, notice: str | None = None) -> Response:
        if query is None:
            return _lead_page(page, db, number, status=status, move=move, notice=notice)
        return _board(page, db, query, status=status, move=move, notice=notice)

    seen = text(form, "from_stage")
    if seen and seen != current.stage:
        message = page.gettext(
            N_(
                "This lead was moved by someone else meanwhile: it is now “%(stage)s”. "
                "Nothing was changed; check it and choose again."
            )
        ) % {"stage": page.gettext(STAGE_NAMES.get(current.stage, current.stage))}
        return again(409, notice=message)
    refs = geo_service.reference_codes(db)
    values, errors, update = _check_move(form, refs)
    if update is None:
        return again(422, move=MoveState(number, values, errors))
    try:
        lead_service.move(db, _user(page), number, update, refs)
    except ConflictError:
        message = page.gettext(
            N_("A lead at “%(stage)s” cannot move to “%(target)s”. Nothing was changed.")
        ) % {
            "stage": page.gettext(STAGE_NAMES[current.stage]),
            "target": page.gettext(STAGE_NAMES[values["stage"]]),
        }
        return again(409, notice=message)
    except InvalidInputError:  # _check_move checks what the service checks: a safety net
        errors.add("landing_city", N_("Choose the city or zone where it landed."))
        return again(422, move=MoveState(number, values, errors))
    if query is None:
        url = f"/admin/leads/{number}?moved=1#history"
    else:
        pairs = [*query.pairs(), ("moved", str(number))]
        url = f"/admin/leads?{urlencode(pairs)}#lead-{number}"
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response
