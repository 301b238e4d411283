"""The website over HTTP: pages in three languages, static files, security headers, error pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from tests.factories import make_project
from tests.web.helpers import HTML

LANGS = ("zh-Hans", "zh-Hant", "en")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-Hans", ["科淘网", "按产业浏览", "新一代信息技术产业", "深圳", "横琴"]),
        ("zh-Hant", ["科淘網", "按產業瀏覽", "新一代信息技術產業", "東莞", "橫琴", "澳門"]),
        ("en", ["Ketao", "Browse by industry", "Shenzhen", "Hengqin", "Macao"]),
    ],
)
def test_home_is_in_the_asked_language(client: TestClient, lang: str, words: list[str]) -> None:
    response = client.get(f"/?lang={lang}", headers=HTML)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    for word in words:
        assert word in response.text, word


def test_home_links_industries_and_the_fifteen_places(client: TestClient) -> None:
    html = client.get("/", headers=HTML).text
    assert len(re.findall(r'href="/projects\?industry=\d"', html)) == 9
    places = re.findall(r'href="/cities/([a-z]+)"', html)
    assert len(places) == 15
    assert {"guangzhou", "hongkong", "macao", "hengqin", "qianhai", "nansha", "hetao"} <= set(
        places
    )
    assert 'action="/projects"' in html
    assert 'name="q"' in html


def test_home_shows_the_next_public_roadshow_and_features_its_lineup(client: TestClient) -> None:
    upcoming = client.get("/api/v1/roadshows", params={"when": "upcoming"}).json()["items"]
    published = [r for r in upcoming if r["status"] == "published"]
    assert published, "the demo plans a public roadshow (Hengqin, in 21 days)"
    roadshow = client.get(f"/api/v1/roadshows/{published[0]['id']}").json()
    lineup = [slot["project_id"] for slot in roadshow["slots"]]
    assert lineup
    html = client.get("/?lang=en", headers=HTML).text
    assert f'href="/roadshows/{roadshow["id"]}"' in html
    featured = html[html.index('id="featured-title"') : html.index('id="recent-title"')]
    assert re.findall(r'<h3><a href="/projects/(\d+)">', featured) == [str(i) for i in lineup][:6]


def test_home_shows_what_was_published_last(client: TestClient, session: Session) -> None:
    make_project(session, title_en="A project published just now", status="published")
    make_project(session, title_en="A draft nobody may see yet", status="draft")
    session.commit()
    html = client.get("/?lang=en", headers=HTML).text
    recent = html[html.index('id="recent-title"') :]
    first = re.search(r'<h3><a href="/projects/\d+">([^<]+)</a>', recent)
    assert first is not None
    assert first.group(1) == "A project published just now"
    assert "A draft nobody may see yet" not in html
    assert 'href="/projects?sort=newest"' in recent


def test_pages_carry_the_web_csp_and_no_inline_code(client: TestClient) -> None:
    for path in ("/", "/login", "/register", "/no-such-page"):
        response = client.get(path, headers=HTML)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "<script>" not in response.text
        assert " style=" not in response.text
        assert "<style" not in response.text
        # Nothing from another site: the only addresses are the site's own (hreflang).
        own = response.text.replace(Settings().public_url, "")
        assert "http://" not in own.replace("http://www.w3.org", "")
        assert "https://" not in own
    # The API keeps its own, stricter policy.
    assert "default-src 'none'" in client.get("/api/v1/health").headers["Content-Security-Policy"]


def test_static_files_are_versioned_and_cached_for_a_year(client: TestClient) -> None:
    html = client.get("/", headers=HTML).text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {u.rsplit(".", 1)[-1] for u in urls} >= {"css", "js", "svg"}
    for url in urls:
        assert re.fullmatch(r"/static/[a-z]+\.[0-9a-f]{10}\.(css|js|svg)", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        again = client.get(url, headers={"if-none-match": response.headers["ETag"]})
        assert again.status_code == 304
    css = next(u for u in urls if u.endswith(".css"))
    assert client.get(css).headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/app.css").status_code == 404  # only versioned names
    assert client.get("/static/app.0000000000.css").status_code == 404
    favicon = client.get("/favicon.ico", follow_redirects=False)
    assert favicon.status_code == 301
    assert favicon.headers["location"] in urls


def test_anonymous_pages_are_private_and_vary(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("lang", "title"),
    [("zh-Hans", "页面不存在"), ("zh-Hant", "找不到頁面"), ("en", "Page not found")],
)
def test_a_missing_page_is_the_sites_404_in_its_language(
    client: TestClient, lang: str, title: str
) -> None:
    response = client.get(f"/no/such/page?lang={lang}", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    assert title in response.text
    assert 'href="/"' in response.text


def test_the_api_keeps_its_problem_details(client: TestClient) -> None:
    for headers in (HTML, {}):
        response = client.get("/api/v1/nothing-here", headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404
    # A client that does not ask for HTML gets problem details anywhere.
    assert client.get("/no-such-page").headers["content-type"] == "application/problem+json"
    wrong_method = client.delete("/login", headers=HTML)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")


WEIGHED = ("/", "/projects", "/projects?q=储能", "/projects/1", "/needs", "/roadshows", "/login")
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')


@pytest.mark.parametrize("path", WEIGHED)
def test_a_page_weighs_less_than_150_kb_before_images(client: TestClient, path: str) -> None:
    """The HTML and every stylesheet and script it loads, uncompressed (images apart)."""
    page = client.get(f"{path}{'&' if '?' in path else '?'}lang=en", headers=HTML)
    assert page.status_code == 200
    assets = ASSET.findall(page.text)
    assert any(a.endswith(".css") for a in assets)
    weight = len(page.content) + sum(len(client.get(a).content) for a in set(assets))
    assert weight < 150 * 1024, f"{path}: {weight / 1024:.1f} kB"
