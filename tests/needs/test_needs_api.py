"""The need list and detail: only public open needs for anonymous readers, filters, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.needs.models import Need
from tests.factories import make_need

API = "/api/v1/needs"


def test_only_public_open_needs_are_listed(client: TestClient, session: Session) -> None:
    expected = session.scalar(
        select(func.count())
        .select_from(Need)
        .where(Need.visibility == "public", Need.status == "open")
    )
    hidden = session.scalar(
        select(func.count())
        .select_from(Need)
        .where((Need.visibility != "public") | (Need.status != "open"))
    )
    assert hidden, "the seed holds private or closed needs"
    body = client.get(API, params={"per_page": 100}).json()
    assert body["total"] == expected
    assert all(n["visibility"] == "public" and n["status"] == "open" for n in body["items"])


def test_private_and_closed_needs_are_404_for_anonymous(
    client: TestClient, session: Session
) -> None:
    private = make_need(session, visibility="private")
    closed = make_need(session, status="closed")
    session.commit()
    for need in (private, closed):
        assert client.get(f"{API}/{need.id}").status_code == 404
        assert client.get(API, params={"external_id": need.external_id}).json()["total"] == 0


def test_need_detail_carries_its_organisation(client: TestClient, session: Session) -> None:
    need = make_need(session, organization="前海测试科技有限公司", organization_kind="enterprise")
    session.commit()
    body = client.get(f"{API}/{need.id}").json()
    assert body["organization"]["name"] == "前海测试科技有限公司"
    assert body["organization"]["kind"] == "enterprise"
    assert body["city"] == "jiangmen"
    assert body["external_id"] == need.external_id


def test_filters_by_industry_city_and_mode(client: TestClient, session: Session) -> None:
    need = make_need(session, industries=["4.2"], city="hengqin", transfer_modes=["equity"])
    session.commit()
    body = client.get(API, params={"industry": "4", "city": "hengqin", "mode": "equity"}).json()
    assert need.external_id in {n["external_id"] for n in body["items"]}
    for item in body["items"]:
        assert item["city"] == "hengqin"
        assert any(code.startswith("4") for code in item["industries"])
    assert body["facets"]["city"] == {"hengqin": body["total"]}


def test_needs_bad_parameters_are_named(client: TestClient) -> None:
    response = client.get(API, params={"city": "tokyo"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "city"
