"""Enterprises post, edit and close needs; cities' and zones' needs come from the secretariat."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT, auth

NEED = {
    "title_zh": "测试需求：注塑件翘曲变形，需要工艺优化方案",
    "description_zh": "我司注塑车间翘曲不良率3%，希望引入模流分析与工艺参数优化。",
    "industries": ["2.1"],
    "city": "dongguan",
    "min_trl": 6,
    "transfer_modes": ["license"],
    "budget_wan": 200,
}


def post(client: TestClient, who: str, **change: Any) -> Any:
    return client.post("/api/v1/needs", json={**NEED, **change}, headers=auth(client, who))


def test_an_enterprise_posts_a_need_for_its_own_organisation(client: TestClient) -> None:
    response = post(client, ENTERPRISE)
    assert response.status_code == 201, response.text
    need = response.json()
    assert need["organization"]["name"] == "东莞市松湖智造电子有限公司"
    assert (need["status"], need["visibility"], need["version"]) == ("open", "public", 1)
    assert client.get(f"/api/v1/needs/{need['id']}").status_code == 200
    other_org = post(client, ENTERPRISE, organization="别人的公司")
    assert other_org.status_code == 422
    assert other_org.json()["errors"][0]["field"] == "organization"


@pytest.mark.parametrize(("who", "status"), [(None, 401), (OWNER, 403)])
def test_only_enterprises_and_the_secretariat_post_needs(
    client: TestClient, who: str | None, status: int
) -> None:
    headers = auth(client, who) if who else {}
    assert client.post("/api/v1/needs", json=NEED, headers=headers).status_code == status


def test_the_secretariat_posts_a_zone_s_need(client: TestClient) -> None:
    need = post(
        client, SECRETARIAT, organization="横琴粤澳深度合作区经济发展局", city="hengqin"
    ).json()
    assert need["organization"]["kind"] == "government"
    assert need["city"] == "hengqin"


def test_a_private_need_and_its_matches_stay_with_its_organisation(client: TestClient) -> None:
    need = post(client, ENTERPRISE, visibility="private").json()
    url = f"/api/v1/needs/{need['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=auth(client, OWNER)).status_code == 404
    assert client.get(url, headers=auth(client, ENTERPRISE)).status_code == 200
    assert client.get(f"{url}/matches").status_code == 404
    matches = client.get(f"{url}/matches", headers=auth(client, ENTERPRISE))
    assert matches.status_code == 200
    assert matches.json()["items"]
    assert client.get(f"{url}/matches", headers=auth(client, SECRETARIAT)).status_code == 200
    listed = client.get("/api/v1/needs", params={"per_page": 100, "q": "注塑件翘曲"}).json()
    assert need["id"] not in [n["id"] for n in listed["items"]]


def test_edit_with_version_then_close(client: TestClient) -> None:
    need = post(client, ENTERPRISE).json()
    url, mine = f"/api/v1/needs/{need['id']}", auth(client, ENTERPRISE)
    edited = client.patch(url, json={"version": 1, "budget_wan": 300}, headers=mine)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["budget_wan"], edited.json()["version"]) == (300, 2)
    assert client.patch(url, json={"version": 1, "min_trl": 5}, headers=mine).status_code == 409
    foreign = client.patch(url, json={"version": 2, "min_trl": 5}, headers=auth(client, OWNER))
    assert foreign.status_code == 403
    assert client.post(f"{url}/close", headers=auth(client, OWNER)).status_code == 403
    closed = client.post(f"{url}/close", headers=mine)
    assert closed.json()["status"] == "closed"
    assert client.post(f"{url}/close", headers=mine).status_code == 409
    assert client.get(f"{url}/matches", headers=mine).status_code == 409  # no new matches
    assert client.get(url).status_code == 404
    assert client.patch(url, json={"version": 3, "min_trl": 5}, headers=mine).status_code == 409
