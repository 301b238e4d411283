"""Signing in, out and up on the website: the cookie session, CSRF refusals, the throttle."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.main import create_app
from app.search.service import SearchEngine
from app.web import session as web_session
from tests.conftest import wire
from tests.fixtures.accounts import ENTERPRISE, PASSWORDS
from tests.test_app import PRODUCTION
from tests.web.helpers import HTML, csrf, sign_in


def test_signing_in_sets_an_httponly_lax_session_and_goes_where_asked(client: TestClient) -> None:
    token = csrf(client.get("/login?next=/register", headers=HTML).text)
    response = client.post(
        "/login",
        data={
            "email": ENTERPRISE,
            "password": PASSWORDS[ENTERPRISE],
            "next": "/register",
            "csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/register"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("ketao_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    assert "Secure" not in session_cookie  # not in development
    home = client.get("/", headers=HTML)
    assert "Sign out" in client.get("/?lang=en", headers=HTML).text
    assert home.headers["Cache-Control"] == "no-store"
    # The token of the anonymous page is void once signed in.
    assert csrf(home.text) != token


def test_next_never_leaves_the_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf(client.get("/login", headers=HTML).text)
        response = client.post(
            "/login",
            data={
                "email": ENTERPRISE,
                "password": PASSWORDS[ENTERPRISE],
                "next": target,
                "csrf_token": token,
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        client.cookies.clear()


def test_a_post_without_a_valid_csrf_token_is_a_403_page(client: TestClient) -> None:
    form = {"email": ENTERPRISE, "password": PASSWORDS[ENTERPRISE]}
    missing = client.post("/login?lang=en", data=form, headers=HTML)
    assert missing.status_code == 403
    assert "This form has expired" in missing.text
    assert "ketao_session" not in missing.headers.get("set-cookie", "")
    token = csrf(client.get("/login?lang=zh-Hans", headers=HTML).text)
    forged = client.post("/login", data={**form, "csrf_token": token[:-2] + "xx"}, headers=HTML)
    assert forged.status_code == 403
    assert "表单已失效" in forged.text  # in the language the reader chose
    # A token is bound to its browser's nonce: another browser's token does not pass.
    other = TestClient(client.app)
    other_token = csrf(other.get("/login", headers=HTML).text)
    stolen = client.post("/login", data={**form, "csrf_token": other_token}, headers=HTML)
    assert stolen.status_code == 403
    for path in ("/logout", "/register"):
        assert client.post(path, data={}, headers=HTML).status_code == 403


def test_signing_out_needs_the_token_and_ends_the_session(client: TestClient) -> None:
    sign_in(client, ENTERPRISE)
    assert client.post("/logout", data={}, headers=HTML).status_code == 403
    assert "ketao_session" in client.cookies
    token = csrf(client.get("/", headers=HTML).text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert "ketao_session" not in client.cookies
    assert 'href="/login"' in client.get("/", headers=HTML).text


def test_a_tampered_or_stale_session_reads_as_signed_out(client: TestClient) -> None:
    sign_in(client, ENTERPRISE)
    value = client.cookies["ketao_session"]
    nonce = client.cookies["ketao_csrf"]
    client.cookies.clear()
    client.cookies.set("ketao_csrf", nonce)
    client.cookies.set("ketao_session", value[:-3] + "abc")
    assert 'href="/login"' in client.get("/", headers=HTML).text
    secret = Settings().secret_key
    data = web_session.decode_session(secret, value)
    assert data is not None
    assert web_session.decode_session(secret, value, now=data.issued_at + 15 * 86400) is None
    assert web_session.decode_session("another secret", value) is None
    # A session made before a password change is void: its fingerprint no longer matches.
    other = web_session.encode_session(secret, data.user_id, "$argon2id$another-hash")
    client.cookies.set("ketao_session", other)
    assert client.cookies["ketao_session"] == other
    assert 'href="/login"' in client.get("/", headers=HTML).text


def test_a_wrong_password_says_so_in_the_pages_language(client: TestClient) -> None:
    token = csrf(client.get("/login?lang=zh-Hant", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": ENTERPRISE, "password": "not the password", "csrf_token": token},
        headers=HTML,
    )
    assert response.status_code == 401
    assert "電郵地址或密碼錯誤" in response.text
    assert f'value="{ENTERPRISE}"' in response.text  # the e-mail stays typed


def test_empty_fields_are_named_next_to_the_field(client: TestClient) -> None:
    token = csrf(client.get("/login?lang=en", headers=HTML).text)
    response = client.post("/login", data={"csrf_token": token}, headers=HTML)
    assert response.status_code == 422
    assert 'id="f-email-error"' in response.text
    assert "Enter your e-mail address." in response.text
    assert 'aria-describedby=" f-password-error"' in response.text or (
        'aria-describedby="f-password-error"' in response.text
    )


def test_login_is_throttled_as_the_apis(client: TestClient) -> None:
    token = csrf(client.get("/login?lang=en", headers=HTML).text)
    wrong = {"email": ENTERPRISE, "password": "guess", "csrf_token": token}
    statuses = [client.post("/login", data=wrong, headers=HTML).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    refused = client.post("/login", data=wrong, headers=HTML)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.text
    # One throttle: the API's token endpoint is refused for the same account and address.
    api = client.post(
        "/api/v1/auth/token", data={"username": ENTERPRISE, "password": PASSWORDS[ENTERPRISE]}
    )
    assert api.status_code == 429
    # The right password is refused too while the pair waits: no oracle for guessers.
    right = client.post("/login", data={**wrong, "password": PASSWORDS[ENTERPRISE]}, headers=HTML)
    assert right.status_code == 429


def _register(client: TestClient, lang: str = "en", **fields: str) -> tuple[int, str, str]:
    token = csrf(client.get(f"/register?lang={lang}", headers=HTML).text)
    response = client.post(
        "/register", data={**fields, "csrf_token": token}, headers=HTML, follow_redirects=False
    )
    return response.status_code, response.text, response.headers.get("location", "")


def test_registering_founds_an_organisation_and_then_signs_in(client: TestClient) -> None:
    fields = {
        "role": "enterprise",
        "organization": "东莞精密模具有限公司",
        "city": "dongguan",
        "full_name": "陈工",
        "email": "chen@example.org",
        "password": "a long enough password",
    }
    status, _, location = _register(client, **fields)
    assert (status, location) == (303, "/login?registered=1")
    notice = client.get(location + "&lang=en", headers=HTML).text
    assert "Registration received." in notice
    # An e-mail that has an account gets the same answer, and nothing changes.
    again = _register(client, **{**fields, "password": "another long password"})
    assert again[0] == 303
    assert again[2] == "/login?registered=1"
    token = csrf(client.get("/login", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": "chen@example.org", "password": fields["password"], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    me = client.get("/?lang=en", headers=HTML).text
    assert "陈工" in me


def test_registration_errors_are_next_to_their_fields_in_the_pages_language(
    client: TestClient,
) -> None:
    status, html, _ = _register(
        client, lang="zh-Hans", email="not-an-email", password="short", full_name=""
    )
    assert status == 422
    for field, message in {
        "email": "请输入电子邮箱地址",
        "password": "请设置 10 至 128 个字符的密码",
        "full_name": "请输入姓名",
    }.items():
        assert f'id="f-{field}-error"' in html
        assert message in html
    assert 'value="not-an-email"' in html
    assert 'name="password" type="password" value=""' in html  # a password is never echoed
    status, html, _ = _register(
        client,
        lang="en",
        email="new@example.org",
        password="long enough password",
        full_name="New Person",
    )
    assert status == 422
    assert "Enter your organisation" in html
    assert "Choose enterprise or researcher." in html


def test_an_unknown_invitation_is_named_on_the_form(client: TestClient) -> None:
    token = csrf(client.get("/register?invitation=abc&lang=en", headers=HTML).text)
    response = client.post(
        "/register",
        data={
            "invitation": "abc",
            "email": "joiner@example.org",
            "password": "long enough password",
            "full_name": "Joiner",
            "csrf_token": token,
        },
        headers=HTML,
    )
    assert response.status_code == 422
    assert "There is no such invitation" in response.text


def test_production_cookies_are_secure(
    tmp_path: Path, session_factory: sessionmaker[Session], search_engine: SearchEngine
) -> None:
    settings = Settings(**{**PRODUCTION, "database_url": f"sqlite:///{tmp_path}/p.db"})  # type: ignore[arg-type]
    client = TestClient(wire(create_app(settings), search_engine, session_factory))
    response = client.get("/login", headers=HTML)
    assert response.status_code == 200
    csrf_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("ketao_csrf=")
    )
    assert "Secure" in csrf_cookie
    assert "HttpOnly" in csrf_cookie
