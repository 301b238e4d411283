"""Helpers for the website's tests: reading a form's CSRF token, signing in through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.fixtures.accounts import PASSWORDS

HTML = {"accept": "text/html,application/xhtml+xml"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, next_path: str = "/") -> None:
    token = csrf(client.get("/login", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORDS[email], "next": next_path, "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
