"""Reference data loaded by the migrations: taxonomy, cities, zones and their profiles."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.geo.models import City, CityIndustryWeight, Industry, ReferenceSource
from app.geo.reference import sync_reference_data

CITIES = {
    "guangzhou", "shenzhen", "zhuhai", "foshan", "huizhou", "dongguan",
    "zhongshan", "jiangmen", "zhaoqing", "hongkong", "macao",
}  # fmt: skip
ZONES = {"hengqin", "qianhai", "nansha", "hetao"}


def test_eleven_cities_and_four_zones_with_names_in_three_scripts(session: Session) -> None:
    cities = session.scalars(select(City)).all()
    assert {c.code for c in cities if c.kind == "city"} == CITIES
    assert {c.code for c in cities if c.kind == "zone"} == ZONES
    for city in cities:
        assert city.name_zh
        assert city.name_zh_hant
        assert city.name_en
    by_code = {c.code: c for c in cities}
    assert by_code["hengqin"].parent_code == "zhuhai"
    assert by_code["qianhai"].parent_code == "shenzhen"
    assert by_code["nansha"].parent_code == "guangzhou"
    assert by_code["guangzhou"].name_zh_hant == "廣州"


def test_every_profile_weight_is_a_known_industry_and_cites_a_known_source(
    session: Session,
) -> None:
    sources = set(session.scalars(select(ReferenceSource.number)))
    weights = session.scalars(select(CityIndustryWeight)).all()
    assert {w.city_code for w in weights} == CITIES | ZONES
    for weight in weights:
        assert 0 < weight.weight <= 1
        assert weight.sources, f"{weight.city_code}/{weight.industry_code} cites nothing"
        assert set(weight.sources) <= sources


def test_taxonomy_has_nine_top_level_codes_each_with_children(session: Session) -> None:
    industries = session.scalars(select(Industry)).all()
    top = {i.code for i in industries if i.level == 1}
    assert top == {str(n) for n in range(1, 10)}
    for code in top:
        assert any(i.parent_code == code for i in industries)
    names = {i.code: i.name_zh for i in industries}
    assert names["1"] == "新一代信息技术产业"
    assert names["9"] == "相关服务业"


def test_sync_is_idempotent(connection: Connection, session: Session) -> None:
    before = session.execute(
        select(
            CityIndustryWeight.city_code,
            CityIndustryWeight.industry_code,
            CityIndustryWeight.weight,
        ).order_by(CityIndustryWeight.city_code, CityIndustryWeight.industry_code)
    ).all()
    sync_reference_data(connection)
    after = session.execute(
        select(
            CityIndustryWeight.city_code,
            CityIndustryWeight.industry_code,
            CityIndustryWeight.weight,
        ).order_by(CityIndustryWeight.city_code, CityIndustryWeight.industry_code)
    ).all()
    assert before == after
    assert session.scalar(select(City).where(City.code == "macao")) is not None


def test_city_list_and_kind_filter(client: TestClient) -> None:
    body = client.get("/api/v1/cities").json()
    assert body["total"] == 15
    zones = client.get("/api/v1/cities", params={"kind": "zone"}).json()
    assert {c["code"] for c in zones["items"]} == ZONES
    bad = client.get("/api/v1/cities", params={"kind": "province"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"


def test_city_detail_shows_profile_sorted_by_weight_with_sources(client: TestClient) -> None:
    response = client.get("/api/v1/cities/shenzhen")
    assert response.status_code == 200
    city = response.json()
    weights = [entry["weight"] for entry in city["profile"]]
    assert weights == sorted(weights, reverse=True)
    assert len(weights) >= 5
    assert {z["code"] for z in city["zones"]} >= {"qianhai", "hetao"}
    cited = {n for entry in city["profile"] for n in entry["sources"]}
    assert cited <= {s["number"] for s in city["sources"]}
    assert all(s["url"].startswith("http") for s in city["sources"])
    assert city["profile"][0]["industry_name_zh"]


def test_unknown_city_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/cities/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "atlantis" in response.json()["detail"]


def test_taxonomy_endpoint(client: TestClient) -> None:
    body = client.get("/api/v1/taxonomy").json()
    assert [i["code"] for i in body["industries"]] == [str(n) for n in range(1, 10)]
    assert body["industries"][0]["children"][0]["code"] == "1.1"
    assert [t["level"] for t in body["trl"]] == list(range(1, 10))
    assert {m["code"] for m in body["transfer_modes"]} == {
        "assignment", "license", "equity", "co_development",
    }  # fmt: skip
