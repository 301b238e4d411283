"""What search engines read: robots.txt and the sitemaps — every public page in three languages
with its alternates, nothing private, files split so none grows past the protocol's limits."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.web import seo
from tests.factories import make_need, make_project

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer, not untrusted input


def _locs(client: TestClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("application/xml")
    return [e.text or "" for e in _xml(response.content).iterfind(".//s:loc", NS)]


def _all_pages(client: TestClient) -> list[str]:
    base = client.app.state.settings.public_url  # type: ignore[attr-defined]
    out = []
    for file in _locs(client, "/sitemap.xml"):
        assert file.startswith(f"{base}/sitemaps/")
        out += _locs(client, file.removeprefix(base))
    return out


def test_the_sitemap_lists_every_public_page_in_three_languages(client: TestClient) -> None:
    base = client.app.state.settings.public_url  # type: ignore[attr-defined]
    pages = _all_pages(client)
    assert len(pages) == len(set(pages))
    projects = client.get("/api/v1/projects", params={"per_page": 1}).json()["total"]
    needs = client.get("/api/v1/needs", params={"per_page": 1}).json()["total"]
    listed = {p for p in pages if p.endswith("?lang=en")}
    assert len([p for p in listed if "/projects/" in p]) == projects
    assert len([p for p in listed if "/needs/" in p]) == needs
    assert len([p for p in listed if "/cities/" in p]) == 15
    roadshows = client.get("/api/v1/roadshows", params={"per_page": 100}).json()["items"]
    assert {f"{base}/roadshows/{r['id']}?lang=en" for r in roadshows} <= listed
    for tag in ("zh-Hans", "zh-Hant", "en"):
        assert f"{base}/projects/1?lang={tag}" in pages
        assert f"{base}/?lang={tag}" in pages


def test_each_address_names_its_alternates_and_when_it_changed(client: TestClient) -> None:
    xml = _xml(client.get("/sitemaps/projects-1.xml").content)
    first = xml.find("s:url", NS)
    assert first is not None
    loc = first.findtext("s:loc", namespaces=NS) or ""
    alternates = {a.get("hreflang"): a.get("href") for a in first.iterfind("x:link", NS)}
    assert set(alternates) == {"zh-Hans", "zh-Hant", "en"}
    assert loc in alternates.values()
    assert len(set(alternates.values())) == 3
    lastmod = first.findtext("s:lastmod", namespaces=NS) or ""
    dt.datetime.strptime(lastmod, "%Y-%m-%dT%H:%M:%SZ")  # W3C datetime in UTC


def test_drafts_private_and_closed_needs_stay_out(client: TestClient, session: Session) -> None:
    draft = make_project(session, status="draft")
    private = make_need(session, visibility="private")
    closed = make_need(session, status="closed")
    public = make_need(session)
    session.commit()
    pages = _all_pages(client)
    assert not [p for p in pages if f"/projects/{draft.id}?" in p]
    assert not [p for p in pages if f"/needs/{private.id}?" in p or f"/needs/{closed.id}?" in p]
    assert [p for p in pages if f"/needs/{public.id}?" in p]


def test_a_large_library_is_split_into_files(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects = client.get("/api/v1/projects", params={"per_page": 1}).json()["total"]
    monkeypatch.setattr(seo, "CHUNK", 40)
    files = _locs(client, "/sitemap.xml")
    parts = [f for f in files if "/sitemaps/projects-" in f]
    assert len(parts) == -(-projects // 40)
    counted = sum(
        len(_locs(client, f"/sitemaps/projects-{n}.xml")) for n in range(1, len(parts) + 1)
    )
    assert counted == projects * 3
    assert client.get(f"/sitemaps/projects-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemaps/nonsense.xml").status_code == 404
    assert client.get("/sitemaps/projects-0.xml").status_code == 404


def test_robots_keeps_crawlers_out_of_accounts_and_points_to_the_sitemap(
    client: TestClient,
) -> None:
    base = client.app.state.settings.public_url  # type: ignore[attr-defined]
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    lines = robots.text.splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/api/", "/me", "/admin", "/login"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {base}/sitemap.xml" in lines


def test_odd_sitemap_names_are_404_not_500(client: TestClient) -> None:
    for name in ("projects-²", "projects-" + "9" * 5000, "needs-0", "pages-1", "projects-"):
        assert client.get(f"/sitemaps/{name}.xml").status_code == 404, name
