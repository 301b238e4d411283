"""Pages for signed-in readers and for some roles: a stranger is sent to sign in and brought
back; a reader of another role gets the 403 page in the site's language."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response

from app.web.access import SecretariatPage, SignedInPage
from tests.fixtures.accounts import ENTERPRISE, SECRETARIAT
from tests.web.helpers import HTML, sign_in


def _add_pages(app: FastAPI) -> None:
    def mine(page: SignedInPage) -> Response:
        assert page.user is not None
        return PlainTextResponse(f"hello {page.user.email}")

    def desk(page: SecretariatPage) -> Response:
        return PlainTextResponse("desk")

    app.add_api_route("/test-mine", mine, methods=["GET"])
    app.add_api_route("/test-desk", desk, methods=["GET"])


def test_a_stranger_is_sent_to_sign_in_and_comes_back(client: TestClient) -> None:
    _add_pages(client.app)  # type: ignore[arg-type]
    response = client.get("/test-mine?tab=leads", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ftest-mine%3Ftab%3Dleads"
    login = client.get(response.headers["location"], headers=HTML).text
    assert 'name="next" value="/test-mine?tab=leads"' in login
    sign_in(client, ENTERPRISE, "/test-mine?tab=leads")
    assert client.get("/test-mine", headers=HTML).text == f"hello {ENTERPRISE}"


def test_another_role_gets_the_403_page(client: TestClient) -> None:
    _add_pages(client.app)  # type: ignore[arg-type]
    sign_in(client, ENTERPRISE)
    refused = client.get("/test-desk?lang=en", headers=HTML)
    assert refused.status_code == 403
    assert "<h1>Not allowed</h1>" in refused.text
    assert 'lang="en"' in refused.text
    client.cookies.clear()
    sign_in(client, SECRETARIAT)
    assert client.get("/test-desk", headers=HTML).text == "desk"
