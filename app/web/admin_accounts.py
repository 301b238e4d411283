"""The secretariat's accounts and organisations: ``/admin/accounts`` (search by name or e-mail,
filter by role, disable or enable, change a role) and ``/admin/organizations`` (search, likely
duplicates to merge, one organisation with its members: add a member by e-mail, merge another
into it). On ``app.auth.service`` and ``app.auth.organizations``, as the API's organisation
endpoints; the secretariat never disables or demotes its own account.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.auth import organizations as org_service
from app.auth import service as auth_service
from app.auth.models import OrganizationKind, Role
from app.deps import SessionDep
from app.errors import ConflictError, NotFoundError
from app.geo import service as geo_service
from app.web.access import SecretariatPage
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
MAX_PAGE = 10_000
Q_MAX = 200
ROLE_NAMES: dict[str, str] = {
    "enterprise": N_("Enterprise"),
    "researcher": N_("Researcher"),
    "secretariat": N_("Secretariat"),
}
KIND_NAMES: dict[str, str] = {
    "enterprise": N_("Enterprise"),
    "research": N_("Research institution"),
    "government": N_("Government"),
    "secretariat": N_("Secretariat"),
}
DONE: dict[str, str] = {
    "disabled": N_("The account was disabled: it can no longer sign in."),
    "enabled": N_("The account was enabled: it can sign in again."),
    "role": N_("The account's role was changed."),
    "member": N_("The account was added to this organisation."),
    "merged": N_("The organisations were merged: the members, needs and leads moved here."),
}


def _id(value: str) -> int | None:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    return number if 1 <= number <= 2**31 - 1 else None


def _page_number(raw: str, errors: FormErrors) -> int:
    if not raw:
        return 1
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= number <= MAX_PAGE:
        errors.add("page", N_("There is no such page of results."))
        return 1
    return number


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers to link: the first, the last, two either side of the current; None: a gap."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def _redirect(page: Page, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


def _back_query(form: Any, keys: tuple[str, ...]) -> str:
    """The list's query the form came from (only its own keys), to go back to it."""
    pairs = [(k, text(form, f"back_{k}", Q_MAX)) for k in keys]
    return urlencode([(k, v) for k, v in pairs if v])


def _place_names(db: Session, page: Page) -> dict[str, str]:
    return {
        c.code: page.name(c.name_zh, c.name_en, c.name_zh_hant)
        for c in geo_service.list_cities(db).items
    }


# Accounts


def _accounts_page(
    page: Page, db: Session, *, status: int = 200, notice: str | None = None
) -> Response:
    params = page.request.query_params
    errors = FormErrors()
    q = params.get("q", "").strip()
    if len(q) > Q_MAX:
        errors.add("q", N_("Search for at most 200 characters."))
        q = q[:Q_MAX]
    role_raw = params.get("role", "")
    role = Role(role_raw) if role_raw in ROLE_NAMES else None
    if role_raw and role is None:
        errors.add("role", N_("Choose a role from the list."))
    number = _page_number(params.get("page", ""), errors)
    users, total = auth_service.list_accounts(db, q, role, number, PER_PAGE)
    last = max(1, math.ceil(total / PER_PAGE))
    base = [(k, v) for k, v in (("q", q), ("role", role.value if role else "")) if v]
    done = params.get("done", "")
    return render(
        page,
        "admin/accounts.html",
        status=422 if errors and status == 200 else status,
        section="accounts",
        q=q,
        role=role.value if role else "",
        errors=errors,
        users=users,
        total=total,
        current=number,
        page_numbers=_pages(min(number, last), last),
        page_url=lambda n: "/admin/accounts?" + urlencode([*base, ("page", str(n))]),
        back=dict(base + ([("page", str(number))] if number > 1 else [])),
        role_names=ROLE_NAMES,
        notice=notice,
        done=DONE.get(done),
        done_id=_id(params.get("account", "")),
    )


@router.get("/admin/accounts")
def accounts(page: SecretariatPage, db: SessionDep) -> Response:
    return _accounts_page(page, db)


def _account_action(page: Page, db: Session, form: Any, account_id: str, action: str) -> Response:
    number = _id(account_id)
    if number is None:
        raise NotFoundError("No such account")
    assert page.user is not None
    done = ""
    try:
        if action == "active":
            wanted = text(form, "active") == "1"
            auth_service.set_active(db, page.user, number, wanted)
            done = "enabled" if wanted else "disabled"
        else:
            role_raw = text(form, "role")
            if role_raw not in ROLE_NAMES:
                return _accounts_page(
                    page, db, status=422, notice=page.gettext(N_("Choose a role from the list."))
                )
            auth_service.change_role(db, page.user, number, Role(role_raw))
            done = "role"
    except ConflictError:
        message = (
            N_("You cannot disable your own account: ask another member of the secretariat.")
            if action == "active"
            else N_("You cannot change your own role: ask another member of the secretariat.")
        )
        return _accounts_page(page, db, status=409, notice=page.gettext(message))
    back = _back_query(form, ("q", "role", "page"))
    query = "&".join(p for p in (back, f"done={done}&account={number}") if p)
    return _redirect(page, f"/admin/accounts?{query}#account-{number}")


@router.post("/admin/accounts/{account_id}/active")
def account_active(
    page: SecretariatPage, db: SessionDep, form: PostedForm, account_id: str
) -> Response:
    return _account_action(page, db, form, account_id, "active")


@router.post("/admin/accounts/{account_id}/role")
def account_role(
    page: SecretariatPage, db: SessionDep, form: PostedForm, account_id: str
) -> Response:
    return _account_action(page, db, form, account_id, "role")


# Organisations


def _organizations_page(
    page: Page,
    db: Session,
    *,
    status: int = 200,
    notice: str | None = None,
    merge_keep: int | None = None,
) -> Response:
    params = page.request.query_params
    errors = FormErrors()
    q = params.get("q", "").strip()
    if len(q) > Q_MAX:
        errors.add("q", N_("Search for at most 200 characters."))
        q = q[:Q_MAX]
    kind_raw = params.get("kind", "")
    kind = OrganizationKind(kind_raw) if kind_raw in KIND_NAMES else None
    if kind_raw and kind is None:
        errors.add("kind", N_("Choose a kind from the list."))
    number = _page_number(params.get("page", ""), errors)
    rows, total = auth_service.list_organizations(db, q, kind, number, PER_PAGE)
    last = max(1, math.ceil(total / PER_PAGE))
    base = [(k, v) for k, v in (("q", q), ("kind", kind.value if kind else "")) if v]
    return render(
        page,
        "admin/organizations.html",
        status=422 if errors and status == 200 else status,
        section="accounts",
        q=q,
        kind=kind.value if kind else "",
        errors=errors,
        rows=rows,
        total=total,
        current=number,
        page_numbers=_pages(min(number, last), last),
        page_url=lambda n: "/admin/organizations?" + urlencode([*base, ("page", str(n))]),
        duplicates=auth_service.duplicate_organizations(db),
        kind_names=KIND_NAMES,
        places=_place_names(db, page),
        notice=notice,
        merge_keep=merge_keep,
        done=DONE.get(params.get("done", "")),
    )


@router.get("/admin/organizations")
def organizations(page: SecretariatPage, db: SessionDep) -> Response:
    return _organizations_page(page, db)


def _organization_page(
    page: Page,
    db: Session,
    org_id: int,
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    assert page.user is not None
    found = org_service.members(db, page.user, org_id)
    return render(
        page,
        "admin/organization.html",
        status=status,
        section="accounts",
        org=found.organization,
        members=found.items,
        errors=errors or FormErrors(),
        values=values or {},
        notice=notice,
        kind_names=KIND_NAMES,
        role_names=ROLE_NAMES,
        places=_place_names(db, page),
        done=DONE.get(page.request.query_params.get("done", "")),
    )


def _org_id(value: str) -> int:
    number = _id(value)
    if number is None:
        raise NotFoundError("No such organisation")
    return number


@router.get("/admin/organizations/{org_id}")
def organization(page: SecretariatPage, db: SessionDep, org_id: str) -> Response:
    return _organization_page(page, db, _org_id(org_id))


@router.post("/admin/organizations/{org_id}/members")
def add_member(page: SecretariatPage, db: SessionDep, form: PostedForm, org_id: str) -> Response:
    number = _org_id(org_id)
    assert page.user is not None
    org_service.members(db, page.user, number)  # a 404 page for an unknown organisation
    email = text(form, "email", 254).strip()
    errors = FormErrors()
    account = auth_service.user_by_email(db, email) if email else None
    if account is None:
        errors.add("email", N_("There is no account with this e-mail address."))
        return _organization_page(
            page, db, number, status=404 if email else 422, errors=errors, values={"email": email}
        )
    try:
        org_service.add_member(db, page.user, number, account.id)
    except ConflictError:
        errors.add(
            "email",
            N_(
                "This account's role does not fit this kind of organisation: change its role first."
            ),
        )
        return _organization_page(
            page, db, number, status=409, errors=errors, values={"email": email}
        )
    return _redirect(page, f"/admin/organizations/{number}?done=member#members")


@router.post("/admin/organizations/{org_id}/merge")
def merge(page: SecretariatPage, db: SessionDep, form: PostedForm, org_id: str) -> Response:
    """Merge duplicates into the one kept: ``keep`` (the choice among a group, or this page's
    organisation) and every ``duplicate`` named. One refusal undoes them all."""
    assert page.user is not None
    keep = _id(text(form, "keep")) or _org_id(org_id)
    duplicates = [d for d in (_id(v) for v in form.getlist("duplicate") if isinstance(v, str)) if d]
    duplicates = [d for d in dict.fromkeys(duplicates) if d != keep]
    from_list = text(form, "back") == "list"
    if not duplicates:
        message = page.gettext(N_("Choose the organisation to merge into the one kept."))
        if from_list:
            return _organizations_page(page, db, status=422, notice=message)
        errors = FormErrors()
        errors.add("duplicate", N_("Enter the number of the duplicate organisation."))
        return _organization_page(page, db, keep, status=422, errors=errors)
    try:
        with db.begin_nested():
            for duplicate in duplicates:
                org_service.merge(db, page.user, keep, duplicate)
    except (ConflictError, NotFoundError) as exc:
        clash = isinstance(exc, ConflictError)
        message = page.gettext(
            N_(
                "These organisations cannot be merged: both hold the same thing (an open lead on "
                "one project, an invitation to one roadshow), or they are of different kinds. "
                "Nothing was changed."
            )
            if clash
            else N_("There is no such organisation to merge. Nothing was changed.")
        )
        status = 409 if clash else 404
        if from_list:
            return _organizations_page(page, db, status=status, notice=message)
        return _organization_page(page, db, keep, status=status, notice=message)
    return _redirect(page, f"/admin/organizations/{keep}?done=merged#members")
