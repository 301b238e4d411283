"""Application-wide behaviour: health, problem details for every error, production settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Environment, Settings
from app.main import create_app
from app.search.service import SearchEngine
from tests.conftest import wire


def test_health_reports_database_and_search(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["search"] == {
        "status": "ok",
        "backend": "embedded",
        "outbox_pending": 0,
        "outbox_failing": 0,
        "lag_seconds": 0.0,
        "last_error": None,
    }


def test_unexpected_errors_are_problem_details_without_internals(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> None:
    app = wire(create_app(Settings(data_dir=tmp_path)), search_engine, session_factory)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert response.json()["title"] == "Internal server error"


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert client.get("/api/v1/nothing-here").headers["content-type"] == "application/problem+json"
    response = client.delete("/api/v1/projects")
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_openapi_documents_errors_as_problem_details(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert client.get("/docs").status_code == 200
    listing = spec["paths"]["/api/v1/projects"]["get"]["responses"]
    assert listing["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    detail = spec["paths"]["/api/v1/projects/{project_id}"]["get"]["responses"]
    assert "application/problem+json" in detail["404"]["content"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    adhoc = spec["paths"]["/api/v1/matches"]["post"]["responses"]
    assert "application/problem+json" in adhoc["400"]["content"]
    assert "FieldError" in spec["components"]["schemas"]


def test_timestamps_carry_their_offset(client: TestClient) -> None:
    item = client.get("/api/v1/projects", params={"per_page": 1}).json()["items"][0]
    for key in ("created_at", "updated_at", "published_at"):
        assert item[key].endswith(("+00:00", "Z")), item[key]


PRODUCTION = {
    "environment": Environment.production,
    "database_url": "postgresql+psycopg://db/ketao",
    "secret_key": "kZ3v9-QpL0sR7wXy2bN4mT8cF6hJ1dG5eA0uV-iO3qE",
    "public_url": "https://ketao.example.org/",
}


def test_production_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KETAO_SECRET_KEY"):
        Settings(environment=Environment.production, database_url="postgresql://x/y")
    ok = Settings(**PRODUCTION)  # type: ignore[arg-type]
    assert ok.effective_database_url == "postgresql+psycopg://db/ketao"
    assert ok.public_url == "https://ketao.example.org"
    assert Settings(data_dir=tmp_path).effective_database_url.endswith("ketao.db")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"secret_key": "a" * 32}, "KETAO_SECRET_KEY"),
        ({"secret_key": "ab" * 32}, "KETAO_SECRET_KEY"),  # long, but 64 bits at most
        ({"database_url": ""}, "KETAO_DATABASE_URL"),
        ({"database_url": "   "}, "KETAO_DATABASE_URL"),
        ({"public_url": "http://ketao.example.org"}, "KETAO_PUBLIC_URL"),
    ],
)
def test_production_refuses_weak_secrets_and_a_missing_database(
    change: dict[str, str], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        Settings(**{**PRODUCTION, **change})  # type: ignore[arg-type]


def test_bodies_that_cannot_be_read_are_problems(client: TestClient) -> None:
    json_type = {"content-type": "application/json"}
    undecodable = client.post("/api/v1/matches", content=b"\xe9e", headers=json_type)
    assert undecodable.status_code == 400
    assert undecodable.headers["content-type"] == "application/problem+json"
    malformed = client.post("/api/v1/matches", content=b"{not json", headers=json_type)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["location"] == "body"
