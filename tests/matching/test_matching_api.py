"""Matching through the API on the demo data: directions, reasons, visibility, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Project
from app.needs.models import Need
from tests.factories import make_need


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def need_id(session: Session, external_id: str) -> int:
    found = session.scalar(select(Need.id).where(Need.external_id == external_id))
    assert found is not None
    return found


def project_id(session: Session, external_id: str) -> int:
    found = session.scalar(select(Project.id).where(Project.external_id == external_id))
    assert found is not None
    return found


def test_a_problem_phrased_need_finds_the_solution(client: TestClient, session: Session) -> None:
    # GBASF-N-001: a phone SoC throttles from heat; the answer is a graphene thermal film.
    body = get(client, f"/api/v1/needs/{need_id(session, 'GBASF-N-001')}/matches", limit=3)
    assert body["need"]["external_id"] == "GBASF-N-001"
    top = body["items"][0]
    assert "石墨烯导热膜" in top["project"]["title_zh"]
    assert set(top["components"]) == {"text", "industry", "maturity", "mode", "budget", "location"}
    assert all(0 <= v <= 1 for v in top["components"].values() if v is not None)
    assert 0 < top["score"] <= 1
    codes = [r["code"] for r in top["reasons"]]
    assert codes[0] == "text.shared_terms"
    assert "trl.meets" in codes
    assert all(r["message_zh"] and r["message_en"] for r in top["reasons"])
    scores = [m["score"] for m in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_adhoc_need_in_traditional_chinese(client: TestClient) -> None:
    response = client.post(
        "/api/v1/matches",
        json={
            "text": "尋找體外膜肺氧合設備技術，用於重症監護",
            "min_trl": 7,
            "transfer_modes": ["license"],
        },
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert "ECMO" in items[0]["project"]["title_en"]


def test_adhoc_need_with_structure_only(client: TestClient) -> None:
    body = client.post("/api/v1/matches", json={"industries": ["4.3"], "city": "guangzhou"}).json()
    assert body["items"]
    assert all(
        any(code.startswith("4.") for code in m["project"]["industries"]) for m in body["items"][:3]
    )
    assert body["items"][0]["components"]["text"] is None


def test_trl_near_miss_is_explained(client: TestClient) -> None:
    body = client.post(
        "/api/v1/matches", json={"text": "钠离子电池硬碳负极", "min_trl": 9}, params={"limit": 3}
    ).json()
    top = body["items"][0]
    assert top["components"]["maturity"] < 1
    below = [r for r in top["reasons"] if r["code"] == "trl.below"]
    assert below
    assert "below the need's minimum 9" in below[0]["message_en"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, ""),
        ({"text": "   "}, ""),
        ({"text": "x", "min_trl": 12}, "min_trl"),
        ({"text": "x", "transfer_modes": ["gift"]}, "transfer_modes"),
        ({"text": "x", "industries": ["99.9"]}, "industries"),
        ({"text": "x", "city": "tokyo"}, "city"),
    ],
)
def test_bad_adhoc_needs_are_422_naming_what_is_wrong(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/matches", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"]
    assert problem["errors"][0]["field"].startswith(field)
    if not field:
        assert "text or at least one of industries" in problem["errors"][0]["message"]


def test_unknown_ids_are_404_and_limit_is_bounded(client: TestClient) -> None:
    assert client.get("/api/v1/needs/999999/matches").status_code == 404
    assert client.get("/api/v1/projects/999999/matches/needs").status_code == 404
    assert client.get("/api/v1/projects/999999/matches/cities").status_code == 404
    assert client.get("/api/v1/cities/atlantis/matches").status_code == 404
    response = client.get("/api/v1/needs/1/matches", params={"limit": 51})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_private_and_closed_needs_get_no_public_matches(
    client: TestClient, session: Session
) -> None:
    private = make_need(session, visibility="private", title_zh="私有需求：储能热管理")
    closed = make_need(session, status="closed", title_zh="已关闭需求：储能热管理")
    session.commit()
    for need in (private, closed):
        assert client.get(f"/api/v1/needs/{need.id}/matches").status_code == 404
    project = project_id(session, "GBASF-EN-001")
    matched = get(client, f"/api/v1/projects/{project}/matches/needs", limit=50)
    assert {private.id, closed.id}.isdisjoint(m["need"]["id"] for m in matched["items"])


def test_project_to_needs(client: TestClient, session: Session) -> None:
    body = get(client, f"/api/v1/projects/{project_id(session, 'GBASF-EM-029')}/matches/needs")
    assert body["project"]["external_id"] == "GBASF-EM-029"
    assert body["items"][0]["need"]["external_id"] == "GBASF-N-001"
    assert all(m["need"]["visibility"] == "public" for m in body["items"])


def test_project_to_cities_cites_the_profile(client: TestClient, session: Session) -> None:
    body = get(client, f"/api/v1/projects/{project_id(session, 'GBASF-EM-029')}/matches/cities")
    codes = [m["city"]["code"] for m in body["items"]]
    assert len(codes) == 15
    assert codes[0] == "dongguan"
    reasons = body["items"][0]["reasons"]
    profile = [r for r in reasons if r["code"] == "city.profile"]
    assert profile
    assert "[" in profile[0]["message_en"]  # cites the numbered sources
    assert set(body["items"][0]["components"]) == {"industry", "needs", "platforms", "location"}


def test_city_to_projects_fits_its_profile(client: TestClient) -> None:
    body = get(client, "/api/v1/cities/jiangmen/matches", limit=5)
    assert body["city"]["code"] == "jiangmen"
    assert len(body["items"]) == 5
    for match in body["items"]:
        assert match["components"]["industry"] > 0
        assert match["reasons"]
