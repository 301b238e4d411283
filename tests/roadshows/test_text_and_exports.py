"""Roadshow text on its way in and out: control characters refused on input, and the .ics and
.csv exports sound for text stored before that rule, whatever Host header a request carries."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import icalendar
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from app.roadshows.exports import attachment
from app.roadshows.models import Registration, Roadshow, Slot
from tests.fixtures.accounts import ENTERPRISE, SECRETARIAT, auth
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


# --- exports of text stored before the rule ---


def _events(response: Response) -> tuple[icalendar.Calendar, list[icalendar.Component]]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def _filename(response: Response) -> str:
    """The filename a browser saves under: RFC 6266 has ``filename*`` win over ``filename``."""
    value = response.headers["content-disposition"]
    assert value.startswith("attachment;")
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", value)
    if extended:
        return unquote(extended.group(1), errors="strict")
    plain = re.search(r'filename="([^"]*)"', value)
    assert plain is not None, value
    return plain.group(1)


def test_a_title_with_line_breaks_stored_earlier_still_gives_a_calendar(
    client: TestClient, session: Session
) -> None:
    rid = create(client)["id"]
    added = slot(client, rid, published_ids(client, 1)[0], at(9)).json()
    roadshow = session.get(Roadshow, rid)
    stored_slot = session.get(Slot, added["id"])
    assert roadshow is not None
    assert stored_slot is not None
    roadshow.title_zh = "路演\r\nX-INJECTED:title"
    roadshow.title_en = "Roadshow; with, commas\\\nATTACH:http://evil.example/"
    roadshow.venue = "5号馆\r\nX-INJECTED:venue\x07"
    stored_slot.presenter = "王博士\nX-INJECTED:presenter"
    session.commit()

    response = client.get(f"{API}/{rid}/agenda.ics")
    assert response.status_code == 200, response.text
    assert _filename(response) == f"roadshow-{rid}.ics"
    assert "\r" not in response.headers["content-disposition"]
    unfolded = response.content.decode("utf-8").replace("\r\n ", "").split("\r\n")
    for line in unfolded:
        assert not line.startswith(("X-INJECTED", "ATTACH")), line
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", line), line
    # The library reads an X- property raw, so the escaped line itself is what is checked.
    assert (
        r"X-WR-CALNAME:路演\nX-INJECTED:title / Roadshow\; with\, commas\\\nATTACH:http://evil.example/"
        in unfolded
    )
    _, (event,) = _events(response)
    assert str(event["location"]).startswith("5号馆\nX-INJECTED:venue")
    assert str(event["summary"]).endswith("王博士\nX-INJECTED:presenter")
    assert "ATTACH" not in event
    assert "X-INJECTED" not in event


def test_a_roadshow_without_a_lineup_and_a_multi_line_description_gives_a_calendar(
    client: TestClient, session: Session
) -> None:
    rid = create(client)["id"]
    roadshow = session.get(Roadshow, rid)
    assert roadshow is not None
    roadshow.title_en = "Line one\r\nline two"
    roadshow.description_zh = "第一段\r\n\r\n第二段\x0b"
    session.commit()
    response = client.get(f"{API}/{rid}/agenda.ics")
    assert response.status_code == 200, response.text
    _, (event,) = _events(response)
    assert str(event["description"]).startswith("第一段\n")
    assert "第二段" in str(event["description"])


def test_line_breaks_stored_in_a_cell_stay_inside_the_csv_cell(
    client: TestClient, session: Session
) -> None:
    rid = create(client)["id"]
    client.post(f"{API}/{rid}/registrations", headers=auth(client, ENTERPRISE))
    (registration,) = session.query(Registration).filter_by(roadshow_id=rid).all()
    registration.note = "第一行\r\n=cmd|' /C calc'!A0\n第三行"
    session.commit()
    response = client.get(f"{API}/{rid}/attendees.csv", headers=auth(client, SECRETARIAT))
    assert response.status_code == 200
    assert _filename(response) == f"roadshow-{rid}-attendees.csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["note"] == "第一行\r\n=cmd|' /C calc'!A0\n第三行"


@pytest.mark.parametrize(
    ("name", "saved_as"),
    [
        ("roadshow-7.ics", "roadshow-7.ics"),
        ("路演\u30002027.ics", "路演\u30002027.ics"),
        ('a"b\\c;d.ics', 'a"b\\c;d.ics'),
        ("evil\r\nSet-Cookie: x=1.ics", "evilSet-Cookie: x=1.ics"),
        ("%41\x00\u2028.ics", "%41.ics"),
    ],
)
def test_an_attachment_header_carries_any_filename_safely(name: str, saved_as: str) -> None:
    value = attachment(name)
    assert value.isascii()
    assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
    fallback = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=\S+', value)
    assert fallback is not None, value  # old clients get a plain quoted ASCII name
    response = Response(200, headers={"content-disposition": value})
    assert _filename(response) == saved_as


# --- the Host header ---


def test_uids_and_links_come_from_the_public_url_not_the_host_header(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = cast(FastAPI, client.app).state.settings
    monkeypatch.setattr(settings, "public_url", "https://ketao.example.cn")
    rid = create(client)["id"]
    a, b = published_ids(client, 2)
    first = slot(client, rid, a, at(9)).json()
    second = slot(client, rid, b, at(10)).json()

    def uids_and_text(host: str | None) -> tuple[dict[str, str], str]:
        headers = {"host": host} if host else {}
        response = client.get(f"{API}/{rid}/agenda.ics", headers=headers)
        assert response.status_code == 200, response.text
        _, events = _events(response)
        uids = {str(e["summary"]).split(" — ")[0]: str(e["uid"]) for e in events}
        return uids, response.content.decode("utf-8")

    plain, _ = uids_and_text(None)
    spoofed, text = uids_and_text("evil.example:8443")
    assert "evil.example" not in text
    assert spoofed == plain  # stable per slot, whoever asks
    assert sorted(plain.values()) == sorted(
        f"roadshow-{rid}-slot-{s['id']}@ketao.example.cn" for s in (first, second)
    )
    _, events = _events(client.get(f"{API}/{rid}/agenda.ics", headers={"host": "evil.example"}))
    links = {
        line for e in events for line in str(e["description"]).splitlines() if urlsplit(line).scheme
    }
    assert links == {f"https://ketao.example.cn/api/v1/projects/{p}" for p in (a, b)}
