"""Rendering a page: the Jinja2 environment, what every page knows about its request (language,
reader, CSRF token) and the response that carries the cookies it needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.auth.models import User
from app.auth.service import get_user
from app.deps import SessionDep
from app.web import display, i18n, session
from app.web.assets import Assets

TEMPLATES_DIR = Path(__file__).parent / "templates"
HTML_CACHE = "private, no-cache"


@pass_context
def _gettext(context: Context, message: str) -> str:
    return context["page"].translations.gettext(message)  # type: ignore[no-any-return]


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return context["page"].translations.ngettext(singular, plural, n)  # type: ignore[no-any-return]


def make_environment(assets: Assets) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["static"] = assets.url
    env.globals["languages"] = i18n.LANGUAGES
    return env


@dataclass
class Page:
    """What every page knows about its request."""

    request: Request
    language: str
    remember_language: bool
    user: User | None
    nonce: str
    new_nonce: bool
    secure: bool
    # False on error pages, which are drawn without the database: no account box then.
    account_known: bool = True
    translations: Any = field(init=False)

    def __post_init__(self) -> None:
        self.translations = i18n.catalogue(self.language)

    @property
    def secret(self) -> str:
        secret: str = self.request.app.state.settings.secret_key
        return secret

    @property
    def csrf(self) -> str:
        return session.csrf_token(self.secret, self.nonce, self.user.id if self.user else None)

    def gettext(self, message: str) -> str:
        text: str = self.translations.gettext(message)
        return text

    def name(self, zh: str, en: str, zh_hant: str | None = None) -> str:
        return i18n.localised(self.language, zh, en, zh_hant)

    def text(self, value: str) -> str:
        """Content written in Chinese, in the reader's script."""
        return i18n.for_reader(self.language, value)

    def shown(
        self,
        item: display.Bilingual,
        field: str,
        highlight: dict[str, str] | None = None,
        limit: int | None = None,
    ) -> display.Shown:
        """A listing's title or summary in the reader's script (see ``display.shown``)."""
        return display.shown(self.language, item, field, highlight, limit)

    def marked(self, value: str) -> Markup:
        """A highlight (escaped text with ``<mark>``) made safe, in the reader's script."""
        return display.marked(value, i18n.hant if self.language == "zh-Hant" else str)

    def absolute(self, path: str) -> str:
        """The public address of a path on this site (``settings.public_url``)."""
        base: str = self.request.app.state.settings.public_url
        return f"{base}{path}"

    def day(self, value: dt.date | dt.datetime) -> str:
        return i18n.format_day(self.language, value)

    def moment(self, value: dt.datetime) -> str:
        return i18n.format_moment(self.language, value)

    def number(self, value: float) -> str:
        return i18n.format_number(self.language, value)

    @property
    def switch(self) -> dict[str, str]:
        return dict(i18n.switch_links(self.request))


def page_for(request: Request, user: User | None, *, account_known: bool = True) -> Page:
    negotiated = i18n.negotiate(request)
    nonce = session.csrf_nonce(request)
    settings = request.app.state.settings
    return Page(
        request=request,
        language=negotiated.language,
        remember_language=negotiated.remember,
        user=user,
        nonce=nonce or session.new_nonce(),
        new_nonce=nonce is None,
        secure=settings.production,
        account_known=account_known,
    )


def signed_in_user(request: Request, db: SessionDep) -> User | None:
    """The reader the session cookie names, while the cookie is valid and the account active."""
    cookie = request.cookies.get(session.SESSION_COOKIE)
    if not cookie:
        return None
    secret = request.app.state.settings.secret_key
    data = session.decode_session(secret, cookie)
    user = get_user(db, data.user_id) if data else None
    if user is None or data is None:
        return None
    if session.password_fingerprint(secret, user.password_hash) != data.fingerprint:
        return None
    return user


def web_page(request: Request, user: Annotated[User | None, Depends(signed_in_user)]) -> Page:
    return page_for(request, user)


PageDep = Annotated[Page, Depends(web_page)]


def render(
    page: Page,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    env: Environment = page.request.app.state.web_templates
    html = env.get_template(template).render(page=page, _page_template=template, **context)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers.setdefault("Cache-Control", HTML_CACHE)
    response.headers["Vary"] = "Accept-Language, Cookie"
    remember(page, response)
    return response


def remember(page: Page, response: HTMLResponse | Any) -> None:
    """The cookies a page's answer sets: the language asked for, a CSRF nonce when new."""
    if page.remember_language:
        response.set_cookie(
            i18n.LANG_COOKIE,
            page.language,
            max_age=i18n.LANG_COOKIE_MAX_AGE,
            samesite="lax",
            secure=page.secure,
            httponly=True,
            path="/",
        )
    if page.new_nonce:
        session.set_csrf_nonce(response, page.nonce, secure=page.secure)
