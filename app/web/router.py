"""The site's pages so far: home, sign in, register, sign out.

Pages call the services directly (never the JSON API over HTTP), with the request's database
session; every POST checks its CSRF token first and answers with a redirect (post/redirect/get)
or the form again with its errors.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.auth import schemas as auth_schemas
from app.auth import service as auth_service
from app.auth.security import LoginThrottle
from app.catalog import listing as catalog_listing
from app.catalog.dependencies import ProjectRendersDep
from app.deps import SessionDep, reads_only
from app.errors import InvalidInputError
from app.geo import service as geo_service
from app.roadshows import lineup as lineup_service
from app.roadshows import schemas as roadshow_schemas
from app.roadshows import service as roadshow_service
from app.roadshows.models import RoadshowStatus
from app.web import session
from app.web.cards import cards
from app.web.forms import FormErrors, PostedForm, blank_to_none, text
from app.web.i18n import N_
from app.web.pages import Page, PageDep, remember, render
from app.web.projects import listing_names

router = APIRouter(include_in_schema=False)

HOME_CARDS = 6  # projects in each of the home page's two rows

REGISTER_FIELDS = ("role", "full_name", "organization", "city", "email", "password", "invitation")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def redirect(page: Page, url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


@router.get("/")
def home(page: PageDep, db: SessionDep, renders: ProjectRendersDep) -> Response:
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    upcoming = roadshow_service.list_roadshows(
        db,
        None,
        geo_service.reference_codes(db),
        status=RoadshowStatus.published,
        city=None,
        industry=None,
        when=roadshow_schemas.When.upcoming,
        page=1,
        per_page=1,
    ).items
    roadshow = upcoming[0] if upcoming else None
    # Featured: what the secretariat put on stage at the next public roadshow, in its order.
    lineup = lineup_service.visible_slots(
        db, lineup_service.slots_of(db, roadshow.id) if roadshow else [], None
    )
    featured = catalog_listing.in_order(db, renders, [s.project_id for s in lineup])[:HOME_CARDS]
    shown = {p.id for p in featured}
    recent = [
        p
        for p in catalog_listing.recently_published(db, renders, HOME_CARDS + len(shown))
        if p.id not in shown
    ][:HOME_CARDS]
    names = listing_names(page, taxonomy, places)
    return render(
        page,
        "home.html",
        industries=taxonomy.industries,
        cities=[c for c in places if c.kind == "city"],
        zones=[c for c in places if c.kind == "zone"],
        place_names={p.code: p for p in places},
        roadshow=roadshow,
        featured=cards(page, featured, names, brief=True),
        recent=cards(page, recent, names, brief=True),
    )


@router.get("/login")
def login_form(page: PageDep, next: str | None = None, registered: bool = False) -> Response:
    if page.user is not None:
        return redirect(page, safe_next(next))
    return render(page, "login.html", next=safe_next(next), email="", registered=registered)


@router.post("/login")
@reads_only
def login(request: Request, page: PageDep, db: SessionDep, form: PostedForm) -> Response:
    email, password = text(form, "email", 254).strip(), text(form, "password", 128)
    target = safe_next(text(form, "next"))
    errors = FormErrors()
    if not email:
        errors.add("email", N_("Enter your e-mail address."))
    if not password:
        errors.add("password", N_("Enter your password."))
    if errors:
        return render(page, "login.html", status=422, next=target, email=email, errors=errors)
    # The API's throttle, by the same (account, address) and address rules.
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait, attempt = throttle.begin(email, address)
    if wait:
        return render(
            page,
            "login.html",
            status=429,
            headers={"Retry-After": str(wait)},
            next=target,
            email=email,
            retry_after=wait,
        )
    user = auth_service.authenticate(db, email, password)
    if user is None:  # the attempt stays counted as a failure
        return render(page, "login.html", status=401, next=target, email=email, wrong=True)
    throttle.succeeded(email, address, attempt)
    secret = page.secret
    response = redirect(page, target)
    session.set_session(
        response, session.encode_session(secret, user.id, user.password_hash), secure=page.secure
    )
    # A new nonce on signing in: no token from before (or planted) survives it.
    session.set_csrf_nonce(response, session.new_nonce(), secure=page.secure)
    return response


@router.post("/logout")
def logout(page: PageDep, form: PostedForm) -> Response:
    response = redirect(page, "/")
    session.clear_session(response, secure=page.secure)
    session.set_csrf_nonce(response, session.new_nonce(), secure=page.secure)
    return response


def _register_page(
    page: Page, db: SessionDep, values: dict[str, str], errors: FormErrors, status: int = 200
) -> Response:
    places = geo_service.list_cities(db).items
    return render(page, "register.html", status=status, values=values, errors=errors, places=places)


@router.get("/register")
def register_form(page: PageDep, db: SessionDep, invitation: str | None = None) -> Response:
    values = dict.fromkeys(REGISTER_FIELDS, "")
    values["invitation"] = (invitation or "")[:100]
    return _register_page(page, db, values, FormErrors())


@router.post("/register")
def register(page: PageDep, db: SessionDep, form: PostedForm) -> Response:
    values = {name: text(form, name, 300) for name in REGISTER_FIELDS}
    values["email"] = values["email"].strip()
    if values["invitation"]:
        values["role"] = values["organization"] = ""  # the invitation decides both
    try:
        body = auth_schemas.RegisterRequest.model_validate(blank_to_none(values))
    except ValidationError as error:
        return _register_page(page, db, values, FormErrors.from_validation(error), 422)
    try:
        auth_service.register(db, body, geo_service.reference_codes(db).cities)
    except InvalidInputError as error:
        return _register_page(page, db, values, FormErrors.from_service(error.errors), 422)
    # The same answer whether or not the e-mail had an account.
    return redirect(page, "/login?registered=1")


@router.get("/favicon.ico")
def favicon(request: Request) -> Response:
    url: str = request.app.state.web_assets.url("favicon.svg")
    return RedirectResponse(url, status_code=301)
