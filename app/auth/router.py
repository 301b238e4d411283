"""HTTP routes for accounts: token, registration, the current user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import organizations, schemas, service
from app.auth.dependencies import CurrentUser, Secretariat
from app.auth.security import TOKEN_MINUTES, LoginThrottle, create_access_token
from app.deps import SessionDep, reads_only
from app.errors import Problem, TooManyRequestsError, UnauthorizedError
from app.geo.service import reference_codes

router = APIRouter(tags=["accounts"])

OrgId = Annotated[int, Path(gt=0, lt=2**31)]

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Wrong e-mail or password"},
    429: {"model": Problem, "description": "Too many failed logins; see Retry-After"},
}


@router.post("/auth/token", response_model=schemas.Token, responses=PROBLEMS)
@reads_only
def token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> schemas.Token:
    """OAuth2 password flow: form fields ``username`` (the e-mail) and ``password``."""
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait, attempt = throttle.begin(form.username, address)
    if wait:
        raise TooManyRequestsError("Too many failed logins; try again later", retry_after=wait)
    user = service.authenticate(session, form.username, form.password)
    if user is None:
        # The same answer whether the account exists or not; the attempt stays counted.
        raise UnauthorizedError("Wrong e-mail or password")
    throttle.succeeded(form.username, address, attempt)
    secret = request.app.state.settings.secret_key
    return schemas.Token(
        access_token=create_access_token(user.id, user.role, secret),
        expires_in=TOKEN_MINUTES * 60,
    )


@router.post(
    "/auth/register",
    response_model=schemas.RegistrationAccepted,
    status_code=202,
    responses={422: {"model": Problem, "description": "A field is invalid"}},
)
def register(session: SessionDep, body: schemas.RegisterRequest) -> schemas.RegistrationAccepted:
    """Enterprises and researchers register themselves; then sign in at ``/auth/token``.

    Without ``invitation`` the account founds a new organisation; with a member's invitation it
    joins theirs. The answer is the same whether or not the e-mail already had an account.
    """
    service.register(session, body, reference_codes(session).cities)
    return schemas.RegistrationAccepted(
        detail="Registration received. If this e-mail had no account, it has one now: sign in "
        "with it. If it had one already, nothing was changed: sign in with your password."
    )


@router.get(
    "/me",
    response_model=schemas.UserPublic,
    responses={401: {"model": Problem, "description": "Not signed in"}},
)
def me(user: CurrentUser) -> schemas.UserPublic:
    """The signed-in user, their role and their organisation."""
    return service.to_public(user)


ORG_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: PROBLEMS[401],
    404: {"model": Problem, "description": "Not an organisation you belong to"},
    409: {"model": Problem, "description": "Not possible for this organisation"},
}


@router.post(
    "/organizations/{org_id}/invitations",
    response_model=schemas.InvitationCreated,
    status_code=201,
    responses=ORG_PROBLEMS,
)
def invite(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    org_id: OrgId,
    body: schemas.InvitationCreate,
) -> schemas.InvitationCreated:
    """A member (or the secretariat) invites someone to join: a single-use token valid for a
    week, shown once. The invitee registers with it."""
    public_url = request.app.state.settings.public_url
    return organizations.invite(session, user, org_id, body, public_url)


@router.get(
    "/organizations/{org_id}/invitations",
    response_model=schemas.InvitationList,
    responses=ORG_PROBLEMS,
)
def invitations(session: SessionDep, user: CurrentUser, org_id: OrgId) -> schemas.InvitationList:
    """The organisation's invitations and whether each is pending, used, expired or revoked."""
    return organizations.invitations(session, user, org_id)


@router.delete(
    "/organizations/{org_id}/invitations/{invitation_id}",
    status_code=204,
    responses=ORG_PROBLEMS,
)
def revoke_invitation(
    session: SessionDep, user: CurrentUser, org_id: OrgId, invitation_id: OrgId
) -> None:
    """Withdraw a pending invitation (a used one stays used)."""
    organizations.revoke(session, user, org_id, invitation_id)


@router.get(
    "/organizations/{org_id}/members", response_model=schemas.MemberList, responses=ORG_PROBLEMS
)
def members(session: SessionDep, user: CurrentUser, org_id: OrgId) -> schemas.MemberList:
    """The organisation's accounts, for its members and the secretariat."""
    return organizations.members(session, user, org_id)


@router.post(
    "/organizations/{org_id}/members", response_model=schemas.MemberList, responses=ORG_PROBLEMS
)
def add_member(
    session: SessionDep, user: Secretariat, org_id: OrgId, body: schemas.MemberAdd
) -> schemas.MemberList:
    """The secretariat moves an existing account into this organisation."""
    return organizations.add_member(session, user, org_id, body.user_id)


@router.post(
    "/organizations/{org_id}/merge", response_model=schemas.MemberList, responses=ORG_PROBLEMS
)
def merge(
    session: SessionDep, user: Secretariat, org_id: OrgId, body: schemas.OrganizationMerge
) -> schemas.MemberList:
    """The secretariat merges a duplicate organisation into this one: its accounts, needs,
    leads and invitations move here, and the duplicate is removed."""
    return organizations.merge(session, user, org_id, body.duplicate_id)
