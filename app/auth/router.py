"""HTTP routes for accounts: token, registration, the current user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.auth import schemas, service
from app.auth.dependencies import CurrentUser
from app.auth.security import TOKEN_MINUTES, LoginThrottle, create_access_token
from app.catalog import workflow
from app.catalog.schemas import ProjectPublic
from app.deps import SessionDep
from app.errors import Problem, TooManyRequestsError, UnauthorizedError
from app.geo.service import reference_codes
from app.needs import service as needs_service
from app.needs.schemas import NeedPublic

router = APIRouter(tags=["accounts"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Wrong e-mail or password"},
    429: {"model": Problem, "description": "Too many failed logins; see Retry-After"},
}


@router.post("/auth/token", response_model=schemas.Token, responses=PROBLEMS)
def token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> schemas.Token:
    """OAuth2 password flow: form fields ``username`` (the e-mail) and ``password``."""
    throttle: LoginThrottle = request.app.state.login_throttle
    account = f"account:{form.username.strip().lower()}"
    address = f"address:{request.client.host if request.client else 'unknown'}"
    wait = throttle.retry_after([account, address])
    if wait:
        raise TooManyRequestsError("Too many failed logins; try again later", retry_after=wait)
    user = service.authenticate(session, form.username, form.password)
    if user is None:
        throttle.failed([account, address])
        # The same answer whether the account exists or not.
        raise UnauthorizedError("Wrong e-mail or password")
    throttle.succeeded(account)
    secret = request.app.state.settings.secret_key
    return schemas.Token(
        access_token=create_access_token(user.id, user.role, secret),
        expires_in=TOKEN_MINUTES * 60,
    )


@router.post(
    "/auth/register",
    response_model=schemas.UserPublic,
    status_code=201,
    responses={409: {"model": Problem, "description": "The e-mail is taken"}},
)
def register(session: SessionDep, body: schemas.RegisterRequest) -> schemas.UserPublic:
    """Enterprises and researchers register themselves; then sign in at ``/auth/token``."""
    return service.register(session, body, reference_codes(session).cities)


@router.get(
    "/me",
    response_model=schemas.UserPublic,
    responses={401: {"model": Problem, "description": "Not signed in"}},
)
def me(user: CurrentUser) -> schemas.UserPublic:
    """The signed-in user, their role and their organisation."""
    return service.to_public(user)


class MyProjects(BaseModel):
    items: list[ProjectPublic]


class MyNeeds(BaseModel):
    items: list[NeedPublic]


@router.get("/me/projects", response_model=MyProjects, responses={401: PROBLEMS[401]})
def my_projects(session: SessionDep, user: CurrentUser) -> MyProjects:
    """The projects the signed-in user owns, drafts and submissions included."""
    return MyProjects(items=workflow.my_projects(session, user))


@router.get("/me/needs", response_model=MyNeeds, responses={401: PROBLEMS[401]})
def my_needs(session: SessionDep, user: CurrentUser) -> MyNeeds:
    """The needs of the signed-in user's organisation (or posted by them), private and closed
    ones included."""
    return MyNeeds(items=needs_service.my_needs(session, user))
