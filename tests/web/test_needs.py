"""The need pages over HTTP: the list is the API's list for the same filters (total, order, facets),
a filter in use can be dropped, a bad value is named and never a 500, nothing found suggests what
to try; a need in three scripts with its facts and the API's matches with their reasons as lines
(near misses marked); who sees a private or closed need; the 404 page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.needs.models import Need
from app.web.i18n import hant
from tests.factories import make_need
from tests.fixtures.accounts import ENTERPRISE, OTHER_ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, sign_in

ENTERPRISE_ORG = "东莞市松湖智造电子有限公司"  # enterprise@ketao.local's organisation (seed/demo)


def need_links(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h3><a href="/needs/(\d+)">', page)]


def matched_projects(page: str) -> list[int]:
    section = page.split('id="matches"')[1].split("</section>")[0]
    return [int(n) for n in re.findall(r'<h3><a href="/projects/(\d+)">', section)]


def shown(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def api_need(client: TestClient, external_id: str) -> dict[str, Any]:
    items = client.get("/api/v1/needs", params={"external_id": external_id}).json()["items"]
    assert len(items) == 1
    need: dict[str, Any] = items[0]
    return need


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"industry": "1"},
        {"city": "dongguan", "mode": "license"},
        {"industry": "6.5", "city": "hongkong"},
        {"q": "散热"},
        {"q": "储能", "sort": "budget_desc"},
        {"sort": "oldest", "page": "2"},
        {"sort": "budget_asc"},
    ],
)
def test_the_list_is_the_apis_list(client: TestClient, params: dict[str, str]) -> None:
    api = client.get("/api/v1/needs", params={**params, "per_page": 20}).json()
    page = client.get("/needs", params={**params, "lang": "en"}, headers=HTML)
    assert page.status_code == 200
    assert f"Needs found: {api['total']:,}" in page.text
    assert need_links(page.text) == [item["id"] for item in api["items"]]
    assert api["items"], "each case finds something"


def test_facets_pages_and_the_filters_form(client: TestClient) -> None:
    api = client.get("/api/v1/needs", params={"per_page": 20}).json()
    assert api["total"] > 20
    page = client.get("/needs?lang=en", headers=HTML).text
    dongguan = api["facets"]["city"]["dongguan"]
    assert re.search(rf'for="city-dongguan">Dongguan <span class="count">\({dongguan}\)', page)
    assert '<form id="need-filters" method="get" action="/needs">' in page
    assert 'href="/needs?page=2" rel="next"' in page
    second = client.get("/needs?page=2&lang=en", headers=HTML).text
    assert 'aria-current="page">2<' in second
    assert 'rel="prev"' in second
    # Public open needs only, as the API lists them.
    closed = client.get("/api/v1/needs", params={"external_id": "GBASF-N-022"}).json()
    assert closed["total"] == 0
    assert "GBASF-N-022" not in page


def test_a_filter_in_use_can_be_dropped(client: TestClient) -> None:
    page = client.get("/needs?industry=1&city=dongguan&lang=en", headers=HTML).text
    assert 'id="industry-1" checked' in page
    assert 'id="city-dongguan" checked' in page
    assert '<a href="/needs?city=dongguan" class="chip">' in page  # the industry dropped
    assert '<a href="/needs?industry=1" class="chip">' in page  # the city dropped
    dropped = client.get("/needs?city=dongguan&lang=en", headers=HTML).text
    api = client.get("/api/v1/needs", params={"city": "dongguan"}).json()
    assert need_links(dropped) == [item["id"] for item in api["items"]]
    assert 'id="industry-1" checked' not in dropped


@pytest.mark.parametrize(
    "query",
    [
        "mode=sale",
        "industry=99",
        "city=paris",
        "sort=cheapest",
        "status=draft",
        "page=0",
        "page=x",
        "q=" + "长" * 201,
    ],
)
def test_a_bad_value_is_named_never_a_500(client: TestClient, query: str) -> None:
    response = client.get(f"/needs?{query}&lang=en", headers=HTML)
    assert response.status_code == 422
    assert "Part of this search could not be used and was left out:" in response.text
    assert "Needs found:" in response.text  # the rest of the search still runs


def test_nothing_found_suggests_what_to_try(client: TestClient) -> None:
    page = client.get("/needs?q=量子糾纏蒸餾器&city=macao&lang=en", headers=HTML).text
    assert "No open need matches this search." in page
    assert "Drop “Macao”" in page
    assert 'href="/needs?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0%E8%92%B8%E9%A6%8F%E5%99%A8' in page
    assert 'href="/needs?city=macao"' in page  # the text dropped
    assert 'href="/projects?q=' in page  # projects on the same words
    assert 'href="/needs">Browse all open needs</a>' in page


def test_the_list_in_three_scripts(client: TestClient) -> None:
    need = api_need(client, "GBASF-N-001")
    en = client.get("/needs?city=dongguan&lang=en", headers=HTML).text
    assert f">{shown(need['title_en'])}</a>" in en
    hans = client.get("/needs?city=dongguan&lang=zh-Hans", headers=HTML).text
    assert f">{need['title_zh']}</a>" in hans
    assert "找到需求：" in hans
    hant_page = client.get("/needs?city=dongguan&lang=zh-Hant", headers=HTML).text
    assert hant(need["title_zh"]) != need["title_zh"]
    assert f">{hant(need['title_zh'])}</a>" in hant_page
    assert need["title_zh"] not in hant_page


def test_a_need_with_its_facts_in_three_scripts(client: TestClient) -> None:
    need = api_need(client, "GBASF-N-001")
    en = client.get(f"/needs/{need['id']}?lang=en", headers=HTML)
    assert en.status_code == 200
    text = en.text
    assert f"<h1>{shown(need['title_en'])}</h1>" in text
    assert f'<p class="other-title" lang="zh-Hans">{need["title_zh"]}</p>' in text
    assert f'<span lang="zh-Hans">{need["organization"]["name"]}</span>' in text
    assert f"TRL {need['min_trl']} or higher" in text
    assert f"RMB {round(need['budget_wan'] * 10000):,}" in text
    assert f'<a href="/cities/{need["city"]}">Dongguan</a>' in text
    assert '<a href="/needs?industry=1.2">Core electronics</a>' in text
    assert "Licence, Co-development" in text
    assert '<span class="badge open">Open</span>' in text
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/needs/{need["id"]}">' in text
    hans = client.get(f"/needs/{need['id']}?lang=zh-Hans", headers=HTML).text
    assert f"<h1>{need['title_zh']}</h1>" in hans
    assert "TRL 6 或以上" in hans
    hant_page = client.get(f"/needs/{need['id']}?lang=zh-Hant", headers=HTML).text
    assert f"<h1>{hant(need['title_zh'])}</h1>" in hant_page
    assert hant(need["organization"]["name"]) in hant_page
    assert "萬元" in hant_page


def test_matched_projects_are_the_apis_with_their_reasons_as_lines(client: TestClient) -> None:
    need = api_need(client, "GBASF-N-001")
    api = client.get(f"/api/v1/needs/{need['id']}/matches").json()["items"]
    assert api
    en = client.get(f"/needs/{need['id']}?lang=en", headers=HTML).text
    assert matched_projects(en) == [m["project"]["id"] for m in api]
    section = en.split('id="matches"')[1]
    near_misses = 0
    for match in api:
        block = section.split(f'<a href="/projects/{match["project"]["id"]}">')[1]
        block = block.split("</ul>")[0]
        lines = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
        assert len(lines) == len(match["reasons"])
        for line, reason in zip(lines, match["reasons"], strict=True):
            assert shown(reason["message_en"]) in line
            if reason["code"] in ("budget.over", "industry.different", "trl.below"):
                assert '<span class="miss-tag">near miss</span>' in line
                near_misses += 1
    assert near_misses, "the demo need has near misses to show"
    assert '<span class="component">Budget:</span>' in en
    score = round(api[0]["score"] * 100)
    assert f'<span class="score">fit {score}%</span>' in en
    # Chinese readers get the Chinese reasons; Traditional readers the same converted.
    hans = client.get(f"/needs/{need['id']}?lang=zh-Hans", headers=HTML).text
    hant_page = client.get(f"/needs/{need['id']}?lang=zh-Hant", headers=HTML).text
    reason = next(r for m in api for r in m["reasons"] if r["code"] == "budget.over")
    assert reason["message_zh"] in hans
    assert hant(reason["message_zh"]) in hant_page
    assert "未完全符合" in hans


def test_a_private_need_is_seen_by_its_organisation_and_the_secretariat(
    client: TestClient, session: Session
) -> None:
    need = make_need(
        session,
        visibility="private",
        organization=ENTERPRISE_ORG,
        title_zh="私密测试需求：高导热界面材料",
        title_en="Private test need: thermal interface materials",
        industries=["3.6"],
        city="dongguan",
    )
    session.commit()
    path = f"/needs/{need.id}?lang=en"
    stranger = client.get(path, headers=HTML)
    assert stranger.status_code == 404
    assert "text/html" in stranger.headers["content-type"]
    assert "Private test need" not in stranger.text
    for other in (OTHER_ENTERPRISE, OWNER):
        client.cookies.clear()
        sign_in(client, other)
        refused = client.get(path, headers=HTML)
        assert refused.status_code == 404, other
        assert "Private test need" not in refused.text
    client.cookies.clear()
    sign_in(client, ENTERPRISE)
    own = client.get(path, headers=HTML)
    assert own.status_code == 200
    assert "<h1>Private test need: thermal interface materials</h1>" in own.text
    assert '<span class="badge private">Private</span>' in own.text
    assert '<meta name="robots" content="noindex">' in own.text
    assert 'href="/me">Edit or close it from your page</a>' in own.text
    api = client.get(
        f"/api/v1/needs/{need.id}/matches",
        headers={"Authorization": "Bearer " + _token(client, ENTERPRISE)},
    ).json()["items"]
    assert matched_projects(own.text) == [m["project"]["id"] for m in api]
    # Not in the public list.
    assert f'href="/needs/{need.id}"' not in client.get("/needs?city=dongguan", headers=HTML).text
    client.cookies.clear()
    sign_in(client, SECRETARIAT)
    secretariat = client.get(path, headers=HTML)
    assert secretariat.status_code == 200
    assert "Edit or close it from your page" not in secretariat.text


def _token(client: TestClient, email: str) -> str:
    return auth(client, email)["Authorization"].removeprefix("Bearer ")


def test_a_closed_need_is_shown_to_insiders_without_matches(
    client: TestClient, session: Session
) -> None:
    need_id = session.scalar(select(Need.id).where(Need.external_id == "GBASF-N-022"))
    assert need_id is not None
    assert client.get(f"/needs/{need_id}?lang=en", headers=HTML).status_code == 404
    assert f'href="/needs/{need_id}"' not in client.get("/needs?sort=oldest", headers=HTML).text
    sign_in(client, SECRETARIAT)
    page = client.get(f"/needs/{need_id}?lang=en", headers=HTML)
    assert page.status_code == 200
    assert '<span class="badge">Closed</span>' in page.text
    assert "This need is closed: it gets no new matches." in page.text
    assert '<meta name="robots" content="noindex">' in page.text


@pytest.mark.parametrize(
    "path", ["/needs/999999", "/needs/abc", "/needs/0", "/needs/99999999999", "/needs/1.5"]
)
def test_a_need_one_may_not_see_is_the_sites_404(client: TestClient, path: str) -> None:
    response = client.get(f"{path}?lang=en", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in response.text
