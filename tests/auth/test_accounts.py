"""Accounts: the OAuth2 password flow, registration, /me, the login throttle."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.security import LoginThrottle, create_access_token, decode_access_token

DEMO = {"username": "researcher@ketao.local", "password": "ketao-demo-researcher"}


def login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def bearer(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = login(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_password_flow_and_me(client: TestClient) -> None:
    response = login(client, **DEMO)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    user = me.json()
    assert (user["email"], user["role"]) == ("researcher@ketao.local", "researcher")
    assert user["organization"]["name"] == "中山大学"
    assert isinstance(user["organization"]["id"], int)


def test_the_login_answer_never_tells_whether_an_account_exists(client: TestClient) -> None:
    wrong_password = login(client, "researcher@ketao.local", "not-the-password")
    no_account = login(client, "nobody@ketao.local", "not-the-password")
    assert wrong_password.status_code == no_account.status_code == 401
    assert wrong_password.json()["detail"] == no_account.json()["detail"]
    assert wrong_password.headers["WWW-Authenticate"] == "Bearer"


def test_me_needs_a_valid_token(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["content-type"] == "application/problem+json"
    expired = create_access_token(1, "researcher", client.app.state.settings.secret_key, -1)  # type: ignore[attr-defined]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    )
    forged = create_access_token(1, "secretariat", "another-secret-that-is-long-enough-for-hs256")
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )


def test_five_failures_a_minute_for_one_account_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "enterprise@ketao.local", "wrong-password-x").status_code == 401
    throttled = login(client, "enterprise@ketao.local", "ketao-demo-enterprise")
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert throttled.headers["content-type"] == "application/problem+json"


def test_failures_from_one_address_across_accounts_are_throttled() -> None:
    throttle = LoginThrottle(limit=5, window=60)
    for n in range(5):
        assert throttle.retry_after([f"account:user{n}", "address:10.0.0.1"]) == 0
        throttle.failed([f"account:user{n}", "address:10.0.0.1"])
    assert throttle.retry_after(["account:fresh", "address:10.0.0.1"]) > 0
    assert throttle.retry_after(["account:fresh", "address:10.0.0.2"]) == 0


def test_register_then_sign_in(client: TestClient) -> None:
    body = {
        "email": "New.Researcher@Example.org",
        "password": "a-long-enough-password",
        "full_name": "黄小明",
        "role": "researcher",
        "organization": "暨南大学",
        "city": "guangzhou",
    }
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == "new.researcher@example.org"
    assert user["organization"]["kind"] == "research"
    headers = bearer(client, "new.researcher@example.org", "a-long-enough-password")
    assert client.get("/api/v1/me", headers=headers).json()["id"] == user["id"]
    again = client.post("/api/v1/auth/register", json=body)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "secretariat"}, "role"),
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"city": "atlantis"}, "city"),
    ],
)
def test_register_refuses_bad_input(client: TestClient, change: dict[str, str], field: str) -> None:
    body = {
        "email": "someone@example.org",
        "password": "a-long-enough-password",
        "full_name": "Someone",
        "role": "enterprise",
        "organization": "Some Company Ltd",
        **change,
    }
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_tokens_round_trip() -> None:
    token = create_access_token(7, "enterprise", "x" * 40)
    claims = decode_access_token(token, "x" * 40)
    assert claims is not None
    assert (claims.user_id, claims.role) == (7, "enterprise")
    assert decode_access_token(token, "y" * 40) is None
