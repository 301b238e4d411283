"""The authorisation matrix: every endpoint (public reads, private reads and writes), for anonymous,
an enterprise, the researcher who owns the project, another researcher and the secretariat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Project
from tests.catalog.test_workflow import DRAFT, ENTERPRISE, OTHER, OWNER, SECRETARIAT, auth

PERSONAS = {
    "anonymous": None,
    "enterprise": ENTERPRISE,
    "owner": OWNER,
    "other_researcher": OTHER,
    "secretariat": SECRETARIAT,
}
NEED = {"title_zh": "矩阵测试需求：储能热管理", "industries": ["6.5"], "city": "jiangmen"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {draft}, {submitted}, {published}, {seed}, {need}, {lead} are filled in
    expected: tuple[int, int, int, int, int]  # anonymous, enterprise, owner, other, secretariat
    body: dict[str, Any] | list[Any] | None = None


PUBLIC = (200, 200, 200, 200, 200)
MATRIX = [
    Case("GET", "/api/v1/health", PUBLIC),
    Case("GET", "/api/v1/taxonomy", PUBLIC),
    Case("GET", "/api/v1/cities", PUBLIC),
    Case("GET", "/api/v1/cities/shenzhen", PUBLIC),
    Case("GET", "/api/v1/projects", PUBLIC),
    Case("GET", "/api/v1/needs", PUBLIC),
    Case("GET", "/api/v1/search/suggest?q=ECM", PUBLIC),
    Case("GET", "/api/v1/projects/{published}/matches/needs", PUBLIC),
    Case("GET", "/api/v1/projects/{published}/matches/cities", PUBLIC),
    Case("GET", "/api/v1/projects/{draft}/matches/cities", (404, 404, 404, 404, 404)),
    Case("GET", "/api/v1/cities/jiangmen/matches", PUBLIC),
    Case("POST", "/api/v1/matches", PUBLIC, {"text": "储能电站热管理"}),
    Case("POST", "/api/v1/import?format=json", (401, 403, 403, 403, 422), []),
    Case("GET", "/api/v1/projects/{published}", PUBLIC),
    Case("GET", "/api/v1/projects/{draft}", (404, 404, 200, 404, 200)),
    Case("POST", "/api/v1/projects", (401, 403, 201, 201, 201), DRAFT),
    Case("PATCH", "/api/v1/projects/{draft}", (401, 404, 200, 404, 200), {"version": 1, "trl": 6}),
    Case("POST", "/api/v1/projects/{draft}/submit", (401, 404, 200, 404, 403)),
    Case("GET", "/api/v1/review/queue", (401, 403, 403, 403, 200)),
    Case(
        "POST", "/api/v1/projects/{submitted}/review", (401, 403, 403, 403, 200),
        {"decision": "approve"},
    ),
    Case("POST", "/api/v1/needs", (401, 201, 403, 403, 201), NEED),
    Case("GET", "/api/v1/needs/{need}", (404, 200, 404, 404, 200)),
    Case("PATCH", "/api/v1/needs/{need}", (401, 200, 404, 404, 200), {"version": 1, "min_trl": 5}),
    Case("POST", "/api/v1/needs/{need}/close", (401, 200, 404, 404, 200)),
    Case("GET", "/api/v1/needs/{need}/matches", (404, 200, 404, 404, 200)),
    Case(
        "POST", "/api/v1/projects/{seed}/interest", (401, 201, 403, 403, 403),
        {"message": "想了解许可条件"},
    ),
    Case("GET", "/api/v1/leads", (401, 200, 200, 200, 200)),
    Case("GET", "/api/v1/leads/{lead}", (401, 200, 200, 404, 200)),
    Case("PATCH", "/api/v1/leads/{lead}", (401, 403, 403, 403, 200), {"stage": "contacted"}),
    Case("GET", "/api/v1/stats", (401, 403, 403, 403, 200)),
    Case("GET", "/api/v1/me", (401, 200, 200, 200, 200)),
    Case("GET", "/api/v1/me/projects", (401, 200, 200, 200, 200)),
    Case("GET", "/api/v1/me/needs", (401, 200, 200, 200, 200)),
]  # fmt: skip


@pytest.fixture
def world(client: TestClient, session: Session) -> dict[str, int]:
    """A draft, a submitted and a published project of the owner, a private need of the
    enterprise, and that enterprise's lead on the published project."""
    owner, sec, ent = auth(client, OWNER), auth(client, SECRETARIAT), auth(client, ENTERPRISE)

    def create() -> int:
        return int(client.post("/api/v1/projects", json=DRAFT, headers=owner).json()["id"])

    draft, submitted, published = create(), create(), create()
    for project_id in (submitted, published):
        client.post(f"/api/v1/projects/{project_id}/submit", headers=owner)
    client.post(f"/api/v1/projects/{published}/review", json={"decision": "approve"}, headers=sec)
    need = client.post("/api/v1/needs", json={**NEED, "visibility": "private"}, headers=ent)
    lead = client.post(
        f"/api/v1/projects/{published}/interest", json={"message": "洽谈"}, headers=ent
    )
    seed = session.scalar(select(Project.id).where(Project.external_id == "GBASF-BIO-001"))
    assert seed is not None
    return {
        "draft": draft,
        "submitted": submitted,
        "published": published,
        "seed": seed,
        "need": int(need.json()["id"]),
        "lead": int(lead.json()["id"]),
    }


@pytest.mark.parametrize(
    ("case", "persona"),
    [(case, persona) for case in MATRIX for persona in PERSONAS],
    ids=[f"{c.method} {c.path} as {p}" for c in MATRIX for p in PERSONAS],
)
def test_authorization_matrix(
    client: TestClient, world: dict[str, int], case: Case, persona: str
) -> None:
    who = PERSONAS[persona]
    headers = auth(client, who) if who else {}
    path = case.path.format(**world)
    response = client.request(case.method, path, json=case.body, headers=headers)
    expected = case.expected[list(PERSONAS).index(persona)]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_nothing_private_leaks_into_lists_search_facets_or_matches(client: TestClient) -> None:
    owner, ent, other = auth(client, OWNER), auth(client, ENTERPRISE), auth(client, OTHER)
    before = client.get("/api/v1/projects", params={"per_page": 1}).json()
    secret_project = {**DRAFT, "title_en": "Zyxwvutsrq secret draft", "keywords": ["zyxwvutsrq"]}
    draft = client.post("/api/v1/projects", json=secret_project, headers=owner).json()
    client.post(f"/api/v1/projects/{draft['id']}/submit", headers=owner)
    secret_need = {**NEED, "title_en": "Qrstuvwxyz private need", "visibility": "private"}
    need = client.post("/api/v1/needs", json=secret_need, headers=ent).json()

    for headers in ({}, other, ent):
        found = client.get("/api/v1/projects", params={"q": "zyxwvutsrq"}, headers=headers).json()
        assert found["total"] == 0
        assert found["facets"]["industry"] == {}
        assert client.get("/api/v1/search/suggest", params={"q": "zyxwvut"}).json()["items"] == []
        needs = client.get("/api/v1/needs", params={"q": "qrstuvwxyz"}, headers=headers).json()
        assert needs["total"] == 0
        matches = client.post("/api/v1/matches", json={"text": "zyxwvutsrq secret draft"}).json()
        assert draft["id"] not in [m["project"]["id"] for m in matches["items"]]
    after = client.get("/api/v1/projects", params={"per_page": 1}).json()
    assert after["total"] == before["total"]
    assert after["facets"] == before["facets"]
    published = client.get("/api/v1/projects", params={"per_page": 1}).json()["items"][0]
    for_project = client.get(
        f"/api/v1/projects/{published['id']}/matches/needs", params={"limit": 50}
    ).json()
    assert need["id"] not in [m["need"]["id"] for m in for_project["items"]]
