"""What every request meets before a route: body limits, NUL refusal, security headers, the docs
switch; and what every write meets after: the version check, integrity races as 409s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.main import create_app
from app.search.service import SearchEngine
from tests.conftest import wire
from tests.fixtures.accounts import ENTERPRISE, SECRETARIAT, auth
from tests.test_app import PRODUCTION


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "location", "field"),
    [
        ("GET", "/api/v1/projects", {"params": {"q": "电池\x00"}}, "query", "q"),
        ("GET", "/api/v1/projects", {"params": {"external_id": "\x00"}}, "query", "external_id"),
        ("GET", "/api/v1/needs", {"params": {"city": "shen\x00zhen"}}, "query", "city"),
        (
            "POST",
            "/api/v1/auth/token",
            {"data": {"username": "a\x00@example.org", "password": "x"}},
            "body",
            "username",
        ),
        ("POST", "/api/v1/matches", {"json": {"text": "储能\x00电池"}}, "body", "text"),
        (
            "POST",
            "/api/v1/matches",
            {"json": {"text": "ok", "industries": ["1", "6\x00"]}},
            "body",
            "industries.1",
        ),
    ],
)
def test_a_nul_character_in_any_input_is_a_422_naming_the_field(
    client: TestClient,
    method: str,
    path: str,
    kwargs: dict[str, object],
    location: str,
    field: str,
) -> None:
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["location"], error["field"]) == (location, field)
    assert "NUL" in error["message"]


def test_a_nul_in_a_json_body_field_of_a_write_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/needs",
        json={"title_zh": "需求\x00标题"},
        headers=auth(client, ENTERPRISE),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title_zh"
    # An escaped backslash followed by "u0000" is text, not a NUL.
    text = client.post("/api/v1/matches", content=b'{"text": "\\\\u0000 ok"}',
                       headers={"content-type": "application/json"})  # fmt: skip
    assert text.status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b'{"text": "' + b"x" * 1_100_000 + b'"}'
    declared = client.post(
        "/api/v1/matches", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"
    assert "1,000,000 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(120):
            yield b"y" * 10_000
        yield b'"}'

    streamed = client.post(
        "/api/v1/matches", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_imports_have_their_own_limit(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> None:
    app = wire(
        create_app(Settings(data_dir=tmp_path, max_import_bytes=2_000)),
        search_engine,
        session_factory,
    )
    client = TestClient(app, raise_server_exceptions=False)
    headers = {**auth(client, SECRETARIAT), "content-type": "application/x-ndjson"}
    record = b'{"type": "need", "title_zh": "' + "长".encode() * 1000 + b'"}\n'
    response = client.post("/api/v1/import?format=jsonl", content=record, headers=headers)
    assert response.status_code == 413


def test_every_answer_carries_security_headers(client: TestClient) -> None:
    anonymous = client.get("/api/v1/projects")
    for name, value in {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }.items():
        assert anonymous.headers[name] == value
    assert "default-src 'none'" in anonymous.headers["Content-Security-Policy"]
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in anonymous.headers  # not in development
    signed_in = client.get("/api/v1/me", headers=auth(client, ENTERPRISE))
    assert signed_in.headers["Cache-Control"] == "no-store"
    problem = client.get("/api/v1/projects/999999999")
    assert problem.headers["X-Content-Type-Options"] == "nosniff"


def test_production_hides_the_docs_and_sends_hsts(tmp_path: Path) -> None:
    settings = Settings(**{**PRODUCTION, "database_url": f"sqlite:///{tmp_path}/p.db"})  # type: ignore[arg-type]
    client = TestClient(create_app(settings))  # no lifespan: nothing here needs the database
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    public = Settings(**{**PRODUCTION, "database_url": "sqlite://", "public_docs": True})  # type: ignore[arg-type]
    assert TestClient(create_app(public)).get("/docs").status_code == 200


def test_two_edits_of_a_published_project_from_one_version_keep_the_first(
    client: TestClient,
) -> None:
    headers = auth(client, SECRETARIAT)
    project = client.get("/api/v1/projects", params={"per_page": 1}).json()["items"][0]
    url = f"/api/v1/projects/{project['id']}"
    version = client.get(url, headers=headers).json()["version"]
    first = client.patch(url, json={"version": version, "summary_en": "First edit."},
                         headers=headers)  # fmt: skip
    assert first.status_code == 200, first.text
    second = client.patch(url, json={"version": version, "summary_en": "Second edit."},
                          headers=headers)  # fmt: skip
    assert second.status_code == 409
    assert "version" in second.json()["detail"]
    current = client.get(url, headers=headers).json()
    assert current["revision"]["changes"]["summary_en"] == "First edit."
    assert current["version"] == version + 1
    # Read again, edit again: fine.
    third = client.patch(url, json={"version": version + 1, "summary_en": "Third edit."},
                         headers=headers)  # fmt: skip
    assert third.status_code == 200


def _failing_commit_app(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path,
    error: Exception,
) -> TestClient:  # fmt: skip
    class FailingCommit(Session):
        def commit(self) -> None:
            raise error

    factory: sessionmaker[Session] = sessionmaker(
        bind=session_factory.kw["bind"], class_=FailingCommit, expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )  # fmt: skip
    app = wire(create_app(Settings(data_dir=tmp_path)), search_engine, session_factory, factory)
    return TestClient(app, raise_server_exceptions=False)


def test_a_commit_that_fails_is_the_answer_not_a_201(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> None:
    locked = OperationalError("COMMIT", {}, Exception("database is locked"))
    client = _failing_commit_app(session_factory, search_engine, tmp_path, locked)
    response = client.post(
        "/api/v1/needs", json={"title_zh": "提交失败的需求"}, headers=auth(client, ENTERPRISE)
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_unique_clash_at_commit_is_a_409_naming_the_field(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> None:
    clash = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: needs.external_id"))
    client = _failing_commit_app(session_factory, search_engine, tmp_path, clash)
    response = client.post(
        "/api/v1/needs", json={"title_zh": "撞号的需求"}, headers=auth(client, ENTERPRISE)
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "external_id"
    assert "external_id" in response.json()["detail"]


def test_control_characters_in_notes_and_texts_are_refused_naming_the_field(
    client: TestClient,
) -> None:
    bell = client.post("/api/v1/matches", json={"text": "储能\x07电池"})
    assert bell.status_code == 422
    assert bell.json()["errors"][0]["field"] == "text"
    lines = client.post("/api/v1/matches", json={"text": "储能电池\n热失控\t预警"})
    assert lines.status_code == 200  # line breaks and tabs are text


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        (
            {},
            '{"text": "储能\\u0000"}'.encode(),
            422,
        ),  # no content type: parsed as JSON all the same
        ({"content-type": "Application/JSON"}, '{"text": "储能\\u0000"}'.encode(), 422),
        ({"content-type": "application/json"}, '{"text": "a\\u0000"}'.encode("utf-16"), 422),
        ({"content-type": "application/json"}, '{"text": "储能"}'.encode("utf-16"), 200),
    ],
)
def test_nul_is_found_whatever_the_content_type_says(
    client: TestClient, headers: dict[str, str], body: bytes, status: int
) -> None:
    response = client.post("/api/v1/matches", content=body, headers=headers)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["field"] == "text"


def test_a_nul_in_a_multipart_login_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token",
        files={"username": (None, "a\x00b@example.org"), "password": (None, "x")},
    )
    assert response.status_code == 422


def test_deeply_nested_json_is_a_problem_not_a_500(client: TestClient) -> None:
    deep = "[" * 100_000 + '"\\u0000"' + "]" * 100_000
    response = client.post(
        "/api/v1/matches", content=deep.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code in {400, 422}
    assert response.headers["content-type"] == "application/problem+json"


def test_an_e_mail_with_a_control_character_is_refused(client: TestClient) -> None:
    body = {"email": "a\x01b@example.org", "password": "0123456789", "full_name": "A",
            "role": "enterprise", "organization": "Acme"}  # fmt: skip
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_the_secretariats_upload_page_has_the_import_limit(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, max_body_bytes=1_000, max_import_bytes=20_000)
    app = wire(create_app(settings), search_engine, session_factory)
    client = TestClient(app, raise_server_exceptions=False)
    body = b"x" * 5_000  # over the general limit, under the import one
    headers = {"content-type": "application/octet-stream", "accept": "text/html"}
    assert client.post("/admin/import", content=body, headers=headers).status_code != 413
    assert client.post("/admin/review", content=body, headers=headers).status_code == 413
    too_big = b"x" * 30_000
    assert client.post("/admin/import", content=too_big, headers=headers).status_code == 413
