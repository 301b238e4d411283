"""Leads: interest becomes a lead, each role sees its own, the secretariat moves it to landing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.leads import service
from app.leads.models import Lead
from tests.fixtures.accounts import ENTERPRISE, OTHER, OWNER, SECRETARIAT, auth
from tests.fixtures.accounts import OTHER_ENTERPRISE as FOSHAN
from tests.fixtures.bodies import DRAFT


def published_project(client: TestClient) -> int:
    """A project owned by the demo researcher, taken through review to publication."""
    owner, sec = auth(client, OWNER), auth(client, SECRETARIAT)
    created = client.post("/api/v1/projects", json=DRAFT, headers=owner).json()
    url = f"/api/v1/projects/{created['id']}"
    client.post(f"{url}/submit", headers=owner)
    client.post(f"{url}/review", json={"decision": "approve"}, headers=sec)
    return int(created["id"])


def interest(client: TestClient, project_id: int, who: str) -> Any:
    return client.post(
        f"/api/v1/projects/{project_id}/interest",
        json={"message": "希望洽谈许可"},
        headers=auth(client, who),
    )


def test_interest_becomes_a_lead_seen_by_the_right_people(client: TestClient) -> None:
    project_id = published_project(client)
    created = interest(client, project_id, ENTERPRISE)
    assert created.status_code == 201, created.text
    lead = created.json()
    assert (lead["stage"], lead["project_id"]) == ("new", project_id)
    assert lead["events"][0]["to_stage"] == "new"
    assert interest(client, project_id, ENTERPRISE).status_code == 409  # already followed

    def ids(who: str) -> list[int]:
        body = client.get("/api/v1/leads", headers=auth(client, who)).json()
        return [item["id"] for item in body["items"]]

    assert lead["id"] in ids(ENTERPRISE)
    assert lead["id"] in ids(OWNER)  # the project's owner
    assert lead["id"] in ids(SECRETARIAT)
    assert lead["id"] not in ids(OTHER)  # another researcher
    assert lead["id"] not in ids(FOSHAN)  # another enterprise
    assert (
        client.get(f"/api/v1/leads/{lead['id']}", headers=auth(client, FOSHAN)).status_code == 404
    )
    assert client.get("/api/v1/leads").status_code == 401


def test_only_enterprises_show_interest_in_published_projects(client: TestClient) -> None:
    project_id = published_project(client)
    assert interest(client, project_id, OWNER).status_code == 403
    assert (
        client.post(f"/api/v1/projects/{project_id}/interest", json={"message": "x"}).status_code
        == 401
    )
    unpublished = client.post("/api/v1/projects", json=DRAFT, headers=auth(client, OWNER)).json()
    assert interest(client, unpublished["id"], ENTERPRISE).status_code == 404


def test_the_pipeline_to_landing_and_the_numbers(client: TestClient) -> None:
    project_id = published_project(client)
    lead = interest(client, project_id, ENTERPRISE).json()
    url, sec = f"/api/v1/leads/{lead['id']}", auth(client, SECRETARIAT)
    assert (
        client.patch(url, json={"stage": "contacted"}, headers=auth(client, OWNER)).status_code
        == 403
    )
    skip = client.patch(url, json={"stage": "signed"}, headers=sec)
    assert skip.status_code == 409
    assert "allowed: closed, contacted" in skip.json()["detail"]
    for stage in ("contacted", "negotiating", "signed"):
        assert client.patch(url, json={"stage": stage}, headers=sec).json()["stage"] == stage
    missing = client.patch(url, json={"stage": "landed"}, headers=sec)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "landing"
    landing = {"city": "nansha", "amount_wan": 1200, "date": "2026-11-20"}
    landed = client.patch(
        url, json={"stage": "landed", "note": "签约落地南沙", "landing": landing}, headers=sec
    ).json()
    assert (landed["stage"], landed["landed_city"], landed["landed_amount_wan"]) == (
        "landed",
        "nansha",
        1200,
    )
    assert [e["to_stage"] for e in landed["events"]] == [
        "new", "contacted", "negotiating", "signed", "landed",
    ]  # fmt: skip
    assert client.patch(url, json={"stage": "closed"}, headers=sec).status_code == 409

    numbers = client.get("/api/v1/stats", headers=sec)
    assert numbers.status_code == 200
    body = numbers.json()
    assert body["lead_funnel"]["landed"] >= 1
    assert body["landings_by_place"]["nansha"]["amount_wan"] >= 1200
    assert body["published_projects_by_industry"]["4"] >= 5
    assert client.get("/api/v1/stats", headers=auth(client, ENTERPRISE)).status_code == 403


def test_one_open_lead_per_organisation_and_project_even_when_requests_race(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = published_project(client)
    first = interest(client, project_id, ENTERPRISE)
    assert first.status_code == 201
    # The second request read "no open lead" before the first committed: the database's
    # partial unique index stops it, and the caller gets the 409, not a 500 or a second lead.
    real = service._open_lead
    calls = {"n": 0}

    def stale(*args: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args)

    monkeypatch.setattr(service, "_open_lead", stale)
    second = interest(client, project_id, ENTERPRISE)
    assert second.status_code == 409
    assert f"lead {first.json()['id']}" in second.json()["detail"]
    open_leads = session.scalars(
        select(Lead).where(Lead.project_id == project_id, Lead.stage == "new")
    ).all()
    assert len(open_leads) == 1
