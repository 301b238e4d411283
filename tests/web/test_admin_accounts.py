"""Accounts and organisations in the secretariat's workspace over HTTP: search and filter,
disabling (the account can no longer sign in) and enabling, changing a role, never one's own;
merging duplicate organisations (members move; a clash is a 409 message and changes nothing);
adding a member by e-mail; CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.models import User
from tests.fixtures.accounts import ENTERPRISE, OTHER_ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, csrf, sign_in

PASSWORD = "a long enough password"


def _account_id(session: Session, email: str) -> int:
    user = session.query(User).filter_by(email=email).one()
    return user.id


def _register(client: TestClient, email: str, organization: str, role: str = "enterprise") -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Test Person",
            "role": role,
            "organization": organization,
        },
    )
    assert response.status_code == 202, response.text


def _token(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _org_of(client: TestClient, email: str) -> int:
    me = client.get("/api/v1/me", headers=_token(client, email)).json()
    return int(me["organization"]["id"])


def test_accounts_are_searched_and_filtered_by_role(client: TestClient, session: Session) -> None:
    for n in range(12):  # more than a page of accounts
        session.add(User(email=f"many{n}@example.org", password_hash="x", role="enterprise"))
    session.commit()
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/accounts?q=ENTERPRISE.foshan&lang=en", headers=HTML).text
    assert "Accounts found: 1" in html
    assert OTHER_ENTERPRISE in html
    html = client.get("/admin/accounts?role=researcher&lang=en", headers=HTML).text
    assert OWNER in html
    assert ENTERPRISE not in html
    assert '<option value="researcher" selected>' in html
    # Paginated: 25 a page, with links to the others.
    everyone = client.get("/admin/accounts?lang=en", headers=HTML).text
    total = int(re.search(r"Accounts found: (\d+)", everyone).group(1))  # type: ignore[union-attr]
    assert total > 25
    assert 'href="/admin/accounts?page=2"' in everyone
    assert client.get("/admin/accounts?page=2", headers=HTML).status_code == 200
    bad = client.get("/admin/accounts?role=admin&page=x&lang=en", headers=HTML)
    assert bad.status_code == 422
    assert "Choose a role from the list." in bad.text


def test_disabling_an_account_stops_its_sign_in(client: TestClient, session: Session) -> None:
    _register(client, "quiet@example.org", "Quiet Works")
    _token(client, "quiet@example.org")  # signs in before
    sign_in(client, SECRETARIAT)
    account = _account_id(session, "quiet@example.org")
    page = client.get("/admin/accounts?q=quiet&lang=en", headers=HTML).text
    assert f'action="/admin/accounts/{account}/active"' in page
    response = client.post(
        f"/admin/accounts/{account}/active",
        data={"csrf_token": csrf(page), "active": "0", "back_q": "quiet"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/accounts?q=quiet&done=disabled")
    page = client.get(response.headers["location"] + "&lang=en", headers=HTML).text
    assert "The account was disabled: it can no longer sign in." in page
    assert "Disabled</span>" in page
    refused = client.post(
        "/api/v1/auth/token", data={"username": "quiet@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 401
    # On the site too: the sign-in form answers as for a wrong password.
    client.cookies.clear()
    login = client.get("/login?lang=en", headers=HTML).text
    answer = client.post(
        "/login?lang=en",
        data={"email": "quiet@example.org", "password": PASSWORD, "csrf_token": csrf(login)},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code != 303
    # Enabled again, it signs in.
    sign_in(client, SECRETARIAT)
    page = client.get("/admin/accounts?q=quiet", headers=HTML).text
    client.post(
        f"/admin/accounts/{account}/active",
        data={"csrf_token": csrf(page), "active": "1"},
        headers=HTML,
    )
    assert _token(client, "quiet@example.org")


def test_changing_a_role(client: TestClient, session: Session) -> None:
    _register(client, "wrongrole@example.org", "Mistaken Lab", role="researcher")
    sign_in(client, SECRETARIAT)
    account = _account_id(session, "wrongrole@example.org")
    page = client.get("/admin/accounts?q=wrongrole&lang=en", headers=HTML).text
    response = client.post(
        f"/admin/accounts/{account}/role",
        data={"csrf_token": csrf(page), "role": "enterprise"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    me = client.get("/api/v1/me", headers=_token(client, "wrongrole@example.org")).json()
    assert me["role"] == "enterprise"
    page = client.get("/admin/accounts?q=wrongrole&lang=en", headers=HTML).text
    item = page.split(f'id="account-{account}"')[1].split("</li>")[0]
    assert '<option value="enterprise" selected>' in item
    refused = client.post(
        f"/admin/accounts/{account}/role",
        data={"csrf_token": csrf(page), "role": "king"},
        headers=HTML,
    )
    assert refused.status_code == 422


def test_the_secretariat_cannot_disable_or_demote_itself(
    client: TestClient, session: Session
) -> None:
    sign_in(client, SECRETARIAT)
    me = _account_id(session, SECRETARIAT)
    page = client.get(f"/admin/accounts?q={SECRETARIAT}&lang=en", headers=HTML).text
    assert "Your own account" in page
    assert f'action="/admin/accounts/{me}/active"' not in page  # no form to do it
    token = csrf(page)
    refused = client.post(
        f"/admin/accounts/{me}/active?lang=en",
        data={"csrf_token": token, "active": "0"},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "You cannot disable your own account" in refused.text
    refused = client.post(
        f"/admin/accounts/{me}/role?lang=zh-Hans",
        data={"csrf_token": token, "role": "researcher"},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "您不能更改自己的角色" in refused.text
    assert client.get("/admin/accounts", headers=HTML).status_code == 200  # still secretariat


def test_merging_duplicate_organisations_moves_the_members(
    client: TestClient, session: Session
) -> None:
    _register(client, "a@dup.example.org", "Duplicate Trading Co")
    _register(client, "b@dup.example.org", "Duplicate Trading Co")
    keep, duplicate = _org_of(client, "a@dup.example.org"), _org_of(client, "b@dup.example.org")
    assert keep != duplicate
    sign_in(client, SECRETARIAT)
    page = client.get("/admin/organizations?lang=en", headers=HTML).text
    group = page.split("Likely duplicates")[1].split("</form>")
    form = next(part for part in group if f'id="keep-{keep}"' in part)
    assert f'id="keep-{duplicate}"' in form
    response = client.post(
        f"/admin/organizations/{keep}/merge",
        data={
            "csrf_token": csrf(page),
            "back": "list",
            "keep": str(keep),
            "duplicate": [str(keep), str(duplicate)],
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/organizations/{keep}?done=merged#members"
    members = client.get(
        f"/api/v1/organizations/{keep}/members", headers=auth(client, SECRETARIAT)
    ).json()
    assert {m["email"] for m in members["items"]} == {"a@dup.example.org", "b@dup.example.org"}
    shown = client.get(f"/admin/organizations/{keep}?lang=en&done=merged", headers=HTML).text
    assert "a@dup.example.org" in shown
    assert "b@dup.example.org" in shown
    assert "The organisations were merged" in shown
    assert client.get(f"/admin/organizations/{duplicate}", headers=HTML).status_code == 404


def test_a_merge_clash_is_a_message_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    _register(client, "a@clash.example.org", "Clash Industries")
    _register(client, "b@clash.example.org", "Clash Industries")
    for email in ("a@clash.example.org", "b@clash.example.org"):
        shown = client.post(
            "/api/v1/projects/1/interest",
            json={"message": "We want it"},
            headers=_token(client, email),
        )
        assert shown.status_code == 201, shown.text
    keep, duplicate = _org_of(client, "a@clash.example.org"), _org_of(client, "b@clash.example.org")
    sign_in(client, SECRETARIAT)
    page = client.get(f"/admin/organizations/{keep}?lang=en", headers=HTML).text
    refused = client.post(
        f"/admin/organizations/{keep}/merge?lang=en",
        data={"csrf_token": csrf(page), "keep": str(keep), "duplicate": str(duplicate)},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "These organisations cannot be merged" in refused.text
    assert "Nothing was changed." in refused.text
    assert client.get(f"/admin/organizations/{duplicate}", headers=HTML).status_code == 200


def test_adding_a_member_by_e_mail(client: TestClient) -> None:
    _register(client, "newhire@example.org", "Newhire Solo Co")
    sign_in(client, SECRETARIAT)
    target = client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()["organization"]["id"]
    page = client.get(f"/admin/organizations/{target}?lang=en", headers=HTML).text
    assert 'for="f-email"' in page
    response = client.post(
        f"/admin/organizations/{target}/members",
        data={"csrf_token": csrf(page), "email": " NewHire@example.org "},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _org_of(client, "newhire@example.org") == target
    # An unknown e-mail, and an account whose role does not fit: the error beside the field.
    unknown = client.post(
        f"/admin/organizations/{target}/members?lang=en",
        data={"csrf_token": csrf(page), "email": "nobody@example.org"},
        headers=HTML,
    )
    assert unknown.status_code == 404
    assert 'id="f-email-error"' in unknown.text
    assert "There is no account with this e-mail address." in unknown.text
    assert 'value="nobody@example.org"' in unknown.text
    misfit = client.post(
        f"/admin/organizations/{target}/members?lang=en",
        data={"csrf_token": csrf(page), "email": OWNER},
        headers=HTML,
    )
    assert misfit.status_code == 409
    assert "role does not fit" in misfit.text


def test_organisations_are_searched(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/organizations?q=美居&lang=en", headers=HTML).text
    assert "Organisations found: 1" in html
    assert "佛山市顺德区美居家电集团" in html
    html = client.get("/admin/organizations?kind=research&lang=en", headers=HTML).text
    assert "中山大学" in html
    assert "美居" not in html


def test_posts_without_the_csrf_token_get_the_403_page(
    client: TestClient, session: Session
) -> None:
    sign_in(client, SECRETARIAT)
    account = _account_id(session, ENTERPRISE)
    for path, data in (
        (f"/admin/accounts/{account}/active", {"active": "0"}),
        (f"/admin/accounts/{account}/role", {"role": "researcher"}),
        ("/admin/organizations/1/members", {"email": ENTERPRISE}),
        ("/admin/organizations/1/merge", {"duplicate": "2"}),
    ):
        response = client.post(f"{path}?lang=en", data=data, headers=HTML)
        assert response.status_code == 403, path
        assert "This form has expired" in response.text
    assert client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()["role"] == "enterprise"
