"""The project list and detail: filters, facets, paging, visibility and error shapes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.catalog.models import Project, ProjectIndustry, ProjectTargetCity, ProjectTransferMode
from tests.factories import make_project

API = "/api/v1/projects"


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(API, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _published_count(session: Session, *conditions: Any) -> int:
    stmt = (
        select(func.count()).select_from(Project).where(Project.status == "published", *conditions)
    )
    return session.scalar(stmt) or 0


def test_list_pages_through_every_published_project(client: TestClient, session: Session) -> None:
    expected = _published_count(session)
    seen: list[int] = []
    page = 1
    while True:
        body = _get(client, page=page, per_page=100)
        assert body["total"] == expected
        assert body["per_page"] == 100
        if not body["items"]:
            break
        seen.extend(item["id"] for item in body["items"])
        page += 1
    assert len(seen) == len(set(seen)) == expected


def test_a_top_level_industry_matches_its_children(client: TestClient, session: Session) -> None:
    body = _get(client, industry="4", per_page=100)
    expected = _published_count(
        session,
        Project.id.in_(
            select(ProjectIndustry.project_id).where(ProjectIndustry.industry_code.like("4.%"))
        ),
    )
    assert body["total"] == expected > 5
    for item in body["items"]:
        assert any(code.startswith("4.") for code in item["industries"])
    child = _get(client, industry="4.2")
    assert 0 < child["total"] < body["total"]


def test_city_matches_home_or_target_city(client: TestClient, session: Session) -> None:
    body = _get(client, city="zhaoqing", per_page=100)
    expected = _published_count(
        session,
        or_(
            Project.city_code == "zhaoqing",
            Project.id.in_(
                select(ProjectTargetCity.project_id).where(
                    ProjectTargetCity.city_code == "zhaoqing"
                )
            ),
        ),
    )
    assert body["total"] == expected > 0
    for item in body["items"]:
        assert item["city"] == "zhaoqing" or "zhaoqing" in item["target_cities"]
    assert any(item["city"] != "zhaoqing" for item in body["items"]), "targets count too"


def test_trl_range_and_mode_filters(client: TestClient, session: Session) -> None:
    body = _get(client, trl_min=7, trl_max=8, mode="equity", per_page=100)
    expected = _published_count(
        session,
        Project.trl.between(7, 8),
        Project.id.in_(
            select(ProjectTransferMode.project_id).where(ProjectTransferMode.mode == "equity")
        ),
    )
    assert body["total"] == expected > 0
    for item in body["items"]:
        assert 7 <= item["trl"] <= 8
        assert "equity" in item["transfer_modes"]


def test_external_id_filter_finds_exactly_one(client: TestClient, session: Session) -> None:
    external_id = session.scalars(select(Project.external_id).order_by(Project.id)).first()
    body = _get(client, external_id=external_id)
    assert body["total"] == 1
    assert body["items"][0]["external_id"] == external_id


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"trl_min": 5}, "industry"),
        ({"mode": "license"}, "city"),
        ({"trl_min": 6, "industry": "1"}, "mode"),
        ({"industry": "7"}, "trl"),
        ({"city": "shenzhen", "mode": "equity"}, "industry"),
    ],
)
def test_facet_counts_agree_with_the_filters(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    body = _get(client, **params)
    facet = body["facets"][field]
    assert facet, f"no {field} facet"
    query_name = {"trl": "trl_min"}.get(field, field)
    for value, count in list(facet.items())[:6]:
        narrowed = {**params, query_name: value}
        if field == "trl":
            narrowed["trl_max"] = value
        assert _get(client, **narrowed)["total"] == count, (field, value)


def test_a_facet_under_its_own_filter_counts_the_whole_result(client: TestClient) -> None:
    body = _get(client, industry="1")
    assert body["facets"]["industry"]["1"] == body["total"]
    body = _get(client, city="hetao")
    assert body["facets"]["city"]["hetao"] == body["total"]


def test_sort_by_trl_and_price(client: TestClient) -> None:
    trls = [p["trl"] for p in _get(client, sort="trl_desc", per_page=100)["items"]]
    assert trls == sorted(trls, reverse=True)
    prices = [
        p["price_wan"]
        for p in _get(client, sort="price_asc", per_page=100)["items"]
        if p["price_wan"] is not None
    ]
    assert prices == sorted(prices)


def test_q_finds_a_project_by_its_english_title(client: TestClient, session: Session) -> None:
    make_project(session, title_en="Helium-free 5T magnet for whole-body MRI (test)")
    session.commit()
    body = _get(client, q="helium-free 5t")
    assert [p["title_en"] for p in body["items"]] == [
        "Helium-free 5T magnet for whole-body MRI (test)"
    ]
    nothing = _get(client, q="zzqxv%_wqpt")
    assert (nothing["total"], nothing["items"]) == (0, [])


def test_drafts_are_invisible_to_anonymous_readers(client: TestClient, session: Session) -> None:
    draft = make_project(session, status="draft")
    session.commit()
    assert _get(client, external_id=draft.external_id)["total"] == 0
    assert _get(client, status="draft")["total"] == 0
    response = client.get(f"{API}/{draft.id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_detail_returns_every_field(client: TestClient, session: Session) -> None:
    project = make_project(session, price_wan=1250.5)
    session.commit()
    body = client.get(f"{API}/{project.id}").json()
    assert body["external_id"] == project.external_id
    assert body["industries"] == ["1.2"]
    assert body["target_cities"] == ["dongguan"]
    assert body["transfer_modes"] == ["license"]
    assert body["price_wan"] == 1250.5
    assert body["patents"][0]["status"] == "pending"
    assert body["version"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"trl_min": "abc"}, "trl_min"),
        ({"trl_max": 10}, "trl_max"),
        ({"trl_min": 8, "trl_max": 3}, "trl_min"),
        ({"per_page": 1000}, "per_page"),
        ({"page": 0}, "page"),
        ({"mode": "gift"}, "mode"),
        ({"sort": "random"}, "sort"),
        ({"status": "lost"}, "status"),
        ({"industry": "10.1"}, "industry"),
        ({"city": "beijing"}, "city"),
    ],
)
def test_a_bad_query_parameter_is_a_422_naming_it(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get(API, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["type"].endswith("validation-error")
    assert field in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["errors"][0]["location"] == "query"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/0", 422),  # ids start at 1
        ("/abc", 422),
        ("/99999999", 404),  # a valid id no project has
        ("/99999999999999999999", 422),  # past the column's range
    ],
)
def test_bad_or_unknown_ids_are_problems_not_500s(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(API + path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if status == 422:
        assert response.json()["errors"][0]["field"] == "project_id"
