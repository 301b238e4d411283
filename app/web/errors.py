"""Error pages in the site's style and language, for browsers off ``/api``.

The API's handlers stay as they are and answer first: for ``/api`` paths, and for clients that
do not ask for HTML, their problem details go out unchanged. Otherwise the page shows the status
the API's handler chose (and keeps its ``Retry-After``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import WebSocketRequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.web.forms import CsrfRefusedError
from app.web.i18n import N_
from app.web.pages import page_for, render

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

MESSAGES: dict[int, tuple[str, str]] = {
    403: (N_("Not allowed"), N_("You may not see this page.")),
    404: (
        N_("Page not found"),
        N_("There is no page at this address. It may have moved, or the link may be mistyped."),
    ),
    405: (N_("Not allowed"), N_("This page cannot be used that way.")),
    429: (N_("Too many requests"), N_("Please wait a moment and try again.")),
    503: (N_("Busy"), N_("Ketao is busy for a moment. Please try again shortly.")),
}
GENERIC = (N_("Something went wrong"), N_("Something went wrong on our side; it has been logged."))
CSRF = (
    N_("This form has expired"),
    N_(
        "The form was not accepted: it is too old, or it was not sent from this site. "
        "Go back, reload the page and send it again."
    ),
)


def wants_page(request: Request) -> bool:
    """A browser reading the site: not an API path, and HTML among what it accepts."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    page = page_for(request, None, account_known=False)
    title, message = MESSAGES.get(status, GENERIC if status >= 500 else (N_("Error"), ""))
    return render(
        page,
        "error.html",
        status=status,
        headers=headers,
        code=status,
        title=title,
        message=message,
    )


def _page_or_problem(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        answer = api_handler(request, exc)
        response = await answer if isinstance(answer, Awaitable) else answer
        if not wants_page(request):
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
        return error_page(request, response.status_code, headers)

    return handle


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    page = page_for(request, None, account_known=False)
    title, message = CSRF
    return render(page, "error.html", status=403, code=403, title=title, message=message)


def install_error_pages(app: FastAPI) -> None:
    """Wrap every handler ``install_error_handlers`` put in place (call it after that)."""
    handlers: dict[Any, Handler] = dict(app.exception_handlers)
    for key, handler in handlers.items():
        if key is WebSocketRequestValidationError:
            continue
        app.add_exception_handler(key, _page_or_problem(handler))
    app.add_exception_handler(CsrfRefusedError, _csrf_refused)
