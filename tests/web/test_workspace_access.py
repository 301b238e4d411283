"""Who may open the workspaces: every `/me…` and `/admin…` address of the site, from one table,
as each persona — a stranger, an enterprise, a researcher, the secretariat — the way the API's
authorisation matrix walks the API.

A stranger is sent to sign in (GET) or refused (POST: the form has no valid token, or no
session); a signed-in reader of another role gets the 403 page; the role the page is for gets
it. A test also checks that the table names every workspace route the app has, so a new page
cannot be added without saying who may open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Project
from app.config import Settings
from app.leads.models import Lead
from app.main import create_app
from tests.factories import make_need
from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT
from tests.web.helpers import HTML, csrf, sign_in

ANY, ENT, RES, SEC = "signed in", "enterprise", "researcher", "secretariat"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    role: str  # who the page is for
    status: int = 200  # what that role gets for a GET (a redirect or a 404 for a bad token)


TABLE = [
    Case("GET", "/me", ANY),
    Case("GET", "/me/needs/new", ENT),
    Case("POST", "/me/needs/new", ENT),
    Case("GET", "/me/needs/{need_id}/edit", ENT),
    Case("POST", "/me/needs/{need_id}/edit", ENT),
    Case("GET", "/me/needs/{need_id}/close", ENT),
    Case("POST", "/me/needs/{need_id}/close", ENT),
    Case("GET", "/me/projects", RES),
    Case("GET", "/me/projects/new", RES),
    Case("POST", "/me/projects/new", RES),
    Case("POST", "/me/projects/checklist", RES),
    Case("GET", "/me/projects/{project_id}", RES),
    Case("GET", "/me/projects/{project_id}/edit", RES, 409),  # in review: not editable now
    Case("POST", "/me/projects/{project_id}/edit", RES),
    Case("POST", "/me/projects/{project_id}/submit", RES),
    Case("GET", "/me/interest", RES),
    Case("GET", "/admin", SEC, 303),
    Case("GET", "/admin/review", SEC),
    Case("GET", "/admin/review/{project_id}", SEC),  # the researcher's submitted project
    Case("POST", "/admin/review/{project_id}", SEC),
    Case("GET", "/admin/library", SEC),
    Case("POST", "/admin/library", SEC),
    Case("GET", "/admin/library/needs", SEC),
    Case("POST", "/admin/library/needs", SEC),
    Case("GET", "/admin/import", SEC),
    Case("POST", "/admin/import", SEC),
    Case("GET", "/admin/import/{token}", SEC, 404),  # no such upload
    Case("POST", "/admin/import/{token}", SEC),
    Case("GET", "/admin/export", SEC),
    Case("GET", "/admin/export/file", SEC, 404),  # no format asked for
    Case("GET", "/admin/leads", SEC),
    Case("GET", "/admin/leads/{lead_id}", SEC),
    Case("POST", "/admin/leads/{lead_id}/move", SEC),
    Case("GET", "/admin/roadshows", SEC),
    Case("GET", "/admin/roadshows/new", SEC),
    Case("POST", "/admin/roadshows/new", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}/edit", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/edit", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/status", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/slots", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/slots/{slot_id}/move", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/slots/{slot_id}/delete", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/invitations", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}/check-in", SEC),
    Case("POST", "/admin/roadshows/{roadshow_id}/check-in/{registration_id}", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}/outcome", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}/attendees.csv", SEC),
    Case("GET", "/admin/roadshows/{roadshow_id}/agenda.ics", SEC),
    Case("GET", "/admin/stats", SEC),
    Case("GET", "/admin/stats/{chart}.csv", SEC),
    Case("GET", "/admin/accounts", SEC),
    Case("POST", "/admin/accounts/{account_id}/active", SEC),
    Case("POST", "/admin/accounts/{account_id}/role", SEC),
    Case("GET", "/admin/organizations", SEC),
    Case("GET", "/admin/organizations/{org_id}", SEC),
    Case("POST", "/admin/organizations/{org_id}/members", SEC),
    Case("POST", "/admin/organizations/{org_id}/merge", SEC),
]
OUR_ORGANIZATION = "东莞市松湖智造电子有限公司"  # enterprise@ketao.local's
PERSONAS = {"stranger": None, ENT: ENTERPRISE, RES: OWNER, SEC: SECRETARIAT}


def _site_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of the site's own routes (the API's are in the OpenAPI schema)."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            else:
                yield route

    for route in walk(app.routes):
        if getattr(route, "include_in_schema", True):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                yield method, route.path


def test_the_table_names_every_workspace_route(tmp_path: Any) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    workspace = {
        (m, p) for m, p in _site_routes(app) if p == "/me" or p.startswith(("/me/", "/admin"))
    }
    assert workspace == {(c.method, c.path) for c in TABLE}


@pytest.fixture
def ids(session: Session) -> dict[str, Any]:
    """Real ids of the demo for the path parameters: the researcher's own project awaiting
    review, the
    enterprise's own need, a lead, a roadshow with its first slot and registration."""
    owner = session.scalar(select(User).where(User.email == OWNER))
    enterprise = session.scalar(select(User).where(User.email == ENTERPRISE))
    assert owner is not None
    assert enterprise is not None
    project = session.scalar(
        select(Project.id).where(Project.owner_id == owner.id, Project.status == "submitted")
    )
    need = make_need(session, organization=OUR_ORGANIZATION).id
    session.commit()
    lead = session.scalar(select(Lead.id).limit(1))
    assert project is not None
    assert need is not None
    assert lead is not None
    return {
        "project_id": project,
        "need_id": need,
        "lead_id": lead,
        "roadshow_id": 1,
        "slot_id": 1,
        "registration_id": 1,
        "token": "no-such-upload",
        "chart": "funnel",
        "account_id": enterprise.id,
        "org_id": enterprise.organization_id,
    }


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_workspace_address_as_each_persona(
    client: TestClient, ids: dict[str, Any], persona: str
) -> None:
    email = PERSONAS[persona]
    if email is not None:
        sign_in(client, email)
    # A valid token of this browser and reader: what refuses a POST is then the role alone.
    # (the sign-in form for a stranger, the header's sign-out form for the others).
    token = csrf(client.get("/login" if email is None else "/", headers=HTML).text)
    failures = []
    for case in TABLE:
        url = case.path.format(**ids) + "?lang=en"
        if case.method == "GET":
            response = client.get(url, headers=HTML, follow_redirects=False)
        else:
            response = client.post(
                url, data={"csrf_token": token}, headers=HTML, follow_redirects=False
            )
        allowed = email is not None and case.role in (ANY, persona)
        got = (response.status_code, response.headers.get("location", ""))
        if email is None:
            expected_ok = got[0] == 303 and got[1].startswith("/login?next=")
        elif not allowed:
            expected_ok = got[0] == 403 and "Not allowed" in response.text
        elif case.method == "GET":
            expected_ok = got[0] == case.status or (
                persona == RES and case.path == "/me" and got == (303, "/me/projects")
            )
        else:
            expected_ok = got[0] < 500 and got[0] != 403
        if not expected_ok:
            failures.append(f"{case.method} {case.path} as {persona}: {got}")
    assert failures == []
