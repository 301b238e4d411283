"""Roadshow text on its way in: control characters refused, field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.catalog.test_workflow import ENTERPRISE, SECRETARIAT, auth
from tests.roadshows.test_roadshows_api import API, at, create, published_ids, roadshow_body, slot

Send = Callable[[TestClient, dict[str, Any]], Response]


def _create_roadshow(client: TestClient, fields: dict[str, Any]) -> Response:
    return client.post(API, json=roadshow_body(**fields), headers=auth(client, SECRETARIAT))


def _update_roadshow(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    return client.patch(f"{API}/{rid}", json=fields, headers=auth(client, SECRETARIAT))


def _add_slot(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    body = {"project_id": published_ids(client, 1)[0], "starts_at": at(9), "minutes": 20}
    return client.post(
        f"{API}/{rid}/slots", json={**body, **fields}, headers=auth(client, SECRETARIAT)
    )


def _update_slot(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    added = slot(client, rid, published_ids(client, 1)[0], at(9)).json()
    return client.patch(
        f"{API}/{rid}/slots/{added['id']}", json=fields, headers=auth(client, SECRETARIAT)
    )


def _register(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    return client.post(f"{API}/{rid}/registrations", json=fields, headers=auth(client, ENTERPRISE))


def _org_id(client: TestClient) -> int:
    me = client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()
    return int(me["organization"]["id"])


def _invite(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    body = {"organization_id": _org_id(client), **fields}
    return client.post(f"{API}/{rid}/invitations", json=body, headers=auth(client, SECRETARIAT))


def _answer_invitation(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    sent = client.post(
        f"{API}/{rid}/invitations",
        json={"organization_id": _org_id(client)},
        headers=auth(client, SECRETARIAT),
    ).json()
    return client.patch(
        f"{API}/{rid}/invitations/{sent['id']}",
        json={"status": "declined", **fields},
        headers=auth(client, ENTERPRISE),
    )


def _record_interest(client: TestClient, fields: dict[str, Any]) -> Response:
    rid = create(client)["id"]
    pid = published_ids(client, 1)[0]
    slot(client, rid, pid, at(9))
    body = {"organization_id": _org_id(client), "project_id": pid, **fields}
    return client.post(f"{API}/{rid}/interest", json=body, headers=auth(client, SECRETARIAT))


LINES: list[tuple[Send, str]] = [
    (_create_roadshow, "title_zh"),
    (_create_roadshow, "title_en"),
    (_create_roadshow, "venue"),
    (_update_roadshow, "title_zh"),
    (_update_roadshow, "title_en"),
    (_update_roadshow, "venue"),
    (_add_slot, "presenter"),
    (_update_slot, "presenter"),
]
TEXTS: list[tuple[Send, str]] = [
    (_create_roadshow, "description_zh"),
    (_create_roadshow, "description_en"),
    (_update_roadshow, "description_zh"),
    (_register, "note"),
    (_invite, "message"),
    (_answer_invitation, "note"),
    (_record_interest, "note"),
]


@pytest.mark.parametrize(("send", "field"), LINES)
@pytest.mark.parametrize("bad", ["路演\r\nX-INJECTED:1", "a\tb", "bell\x07\u2028"])
def test_a_control_character_in_a_line_is_a_422_naming_the_field(
    client: TestClient, send: Send, field: str, bad: str
) -> None:
    response = send(client, {field: bad})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(("send", "field"), TEXTS)
def test_a_text_keeps_its_line_breaks_but_refuses_other_controls(
    client: TestClient, send: Send, field: str
) -> None:
    refused = send(client, {field: "第一行\x1b[31m红色"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    accepted = send(client, {field: "第一行\r\n第二行\tand a tab"})
    assert accepted.status_code in (200, 201), accepted.text


@pytest.mark.parametrize(("send", "field"), LINES[:3] + TEXTS[:1])
def test_a_nul_is_a_422_naming_the_field(client: TestClient, send: Send, field: str) -> None:
    response = send(client, {field: "a\x00b"})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
