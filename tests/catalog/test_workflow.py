"""Submission and review: a researcher's draft to a published project, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.accounts import (
    ENTERPRISE,
    OTHER,
    OTHER_ENTERPRISE,
    OWNER,
    SECRETARIAT,
    auth,
)
from tests.fixtures.bodies import DRAFT


@pytest.fixture
def draft(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/v1/projects", json=DRAFT, headers=auth(client, OWNER))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_new_project_is_a_draft_seen_by_its_owner_and_the_secretariat(
    client: TestClient, draft: dict[str, Any]
) -> None:
    assert (draft["status"], draft["version"]) == ("draft", 1)
    assert draft["institution"] == "中山大学"  # the owner's organisation
    assert [e["action"] for e in draft["events"]] == ["created"]
    url = f"/api/v1/projects/{draft['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=auth(client, OTHER)).status_code == 404
    assert client.get(url, headers=auth(client, ENTERPRISE)).status_code == 404
    seen = client.get(url, headers=auth(client, SECRETARIAT)).json()
    assert seen["events"][0]["to_status"] == "draft"
    listed = client.get("/api/v1/projects", params={"q": "cold-plasma", "per_page": 100}).json()
    assert draft["id"] not in [p["id"] for p in listed["items"]]


@pytest.mark.parametrize(("who", "status"), [(None, 401), (ENTERPRISE, 403)])
def test_only_researchers_and_the_secretariat_create_projects(
    client: TestClient, who: str | None, status: int
) -> None:
    headers = auth(client, who) if who else {}
    assert client.post("/api/v1/projects", json=DRAFT, headers=headers).status_code == status


def test_edits_need_the_current_version(client: TestClient, draft: dict[str, Any]) -> None:
    url, owner = f"/api/v1/projects/{draft['id']}", auth(client, OWNER)
    edited = client.patch(url, json={"version": draft["version"], "trl": 6}, headers=owner)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["trl"], edited.json()["version"]) == (6, draft["version"] + 1)
    stale = client.patch(url, json={"version": draft["version"], "trl": 7}, headers=owner)
    assert stale.status_code == 409
    assert "version" in stale.json()["detail"]
    current = edited.json()["version"]
    other = client.patch(url, json={"version": current, "trl": 7}, headers=auth(client, OTHER))
    assert other.status_code == 404
    no_title = client.patch(
        url, json={"version": current, "title_zh": None, "title_en": None}, headers=owner
    )
    assert no_title.status_code == 422
    bad_code = client.patch(url, json={"version": current, "industries": ["77.7"]}, headers=owner)
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["field"] == "industries"


def test_submit_review_and_publish(client: TestClient, draft: dict[str, Any]) -> None:
    url, owner, sec = (
        f"/api/v1/projects/{draft['id']}",
        auth(client, OWNER),
        auth(client, SECRETARIAT),
    )
    assert client.post(f"{url}/submit", headers=sec).status_code == 403  # only the owner
    submitted = client.post(f"{url}/submit", headers=owner)
    assert submitted.json()["status"] == "submitted"
    assert client.post(f"{url}/submit", headers=owner).status_code == 409
    in_review = client.patch(
        url, json={"version": submitted.json()["version"], "trl": 6}, headers=owner
    )
    assert in_review.status_code == 409

    queue = client.get("/api/v1/review/queue", headers=sec).json()["items"]
    assert draft["id"] in [i["project"]["id"] for i in queue]
    assert client.get("/api/v1/review/queue", headers=owner).status_code == 403
    assert client.get("/api/v1/review/queue").status_code == 401

    decision = {"decision": "approve", "note": "内容完整"}
    assert client.post(f"{url}/review", json=decision, headers=owner).status_code == 403
    approved = client.post(f"{url}/review", json=decision, headers=sec).json()
    assert approved["status"] == "published"
    assert approved["published_at"] is not None
    assert [(e["action"], e["from_status"], e["to_status"]) for e in approved["events"]] == [
        ("created", None, "draft"),
        ("submitted", "draft", "submitted"),
        ("approve", "submitted", "published"),
    ]
    assert approved["events"][-1]["note"] == "内容完整"
    public = client.get(url).json()
    assert public["status"] == "published"
    assert public["events"] is None  # the audit log is for insiders
    found = client.get("/api/v1/projects", params={"q": "cold-plasma"}).json()
    assert draft["id"] in [p["id"] for p in found["items"]]


def test_changes_requested_then_resubmitted_or_rejected(
    client: TestClient, draft: dict[str, Any]
) -> None:
    url, owner, sec = (
        f"/api/v1/projects/{draft['id']}",
        auth(client, OWNER),
        auth(client, SECRETARIAT),
    )
    client.post(f"{url}/submit", headers=owner)
    asked = client.post(
        f"{url}/review", json={"decision": "request_changes", "note": "补充专利"}, headers=sec
    ).json()
    assert asked["status"] == "changes_requested"
    edited = client.patch(url, json={"version": asked["version"], "trl": 6}, headers=owner)
    assert edited.status_code == 200
    assert client.post(f"{url}/submit", headers=owner).json()["status"] == "submitted"
    rejected = client.post(f"{url}/review", json={"decision": "reject"}, headers=sec).json()
    assert rejected["status"] == "rejected"
    again = client.post(f"{url}/review", json={"decision": "approve"}, headers=sec)
    assert again.status_code == 409
    assert client.get(url).status_code == 404


def test_an_edit_to_a_published_project_is_reviewed_while_the_public_sees_the_old(
    client: TestClient, draft: dict[str, Any]
) -> None:
    url, owner, sec = (
        f"/api/v1/projects/{draft['id']}",
        auth(client, OWNER),
        auth(client, SECRETARIAT),
    )
    client.post(f"{url}/submit", headers=owner)
    published = client.post(f"{url}/review", json={"decision": "approve"}, headers=sec).json()
    new_title = "测试：冷等离子体处理青稞种子（修订）"
    revised = client.patch(
        url, json={"version": published["version"], "title_zh": new_title}, headers=owner
    )
    assert revised.status_code == 200
    assert revised.json()["title_zh"] == DRAFT["title_zh"]
    assert revised.json()["revision"] == {"status": "open", "changes": {"title_zh": new_title}}
    assert client.get(url).json()["title_zh"] == DRAFT["title_zh"]

    submitted = client.post(f"{url}/submit", headers=owner).json()
    assert submitted["revision"]["status"] == "submitted"
    # While it is in review, no second revision is opened beside it.
    again = client.patch(
        url, json={"version": submitted["version"], "title_en": "Another edit"}, headers=owner
    )
    assert again.status_code == 409
    assert "in review" in again.json()["detail"]
    queue = client.get("/api/v1/review/queue", headers=sec).json()["items"]
    assert {"kind": "revision", "id": draft["id"]} in [
        {"kind": i["kind"], "id": i["project"]["id"]} for i in queue
    ]
    approved = client.post(f"{url}/review", json={"decision": "approve"}, headers=sec).json()
    assert approved["title_zh"] == new_title
    assert approved["revision"] is None
    assert client.get(url).json()["title_zh"] == new_title
    assert client.get("/api/v1/projects", params={"q": "修订"}).json()["total"] >= 1


def test_completeness_is_shown_to_the_owner_and_the_reviewer(
    client: TestClient, draft: dict[str, Any]
) -> None:
    checklist = {i["item"]: i["done"] for i in draft["completeness"]["checklist"]}
    assert checklist["title_en"] is True
    assert checklist["trl"] is True
    assert checklist["patents"] is False
    assert checklist["summary_en"] is False  # one sentence is not a summary
    assert 0 < draft["completeness"]["score"] < 100
    owner = auth(client, OWNER)
    url = f"/api/v1/projects/{draft['id']}"
    patents = [{"number": "CN202410000001.1", "title": "一种等离子体处理方法", "status": "pending"}]
    better = client.patch(url, json={"version": 1, "patents": patents}, headers=owner).json()
    assert better["completeness"]["score"] > draft["completeness"]["score"]
    client.post(f"{url}/submit", headers=owner)
    queue = client.get("/api/v1/review/queue", headers=auth(client, SECRETARIAT)).json()["items"]
    [item] = [i for i in queue if i["project"]["id"] == draft["id"]]
    assert item["completeness"] == better["completeness"]
    published = client.get("/api/v1/projects/1").json()
    assert published["completeness"] is None  # insiders only


def test_the_full_description_and_contact_need_an_account(client: TestClient) -> None:
    owner, sec = auth(client, OWNER), auth(client, SECRETARIAT)
    body = {
        **DRAFT,
        "description_zh": "完整技术说明：处理功率、气体配比与田间试验数据。",
        "contact_name": "李老师",
        "contact_email": "li@example.edu.cn",
        "contact_phone": "+86 20 8411 0000",
    }
    created = client.post("/api/v1/projects", json=body, headers=owner).json()
    url = f"/api/v1/projects/{created['id']}"
    client.post(f"{url}/submit", headers=owner)
    client.post(f"{url}/review", json={"decision": "approve"}, headers=sec)

    anonymous = client.get(url).json()
    assert anonymous["disclosure"] == "summary"
    assert anonymous["summary_en"] == DRAFT["summary_en"]
    assert (anonymous["description_zh"], anonymous["contact"]) == (None, None)
    signed_in = client.get(url, headers=auth(client, ENTERPRISE)).json()
    assert signed_in["disclosure"] == "full"
    assert signed_in["description_zh"].startswith("完整技术说明")
    assert signed_in["contact"] == {
        "name": "李老师",
        "email": "li@example.edu.cn",
        "phone": "+86 20 8411 0000",
    }
    listed = client.get("/api/v1/projects", params={"external_id": created["external_id"]})
    assert "contact" not in listed.json()["items"][0]
    bad = client.post(
        "/api/v1/projects", json={**DRAFT, "contact_email": "not-an-email"}, headers=owner
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "contact_email"


def test_owners_list_their_own_projects_and_needs(
    client: TestClient, draft: dict[str, Any]
) -> None:
    mine = client.get("/api/v1/me/projects", headers=auth(client, OWNER)).json()["items"]
    assert draft["id"] in [p["id"] for p in mine]
    assert "draft" in {p["status"] for p in mine}
    theirs = client.get("/api/v1/me/projects", headers=auth(client, OTHER)).json()["items"]
    assert draft["id"] not in [p["id"] for p in theirs]
    private = client.post(
        "/api/v1/needs",
        json={"title_zh": "私有测试需求", "visibility": "private"},
        headers=auth(client, ENTERPRISE),
    ).json()
    needs = client.get("/api/v1/me/needs", headers=auth(client, ENTERPRISE)).json()["items"]
    assert private["id"] in [n["id"] for n in needs]
    other = client.get("/api/v1/me/needs", headers=auth(client, OTHER_ENTERPRISE)).json()["items"]
    assert private["id"] not in [n["id"] for n in other]
