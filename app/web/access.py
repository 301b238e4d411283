"""Who may open a page: dependencies for pages that need a signed-in reader, or one of some
roles. Nobody signed in → a redirect to ``/login?next=<this page>`` (after signing in the reader
comes back); signed in with another role → the site's 403 page, the same refusal the API gives.

    @router.get("/me")
    def me(page: SignedInPage, ...): ...            # any signed-in reader

    @router.get("/admin")
    def admin(page: SecretariatPage, ...): ...      # the secretariat only

``page.user`` is never None on these pages.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.auth.models import Role
from app.errors import ForbiddenError
from app.web.pages import Page, PageDep, remember


class SignInRequiredError(Exception):
    """Raised by the dependencies below; answered by a redirect to the sign-in page."""

    def __init__(self, page: Page) -> None:
        super().__init__("sign in required")
        self.page = page


def next_path(request: Request) -> str:
    """This page's path and query, for ``/login?next=``."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    response = RedirectResponse(f"/login?next={quote(next_path(request), safe='')}", 303)
    remember(exc.page, response)
    return response


def require_signed_in(page: PageDep) -> Page:
    if page.user is None:
        raise SignInRequiredError(page)
    return page


def _require(*roles: Role) -> object:
    def dependency(page: PageDep) -> Page:
        if page.user is None:
            raise SignInRequiredError(page)
        if page.user.role not in roles:
            raise ForbiddenError("This page is for another kind of account")
        return page

    return Depends(dependency)


SignedInPage = Annotated[Page, Depends(require_signed_in)]
EnterprisePage = Annotated[Page, _require(Role.enterprise)]
ResearcherPage = Annotated[Page, _require(Role.researcher)]
SecretariatPage = Annotated[Page, _require(Role.secretariat)]
