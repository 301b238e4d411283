"""The project pages over HTTP: search with filters, facets, pagination and suggestions when
nothing matches; a listing in each script, its staged disclosure, its cities and "express
interest" (with and without a CSRF token); the 404 for a project one may not see."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.web.display import marked
from tests.factories import make_project
from tests.fixtures.accounts import ENTERPRISE, OWNER
from tests.web.helpers import HTML, csrf, sign_in


def project_links(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/projects/(\d+)">', html)


def test_the_list_shows_the_total_facets_and_pages(client: TestClient) -> None:
    api = client.get("/api/v1/projects", params={"per_page": 20}).json()
    html = client.get("/projects?lang=en", headers=HTML).text
    assert f"Projects found: {api['total']:,}" in html
    assert project_links(html) == [str(item["id"]) for item in api["items"]]
    # Facet counts beside the filters, the same as the API's.
    shenzhen = api["facets"]["city"]["shenzhen"]
    assert re.search(rf'for="city-shenzhen">Shenzhen <span class="count">\({shenzhen}\)', html)
    assert 'rel="next"' in html
    assert 'href="/projects?page=2"' in html
    second = client.get("/projects?page=2&lang=en", headers=HTML).text
    assert 'aria-current="page">2<' in second
    assert 'rel="prev"' in second


def test_filters_are_the_apis_parameters(client: TestClient) -> None:
    params = {"industry": "5", "city": "shenzhen", "trl_min": "4", "mode": "license"}
    api = client.get("/api/v1/projects", params=params).json()
    html = client.get("/projects", params={**params, "lang": "en"}, headers=HTML).text
    assert f"Projects found: {api['total']}" in html
    assert project_links(html) == [str(i["id"]) for i in api["items"]]
    assert 'id="industry-5" checked' in html
    assert 'id="city-shenzhen" checked' in html
    assert '<option value="4" selected>' in html
    # Each filter in use can be dropped on its own.
    assert 'href="/projects?city=shenzhen&amp;trl_min=4&amp;mode=license"' in html


@pytest.mark.parametrize(
    "query",
    [
        "trl_min=0",
        "trl_min=abc",
        "trl_min=5&trl_max=3",
        "mode=sale",
        "industry=99",
        "city=paris",
        "sort=cheapest",
        "page=0",
        "page=x",
        "q=" + "长" * 201,
    ],
)
def test_a_bad_value_is_named_never_a_500(client: TestClient, query: str) -> None:
    response = client.get(f"/projects?{query}&lang=en", headers=HTML)
    assert response.status_code == 422
    assert "Part of this search could not be used and was left out:" in response.text
    assert "Projects found:" in response.text  # the rest of the search still runs


def test_matches_are_highlighted_safely(client: TestClient) -> None:
    html = client.get("/projects?q=储能&lang=zh-Hans", headers=HTML).text
    assert "<mark>储能</mark>" in html
    # Only <mark> survives as markup, whatever the highlight holds.
    assert marked("a &lt;b&gt; <mark>c</mark><script>x</script>") == (
        "a &lt;b&gt; <mark>c</mark>&lt;script&gt;x&lt;/script&gt;"
    )
    assert marked("<mark>open") == "<mark>open</mark>"


def test_traditional_readers_see_listings_converted(client: TestClient) -> None:
    html = client.get("/projects?q=储能&lang=zh-Hant", headers=HTML).text
    assert "<mark>儲能</mark>" in html
    assert "储能" not in html.split('<section class="results"')[1]


def test_no_results_suggests_what_to_try(client: TestClient) -> None:
    """Each way out is tried first: only those that find something are offered, with how many;
    the other forms of the words are named as searched already."""
    macao = client.get("/api/v1/projects", params={"city": "macao", "per_page": 1}).json()
    html = client.get("/projects?q=量子糾纏蒸餾器&city=macao&lang=en", headers=HTML).text
    assert "No project matches this search." in html
    assert "Your words were also looked for as: <q>量子纠缠蒸馏器</q>" in html
    # Dropping either filter finds something: each is offered with what it finds.
    words = client.get("/api/v1/projects", params={"q": "量子糾纏蒸餾器", "per_page": 1}).json()
    assert (
        f'<a href="/projects?city=macao">Drop “Text: 量子糾纏蒸餾器”</a> '
        f'<span class="count">({macao["total"]:,} projects)</span>'
    ) in html
    assert f'Drop “Macao”</a> <span class="count">({words["total"]:,} projects)' in html


def test_a_way_out_that_finds_nothing_is_not_offered(client: TestClient) -> None:
    html = client.get("/projects?q=zzzqqqxxyy&city=macao&lang=en", headers=HTML).text
    assert "No project matches this search." in html
    assert "Drop “Macao”" not in html  # the words alone find nothing either
    assert "Drop “Text: zzzqqqxxyy”" in html


def test_no_results_offers_the_filter_to_drop_and_names_the_english_form(
    client: TestClient,
) -> None:
    storage = client.get("/api/v1/projects", params={"q": "储能", "per_page": 1}).json()
    assert storage["total"] > 0
    empty = [c for c, n in storage["facets"]["city"].items() if n == 0]
    cities = client.get("/api/v1/cities").json()["items"]
    city = next(
        c for c in cities if c["code"] not in storage["facets"]["city"] or c["code"] in empty
    )
    html = client.get(f"/projects?q=储能&city={city['code']}&lang=en", headers=HTML).text
    assert "No project matches this search." in html
    assert "<q>energy storage</q>" in html
    drop = f'Drop “{city["name_en"]}”</a> <span class="count">({storage["total"]:,} projects)'
    assert drop in html
    zh = client.get(f"/projects?q=储能&city={city['code']}&lang=zh-Hans", headers=HTML).text
    assert f"（{storage['total']:,} 个项目）" in zh


def test_english_readers_get_the_chinese_noted_when_there_is_no_english(
    client: TestClient, session: Session
) -> None:
    make_project(
        session,
        title_en=None,
        summary_en=None,
        title_zh="仅有中文标题的测试项目",
        city="macao",
        target_cities=[],
    )
    session.commit()
    html = client.get("/projects?city=macao&sort=newest&lang=en", headers=HTML).text
    title = '<span lang="zh-Hans">仅有中文标题的测试项目</span>'
    assert f'{title} <span class="in-chinese">(in Chinese)</span>' in html


def test_money_and_numbers_per_locale(client: TestClient) -> None:
    item = client.get("/api/v1/projects", params={"per_page": 1, "sort": "price_desc"}).json()[
        "items"
    ][0]
    wan = item["price_wan"]
    en = client.get(f"/projects/{item['id']}?lang=en", headers=HTML).text
    assert f"RMB {round(wan * 10000):,} ({wan:,.0f} 万元)" in en
    hant = client.get(f"/projects/{item['id']}?lang=zh-Hant", headers=HTML).text
    assert f"{wan:,.0f} 萬元" in hant


def test_a_listing_in_three_languages_with_its_cities(client: TestClient) -> None:
    api = client.get("/api/v1/projects/1").json()
    cities = client.get("/api/v1/projects/1/matches/cities", params={"limit": 5}).json()["items"]
    en = client.get("/projects/1?lang=en", headers=HTML).text
    assert f"<h1>{api['title_en']}</h1>" in en
    assert f"TRL {api['trl']}</strong>" in en
    first = cities[0]
    assert f'href="/cities/{first["city"]["code"]}">{first["city"]["name_en"]}</a>' in en
    assert first["reasons"][0]["message_en"].replace("'", "&#39;") in en
    hant = client.get("/projects/1?lang=zh-Hant", headers=HTML).text
    assert first["city"]["name_zh_hant"] in hant
    assert f'<p class="other-title" lang="en">{api["title_en"]}</p>' in hant


def test_structured_data_canonical_and_alternates(client: TestClient) -> None:
    html = client.get("/projects/1?lang=en", headers=HTML).text
    assert '<link rel="canonical" href="http://127.0.0.1:8000/projects/1">' in html
    for tag in ("zh-Hans", "zh-Hant", "en"):
        assert f'hreflang="{tag}" href="http://127.0.0.1:8000/projects/1?lang={tag}"' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "Product"
    assert data["url"] == "http://127.0.0.1:8000/projects/1"


def test_staged_disclosure(client: TestClient, session: Session) -> None:
    project = make_project(
        session,
        description_zh="完整的技术说明，只给登录用户看。",
        contact_name="陈工",
        contact_email="chen@example.org",
    )
    session.commit()
    html = client.get(f"/projects/{project.id}?lang=zh-Hant", headers=HTML).text
    assert "登入後可查看詳細介紹和聯絡方式。" in html
    assert "完整的技術説明" not in html
    assert "chen@example.org" not in html
    sign_in(client, ENTERPRISE)
    signed = client.get(f"/projects/{project.id}?lang=zh-Hant", headers=HTML).text
    assert "登入後可查看" not in signed
    assert "完整的技術説明，只給登錄用户看。" in signed  # content: OpenCC s2hk, not reworded
    assert 'href="mailto:chen@example.org"' in signed
    assert "陳工" in signed


def test_an_enterprise_expresses_interest_and_a_forged_form_is_refused(client: TestClient) -> None:
    page = client.get("/projects/2?lang=en", headers=HTML).text
    assert "Sign in to express interest" in page
    sign_in(client, ENTERPRISE)
    page = client.get("/projects/2?lang=en", headers=HTML).text
    assert 'action="/projects/2/interest"' in page
    forged = client.post(
        "/projects/2/interest", data={"message": "hi", "csrf_token": "forged"}, headers=HTML
    )
    assert forged.status_code == 403
    token = csrf(page)
    empty = client.post(
        "/projects/2/interest", data={"message": " ", "csrf_token": token}, headers=HTML
    )
    assert empty.status_code == 422
    assert "Say in a few words what your enterprise is looking for." in empty.text
    sent = client.post(
        "/projects/2/interest",
        data={"message": "We want a licence for Dongguan.", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/projects/2?interest=sent#interest"
    after = client.get("/projects/2?interest=sent&lang=en", headers=HTML).text
    assert "Your interest is sent." in after
    assert "Your organisation follows this project" in after
    leads = client.get("/api/v1/leads", headers={}).status_code  # the API needs its own token
    assert leads == 401
    again = client.post(
        "/projects/2/interest", data={"message": "again", "csrf_token": token}, headers=HTML
    )
    assert again.status_code == 409


def test_others_see_why_they_cannot_express_interest(client: TestClient) -> None:
    sign_in(client, OWNER)
    page = client.get("/projects/2?lang=en", headers=HTML).text
    assert "Only enterprise accounts can express interest in a project." in page
    refused = client.post(
        "/projects/2/interest", data={"message": "x", "csrf_token": csrf(page)}, headers=HTML
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "path", ["/projects/999999", "/projects/abc", "/projects/0", "/projects/99999999999"]
)
def test_a_project_one_may_not_see_is_the_sites_404(client: TestClient, path: str) -> None:
    response = client.get(f"{path}?lang=en", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


def test_a_draft_is_a_404_for_the_public(client: TestClient, session: Session) -> None:
    draft = make_project(session, status="draft")
    session.commit()
    assert client.get(f"/projects/{draft.id}", headers=HTML).status_code == 404
