"""The city and zone pages over HTTP: the API's profile (industries with weights and their cited
sources as links, platforms), the API's best-fitting projects with their reasons, the three
scripts, a zone in its city, and the 404 page for an unknown code."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from app.web.i18n import hant
from tests.web.helpers import HTML


def shown(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def fitting_projects(page: str) -> list[int]:
    section = page.split('id="projects"')[1].split("</section>")[0]
    return [int(n) for n in re.findall(r'<h3><a href="/projects/(\d+)">', section)]


def test_the_profile_is_the_apis_with_its_sources(client: TestClient) -> None:
    api = client.get("/api/v1/cities/shenzhen").json()
    page = client.get("/cities/shenzhen?lang=en", headers=HTML)
    assert page.status_code == 200
    text = page.text
    profile = text.split('id="profile"')[1].split("</section>")[0]
    industries = re.findall(r'<a href="/projects\?industry=([\d.]+)">', profile)
    assert industries == [entry["industry"] for entry in api["profile"]]
    for entry in api["profile"]:
        assert shown(entry["industry_name_en"]) in profile
        assert f"weight {entry['weight']:.2f}" in profile
        for number in entry["sources"]:
            assert f'href="#source-{number}"' in profile
    assert api["sources"]
    for source in api["sources"]:
        assert f'<li id="source-{source["number"]}">' in text
        assert f'<a href="{shown(source["url"])}" rel="nofollow noopener noreferrer">' in text
    assert api["platforms"]
    for platform in api["platforms"]:
        assert shown(platform["name_en"]) in text
    assert '<link rel="canonical" href="http://127.0.0.1:8000/cities/shenzhen">' in text
    assert 'href="/needs?city=shenzhen"' in text
    assert 'href="/projects?city=shenzhen"' in text


def test_the_projects_that_fit_best_are_the_apis_with_reasons(client: TestClient) -> None:
    api = client.get("/api/v1/cities/shenzhen/matches").json()["items"]
    assert api
    en = client.get("/cities/shenzhen?lang=en", headers=HTML).text
    assert fitting_projects(en) == [m["project"]["id"] for m in api]
    section = en.split('id="projects"')[1]
    for match in api:
        block = section.split(f'<a href="/projects/{match["project"]["id"]}">')[1]
        lines = re.findall(r"<li[^>]*>(.*?)</li>", block.split("</ul>")[0], re.S)
        assert len(lines) == len(match["reasons"])
        for line, reason in zip(lines, match["reasons"], strict=True):
            assert shown(reason["message_en"]) in line
    assert '<span class="component">Industry:</span>' in en
    reason = api[0]["reasons"][0]
    hans = client.get("/cities/shenzhen?lang=zh-Hans", headers=HTML).text
    assert reason["message_zh"] in hans
    hant_page = client.get("/cities/shenzhen?lang=zh-Hant", headers=HTML).text
    assert hant(reason["message_zh"]) in hant_page
    assert "產業畫像：" in hant_page


def test_a_city_in_three_scripts(client: TestClient) -> None:
    api = client.get("/api/v1/cities/guangzhou").json()
    en = client.get("/cities/guangzhou?lang=en", headers=HTML).text
    assert f"<h1>{api['name_en']}</h1>" in en
    assert f'<p class="other-title" lang="zh-Hans">{api["name_zh"]}</p>' in en
    assert shown(api["summary_en"]) in en
    assert '<p class="ids">City</p>' in en
    assert 'href="/cities/nansha"' in en  # its zones
    hans = client.get("/cities/guangzhou?lang=zh-Hans", headers=HTML).text
    assert f"<h1>{api['name_zh']}</h1>" in hans
    assert api["summary_zh"] in hans
    assert api["profile"][0]["industry_name_zh"] in hans
    hant_page = client.get("/cities/guangzhou?lang=zh-Hant", headers=HTML).text
    assert f"<h1>{api['name_zh_hant']}</h1>" in hant_page
    assert hant(api["summary_zh"]) in hant_page
    assert api["summary_zh"] != hant(api["summary_zh"])
    assert api["summary_zh"] not in hant_page
    assert "產業畫像" in hant_page


def test_a_zone_names_its_city(client: TestClient) -> None:
    api = client.get("/api/v1/cities/hengqin").json()
    assert api["kind"] == "zone"
    page = client.get("/cities/hengqin?lang=en", headers=HTML)
    assert page.status_code == 200
    assert "Cooperation zone · in Zhuhai" in page.text
    assert '› <a href="/cities/zhuhai">Zhuhai</a>' in page.text
    assert not api["platforms"]
    assert "None recorded yet." in page.text
    hans = client.get("/cities/hengqin?lang=zh-Hans", headers=HTML).text
    assert "合作区 · 位于珠海" in hans


@pytest.mark.parametrize("code", ["paris", "SHENZHEN", "a" * 40, "%E6%B7%B1%E5%9C%B3"])
def test_an_unknown_code_is_the_sites_404(client: TestClient, code: str) -> None:
    response = client.get(f"/cities/{code}?lang=en", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in response.text
