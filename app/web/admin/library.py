"""The library: every project (``/admin/library``) and every need (``/admin/library/needs``) in
any state, searched and filtered with the public list's parameters (``app.web.projects.
parse_query``) plus ``status``; bulk withdraw / republish (projects) and close / reopen (needs),
all or nothing."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from app.auth.models import User
from app.catalog import listing, workflow
from app.catalog.models import ProjectStatus
from app.catalog.schemas import ProjectList, ProjectSort
from app.deps import SessionDep
from app.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.taxonomy import TRL_LEVELS, TransferMode
from app.needs import listing as need_listing
from app.needs import workflow as need_workflow
from app.needs.models import NeedStatus
from app.needs.schemas import NeedList, NeedPublic
from app.web.access import SecretariatPage
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render
from app.web.projects import SORT_NAMES, Query, listing_names, parse_query

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
PROJECT_STATUS: dict[str, str] = {
    ProjectStatus.draft: N_("Draft"),
    ProjectStatus.submitted: N_("Awaiting review"),
    ProjectStatus.changes_requested: N_("Changes requested"),
    ProjectStatus.published: N_("Published"),
    ProjectStatus.rejected: N_("Rejected"),
    ProjectStatus.archived: N_("Withdrawn"),
}
NEED_STATUS: dict[str, str] = {NeedStatus.open: N_("Open"), NeedStatus.closed: N_("Closed")}
NEED_VISIBILITY: dict[str, str] = {"public": N_("Public"), "private": N_("Private")}
# Bulk actions: what the button says, what the notice says after it.
PROJECT_ACTIONS: dict[str, tuple[str, str]] = {
    "withdraw": (N_("Withdraw from the public site"), N_("Withdrawn: %(count)s projects.")),
    "republish": (N_("Republish"), N_("Republished: %(count)s projects.")),
}
NEED_ACTIONS: dict[str, tuple[str, str]] = {
    "close": (N_("Close"), N_("Closed: %(count)s needs.")),
    "reopen": (N_("Reopen"), N_("Reopened: %(count)s needs.")),
}
SELECT_MAX = 500


@dataclass
class LibraryQuery:
    """A library search: the public list's parameters, checked by ``parse_query``, and a
    state."""

    search: Query
    status: str | None
    path: str
    errors: FormErrors = field(default_factory=FormErrors)

    def pairs(self, *, page: int | None = None) -> list[tuple[str, str]]:
        out = self.search.pairs(page=page)
        return [*out, ("status", self.status)] if self.status else out

    def url(self, *, page: int | None = None) -> str:
        pairs = self.pairs(page=page)
        return self.path + (f"?{urlencode(pairs)}" if pairs else "")

    @property
    def filtered(self) -> bool:
        return self.search.filtered or self.status is not None


def project_query(params: QueryParams, refs: geo_service.ReferenceCodes) -> LibraryQuery:
    search = parse_query(params, refs)
    status = params.get("status", "")
    query = LibraryQuery(search, status if status in PROJECT_STATUS else None, "/admin/library")
    query.errors = search.errors
    if status and query.status is None:
        query.errors.add("status", N_("Choose a state from the list."))
    return query


def need_query(params: QueryParams, refs: geo_service.ReferenceCodes) -> LibraryQuery:
    # Needs have no TRL range and their own orders: those parameters are not theirs.
    kept = QueryParams([(k, v) for k, v in params.multi_items() if k not in NOT_FOR_NEEDS])
    search = parse_query(kept, refs)
    status = params.get("status", "")
    query = LibraryQuery(search, status if status in NEED_STATUS else None, "/admin/library/needs")
    query.errors = search.errors
    if status and query.status is None:
        query.errors.add("status", N_("Choose a state from the list."))
    return query


NOT_FOR_NEEDS = ("trl_min", "trl_max", "sort")


def project_filters(query: LibraryQuery) -> listing.ProjectFilters:
    s = query.search
    return listing.ProjectFilters(
        q=s.q or None,
        industry=s.industry,
        city=s.city,
        trl_min=s.trl_min,
        trl_max=s.trl_max,
        mode=[TransferMode(m) for m in s.mode],
        status=ProjectStatus(query.status) if query.status else None,
    )


def need_filters(query: LibraryQuery) -> need_listing.NeedFilters:
    s = query.search
    return need_listing.NeedFilters(
        q=s.q or None,
        industry=s.industry,
        city=s.city,
        mode=[TransferMode(m) for m in s.mode],
        status=NeedStatus(query.status) if query.status else None,
    )


def need_title(page: Page, need: NeedPublic) -> tuple[str, str | None]:
    """A need's title in the reader's language, and the language it is written in when that is
    not the page's."""
    if page.language == "en" and need.title_en:
        return need.title_en, None
    if need.title_zh:
        return page.text(need.title_zh), "zh-Hans" if page.language == "en" else None
    return need.title_en or f"#{need.id}", "en"


def _names_and_options(page: Page, db: Session) -> dict[str, Any]:
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    names = listing_names(page, taxonomy, places)
    industries = []
    for node in taxonomy.industries:
        industries.append((node.code, names["industry"][node.code], False))
        industries += [(c.code, names["industry"][c.code], True) for c in node.children]
    return {
        "names": names,
        "industry_options": industries,
        "city_options": [(p.code, names["city"][p.code]) for p in places],
        "mode_options": [(m.value, names["mode"][m.value]) for m in TransferMode],
        "trl_levels": [(n, names["trl"][str(n)]) for n in TRL_LEVELS],
    }


def _last_page(total: int) -> int:
    return max(1, math.ceil(total / PER_PAGE))


def _projects_page(
    page: Page,
    db: Session,
    query: LibraryQuery,
    *,
    status: int | None = None,
    failures: list[tuple[str, str]] | None = None,
    selected: set[int] | None = None,
) -> Response:
    refs = geo_service.reference_codes(db)
    result: ProjectList | None = None
    try:
        result = listing.library(
            db,
            refs,
            project_filters(query),
            sort=ProjectSort(query.search.sort) if query.search.sort else None,
            page=query.search.page,
            per_page=PER_PAGE,
        )
    except InvalidInputError:  # parse_query checks what the listing checks: a safety net
        query.errors.add("q", N_("This search cannot be run: change it and try again."))
    return render(
        page,
        "admin/library.html",
        status=status or (422 if query.errors else 200),
        section="library",
        tab="projects",
        lib=query,
        search=query.search,
        result=result,
        last_page=_last_page(result.total if result else 0),
        statuses=PROJECT_STATUS,
        sorts={k: v for k, v in SORT_NAMES.items() if k != "relevance"},
        actions={k: v[0] for k, v in PROJECT_ACTIONS.items()},
        notice=_notice(page, PROJECT_ACTIONS),
        failures=failures or [],
        selected=selected or set(),
        **_names_and_options(page, db),
    )


def _needs_page(
    page: Page,
    db: Session,
    query: LibraryQuery,
    *,
    status: int | None = None,
    failures: list[tuple[str, str]] | None = None,
    selected: set[int] | None = None,
) -> Response:
    refs = geo_service.reference_codes(db)
    result: NeedList | None = None
    try:
        result = need_listing.library(
            db, refs, need_filters(query), sort=None, page=query.search.page, per_page=PER_PAGE
        )
    except InvalidInputError:
        query.errors.add("q", N_("This search cannot be run: change it and try again."))
    return render(
        page,
        "admin/library.html",
        status=status or (422 if query.errors else 200),
        section="library",
        tab="needs",
        lib=query,
        search=query.search,
        result=result,
        titles={n.id: need_title(page, n) for n in result.items} if result else {},
        last_page=_last_page(result.total if result else 0),
        statuses=NEED_STATUS,
        visibilities=NEED_VISIBILITY,
        sorts={},
        actions={k: v[0] for k, v in NEED_ACTIONS.items()},
        notice=_notice(page, NEED_ACTIONS),
        failures=failures or [],
        selected=selected or set(),
        **_names_and_options(page, db),
    )


def _notice(page: Page, actions: dict[str, tuple[str, str]]) -> str | None:
    params = page.request.query_params
    done, count = params.get("done", ""), params.get("count", "")
    if done not in actions or not (count.isascii() and count.isdigit()) or len(count) > 6:
        return None
    return page.gettext(actions[done][1]) % {"count": page.number(int(count))}


@router.get("/admin/library")
def library(page: SecretariatPage, db: SessionDep) -> Response:
    query = project_query(page.request.query_params, geo_service.reference_codes(db))
    return _projects_page(page, db, query)


@router.get("/admin/library/needs")
def needs(page: SecretariatPage, db: SessionDep) -> Response:
    query = need_query(page.request.query_params, geo_service.reference_codes(db))
    return _needs_page(page, db, query)


# --- bulk actions: all or nothing ---


def _selected(form: Any) -> list[int]:
    ids: list[int] = []
    for value in form.getlist("id")[:SELECT_MAX]:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
            number = int(value)
            if 1 <= number <= 2**31 - 1 and number not in ids:
                ids.append(number)
    return ids


def _back(form: Any) -> QueryParams:
    """The library's query the form was sent from (to go back to it)."""
    return QueryParams(text(form, "back", 2000).lstrip("?"))


def apply_all(
    db: Session,
    ids: list[int],
    change: Callable[[int], None],
    why: Callable[[int, Exception], tuple[str, str]],
) -> list[tuple[str, str]]:
    """``change`` every id inside one savepoint; if any cannot change, none does: the savepoint
    is rolled back and the answer names each refusal (title, reason)."""
    failures: list[tuple[str, str]] = []
    savepoint = db.begin_nested()
    for number in ids:
        try:
            change(number)
        except (ConflictError, NotFoundError, ForbiddenError) as exc:
            failures.append(why(number, exc))
    if failures:
        savepoint.rollback()
    else:
        savepoint.commit()
    return failures


def _done(page: Page, url: str, action: str, count: int) -> Response:
    joiner = "&" if "?" in url else "?"
    response = RedirectResponse(
        f"{url}{joiner}{urlencode({'done': action, 'count': count})}", status_code=303
    )
    remember(page, response)
    return response


@router.post("/admin/library")
def bulk_projects(page: SecretariatPage, db: SessionDep, form: PostedForm) -> Response:
    user = page.user
    assert user is not None
    query = project_query(_back(form), geo_service.reference_codes(db))
    action = text(form, "action", 20)
    ids = _selected(form)
    if action not in PROJECT_ACTIONS or not ids:
        message = (
            N_("Choose what to do with the selected projects.")
            if ids
            else N_("Select at least one project.")
        )
        return _projects_page(page, db, query, status=422, failures=[("", message)])
    before = {n: _project_state(page, db, user, n) for n in ids}

    def change(number: int) -> None:
        if action == "withdraw":
            workflow.withdraw(db, user, number)
        else:
            workflow.republish(db, user, number)

    def why(number: int, exc: Exception) -> tuple[str, str]:
        title, state = before[number]
        if state is None:
            return f"#{number}", page.gettext(N_("There is no such project."))
        shown = page.gettext(PROJECT_STATUS.get(state, state))
        if action == "withdraw" and state == ProjectStatus.published:
            reason = N_("A revision of it awaits review: decide that first.")
            return title, page.gettext(reason)
        reason = (
            N_("It is “%(state)s”: only a published project can be withdrawn.")
            if action == "withdraw"
            else N_("It is “%(state)s”: only a withdrawn project can be republished.")
        )
        return title, page.gettext(reason) % {"state": shown}

    failures = apply_all(db, ids, change, why)
    if failures:
        return _projects_page(page, db, query, status=409, failures=failures, selected=set(ids))
    return _done(page, query.url(page=query.search.page), action, len(ids))


def _project_state(page: Page, db: Session, user: User, number: int) -> tuple[str, str | None]:
    """A project's title in the reader's language, and its state (None: no such project)."""
    try:
        project = workflow.detail(db, number, user)
    except NotFoundError:
        return f"#{number}", None
    titles = (project.title_en, project.title_zh)
    if page.language != "en":
        titles = (project.title_zh, project.title_en)
    return next((t for t in titles if t), f"#{number}"), project.status


@router.post("/admin/library/needs")
def bulk_needs(page: SecretariatPage, db: SessionDep, form: PostedForm) -> Response:
    user = page.user
    assert user is not None
    query = need_query(_back(form), geo_service.reference_codes(db))
    action = text(form, "action", 20)
    ids = _selected(form)
    if action not in NEED_ACTIONS or not ids:
        message = (
            N_("Choose what to do with the selected needs.")
            if ids
            else N_("Select at least one need.")
        )
        return _needs_page(page, db, query, status=422, failures=[("", message)])
    before: dict[int, tuple[str, str | None]] = {}
    for number in ids:
        try:
            need = need_workflow.need_for(db, number, user)
            titles = [need.title_en, need.title_zh] if page.language == "en" else [need.title_zh]
            title = next((t for t in [*titles, need.title_en] if t), f"#{number}")
            before[number] = (title, need.status)
        except NotFoundError:
            before[number] = (f"#{number}", None)

    def change(number: int) -> None:
        if action == "close":
            need_workflow.close_need(db, user, number)
        else:
            need_workflow.reopen_need(db, user, number)

    def why(number: int, exc: Exception) -> tuple[str, str]:
        title, state = before[number]
        if state is None:
            return title, page.gettext(N_("There is no such need."))
        reason = N_("It is closed already.") if action == "close" else N_("It is open already.")
        return title, page.gettext(reason)

    failures = apply_all(db, ids, change, why)
    if failures:
        return _needs_page(page, db, query, status=409, failures=failures, selected=set(ids))
    return _done(page, query.url(page=query.search.page), action, len(ids))
