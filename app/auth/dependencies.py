"""Who is calling: the bearer token's user, required or optional, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.models import Role, User
from app.auth.security import decode_access_token
from app.auth.service import get_user
from app.deps import SessionDep
from app.errors import ForbiddenError, UnauthorizedError

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def optional_user(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User | None:
    """The signed-in user, or None for an anonymous reader; a bad token is a 401, not anonymous."""
    if token is None:
        return None
    claims = decode_access_token(token, request.app.state.settings.secret_key)
    user = get_user(session, claims.user_id) if claims else None
    if user is None:
        raise UnauthorizedError("The access token is invalid or has expired; sign in again")
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise UnauthorizedError("Sign in to do this")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only these roles through (403 for the others)."""
    allowed = {r.value for r in roles}

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise ForbiddenError(
                f"This needs the {' or '.join(sorted(allowed))} role; you are {user.role}"
            )
        return user

    return check


Secretariat = Annotated[User, Depends(require_role(Role.secretariat))]
