"""Organisations: registering never joins one; members invite, the secretariat adds and merges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.models import Organization, OrganizationInvitation, User
from app.needs.models import Need
from tests.fixtures.accounts import ENTERPRISE, SECRETARIAT, auth

PASSWORD = "a-long-enough-password"


def register(client: TestClient, email: str, **fields: Any) -> Any:
    body = {"email": email, "password": PASSWORD, "full_name": "Newcomer", **fields}
    return client.post("/api/v1/auth/register", json=body)


def sign_in(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def me(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/me", headers=headers).json()


def test_naming_an_existing_company_at_registration_makes_a_new_organisation(
    client: TestClient, session: Session
) -> None:
    private = session.scalars(select(Need).where(Need.visibility == "private")).first()
    assert private is not None
    assert private.organization_id is not None
    victim = session.get(Organization, private.organization_id)
    assert victim is not None
    response = register(client, "intruder@example.org", role="enterprise", organization=victim.name)
    assert response.status_code == 202
    headers = sign_in(client, "intruder@example.org")
    mine = me(client, headers)["organization"]
    assert mine["name"] == victim.name
    assert mine["id"] != victim.id
    # None of the company's private needs, leads or members reach the newcomer.
    assert client.get(f"/api/v1/needs/{private.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/me/needs", headers=headers).json()["items"] == []
    assert client.get("/api/v1/leads", headers=headers).json()["total"] == 0
    members = client.get(f"/api/v1/organizations/{victim.id}/members", headers=headers)
    assert members.status_code == 404


def test_two_registrations_with_one_new_name_make_two_organisations(client: TestClient) -> None:
    for email in ("first@example.org", "second@example.org"):
        assert register(client, email, role="enterprise", organization="Twin Co").status_code == 202
    first = me(client, sign_in(client, "first@example.org"))["organization"]
    second = me(client, sign_in(client, "second@example.org"))["organization"]
    assert first["name"] == second["name"] == "Twin Co"
    assert first["id"] != second["id"]


def test_a_member_invites_and_the_invitee_joins_once(client: TestClient) -> None:
    inviter = auth(client, ENTERPRISE)
    org = me(client, inviter)["organization"]
    made = client.post(f"/api/v1/organizations/{org['id']}/invitations", json={}, headers=inviter)
    assert made.status_code == 201, made.text
    invitation = made.json()
    assert invitation["status"] == "pending"
    assert invitation["role"] == "enterprise"
    assert invitation["register_url"].endswith(f"/register?invitation={invitation['token']}")
    expires = dt.datetime.fromisoformat(invitation["expires_at"])
    assert dt.timedelta(days=6) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)

    joined = register(client, "colleague@example.org", invitation=invitation["token"])
    assert joined.status_code == 202, joined.text
    colleague = sign_in(client, "colleague@example.org")
    assert me(client, colleague)["organization"]["id"] == org["id"]
    assert me(client, colleague)["role"] == "enterprise"

    again = register(client, "another@example.org", invitation=invitation["token"])
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "invitation"
    assert "used" in again.json()["errors"][0]["message"]
    listed = client.get(f"/api/v1/organizations/{org['id']}/invitations", headers=inviter)
    assert [i["status"] for i in listed.json()["items"]] == ["used"]
    assert "token" not in listed.json()["items"][0]
    names = {
        m["email"]
        for m in client.get(f"/api/v1/organizations/{org['id']}/members", headers=colleague).json()[
            "items"
        ]
    }
    assert {"enterprise@ketao.local", "colleague@example.org"} <= names


def test_expired_revoked_foreign_and_unknown_invitations_are_refused(
    client: TestClient, session: Session
) -> None:
    inviter = auth(client, ENTERPRISE)
    org_id = me(client, inviter)["organization"]["id"]
    url = f"/api/v1/organizations/{org_id}/invitations"

    expired = client.post(url, json={}, headers=inviter).json()
    session.execute(
        update(OrganizationInvitation)
        .where(OrganizationInvitation.id == expired["id"])
        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    )
    session.commit()
    revoked = client.post(url, json={}, headers=inviter).json()
    assert client.delete(f"{url}/{revoked['id']}", headers=inviter).status_code == 204
    addressed = client.post(url, json={"email": "Chosen@Example.org"}, headers=inviter).json()

    for token, email, says in (
        (expired["token"], "a@example.org", "expired"),
        (revoked["token"], "b@example.org", "withdrawn"),
        (addressed["token"], "not-chosen@example.org", "another e-mail"),
        ("no-such-token", "c@example.org", "no such invitation"),
    ):
        response = register(client, email, invitation=token)
        assert response.status_code == 422, (email, response.text)
        error = response.json()["errors"][0]
        assert error["field"] == "invitation"
        assert says in error["message"]
        assert session.scalar(select(User.id).where(User.email == email)) is None
    assert register(client, "chosen@example.org", invitation=addressed["token"]).status_code == 202


def test_only_members_and_the_secretariat_invite(client: TestClient) -> None:
    org_id = me(client, auth(client, ENTERPRISE))["organization"]["id"]
    assert (
        register(
            client, "outsider@example.org", role="enterprise", organization="X Ltd"
        ).status_code
        == 202
    )
    outsider = sign_in(client, "outsider@example.org")
    url = f"/api/v1/organizations/{org_id}/invitations"
    assert client.post(url, json={}, headers=outsider).status_code == 404
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=auth(client, SECRETARIAT)).status_code == 201


def test_the_secretariat_adds_a_member_and_merges_duplicates(
    client: TestClient, session: Session
) -> None:
    secretariat = auth(client, SECRETARIAT)
    org_id = me(client, auth(client, ENTERPRISE))["organization"]["id"]
    assert (
        register(client, "dup@example.org", role="enterprise", organization="松湖智造").status_code
        == 202
    )
    newcomer = sign_in(client, "dup@example.org")
    dup = me(client, newcomer)
    need = client.post(
        "/api/v1/needs",
        json={"title_zh": "测试需求：合并后仍在", "visibility": "private"},
        headers=newcomer,
    )
    assert need.status_code == 201, need.text

    merged = client.post(
        f"/api/v1/organizations/{org_id}/merge",
        json={"duplicate_id": dup["organization"]["id"]},
        headers=secretariat,
    )
    assert merged.status_code == 200, merged.text
    assert "dup@example.org" in {m["email"] for m in merged.json()["items"]}
    assert session.get(Organization, dup["organization"]["id"]) is None
    moved = session.get(Need, need.json()["id"])
    assert moved is not None
    assert moved.organization_id == org_id
    # The enterprise's own account now sees the merged-in private need.
    mine = client.get("/api/v1/me/needs", headers=auth(client, ENTERPRISE)).json()["items"]
    assert need.json()["id"] in {n["id"] for n in mine}

    assert (
        register(client, "solo@example.org", role="enterprise", organization="Solo").status_code
        == 202
    )
    solo_id = me(client, sign_in(client, "solo@example.org"))["id"]
    added = client.post(
        f"/api/v1/organizations/{org_id}/members", json={"user_id": solo_id}, headers=secretariat
    )
    assert added.status_code == 200
    assert "solo@example.org" in {m["email"] for m in added.json()["items"]}
    forbidden = client.post(
        f"/api/v1/organizations/{org_id}/members",
        json={"user_id": solo_id},
        headers=auth(client, ENTERPRISE),
    )
    assert forbidden.status_code == 403
