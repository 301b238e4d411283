"""The reader's own page, ``/me``: for an enterprise, its organisation's needs (post, edit,
close) with their matches, its leads and their stages, its roadshow registrations and
invitations; for other accounts, the account and the way to what exists for them.

Needs are written through ``app.needs.workflow`` (the API's create / patch / close, with the
same schemas, visibility and version check); leads come from ``app.leads.service``, roadshows
from ``app.roadshows.attendance``. Registrations and invitations are answered by the roadshow
pages' own forms (``/roadshows/{id}/…``), which send the reader back here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.auth.models import Role, User
from app.deps import SessionDep
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.schemas import CitySummary, Taxonomy
from app.geo.taxonomy import TRANSFER_MODE_NAMES, TRL_LEVELS, TransferMode
from app.leads import service as lead_service
from app.leads.schemas import LeadPublic
from app.matching import service as matching
from app.matching.dependencies import MatcherDep
from app.needs import records as need_records
from app.needs import workflow
from app.needs.models import Need, NeedStatus, NeedVisibility
from app.needs.schemas import NeedCreate, NeedPatch, NeedPublic
from app.roadshows import attendance
from app.roadshows import service as roadshow_service
from app.roadshows.models import InvitationStatus, RegistrationStatus, RoadshowStatus
from app.roadshows.schemas import InvitationPublic, RegistrationPublic, RoadshowSummary
from app.search.dependencies import SearchDep
from app.web.access import EnterprisePage, SignedInPage
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render
from app.web.roadshows import NOTICES as ROADSHOW_NOTICES

router = APIRouter(include_in_schema=False)

# How many matches a need's line counts (the API's default ``limit``); more shows as "10+".
MATCH_LIMIT = 10
LEADS_SHOWN = 100  # the API's largest page

# The need form's fields, in the order the form shows them (and the error summary lists them).
TEXT_LIMITS = {
    "external_id": 64,
    "title_zh": 300,
    "title_en": 300,
    "description_zh": 20_000,
    "description_en": 20_000,
}
FIELDS = (
    "external_id",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "keywords",
    "industries",
    "city",
    "min_trl",
    "transfer_modes",
    "budget_wan",
    "visibility",
)
LABELS: dict[str, str] = {
    "external_id": N_("Your reference"),
    "title_zh": N_("Title in Chinese"),
    "title_en": N_("Title in English"),
    "description_zh": N_("Description in Chinese"),
    "description_en": N_("Description in English"),
    "keywords": N_("Keywords"),
    "industries": N_("Industries"),
    "city": N_("City or zone"),
    "min_trl": N_("Lowest maturity (TRL)"),
    "transfer_modes": N_("Transfer modes"),
    "budget_wan": N_("Budget (万元)"),
    "visibility": N_("Who sees it"),
}
MESSAGES: dict[str, str] = {
    "external_id": N_("A reference is one word of at most 64 characters, without spaces."),
    "title_zh": N_("A title is one line of at most 300 characters."),
    "title_en": N_("A title is one line of at most 300 characters."),
    "description_zh": N_("A description is at most 20,000 characters."),
    "description_en": N_("A description is at most 20,000 characters."),
    "keywords": N_("Give at most 50 keywords of up to 80 characters each, separated by commas."),
    "industries": N_("Choose at most 10 industries from the list."),
    "city": N_("Choose a city or zone from the list."),
    "min_trl": N_("The TRL is a whole number from 1 to 9."),
    "transfer_modes": N_("Choose transfer modes from the list."),
    "budget_wan": N_("Enter the budget in 万元 as a number, like 500 or 120.5."),
    "visibility": N_("Choose public or private."),
}
NO_TITLE = N_("Give the need a title, in Chinese or in English.")
UNKNOWN_CODE: dict[str, str] = {
    "industries": N_("There is no such industry: choose one from the list."),
    "city": N_("There is no such city or zone: choose one from the list."),
}
REFERENCE_TAKEN = N_("Another need already has this reference: choose another.")

LEAD_STAGES: dict[str, tuple[str, str]] = {
    "new": (N_("New"), N_("Sent; the secretariat will put you in touch with the team.")),
    "contacted": (N_("Contacted"), N_("The secretariat has put you in touch with the team.")),
    "negotiating": (N_("Negotiating"), N_("You and the team are discussing terms.")),
    "signed": (N_("Signed"), N_("An agreement is signed; the project is being carried out.")),
    "landed": (N_("Landed"), N_("The project has landed in a city or zone.")),
    "closed": (N_("Closed"), N_("The lead was closed without a deal.")),
}
ROLES: dict[str, str] = {
    "enterprise": N_("Enterprise"),
    "researcher": N_("Researcher"),
    "secretariat": N_("Secretariat"),
}
NOTICES: dict[str, str] = {
    "posted": N_("Your need is posted."),
    "saved": N_("Your changes are saved."),
    "closed": N_("The need is closed: it has left the public lists and gets no new matches."),
}
_KEYWORD_SPLIT = re.compile(r"[,，、;；\n]+")


# --- the need form ---


@dataclass
class NeedForm:
    """What the need form holds, as typed (so it can be shown again exactly)."""

    external_id: str = ""
    title_zh: str = ""
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    keywords: str = ""
    industries: list[str] = field(default_factory=list)
    city: str = ""
    min_trl: str = ""
    transfer_modes: list[str] = field(default_factory=list)
    budget_wan: str = ""
    visibility: str = NeedVisibility.public.value

    @classmethod
    def from_need(cls, need: NeedPublic) -> NeedForm:
        budget = ""
        if need.budget_wan is not None:
            budget = f"{need.budget_wan:.2f}".rstrip("0").rstrip(".")
        return cls(
            external_id=need.external_id,
            title_zh=need.title_zh or "",
            title_en=need.title_en or "",
            description_zh=need.description_zh or "",
            description_en=need.description_en or "",
            keywords=", ".join(need.keywords),
            industries=list(need.industries),
            city=need.city or "",
            min_trl=str(need.min_trl) if need.min_trl is not None else "",
            transfer_modes=list(need.transfer_modes),
            budget_wan=budget,
            visibility=need.visibility,
        )

    @classmethod
    def from_form(cls, form: FormData) -> NeedForm:
        def many(name: str) -> list[str]:
            values = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
            return list(dict.fromkeys(values))[:100]

        # One character over each limit, so the schema names a text that is too long.
        texts = {name: text(form, name, limit + 1) for name, limit in TEXT_LIMITS.items()}
        return cls(
            **texts,
            keywords=text(form, "keywords", 50 * 82),
            industries=many("industries"),
            city=text(form, "city", 17).strip(),
            min_trl=text(form, "min_trl", 3).strip(),
            transfer_modes=many("transfer_modes"),
            budget_wan=text(form, "budget_wan", 30).strip(),
            visibility=text(form, "visibility", 17).strip(),
        )

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in _KEYWORD_SPLIT.split(self.keywords) if k.strip()]

    def values(self, *, for_edit: bool) -> dict[str, Any]:
        """The body the API would get: blank fields left out of a new need, cleared in an
        edit (which keeps its reference)."""
        out: dict[str, Any] = {}
        for name in ("title_zh", "title_en", "description_zh", "description_en"):
            value = getattr(self, name)
            if value.strip():
                out[name] = value
            elif for_edit:
                out[name] = None
        if not for_edit and self.external_id.strip():
            out["external_id"] = self.external_id
        out["keywords"] = self.keyword_list
        out["industries"] = self.industries
        out["transfer_modes"] = self.transfer_modes
        scalars = {
            "city": self.city,
            "min_trl": self.min_trl,
            "budget_wan": self.budget_wan.replace(",", "").replace(" ", ""),
        }
        for name, value in scalars.items():
            if value:
                out[name] = value
            elif for_edit:
                out[name] = None
        if self.visibility:
            out["visibility"] = self.visibility
        return out

    def snapshot(self) -> str:
        """The form's values as JSON, kept in a hidden field: what the edit started from."""
        values = {name: getattr(self, name) for name in FIELDS}
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _validation_errors(error: ValidationError, typed: NeedForm) -> FormErrors:
    """The schema's complaints, by field, in words the page translates; a missing title too,
    which the schema (and the service, for an edit) only says once every field is valid."""
    errors = FormErrors()
    if not typed.title_zh.strip() and not typed.title_en.strip():
        errors.add("title_zh", NO_TITLE)
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "title_zh"
        if not item["loc"]:  # the model's own rule: at least one title
            errors.add("title_zh", NO_TITLE)
        else:
            errors.add(name if name in MESSAGES else "title_zh", MESSAGES.get(name, NO_TITLE))
    return FormErrors({k: errors.fields[k] for k in FIELDS if k in errors.fields})


def _service_errors(problems: list[FieldError]) -> FormErrors:
    errors = FormErrors()
    for problem in problems:
        if problem.field == "title_zh":
            errors.add("title_zh", NO_TITLE)
        elif problem.message.startswith("unknown") and problem.field in UNKNOWN_CODE:
            errors.add(problem.field, UNKNOWN_CODE[problem.field])
        else:
            errors.add(problem.field, MESSAGES.get(problem.field, N_("Check this field.")))
    return errors


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    children: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class Names:
    """Codes and their names in the reader's language, for the form and for showing a need."""

    industries: list[Choice]
    cities: list[Choice]
    zones: list[Choice]
    industry: dict[str, str]
    city: dict[str, str]
    mode: dict[str, str]
    trl: dict[int, str]


def _names(page: Page, taxonomy: Taxonomy, places: list[CitySummary]) -> Names:
    industries = [
        Choice(
            node.code,
            page.name(node.name_zh, node.name_en),
            [Choice(c.code, page.name(c.name_zh, c.name_en)) for c in node.children],
        )
        for node in taxonomy.industries
    ]
    industry = {c.code: c.label for node in industries for c in (node, *node.children)}
    city = {p.code: page.name(p.name_zh, p.name_en, p.name_zh_hant) for p in places}
    return Names(
        industries=industries,
        cities=[Choice(p.code, city[p.code]) for p in places if p.kind == "city"],
        zones=[Choice(p.code, city[p.code]) for p in places if p.kind != "city"],
        industry=industry,
        city=city,
        mode={m.value: page.name(*TRANSFER_MODE_NAMES[m][:2]) for m in TransferMode},
        trl={n: page.name(*TRL_LEVELS[n]) for n in TRL_LEVELS},
    )


def _load_names(page: Page, db: SessionDep) -> Names:
    return _names(page, geo_service.taxonomy(db), list(geo_service.list_cities(db).items))


def _shown_value(page: Page, names: Names, name: str, value: Any) -> str:
    """A field's value as the stale-edit message shows it."""
    if name == "industries":
        return page.gettext(N_(", ")).join(names.industry.get(c, c) for c in value) or "—"
    if name == "transfer_modes":
        return page.gettext(N_(", ")).join(names.mode.get(m, m) for m in value) or "—"
    if name == "city":
        return names.city.get(value, value) or "—"
    if name == "min_trl":
        return (page.gettext(N_("TRL %(level)s")) % {"level": value}) if value else "—"
    if name == "visibility":
        return page.gettext(VISIBILITY.get(value, value)) if value else "—"
    return str(value) or "—"


VISIBILITY: dict[str, str] = {"public": N_("Public"), "private": N_("Private")}


@dataclass(frozen=True)
class Change:
    label: str
    now: str


def _changes(page: Page, names: Names, base: str, typed: NeedForm, now: NeedForm) -> list[Change]:
    """What changed since the form was opened (its snapshot); without one, where the saved
    need differs from what the reader typed."""
    try:
        before = json.loads(base)
        if not isinstance(before, dict):
            raise TypeError
    except (ValueError, TypeError):
        before = {name: getattr(typed, name) for name in FIELDS}
    return [
        Change(page.gettext(LABELS[name]), _shown_value(page, names, name, getattr(now, name)))
        for name in FIELDS
        if name != "external_id" and before.get(name) != getattr(now, name)
    ]


def _need_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such need")
    return number


def _own_need(db: SessionDep, user: User, value: str) -> Need:
    """The need if the reader's organisation posted it (or the reader did); a 404 otherwise,
    as the API answers for a need one may not see."""
    number = _need_id(value)
    need = workflow.need_for(db, number, user)
    if not workflow.is_insider(need, user):
        raise NotFoundError(f"No need of yours has the id {number}")
    return need


def _redirect(page: Page, url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


def _form_page(
    page: Page,
    db: SessionDep,
    need_form: NeedForm,
    *,
    need: NeedPublic | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
    version: int | None = None,
    base: str | None = None,
    stale: list[Change] | None = None,
    notice: str | None = None,
) -> Response:
    return render(
        page,
        "need_form.html",
        status=status,
        form=need_form,
        need=need,
        errors=errors or FormErrors(),
        labels={k: page.gettext(v) for k, v in LABELS.items()},
        names=_load_names(page, db),
        version=version,
        base=base if base is not None else need_form.snapshot(),
        stale=stale,
        notice=notice,
    )


# --- /me ---


@dataclass(frozen=True)
class NeedLine:
    need: NeedPublic
    matches: int | None  # None: a closed need gets no matches


@dataclass(frozen=True)
class RoadshowLine:
    roadshow: RoadshowSummary
    registration: RegistrationPublic | None = None
    invitation: InvitationPublic | None = None

    @property
    def ahead(self) -> bool:
        return (
            self.roadshow.status != RoadshowStatus.completed
            and self.roadshow.ends_at > dt.datetime.now(dt.UTC)
        )

    @property
    def can_cancel(self) -> bool:
        registration = self.registration
        return (
            registration is not None
            and registration.status != RegistrationStatus.cancelled
            and registration.checked_in_at is None
            and self.ahead
        )

    @property
    def can_answer(self) -> bool:
        return (
            self.invitation is not None
            and self.invitation.status == InvitationStatus.invited
            and self.ahead
        )


def _roadshows(db: SessionDep, user: User, ids: set[int]) -> dict[int, RoadshowSummary]:
    rows = []
    for roadshow_id in sorted(ids):
        try:
            rows.append(roadshow_service.roadshow_for(db, roadshow_id, user))
        except NotFoundError:  # back to draft: the secretariat's again
            continue
    return {s.id: s for s in roadshow_service.summaries(db, rows, user)}


def _enterprise_page(
    page: Page,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    user: User,
    *,
    status: int = 200,
    notice: str | None = None,
    notice_need: NeedPublic | None = None,
) -> Response:
    needs = workflow.my_needs(db, user)
    lines = []
    for need in needs:
        matches: int | None = None
        if need.status == NeedStatus.open:
            try:
                found = matching.need_to_projects(db, search, matcher, need.id, MATCH_LIMIT, user)
                matches = len(found.items)
            except (ConflictError, NotFoundError):
                matches = None
        lines.append(NeedLine(need, matches))
    leads: list[LeadPublic] = lead_service.list_leads(db, user, None, 1, LEADS_SHOWN).items
    registrations = attendance.my_registrations(db, user)
    invitations = attendance.my_invitations(db, user)
    summaries = _roadshows(
        db, user, {r.roadshow_id for r in registrations} | {i.roadshow_id for i in invitations}
    )
    pending = [
        RoadshowLine(summaries[i.roadshow_id], invitation=i)
        for i in invitations
        if i.roadshow_id in summaries
    ]
    seats = [
        RoadshowLine(summaries[r.roadshow_id], registration=r)
        for r in registrations
        if r.roadshow_id in summaries
    ]
    seats.sort(key=lambda line: (not line.ahead, line.roadshow.starts_at))
    if notice_need is None:
        for key in NOTICES:
            wanted = page.request.query_params.get(key, "")
            found_need = next((n for n in needs if str(n.id) == wanted), None)
            if found_need is not None:
                notice, notice_need = NOTICES[key], found_need
        # The roadshow pages' forms send the reader back here with what they did.
        notice = ROADSHOW_NOTICES.get(page.request.query_params.get("notice", ""), notice)
    return render(
        page,
        "me.html",
        status=status,
        user=user,
        needs=lines,
        open_count=sum(1 for line in lines if line.need.status == NeedStatus.open),
        match_limit=MATCH_LIMIT,
        names=_load_names(page, db),
        leads=leads,
        lead_stages=LEAD_STAGES,
        invitations=pending,
        registrations=seats,
        visibility=VISIBILITY,
        notice=notice,
        notice_need=notice_need,
        status_error=status >= 400,
    )


@router.get("/me")
def me(page: SignedInPage, db: SessionDep, search: SearchDep, matcher: MatcherDep) -> Response:
    user = page.user
    assert user is not None  # SignedInPage
    if user.role == Role.researcher:  # their workspace: app/web/research.py
        return _redirect(page, "/me/projects")
    if user.role != Role.enterprise:
        return render(page, "me_account.html", user=user, roles=ROLES)
    return _enterprise_page(page, db, search, matcher, user)


@router.get("/me/needs/new")
def new_need(page: EnterprisePage, db: SessionDep) -> Response:
    return _form_page(page, db, NeedForm())


@router.post("/me/needs/new")
def post_need(page: EnterprisePage, db: SessionDep, form: PostedForm) -> Response:
    user = page.user
    assert user is not None
    typed = NeedForm.from_form(form)
    try:
        body = NeedCreate.model_validate(typed.values(for_edit=False))
    except ValidationError as error:
        return _form_page(page, db, typed, errors=_validation_errors(error, typed), status=422)
    if body.external_id and need_records.needs_by_external_id(db, [body.external_id]):
        errors = FormErrors({"external_id": REFERENCE_TAKEN})
        return _form_page(page, db, typed, errors=errors, status=409)
    try:
        need = workflow.create_need(db, user, body, geo_service.reference_codes(db))
    except InvalidInputError as error:
        return _form_page(page, db, typed, errors=_service_errors(error.errors), status=422)
    except ConflictError:
        notice = N_(
            "Your account belongs to no organisation: ask the secretariat to add it to one."
        )
        return _form_page(page, db, typed, status=409, notice=notice)
    return _redirect(page, f"/me?posted={need.id}#needs")


@router.get("/me/needs/{need_id}/edit")
def edit_need(page: EnterprisePage, db: SessionDep, need_id: str) -> Response:
    user = page.user
    assert user is not None
    need = need_records.to_public(_own_need(db, user, need_id))
    if need.status == NeedStatus.closed:
        raise ConflictError("The need is closed; it can no longer be edited")
    return _form_page(page, db, NeedForm.from_need(need), need=need, version=need.version)


@router.post("/me/needs/{need_id}/edit")
def save_need(page: EnterprisePage, db: SessionDep, form: PostedForm, need_id: str) -> Response:
    user = page.user
    assert user is not None
    need = need_records.to_public(_own_need(db, user, need_id))
    typed = NeedForm.from_form(form)
    typed.external_id = need.external_id
    base = text(form, "base", 100_000)
    version = text(form, "version", 12).strip()
    known = int(version) if version.isascii() and version.isdigit() else 0
    if need.status == NeedStatus.closed:
        notice = N_("This need was closed meanwhile: it can no longer be edited.")
        return _form_page(
            page, db, typed, need=need, status=409, notice=notice, version=need.version, base=base
        )
    if known != need.version:
        # Somebody saved first: show what they changed, keep what this reader typed, and let
        # a new save (on the current version) replace it knowingly.
        names = _load_names(page, db)
        now = NeedForm.from_need(need)
        return _form_page(
            page,
            db,
            typed,
            need=need,
            status=409,
            version=need.version,
            base=now.snapshot(),
            stale=_changes(page, names, base, typed, now),
        )
    try:
        patch = NeedPatch.model_validate({**typed.values(for_edit=True), "version": known})
    except ValidationError as error:
        errors = _validation_errors(error, typed)
        return _form_page(
            page, db, typed, need=need, errors=errors, status=422, version=known, base=base
        )
    try:
        workflow.update_need(db, user, need.id, patch, geo_service.reference_codes(db))
    except ConflictError:  # saved or closed by someone else a moment ago: show it again
        current = need_records.to_public(_own_need(db, user, need_id))
        now = NeedForm.from_need(current)
        return _form_page(
            page,
            db,
            typed,
            need=current,
            status=409,
            version=current.version,
            base=now.snapshot(),
            stale=_changes(page, _load_names(page, db), base, typed, now),
        )
    except InvalidInputError as error:
        errors = _service_errors(error.errors)
        return _form_page(
            page, db, typed, need=need, errors=errors, status=422, version=known, base=base
        )
    return _redirect(page, f"/me?saved={need.id}#needs")


@router.get("/me/needs/{need_id}/close")
def confirm_close(page: EnterprisePage, db: SessionDep, need_id: str) -> Response:
    user = page.user
    assert user is not None
    need = need_records.to_public(_own_need(db, user, need_id))
    return render(page, "me_close.html", need=need, visibility=VISIBILITY)


@router.post("/me/needs/{need_id}/close")
def close_need(
    page: EnterprisePage,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    need_id: str,
) -> Response:
    user = page.user
    assert user is not None
    need = _own_need(db, user, need_id)
    try:
        workflow.close_need(db, user, need.id)
    except ConflictError:
        notice = N_("This need was closed already.")
        shown = need_records.to_public(need)
        return _enterprise_page(
            page, db, search, matcher, user, status=409, notice=notice, notice_need=shown
        )
    return _redirect(page, f"/me?closed={need.id}#needs")
