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
from tests.fixtures.accounts import ENTERPRISE, OTHER, OTHER_ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.fixtures.bodies import DRAFT

PERSONAS = {
    "anonymous": None,
    "enterprise": ENTERPRISE,
    "owner": OWNER,
    "other_researcher": OTHER,
    "secretariat": SECRETARIAT,
}
NEED = {"title_zh": "矩阵测试需求：储能热管理", "industries": ["6.5"], "city": "jiangmen"}
ROADSHOW = {
    "title_zh": "矩阵测试路演", "industries": ["4.3"], "city": "zhaoqing", "venue": "肇庆会场",
    "starts_at": "2030-05-20T09:00:00+08:00", "ends_at": "2030-05-20T12:00:00+08:00",
    "capacity": 10,
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {draft}, {published}, {roadshow}… are filled in from the world, in bodies too
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
    Case("GET", "/api/v1/roadshows", PUBLIC),
    Case("GET", "/api/v1/roadshows/{roadshow}", PUBLIC),
    Case("GET", "/api/v1/roadshows/{draft_roadshow}", (404, 404, 404, 404, 200)),
    Case("POST", "/api/v1/roadshows", (401, 403, 403, 403, 201), ROADSHOW),
    Case("PATCH", "/api/v1/roadshows/{roadshow}", (401, 403, 403, 403, 200), {"venue": "新会场"}),
    Case("GET", "/api/v1/roadshows/{roadshow}/suggestions/projects", (401, 403, 403, 403, 200)),
    Case("GET", "/api/v1/roadshows/{roadshow}/suggestions/enterprises", (401, 403, 403, 403, 200)),
    Case(
        "POST", "/api/v1/roadshows/{roadshow}/slots", (401, 403, 403, 403, 201),
        {"project_id": "{seed}", "starts_at": "2030-05-20T10:00:00+08:00", "minutes": 20},
    ),
    Case(
        "PUT", "/api/v1/roadshows/{roadshow}/slots/order", (401, 403, 403, 403, 200),
        {"slot_ids": ["{slot}"]},
    ),
    Case(
        "PATCH", "/api/v1/roadshows/{roadshow}/slots/{slot}", (401, 403, 403, 403, 200),
        {"presenter": "李博士"},
    ),
    Case("DELETE", "/api/v1/roadshows/{roadshow}/slots/{slot}", (401, 403, 403, 403, 204)),
    Case(
        "POST", "/api/v1/roadshows/{roadshow}/invitations", (401, 403, 403, 403, 201),
        {"organization_id": "{other_enterprise_org}"},
    ),
    Case("GET", "/api/v1/roadshows/{roadshow}/invitations", (401, 403, 403, 403, 200)),
    Case(
        "PATCH", "/api/v1/roadshows/{roadshow}/invitations/{invitation}",
        (401, 200, 404, 404, 200), {"status": "declined"},
    ),
    Case("POST", "/api/v1/roadshows/{roadshow}/registrations", (401, 201, 403, 403, 403), {}),
    Case("GET", "/api/v1/roadshows/{roadshow}/registrations", (401, 403, 403, 403, 200)),
    Case(
        "DELETE", "/api/v1/roadshows/{roadshow}/registrations/{registration}",
        (401, 404, 404, 404, 204),
    ),
    Case(
        "POST", "/api/v1/roadshows/{roadshow}/registrations/{registration}/check-in",
        (401, 403, 403, 403, 200),
    ),
    Case(
        "POST", "/api/v1/roadshows/{roadshow}/interest", (401, 403, 403, 403, 201),
        {"organization_id": "{other_enterprise_org}", "project_id": "{published}", "note": "意向"},
    ),
    Case("GET", "/api/v1/roadshows/{roadshow}/outcome", (401, 403, 403, 403, 200)),
    Case("GET", "/api/v1/roadshows/{roadshow}/agenda.ics", PUBLIC),
    Case("GET", "/api/v1/roadshows/{draft_roadshow}/agenda.ics", (404, 404, 404, 404, 200)),
    Case("GET", "/api/v1/roadshows/{roadshow}/attendees.csv", (401, 403, 403, 403, 200)),
    Case("GET", "/api/v1/me/registrations", (401, 200, 200, 200, 200)),
    Case("GET", "/api/v1/me/invitations", (401, 200, 200, 200, 200)),
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


def _roadshows(client: TestClient, published: int) -> dict[str, int]:
    """A draft roadshow, and a published one presenting the owner's project, inviting the
    enterprise's organisation, with another enterprise registered."""
    sec, other = auth(client, SECRETARIAT), auth(client, OTHER_ENTERPRISE)
    draft = client.post("/api/v1/roadshows", json=ROADSHOW, headers=sec).json()
    roadshow = client.post("/api/v1/roadshows", json=ROADSHOW, headers=sec).json()
    path = f"/api/v1/roadshows/{roadshow['id']}"
    client.patch(path, json={"status": "published"}, headers=sec)
    slot = client.post(
        f"{path}/slots", headers=sec,
        json={"project_id": published, "starts_at": ROADSHOW["starts_at"], "minutes": 30},
    )  # fmt: skip
    enterprise_org = client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()
    other_org = client.get("/api/v1/me", headers=other).json()
    invitation = client.post(
        f"{path}/invitations",
        json={"organization_id": enterprise_org["organization"]["id"]},
        headers=sec,
    )
    registration = client.post(f"{path}/registrations", headers=other)
    return {
        "draft_roadshow": int(draft["id"]),
        "roadshow": int(roadshow["id"]),
        "slot": int(slot.json()["id"]),
        "invitation": int(invitation.json()["id"]),
        "registration": int(registration.json()["id"]),
        "enterprise_org": int(enterprise_org["organization"]["id"]),
        "other_enterprise_org": int(other_org["organization"]["id"]),
    }


def _filled(value: Any, world: dict[str, int]) -> Any:
    """A request body with its "{name}" placeholders replaced by the world's ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {k: _filled(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, world) for v in value]
    return value


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
    if "roadshow" in case.path:
        world = {**world, **_roadshows(client, world["published"])}
    path = case.path.format(**world)
    body = _filled(case.body, world)
    response = client.request(case.method, path, json=body, headers=headers)
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
