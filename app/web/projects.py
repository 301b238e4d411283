"""The project pages: search results with filters and facets, a listing with staged disclosure,
the cities it fits and "express interest".

The query parameters are the API's (``GET /api/v1/projects``), checked the same way; a bad value
is named on the page and left out, never a 500. Lists come from ``app.catalog.listing``, a
listing from ``app.catalog.workflow.detail``, its cities from ``app.matching``, interest from
``app.leads.service``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import opencc
from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from app.auth.models import Role, User
from app.catalog import listing, workflow
from app.catalog.dependencies import ProjectRendersDep
from app.catalog.models import ProjectStatus
from app.catalog.schemas import ProjectDetail, ProjectList, ProjectSort
from app.deps import SessionDep
from app.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.schemas import CitySummary, Taxonomy
from app.geo.taxonomy import TRANSFER_MODE_NAMES, TRL_LEVELS, TRL_MAX, TRL_MIN, TransferMode
from app.leads import schemas as lead_schemas
from app.leads import service as lead_service
from app.leads.models import LeadStage
from app.matching import service as matching
from app.matching.dependencies import MatcherDep
from app.matching.schemas import CityMatch
from app.search.dependencies import SearchDep
from app.search.service import SearchEngine
from app.web.cards import cards
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, PageDep, remember, render

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = 10_000
Q_MAX = 200
CITY_MATCHES = 5
SORTS = [s.value for s in ProjectSort]
to_simplified = opencc.OpenCC("t2s")


@dataclass
class Query:
    """The search as asked, with the values that passed the API's checks."""

    q: str = ""
    industry: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    trl_min: int | None = None
    trl_max: int | None = None
    mode: list[str] = field(default_factory=list)
    sort: str | None = None
    page: int = 1
    errors: FormErrors = field(default_factory=FormErrors)
    refs: geo_service.ReferenceCodes | None = None  # the codes it was checked against

    def pairs(self, *, page: int | None = None) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("industry", v) for v in self.industry]
        out += [("city", v) for v in self.city]
        if self.trl_min is not None:
            out.append(("trl_min", str(self.trl_min)))
        if self.trl_max is not None:
            out.append(("trl_max", str(self.trl_max)))
        out += [("mode", v) for v in self.mode]
        if self.sort:
            out.append(("sort", self.sort))
        if page and page > 1:
            out.append(("page", str(page)))
        return out

    def url(
        self, *, page: int | None = None, drop: tuple[str, str] | None = None, q: str | None = None
    ) -> str:
        """This search's address on another page, without one filter, or with another text."""
        pairs = [p for p in self.pairs(page=page) if p != drop]
        if q is not None:
            pairs = [("q", q), *(p for p in pairs if p[0] != "q")]
        return "/projects" + (f"?{urlencode(pairs)}" if pairs else "")

    @property
    def filtered(self) -> bool:
        return bool(
            self.industry or self.city or self.mode or self.trl_min or self.trl_max or self.q
        )


def parse_int(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse_query(params: QueryParams, refs: geo_service.ReferenceCodes) -> Query:
    """The query parameters checked as the API checks them; a bad one is named and left out."""
    query = Query(refs=refs)
    errors = query.errors
    q = params.get("q", "").strip()
    if len(q) > Q_MAX:
        errors.add("q", N_("Search for at most 200 characters."))
        q = q[:Q_MAX]
    query.q = q
    for name, known, message in (
        ("industry", refs.industries, N_("There is no such industry: choose one from the list.")),
        ("city", refs.cities, N_("There is no such city or zone: choose one from the list.")),
        ("mode", {m.value for m in TransferMode}, N_("Choose a transfer mode from the list.")),
    ):
        values: list[str] = getattr(query, name)
        for value in params.getlist(name):
            if value in known:
                if value not in values:
                    values.append(value)
            elif value:
                errors.add(name, message)
    for name in ("trl_min", "trl_max"):
        raw = params.get(name, "")
        if raw:
            level = parse_int(raw, TRL_MIN, TRL_MAX)
            if level is None:
                errors.add(name, N_("The TRL is a whole number from 1 to 9."))
            setattr(query, name, level)
    if query.trl_min is not None and query.trl_max is not None and query.trl_min > query.trl_max:
        errors.add("trl_max", N_("The highest TRL must not be below the lowest."))
        query.trl_max = None
    sort = params.get("sort", "")
    if sort in SORTS:
        query.sort = sort
    elif sort:
        errors.add("sort", N_("Choose an order from the list."))
    raw_page = params.get("page", "")
    if raw_page:
        number = parse_int(raw_page, 1, MAX_PAGE)
        if number is None:
            errors.add("page", N_("There is no such page of results."))
        query.page = number or 1
    return query


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    count: int
    checked: bool
    children: list[Option] = field(default_factory=list)


def industry_options(
    page: Page, taxonomy: Taxonomy, checked: Sequence[str], counts: dict[str, int]
) -> list[Option]:
    """Top-level industries with their counts; a checked one (or one with a checked child)
    opens its second level."""
    options = []
    for node in taxonomy.industries:
        children = [
            Option(
                c.code,
                page.name(c.name_zh, c.name_en),
                counts.get(c.code, 0),
                c.code in checked,
            )
            for c in node.children
        ]
        open_children = node.code in checked or any(c.checked for c in children)
        options.append(
            Option(
                node.code,
                page.name(node.name_zh, node.name_en),
                counts.get(node.code, 0),
                node.code in checked,
                children if open_children else [],
            )
        )
    return options


def listing_names(
    page: Page, taxonomy: Taxonomy, places: Sequence[CitySummary]
) -> dict[str, dict[str, str]]:
    """Codes a listing shows (industries, cities and zones, transfer modes, TRL levels) by
    kind, each with its name in the reader's language."""
    industries = {}
    for node in taxonomy.industries:
        industries[node.code] = page.name(node.name_zh, node.name_en)
        for child in node.children:
            industries[child.code] = page.name(child.name_zh, child.name_en)
    return {
        "industry": industries,
        "city": {p.code: page.name(p.name_zh, p.name_en, p.name_zh_hant) for p in places},
        "mode": {m.value: page.name(*TRANSFER_MODE_NAMES[m][:2]) for m in TransferMode},
        "trl": {str(n): page.name(*TRL_LEVELS[n]) for n in TRL_LEVELS},
    }


def _active(page: Page, query: Query, names: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """Each filter in force, as (what it is, the address without it)."""
    out: list[tuple[str, str]] = []
    if query.q:
        out.append(
            (page.gettext(N_("Text: %(q)s")) % {"q": query.q}, query.url(drop=("q", query.q)))
        )
    for name in ("industry", "city", "mode"):
        for value in getattr(query, name):
            out.append((names[name].get(value, value), query.url(drop=(name, value))))
    if query.trl_min is not None:
        label = page.gettext(N_("TRL at least %(level)s")) % {"level": query.trl_min}
        out.append((label, query.url(drop=("trl_min", str(query.trl_min)))))
    if query.trl_max is not None:
        label = page.gettext(N_("TRL at most %(level)s")) % {"level": query.trl_max}
        out.append((label, query.url(drop=("trl_max", str(query.trl_max)))))
    return out


def page_numbers(current: int, last: int) -> list[int | None]:
    """Page numbers to link: the first, the last, two either side of the current; None: a gap."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


RETRIES = 6  # ways out tried on an empty page, at most


@dataclass(frozen=True)
class Retry:
    """A way out of an empty result: what it is, its address, and how many it finds."""

    label: str
    url: str
    total: int


def _other_forms(query: Query, search: SearchEngine) -> list[str]:
    """The query in other forms: the Simplified of a Traditional query, the English of a
    Chinese one and the Chinese of an English one (through the search's synonym groups). The
    engine looks for these already (it folds Traditional to Simplified and applies the synonym
    groups), so an empty result page names them as searched, rather than offering them as
    searches that would find nothing more."""
    out: list[str] = []
    simplified = to_simplified.convert(query.q)
    if simplified != query.q:
        out.append(simplified)
    other = search.analyzer.in_other_language(query.q)
    if other and other not in out:
        out.append(other)
    return out


def _retries(
    page: Page,
    query: Query,
    names: dict[str, dict[str, str]],
    count: Callable[[Query], int],
) -> list[Retry]:
    """What to try when nothing is found, each tried first: each filter (the words too) left
    out, then every filter but the words — only what finds something, with how many."""
    active = _active(page, query, names)
    candidates = [
        (page.gettext(N_("Drop “%(filter)s”")) % {"filter": label}, url) for label, url in active
    ]
    if query.q and len(active) > 2:  # the words and at least two filters
        only_words = "/projects?" + urlencode([("q", query.q)])
        candidates.append((page.gettext(N_("Keep the words, drop every filter")), only_words))
    assert query.refs is not None
    out = []
    for label, url in candidates[:RETRIES]:  # each is a search: a bounded number of them
        total = count(parse_query(QueryParams(url.partition("?")[2]), query.refs))
        if total:
            out.append(Retry(label, url, total))
    return out


@router.get("/projects")
def projects(
    page: PageDep, db: SessionDep, search: SearchDep, renders: ProjectRendersDep
) -> Response:
    refs = geo_service.reference_codes(db)
    query = parse_query(page.request.query_params, refs)

    def run(query: Query, per_page: int = PER_PAGE) -> ProjectList:
        return listing.list_projects(
            db,
            refs,
            listing.ProjectFilters(
                q=query.q or None,
                industry=query.industry,
                city=query.city,
                trl_min=query.trl_min,
                trl_max=query.trl_max,
                mode=[TransferMode(m) for m in query.mode],
            ),
            sort=ProjectSort(query.sort) if query.sort else None,
            page=query.page if per_page == PER_PAGE else 1,
            per_page=per_page,
            renders=renders,
            search=search,
        )

    result: ProjectList | None = None
    try:
        result = run(query)
    except InvalidInputError:  # parse_query checks what the listing checks: a safety net
        query.errors.add("q", N_("This search cannot be run: change it and try again."))
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    names = listing_names(page, taxonomy, places)
    facets = result.facets if result else None
    last = max(1, math.ceil((result.total if result else 0) / PER_PAGE))
    found_none = result is not None and result.total == 0
    return render(
        page,
        "projects.html",
        status=422 if query.errors else 200,
        query=query.q,
        search=query,
        result=result,
        cards=cards(page, result.items, names) if result else [],
        names=names,
        industries=industry_options(
            page, taxonomy, query.industry, facets.industry if facets else {}
        ),
        cities=[
            Option(
                p.code,
                names["city"][p.code],
                (facets.city if facets else {}).get(p.code, 0),
                p.code in query.city,
            )
            for p in places
        ],
        modes=[
            Option(
                m.value,
                names["mode"][m.value],
                (facets.mode if facets else {}).get(m.value, 0),
                m.value in query.mode,
            )
            for m in TransferMode
        ],
        trl_levels=[(n, names["trl"][str(n)]) for n in TRL_LEVELS],
        sorts=SORT_NAMES,
        active=_active(page, query, names),
        # Only for the page that says nothing was found (each retry is a search).
        retries=_retries(page, query, names, lambda other: run(other, per_page=1).total)
        if found_none and query.page == 1
        else [],
        other_forms=_other_forms(query, search) if found_none and query.q else [],
        last_page=last,
        page_numbers=page_numbers(min(query.page, last), last),
    )


SORT_NAMES: dict[str, str] = {
    "relevance": N_("Best match"),
    "newest": N_("Newest first"),
    "oldest": N_("Oldest first"),
    "trl_desc": N_("Most mature first"),
    "trl_asc": N_("Least mature first"),
    "price_asc": N_("Lowest price first"),
    "price_desc": N_("Highest price first"),
}
LEAD_STAGES: dict[str, str] = {
    "new": N_("sent, waiting for the secretariat"),
    "contacted": N_("contacted"),
    "negotiating": N_("negotiating"),
    "signed": N_("signed"),
}
PATENT_STATUS: dict[str, str] = {
    "granted": N_("granted"),
    "pending": N_("pending"),
    "lapsed": N_("lapsed"),
}


def _project_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such project")
    return number


def _follows(db: SessionDep, user: User | None, project_id: int) -> lead_schemas.LeadPublic | None:
    """The open lead of the reader's organisation on this project, if any."""
    if user is None or user.role != Role.enterprise:
        return None
    leads = lead_service.list_leads(db, user, None, 1, 100).items
    closed = {LeadStage.landed.value, LeadStage.closed.value}
    return next(
        (lead for lead in leads if lead.project_id == project_id and lead.stage not in closed), None
    )


def _reason(page: Page, match: CityMatch) -> list[str]:
    return [page.name(r.message_zh, r.message_en) for r in match.reasons]


def _structured_data(page: Page, project: ProjectDetail, url: str) -> Markup:
    """JSON-LD for search engines: a data block, escaped so it cannot close its element."""
    title = project.title_en if page.language == "en" and project.title_en else project.title_zh
    summary = (
        project.summary_en if page.language == "en" and project.summary_en else project.summary_zh
    )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": title or project.title_en,
        "description": summary or project.summary_en or "",
        "url": url,
        "sku": project.external_id,
        "category": "Technology transfer",
    }
    if project.institution:
        data["brand"] = {"@type": "Organization", "name": project.institution}
    if project.price_wan is not None:
        data["offers"] = {
            "@type": "Offer",
            "price": round(project.price_wan * 10_000),
            "priceCurrency": "CNY",
            "url": url,
        }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Safe: JSON with every <, > and & escaped cannot close the element or open another.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704


def _detail_page(
    page: Page,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    project_id: int,
    *,
    status: int = 200,
    message: str = "",
    errors: FormErrors | None = None,
    notice: str | None = None,
) -> Response:
    project = workflow.detail(db, project_id, page.user)
    published = project.status == ProjectStatus.published.value
    matches = (
        matching.project_to_cities(db, search, matcher, project_id, CITY_MATCHES).items
        if published
        else []
    )
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    url = page.absolute(f"/projects/{project.id}")
    return render(
        page,
        "project.html",
        status=status,
        project=project,
        published=published,
        names=listing_names(page, taxonomy, places),
        matches=[(m, _reason(page, m)) for m in matches],
        follows=_follows(db, page.user, project.id) if published else None,
        canonical=url,
        structured_data=_structured_data(page, project, url),
        patent_status=PATENT_STATUS,
        lead_stages=LEAD_STAGES,
        message=message,
        errors=errors or FormErrors(),
        notice=notice,
        interest_sent=page.request.query_params.get("interest") == "sent",
    )


@router.get("/projects/{project_id}")
def project(
    page: PageDep, db: SessionDep, search: SearchDep, matcher: MatcherDep, project_id: str
) -> Response:
    return _detail_page(page, db, search, matcher, _project_id(project_id))


@router.post("/projects/{project_id}/interest")
def express_interest(
    page: PageDep,
    db: SessionDep,
    search: SearchDep,
    matcher: MatcherDep,
    form: PostedForm,
    project_id: str,
) -> Response:
    number = _project_id(project_id)
    if page.user is None or page.user.role != Role.enterprise:
        raise ForbiddenError("Only an enterprise account can express interest")
    message = text(form, "message", 2000).strip()
    try:
        body = lead_schemas.InterestRequest(message=message)
    except ValidationError:
        errors = FormErrors()
        errors.add("message", N_("Say in a few words what your enterprise is looking for."))
        return _detail_page(
            page, db, search, matcher, number, status=422, message=message, errors=errors
        )
    try:
        lead_service.show_interest(db, page.user, number, body.message)
    except ConflictError:
        notice = (
            N_("Your account belongs to no organisation: ask the secretariat to add it to one.")
            if page.user.organization_id is None
            else N_("Your organisation already follows this project.")
        )
        return _detail_page(
            page, db, search, matcher, number, status=409, message=message, notice=notice
        )
    response = RedirectResponse(f"/projects/{number}?interest=sent#interest", status_code=303)
    remember(page, response)
    return response
