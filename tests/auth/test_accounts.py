"""Accounts: the OAuth2 password flow, registration, /me, the login throttle."""

from __future__ import annotations

import threading
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


def test_five_failures_for_one_account_from_one_address_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "enterprise@ketao.local", "wrong-password-x").status_code == 401
    throttled = login(client, "enterprise@ketao.local", "ketao-demo-enterprise")
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900
    assert throttled.headers["content-type"] == "application/problem+json"


def fail(throttle: LoginThrottle, account: str, address: str) -> None:
    """One wrong password: an attempt begun and never taken back."""
    wait, _ = throttle.begin(account, address)
    assert wait == 0


def test_guesses_from_elsewhere_never_lock_the_owner_out() -> None:
    """An attacker's failures on an account, from any number of addresses, leave the owner's own
    address free: the count is per (account, address) pair and per address."""
    throttle = LoginThrottle()
    for n in range(40):
        fail(throttle, "enterprise@ketao.local", f"203.0.113.{n % 8}")
    assert throttle.begin("enterprise@ketao.local", "198.51.100.7")[0] == 0


def test_the_owner_signs_in_while_the_account_is_attacked_from_another_address(
    client: TestClient,
) -> None:
    attacker = TestClient(client.app, client=("203.0.113.9", 50000))
    for _ in range(8):
        assert login(attacker, "enterprise@ketao.local", "wrong-password-x").status_code in {
            401,
            429,
        }
    assert login(attacker, "enterprise@ketao.local", "ketao-demo-enterprise").status_code == 429
    owner = TestClient(client.app, client=("198.51.100.7", 50000))
    assert login(owner, "enterprise@ketao.local", "ketao-demo-enterprise").status_code == 200


def test_delays_grow_after_the_limit_and_a_spray_from_one_address_is_throttled() -> None:
    throttle = LoginThrottle(pair_limit=5, address_limit=20, window=900)
    waits = []
    for _ in range(8):
        wait, _ = throttle.begin("a@example.org", "10.0.0.1")
        waits.append(wait)  # each attempt let through counts as a failure
    assert waits[:5] == [0, 0, 0, 0, 0]
    assert waits[5:] == sorted(waits[5:])
    assert waits[5] > 0
    for n in range(20):
        fail(throttle, f"user{n}@example.org", "10.0.0.2")
    assert throttle.begin("fresh@example.org", "10.0.0.2")[0] > 0  # the address's ceiling
    assert throttle.begin("fresh@example.org", "10.0.0.3")[0] == 0


def test_parallel_attempts_cannot_all_pass_the_check() -> None:
    """Forty attempts at once on one account from one address: only the limit gets through to
    the password check; the others wait, though none has failed yet."""
    throttle = LoginThrottle(pair_limit=5)
    let_through = []
    lock = threading.Lock()

    def attempt() -> None:
        wait, _ = throttle.begin("a@example.org", "10.0.0.1")
        with lock:
            let_through.append(wait == 0)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(let_through) == 5


def test_an_ipv6_subscriber_is_counted_by_its_64() -> None:
    throttle = LoginThrottle(pair_limit=3)
    for n in range(3):
        fail(throttle, "a@example.org", f"2001:db8:1:2::{n + 1}")
    assert throttle.begin("a@example.org", "2001:db8:1:2::ffff")[0] > 0  # same /64
    assert throttle.begin("a@example.org", "2001:db8:1:3::1")[0] == 0  # another /64


def test_a_success_clears_its_pair_and_does_not_count_for_the_address() -> None:
    throttle = LoginThrottle(pair_limit=3, address_limit=5)
    for _ in range(2):
        fail(throttle, "a@example.org", "10.0.0.1")
    _, stamp = throttle.begin("a@example.org", "10.0.0.1")
    throttle.succeeded("a@example.org", "10.0.0.1", stamp)
    for _ in range(2):
        fail(throttle, "a@example.org", "10.0.0.1")
    assert throttle.begin("a@example.org", "10.0.0.1")[0] == 0
    assert throttle.begin("b@example.org", "10.0.0.1")[0] > 0  # 2 + 2 + 1 failures: the ceiling


def test_register_then_sign_in(client: TestClient) -> None:
    body = {
        "email": "New.Researcher@Example.org",
        "password": "a-long-enough-password",
        "full_name": "黄小明",
        "role": "researcher",
        "organization": "  暨南大学   生命科学院 ",
        "city": "guangzhou",
    }
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 202, response.text
    headers = bearer(client, "new.researcher@example.org", "a-long-enough-password")
    user = client.get("/api/v1/me", headers=headers).json()
    assert user["email"] == "new.researcher@example.org"
    assert user["organization"]["kind"] == "research"
    assert user["organization"]["name"] == "暨南大学 生命科学院"  # trimmed, spaces collapsed


def test_registration_never_tells_whether_an_e_mail_has_an_account(client: TestClient) -> None:
    body = {
        "password": "another-long-password",
        "full_name": "Someone",
        "role": "enterprise",
        "organization": "Some Company Ltd",
    }
    taken = client.post("/api/v1/auth/register", json={**body, "email": "enterprise@ketao.local"})
    fresh = client.post("/api/v1/auth/register", json={**body, "email": "fresh@example.org"})
    assert taken.status_code == fresh.status_code == 202
    assert taken.json() == fresh.json()
    # Nothing changed for the existing account: its own password still works, the new one not.
    assert login(client, "enterprise@ketao.local", "ketao-demo-enterprise").status_code == 200
    assert login(client, "enterprise@ketao.local", "another-long-password").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "secretariat"}, "role"),
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"city": "atlantis"}, "city"),
        ({"organization": "Evil\r\nCorp"}, "organization"),
        ({"organization": "   "}, "organization"),
        ({"full_name": "Bad\x00Name"}, "full_name"),
        ({"organization": None}, "organization"),
    ],
)
def test_register_refuses_bad_input(
    client: TestClient, change: dict[str, str | None], field: str
) -> None:
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


@pytest.mark.parametrize("sub", ["1e5", "-3", "0", "99999999999999999999", "٣", ["1"], 5, None])
def test_a_signed_token_with_a_sub_we_never_issue_is_a_401(client: TestClient, sub: Any) -> None:
    import datetime as dt

    import jwt

    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    claims = {"sub": sub, "role": "secretariat", "exp": dt.datetime.now(dt.UTC).timestamp() + 60}
    token = jwt.encode(claims, secret, algorithm="HS256")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/needs", "/api/v1/roadshows"])
def test_a_present_but_invalid_token_is_a_401_on_public_lists(
    client: TestClient, path: str
) -> None:
    assert client.get(path).status_code == 200
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"
