"""Free-text search through the API: languages, highlights, facets, suggest, fallback."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog.models import Project
from app.search.backend import SearchFilters, SearchRequest, SearchUnavailableError
from app.search.service import SearchEngine
from tests.factories import make_need, make_project


def search(client: TestClient, path: str = "/api/v1/projects", **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_traditional_query_finds_simplified_listings_with_highlights(client: TestClient) -> None:
    body = search(client, q="碳化矽")
    assert body["total"] >= 3
    assert body["degraded"] is False
    first = body["items"][0]
    marked = " ".join(first["highlight"].values())
    assert "<mark>" in marked
    assert "碳化硅" in first["title_zh"] + " ".join(first["keywords"])


def test_english_query_finds_a_project_by_its_english_summary(
    client: TestClient, session: Session
) -> None:
    project = make_project(
        session,
        title_zh="测试用微流控芯片",
        title_en="Test microfluidic chip",
        summary_en="Detects troponin within eight minutes at the bedside.",
        keywords=[],
    )
    session.commit()
    body = search(client, q="troponin bedside")
    assert [item["id"] for item in body["items"]] == [project.id]
    assert body["items"][0]["highlight"]["summary_en"].count("<mark>") == 2


def test_a_new_project_is_searchable_right_after_its_commit(
    client: TestClient, session: Session
) -> None:
    make_project(session, title_en="Quasicrystal heat shield (test)", keywords=["准晶"])
    session.commit()
    assert search(client, q="quasicrystal")["total"] == 1
    assert search(client, q="准晶")["total"] == 1


def test_typos_and_parts_of_terms(client: TestClient) -> None:
    batteries = search(client, q="batery", per_page=100)
    assert batteries["total"] >= 5
    assert all(
        "batter" in (item["title_en"] + item["summary_en"]).lower() for item in batteries["items"]
    )
    eagle = search(client, q="鹰眼")
    assert eagle["total"] >= 1
    assert all("鹰眼" in item["title_zh"] or "鷹眼" in item["title_zh"] for item in eagle["items"])


def test_filters_apply_to_search_and_facets_agree(client: TestClient) -> None:
    body = search(client, q="储能", city="jiangmen")
    assert body["total"] > 0
    for item in body["items"]:
        assert item["city"] == "jiangmen" or "jiangmen" in item["target_cities"]
    for code, count in list(body["facets"]["industry"].items())[:5]:
        assert search(client, q="储能", city="jiangmen", industry=code)["total"] == count


def test_engine_totals_equal_sql_counts(search_engine: SearchEngine, session: Session) -> None:
    for filters, where in [
        (SearchFilters(status=("published",)), Project.status == "published"),
        (
            SearchFilters(status=("published",), trl_min=7),
            (Project.status == "published") & (Project.trl >= 7),
        ),
    ]:
        result = search_engine.backend.search("projects", SearchRequest(filters=filters))
        assert result.total == session.scalar(
            select(func.count()).select_from(Project).where(where)
        )


def test_drafts_never_surface_in_search(client: TestClient, session: Session) -> None:
    draft = make_project(session, status="draft", title_en="Secret draft zirconia implant (test)")
    session.commit()
    found = search(client, q="secret draft zirconia implant", per_page=100)
    assert draft.id not in [item["id"] for item in found["items"]]
    assert search(client, q="zirconia", status="draft")["total"] == 0


def test_needs_search_sees_public_open_needs_only(client: TestClient, session: Session) -> None:
    public = make_need(session, title_en="Test need for perovskite tandem modules")
    make_need(session, title_en="Private need for perovskite inks", visibility="private")
    session.commit()
    body = search(client, "/api/v1/needs", q="perovskite")
    assert [n["id"] for n in body["items"]] == [public.id]


def test_suggest_completes_titles_while_typing(client: TestClient) -> None:
    response = client.get("/api/v1/search/suggest", params={"q": "ECM"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert 1 <= len(items) <= 10
    assert all("ECMO" in (i["title_en"] or "") + (i["title_zh"] or "") for i in items)
    assert "<mark>" in (items[0]["highlight"] or "")
    chinese = client.get("/api/v1/search/suggest", params={"q": "仿生"}).json()["items"]
    assert chinese
    assert client.get("/api/v1/search/suggest", params={"q": ""}).status_code == 422
    assert client.get("/api/v1/search/suggest", params={"q": "x", "limit": 11}).status_code == 422


def test_search_falls_back_to_sql_when_the_engine_is_down(
    client: TestClient, search_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_: object, **__: object) -> None:
        raise SearchUnavailableError("engine down (test)")

    monkeypatch.setattr(search_engine.backend, "search", down)
    body = search(client, q="ECMO")
    assert body["degraded"] is True
    assert body["total"] >= 1
    assert all("ECMO" in i["title_en"] + i["summary_en"] + i["title_zh"] for i in body["items"])
    assert search(client)["degraded"] is False  # lists without q never needed the engine
