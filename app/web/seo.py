"""What search engines read: ``robots.txt`` and the sitemaps.

``/sitemap.xml`` is a sitemap index (sitemaps.org): one sitemap of the site's own pages (home,
the lists, the 15 cities and zones, the public roadshows) and the published projects and the
public open needs in files of ``CHUNK`` each, so that no file comes near the protocol's 50,000
addresses or 50 MB even with a library of 100,000 projects. Every page is listed in its three
languages (``?lang=zh-Hans|zh-Hant|en``, the addresses the pages' own ``hreflang`` links give),
each entry naming the other two as ``xhtml:link`` alternates, with ``lastmod`` from the row's
``updated_at``. Visibility is the domain's own rule (``visible_to_public``): a draft, a private
or closed need never appears. Addresses are absolute under ``KETAO_PUBLIC_URL``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog.models import Project
from app.catalog.records import visible_to_public as project_is_public
from app.deps import SessionDep
from app.errors import NotFoundError
from app.geo import service as geo_service
from app.needs.models import Need
from app.needs.records import visible_to_public as need_is_public
from app.roadshows.models import Roadshow
from app.roadshows.service import PUBLIC as PUBLIC_ROADSHOWS
from app.web.i18n import LANGUAGES

router = APIRouter(include_in_schema=False)

CHUNK = 5_000  # rows a sitemap file lists (× 3 languages = 15,000 addresses)
XML = "application/xml; charset=utf-8"
CACHE = "public, max-age=3600"
PRIVATE_PATHS = ("/api/", "/me", "/admin", "/login", "/register", "/logout")

Entry = tuple[str, dt.datetime | None]  # a path, when it last changed


def _base(request: Request) -> str:
    base: str = request.app.state.settings.public_url
    return base


def _lastmod(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(base: str, path: str, tag: str) -> str:
    return f"{base}{path}{'&' if '?' in path else '?'}lang={tag}"


def _urlset(base: str, entries: Iterable[Entry]) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    for path, changed in entries:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{tag}" '
            f'href="{escape(_address(base, path, tag))}"/>'
            for tag in LANGUAGES
        )
        lastmod = f"<lastmod>{_lastmod(changed)}</lastmod>" if changed else ""
        for tag in LANGUAGES:
            loc = escape(_address(base, path, tag))
            yield f"<url><loc>{loc}</loc>{lastmod}{alternates}</url>\n"
    yield "</urlset>\n"


def _files(session: Session) -> list[str]:
    """The sitemap files: the site's pages, then the projects and needs in chunks."""
    projects = session.scalar(select(func.count()).select_from(Project).where(project_is_public()))
    needs = session.scalar(select(func.count()).select_from(Need).where(need_is_public()))
    files = ["pages"]
    files += [f"projects-{n}" for n in range(1, max(1, math.ceil((projects or 0) / CHUNK)) + 1)]
    files += [f"needs-{n}" for n in range(1, max(1, math.ceil((needs or 0) / CHUNK)) + 1)]
    return files


def _pages(session: Session) -> list[Entry]:
    entries: list[Entry] = [("/", None), ("/projects", None), ("/needs", None)]
    entries.append(("/roadshows", None))
    entries.append(("/roadshows?when=past", None))
    entries += [(f"/cities/{c.code}", None) for c in geo_service.list_cities(session).items]
    rows = session.execute(
        select(Roadshow.id, Roadshow.updated_at)
        .where(Roadshow.status.in_(PUBLIC_ROADSHOWS))
        .order_by(Roadshow.id)
    )
    entries += [(f"/roadshows/{row.id}", row.updated_at) for row in rows]
    return entries


def _chunk(session: Session, model: Any, condition: Any, prefix: str, number: int) -> list[Entry]:
    rows = session.execute(
        select(model.id, model.updated_at)
        .where(condition)
        .order_by(model.id)
        .offset((number - 1) * CHUNK)
        .limit(CHUNK)
    ).all()
    if not rows and number > 1:
        raise NotFoundError("No such sitemap")
    return [(f"/{prefix}/{row.id}", row.updated_at) for row in rows]


def _small_number(text: str) -> bool:
    """1 to 999,999 in ASCII digits (no ² or a 5,000-digit number)."""
    return text.isascii() and text.isdigit() and len(text) <= 6 and int(text) > 0


@router.get("/sitemap.xml")
def sitemap_index(request: Request, db: SessionDep) -> Response:
    base = _base(request)
    body = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    body.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    for name in _files(db):
        body.append(f"<sitemap><loc>{escape(base)}/sitemaps/{name}.xml</loc></sitemap>\n")
    body.append("</sitemapindex>\n")
    return Response("".join(body), media_type=XML, headers={"Cache-Control": CACHE})


@router.get("/sitemaps/{name}.xml")
def sitemap(request: Request, db: SessionDep, name: str) -> Response:
    kind, _, number = name.partition("-")
    if kind == "pages" and not number:
        entries = _pages(db)
    elif kind in ("projects", "needs") and _small_number(number):
        model, condition = (
            (Project, project_is_public()) if kind == "projects" else (Need, need_is_public())
        )
        entries = _chunk(db, model, condition, kind, int(number))
    else:
        raise NotFoundError("No such sitemap")
    body = "".join(_urlset(_base(request), entries))
    return Response(body, media_type=XML, headers={"Cache-Control": CACHE})


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    """Everything public may be crawled; accounts, workspaces, forms and the API may not."""
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in PRIVATE_PATHS), "Allow: /", ""]
    lines.append(f"Sitemap: {_base(request)}/sitemap.xml")
    return PlainTextResponse("\n".join(lines) + "\n", headers={"Cache-Control": CACHE})
