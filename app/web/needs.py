"""The need pages: public open needs with filters and facets, and one need with the projects that
could answer it and why.

The query parameters are the API's (``GET /api/v1/needs``), checked the same way; a bad value is
named on the page and left out, never a 500. Lists come from ``app.needs.listing``, a need from
``app.needs.workflow.need_for`` (who sees a private or closed one), its matches from
``app.matching`` with the app's ``Matcher`` (``GET /api/v1/needs/{id}/matches``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import QueryParams

from app.auth.models import Role
from app.deps import SessionDep
from app.errors import InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.taxonomy import TransferMode
from app.matching import service as matching
from app.matching.dependencies import MatcherDep
from app.needs import listing, records, workflow
from app.needs.models import NeedStatus, NeedVisibility
from app.needs.schemas import NeedList, NeedSort, OrganizationRef
from app.search.dependencies import SearchDep
from app.web import display
from app.web.forms import FormErrors
from app.web.i18n import N_
from app.web.pages import Page, PageDep, render
from app.web.projects import (
    MAX_PAGE,
    Q_MAX,
    Option,
    industry_options,
    listing_names,
    page_numbers,
    parse_int,
    to_simplified,
)

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MATCHES = 10  # the API's default for /needs/{id}/matches
EXTERNAL_ID_MAX = 64
SORTS = [s.value for s in NeedSort]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

SORT_NAMES: dict[str, str] = {
    "relevance": N_("Best match"),
    "newest": N_("Newest first"),
    "oldest": N_("Oldest first"),
    "budget_desc": N_("Largest budget first"),
    "budget_asc": N_("Smallest budget first"),
}
STATUS_NAMES: dict[str, str] = {"open": N_("Open"), "closed": N_("Closed")}
ORGANIZATION_KINDS: dict[str, str] = {
    "enterprise": N_("Enterprise"),
    "research": N_("University or institute"),
    "government": N_("Government body"),
    "secretariat": N_("Secretariat"),
}


@dataclass
class NeedQuery:
    """The search as asked, with the values that passed the API's checks."""

    q: str = ""
    industry: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    status: str | None = None
    external_id: str | None = None
    sort: str | None = None
    page: int = 1
    errors: FormErrors = field(default_factory=FormErrors)

    def pairs(self, *, page: int | None = None) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("industry", v) for v in self.industry]
        out += [("city", v) for v in self.city]
        out += [("mode", v) for v in self.mode]
        if self.status:
            out.append(("status", self.status))
        if self.external_id:
            out.append(("external_id", self.external_id))
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
        return "/needs" + (f"?{urlencode(pairs)}" if pairs else "")


def parse_query(params: QueryParams, refs: geo_service.ReferenceCodes) -> NeedQuery:
    """The query parameters checked as the API checks them; a bad one is named and left out."""
    query = NeedQuery()
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
    status = params.get("status", "")
    if status in {s.value for s in NeedStatus}:
        query.status = status
    elif status:
        errors.add("status", N_("A need is either open or closed."))
    external_id = params.get("external_id", "").strip()
    if len(external_id) > EXTERNAL_ID_MAX:
        errors.add("external_id", N_("A reference has at most 64 characters."))
    elif external_id:
        query.external_id = external_id
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


def _active(
    page: Page, query: NeedQuery, names: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    """Each filter in force, as (what it is, the address without it)."""
    out: list[tuple[str, str]] = []
    if query.q:
        out.append(
            (page.gettext(N_("Text: %(q)s")) % {"q": query.q}, query.url(drop=("q", query.q)))
        )
    for name in ("industry", "city", "mode"):
        for value in getattr(query, name):
            out.append((names[name].get(value, value), query.url(drop=(name, value))))
    if query.status:
        label = page.gettext(STATUS_NAMES[query.status])
        out.append((label, query.url(drop=("status", query.status))))
    if query.external_id:
        label = page.gettext(N_("Reference: %(id)s")) % {"id": query.external_id}
        out.append((label, query.url(drop=("external_id", query.external_id))))
    return out


def content(page: Page, value: str) -> display.Shown:
    """Text written by people, in whichever language they wrote it (an organisation's name):
    Chinese in the reader's script, or marked as Chinese for an English reader; English marked
    as English on a Chinese page."""
    if _CJK.search(value):
        if page.language == "en":
            return display.Shown(Markup.escape(value), lang="zh-Hans")
        return display.Shown(Markup.escape(page.text(value)))
    return display.Shown(Markup.escape(value), lang="en" if page.language != "en" else None)


def _organisations(page: Page, orgs: list[OrganizationRef | None]) -> dict[int, display.Shown]:
    return {org.id: content(page, org.name) for org in orgs if org is not None}


@router.get("/needs")
def needs(page: PageDep, db: SessionDep, search: SearchDep) -> Response:
    refs = geo_service.reference_codes(db)
    query = parse_query(page.request.query_params, refs)
    result: NeedList | None = None
    try:
        result = listing.list_needs(
            db,
            refs,
            listing.NeedFilters(
                q=query.q or None,
                industry=query.industry,
                city=query.city,
                mode=[TransferMode(m) for m in query.mode],
                status=NeedStatus(query.status) if query.status else None,
                external_id=query.external_id,
            ),
            sort=NeedSort(query.sort) if query.sort else None,
            page=query.page,
            per_page=PER_PAGE,
            search=search,
        )
    except InvalidInputError:  # parse_query checks what the listing checks: a safety net
        query.errors.add("q", N_("This search cannot be run: change it and try again."))
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    names = listing_names(page, taxonomy, places)
    facets = result.facets if result else None
    last = max(1, math.ceil((result.total if result else 0) / PER_PAGE))
    simplified = to_simplified.convert(query.q)
    return render(
        page,
        "needs.html",
        status=422 if query.errors else 200,
        search=query,
        result=result,
        names=names,
        organisations=_organisations(
            page, [item.organization for item in (result.items if result else [])]
        ),
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
        sorts=SORT_NAMES,
        active=_active(page, query, names),
        alternatives=[simplified] if query.q and simplified != query.q else [],
        last_page=last,
        page_numbers=page_numbers(min(query.page, last), last),
        can_post=page.user is not None and page.user.role == Role.enterprise,
    )


def _need_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such need")
    return number


@router.get("/needs/{need_id}")
def need(
    page: PageDep, db: SessionDep, search: SearchDep, matcher: MatcherDep, need_id: str
) -> Response:
    stored = workflow.need_for(db, _need_id(need_id), page.user)
    found = records.to_public(stored)
    is_open = found.status == NeedStatus.open.value
    # The API's matches (a closed need gets none: the API answers 409).
    matches = (
        matching.need_to_projects(db, search, matcher, found.id, MATCHES, page.user).items
        if is_open
        else []
    )
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    public = is_open and found.visibility == NeedVisibility.public.value
    return render(
        page,
        "need.html",
        need=found,
        is_open=is_open,
        public=public,
        matches=matches,
        names=listing_names(page, taxonomy, places),
        organisation=content(page, found.organization.name) if found.organization else None,
        organisation_kinds=ORGANIZATION_KINDS,
        institutions={
            m.project.id: content(page, m.project.institution)
            for m in matches
            if m.project.institution
        },
        keywords=[content(page, word) for word in found.keywords],
        projects_url="/projects?" + urlencode([("industry", code) for code in found.industries]),
        canonical=page.absolute(f"/needs/{found.id}"),
        # Its own enterprise accounts manage it from their page (/me).
        manages=page.user is not None
        and page.user.role == Role.enterprise
        and workflow.is_insider(stored, page.user),
    )
