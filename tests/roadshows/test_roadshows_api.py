"""Roadshows through the API: planning, lineup and slots, registrations and the waitlist,
invitations, check-in, interest → leads, outcome, and the .ics and .csv exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Project
from tests.factories import make_account
from tests.fixtures.accounts import ENTERPRISE, OTHER_ENTERPRISE, OWNER, SECRETARIAT, auth

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = (dt.datetime.now(SHANGHAI) + dt.timedelta(days=30)).replace(
    hour=0, minute=0, second=0, microsecond=0
)
API = "/api/v1/roadshows"


def at(hour: int, minute: int = 0, day: dt.datetime = DAY) -> str:
    return (day + dt.timedelta(hours=hour, minutes=minute)).isoformat()


def roadshow_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title_zh": "第三代半导体与功率器件专场路演",
        "title_en": "Wide-bandgap semiconductors and power devices roadshow",
        "industries": ["1.2"],
        "city": "shenzhen",
        "venue": "深圳会展中心 5 号馆",
        "starts_at": at(9),
        "ends_at": at(12),
        "capacity": 2,
    }
    body.update(fields)
    return body


def create(client: TestClient, publish: bool = True, **fields: Any) -> dict[str, Any]:
    sec = auth(client, SECRETARIAT)
    response = client.post(API, json=roadshow_body(**fields), headers=sec)
    assert response.status_code == 201, response.text
    roadshow: dict[str, Any] = response.json()
    if publish:
        published = client.patch(
            f"{API}/{roadshow['id']}", json={"status": "published"}, headers=sec
        )
        assert published.status_code == 200, published.text
        roadshow = published.json()
    return roadshow


def project_id(session: Session, external_id: str) -> int:
    found = session.scalar(select(Project.id).where(Project.external_id == external_id))
    assert found is not None
    return found


def published_ids(client: TestClient, n: int, **params: Any) -> list[int]:
    items = client.get("/api/v1/projects", params={"per_page": n, **params}).json()["items"]
    return [int(p["id"]) for p in items]


def slot(client: TestClient, roadshow_id: int, pid: int, start: str, minutes: int = 20) -> Any:
    return client.post(
        f"{API}/{roadshow_id}/slots",
        json={"project_id": pid, "starts_at": start, "minutes": minutes, "presenter": "王博士"},
        headers=auth(client, SECRETARIAT),
    )


# --- planning ---


def test_a_draft_is_the_secretariats_until_published(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    draft = create(client, publish=False)
    assert draft["status"] == "draft"
    assert draft["starts_at"] == at(9)  # answered in Asia/Shanghai, offset included
    assert draft["starts_at"].endswith("+08:00")
    assert client.get(f"{API}/{draft['id']}").status_code == 404
    assert client.get(f"{API}/{draft['id']}", headers=auth(client, ENTERPRISE)).status_code == 404
    assert draft["id"] not in [r["id"] for r in client.get(API).json()["items"]]
    assert draft["id"] in [r["id"] for r in client.get(API, headers=sec).json()["items"]]

    client.patch(f"{API}/{draft['id']}", json={"status": "published"}, headers=sec)
    public = client.get(f"{API}/{draft['id']}").json()
    assert public["status"] == "published"
    assert public["seats_left"] == 2
    assert draft["id"] in [
        r["id"] for r in client.get(API, params={"when": "upcoming"}).json()["items"]
    ]
    assert draft["id"] not in [
        r["id"] for r in client.get(API, params={"when": "past"}).json()["items"]
    ]


def test_times_are_iso_8601_with_an_offset_and_end_after_the_start(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    naive = client.post(API, json=roadshow_body(starts_at="2027-01-15T09:00:00"), headers=sec)
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "starts_at"
    backwards = client.post(API, json=roadshow_body(ends_at=at(8)), headers=sec)
    assert backwards.status_code == 422
    assert "ends_at" in backwards.json()["detail"] + str(backwards.json()["errors"])
    in_utc = roadshow_body(starts_at="2027-01-15T01:00:00Z", ends_at="2027-01-15T04:00:00Z")
    utc = client.post(API, json=in_utc, headers=sec)
    assert utc.json()["starts_at"] == "2027-01-15T09:00:00+08:00"


def test_unknown_codes_and_missing_titles_are_422s_naming_the_field(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    city = client.post(API, json=roadshow_body(city="atlantis"), headers=sec)
    assert city.status_code == 422
    assert city.json()["errors"][0]["field"] == "city"
    industry = client.post(API, json=roadshow_body(industries=["9.9.9"]), headers=sec)
    assert industry.json()["errors"][0]["field"] == "industries"
    untitled = client.post(API, json=roadshow_body(title_zh=None, title_en=None), headers=sec)
    assert untitled.status_code == 422
    roadshow = create(client)
    emptied = client.patch(
        f"{API}/{roadshow['id']}", json={"title_zh": None, "title_en": None}, headers=sec
    )
    assert emptied.status_code == 422


def test_status_moves_only_along_its_path(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    no_venue = create(client, publish=False, venue=None)
    refused = client.patch(f"{API}/{no_venue['id']}", json={"status": "published"}, headers=sec)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "venue"
    draft = create(client, publish=False)
    skipped = client.patch(f"{API}/{draft['id']}", json={"status": "closed"}, headers=sec)
    assert skipped.status_code == 409
    assert "allowed: published" in skipped.json()["detail"]
    roadshow = create(client)
    early = client.patch(f"{API}/{roadshow['id']}", json={"status": "completed"}, headers=sec)
    assert early.status_code == 409  # not held yet
    closed = client.patch(f"{API}/{roadshow['id']}", json={"status": "closed"}, headers=sec)
    assert closed.json()["status"] == "closed"
    reopened = client.patch(f"{API}/{roadshow['id']}", json={"status": "published"}, headers=sec)
    assert reopened.json()["status"] == "published"
    stale = client.patch(
        f"{API}/{roadshow['id']}", json={"version": 1, "venue": "别处"}, headers=sec
    )
    assert stale.status_code == 409


# --- lineup ---


def test_slots_stay_inside_the_event_and_a_clash_names_the_slot(client: TestClient) -> None:
    roadshow = create(client)
    rid = roadshow["id"]
    a, b, c = published_ids(client, 3, industry="1.2")
    first = slot(client, rid, a, at(9, 30), 30)
    assert first.status_code == 201, first.text
    assert first.json()["ends_at"] == at(10)
    clash = slot(client, rid, b, at(9, 50), 20)
    assert clash.status_code == 409
    problem = clash.json()
    assert f"slot {first.json()['id']}" in problem["detail"]
    assert "09:30–10:00" in problem["detail"]
    assert problem["errors"][0]["field"] == "starts_at"
    touching = slot(client, rid, b, at(10), 20)  # starts as the other ends: no overlap
    assert touching.status_code == 201
    outside = slot(client, rid, c, at(11, 50), 20)
    assert outside.status_code == 422
    assert {e["field"] for e in outside.json()["errors"]} == {"starts_at", "minutes"}
    twice = slot(client, rid, a, at(11), 10)
    assert twice.status_code == 409
    assert twice.json()["errors"][0]["field"] == "project_id"
    lineup = client.get(f"{API}/{rid}").json()["slots"]
    assert [s["project_id"] for s in lineup] == [a, b]
    assert [s["position"] for s in lineup] == [1, 2]


def test_moving_a_slot_onto_another_is_a_409_and_event_times_keep_slots_inside(
    client: TestClient,
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    a, b = published_ids(client, 2)
    first = slot(client, rid, a, at(9)).json()
    second = slot(client, rid, b, at(10)).json()
    moved = client.patch(
        f"{API}/{rid}/slots/{second['id']}", json={"starts_at": at(9, 10)}, headers=sec
    )
    assert moved.status_code == 409
    assert f"slot {first['id']}" in moved.json()["detail"]
    longer = client.patch(f"{API}/{rid}/slots/{first['id']}", json={"minutes": 60}, headers=sec)
    assert longer.status_code == 200  # 09:00–10:00 touches 10:00: fine
    assert longer.json()["ends_at"] == at(10)
    shrink = client.patch(f"{API}/{rid}", json={"ends_at": at(10, 10)}, headers=sec)
    assert shrink.status_code == 409
    assert f"Slot {second['id']}" in shrink.json()["detail"]
    assert client.delete(f"{API}/{rid}/slots/{second['id']}", headers=sec).status_code == 204
    assert (
        client.patch(f"{API}/{rid}", json={"ends_at": at(10, 10)}, headers=sec).status_code == 200
    )


def test_reordering_lays_the_times_out_again_keeping_minutes_and_breaks(
    client: TestClient,
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    a, b, c = published_ids(client, 3)
    s1 = slot(client, rid, a, at(9), 20).json()
    s2 = slot(client, rid, b, at(9, 20), 30).json()
    s3 = slot(client, rid, c, at(10, 5), 15).json()  # a 15-minute break before it
    response = client.put(
        f"{API}/{rid}/slots/order", json={"slot_ids": [s3["id"], s1["id"], s2["id"]]}, headers=sec
    )
    assert response.status_code == 200, response.text
    got = [(s["id"], s["starts_at"], s["ends_at"]) for s in response.json()]
    assert got == [
        (s3["id"], at(9), at(9, 15)),
        (s1["id"], at(9, 15), at(9, 35)),
        (s2["id"], at(9, 50), at(10, 20)),  # the break stays after the second talk
    ]
    partial = client.put(f"{API}/{rid}/slots/order", json={"slot_ids": [s1["id"]]}, headers=sec)
    assert partial.status_code == 422
    assert partial.json()["errors"][0]["field"] == "slot_ids"


def test_a_slot_needs_a_published_project(client: TestClient) -> None:
    owner = auth(client, OWNER)
    rid = create(client)["id"]
    draft = client.post(
        "/api/v1/projects", json={"title_zh": "未发布的草稿项目", "industries": ["1.2"]},
        headers=owner,
    ).json()  # fmt: skip
    response = slot(client, rid, draft["id"], at(9))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "project_id"


# --- suggestions ---


def test_lineup_suggestions_are_on_theme_with_reasons(client: TestClient) -> None:
    rid = create(client)["id"]
    response = client.get(
        f"{API}/{rid}/suggestions/projects",
        params={"limit": 10},
        headers=auth(client, SECRETARIAT),
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 10
    on_theme = [
        i for i in items if any(code.startswith("1.") for code in i["project"]["industries"])
    ]
    assert len(on_theme) >= 8, [i["project"]["title_zh"] for i in items]
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    first = items[0]
    assert set(first["components"]) == {
        "text", "industry", "profile", "needs", "platforms", "location"
    }  # fmt: skip
    codes = {r["code"] for r in first["reasons"]}
    assert "industry.same" in codes or "industry.same_sector" in codes
    assert any(r["code"].startswith("city.profile") for r in first["reasons"])
    assert all(r["message_zh"] and r["message_en"] for r in first["reasons"])


def test_an_english_theme_without_industries_finds_its_projects(client: TestClient) -> None:
    rid = create(
        client,
        title_zh=None,
        title_en="Energy storage and battery safety roadshow",
        industries=[],
        city="jiangmen",
    )["id"]
    items = client.get(
        f"{API}/{rid}/suggestions/projects", params={"limit": 8},
        headers=auth(client, SECRETARIAT),
    ).json()["items"]  # fmt: skip
    about_storage = [
        i for i in items
        if any(c.startswith(("6.", "5.")) for c in i["project"]["industries"])
    ]  # fmt: skip
    assert len(about_storage) >= 6, [i["project"]["title_en"] for i in items]


def test_projects_shown_recently_or_already_in_the_lineup_are_left_out(
    client: TestClient,
) -> None:
    sec = auth(client, SECRETARIAT)
    earlier = create(client, starts_at=at(9, day=DAY - dt.timedelta(days=20)),
                     ends_at=at(12, day=DAY - dt.timedelta(days=20)))  # fmt: skip
    later = create(client)
    first = client.get(
        f"{API}/{later['id']}/suggestions/projects", params={"limit": 5}, headers=sec
    ).json()["items"]
    shown, kept = first[0]["project"]["id"], first[1]["project"]["id"]
    slot(client, earlier["id"], shown, at(9, day=DAY - dt.timedelta(days=20)))
    slot(client, later["id"], kept, at(9))
    again = client.get(
        f"{API}/{later['id']}/suggestions/projects", params={"limit": 50}, headers=sec
    ).json()
    ids = [i["project"]["id"] for i in again["items"]]
    assert shown not in ids
    assert kept not in ids
    reasons = {x["project_id"]: x["reason"]["code"] for x in again["left_out"]}
    assert reasons[shown] == "lineup.shown_recently"
    assert reasons[kept] == "lineup.already"
    wider = client.get(
        f"{API}/{later['id']}/suggestions/projects",
        params={"limit": 50, "recent_days": 10},
        headers=sec,
    ).json()
    assert shown in [i["project"]["id"] for i in wider["items"]]  # shown 20 days before


def test_enterprise_suggestions_come_from_needs_matching_the_lineup(
    client: TestClient, session: Session
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client, city="jiangmen", industries=["6.5"],
                 title_zh="新型储能专场", title_en="New energy storage")["id"]  # fmt: skip
    before = client.get(f"{API}/{rid}/suggestions/enterprises", headers=sec).json()
    assert before["basis"] == "theme"
    assert before["items"], "storage needs of the demo data fit a storage theme"
    worded = create(client, city="jiangmen", industries=[], title_zh="新型储能与电池安全专场",
                    title_en="Energy storage and battery safety")["id"]  # fmt: skip
    in_words = client.get(f"{API}/{worded}/suggestions/enterprises", headers=sec).json()
    assert in_words["items"], "a theme told in words only still finds the storage needs"
    storage = client.post(
        "/api/v1/matches", json={"text": "储能电站 电池 热管理 安全", "industries": ["6.5"]}
    ).json()["items"]
    for n, match in enumerate(storage[:3]):
        slot(client, rid, match["project"]["id"], at(9 + n))
    response = client.get(f"{API}/{rid}/suggestions/enterprises", headers=sec)
    assert response.status_code == 200
    body = response.json()
    assert body["basis"] == "lineup"
    assert body["items"], "the demo has storage needs in Jiangmen and elsewhere"
    top = body["items"][0]
    assert top["organization"]["kind"] != "secretariat"
    assert top["needs"][0]["project_id"] in [m["project"]["id"] for m in storage[:3]]
    assert top["reasons"][0]["code"] == "roadshow.lineup_need"
    assert top["invitation"] is None

    org_id = top["organization"]["id"]
    client.post(f"{API}/{rid}/invitations", json={"organization_id": org_id}, headers=sec)
    after = client.get(f"{API}/{rid}/suggestions/enterprises", headers=sec).json()
    assert {i["organization"]["id"]: i["invitation"] for i in after["items"]}[org_id] == "invited"


def test_a_need_outside_the_projects_field_is_no_reason_to_invite(
    client: TestClient, session: Session
) -> None:
    """Lineup projects share words with needs far from them ("test" with a chiplet packaging
    need, "automatic" with a game-asset need); such pairs score well on text alone but are in
    another field, and suggest no one."""
    sec = auth(client, SECRETARIAT)
    rid = create(client, city="jiangmen", industries=["6.5"])["id"]
    fields: dict[int, set[str]] = {}
    for n, external_id in enumerate(["GBASF-EN-056", "GBASF-EN-020"]):
        pid = project_id(session, external_id)
        slot(client, rid, pid, at(9 + n))
        fields[pid] = set(client.get(f"/api/v1/projects/{pid}").json()["industries"])
    items = client.get(f"{API}/{rid}/suggestions/enterprises", headers=sec).json()["items"]
    assert items
    for item in items:
        for matched in item["needs"]:
            need = client.get(f"/api/v1/needs/{matched['need_id']}").json()
            shared = set(need["industries"]) & fields[matched["project_id"]]
            assert not need["industries"] or shared, need["title_en"]


# --- registrations ---


def test_seats_then_the_waitlist_and_a_cancellation_promotes_the_first_waiting(
    client: TestClient, session: Session
) -> None:
    rid = create(client, capacity=2)["id"]
    accounts = [make_account(session) for _ in range(4)]
    statuses = []
    for _, headers in accounts:
        response = client.post(f"{API}/{rid}/registrations", headers=headers)
        assert response.status_code == 201, response.text
        statuses.append((response.json()["status"], response.json()["waitlist_position"]))
    assert statuses == [("confirmed", None), ("confirmed", None), ("waitlisted", 1),
                        ("waitlisted", 2)]  # fmt: skip
    again = client.post(f"{API}/{rid}/registrations", headers=accounts[0][1])
    assert again.status_code == 409

    first = client.get(f"{API}/{rid}", headers=accounts[0][1]).json()["my_registration"]
    assert client.delete(f"{API}/{rid}/registrations/{first['id']}",
                         headers=accounts[0][1]).status_code == 204  # fmt: skip
    listed = client.get(f"{API}/{rid}/registrations", headers=auth(client, SECRETARIAT)).json()
    by_user = {r["user_id"]: r for r in listed["items"]}
    assert by_user[accounts[0][0].id]["status"] == "cancelled"
    assert by_user[accounts[2][0].id]["status"] == "confirmed"  # first on the waitlist
    assert by_user[accounts[3][0].id]["waitlist_position"] == 1
    assert listed["counts"] == {"confirmed": 2, "waitlisted": 1, "cancelled": 1, "checked_in": 0}
    public = client.get(f"{API}/{rid}").json()
    assert (public["confirmed"], public["waitlisted"], public["seats_left"]) == (2, 1, 0)


def test_only_the_registrant_or_the_secretariat_cancels(
    client: TestClient, session: Session
) -> None:
    rid = create(client)["id"]
    (_, mine), (_, theirs) = make_account(session), make_account(session)
    registration = client.post(f"{API}/{rid}/registrations", headers=mine).json()
    path = f"{API}/{rid}/registrations/{registration['id']}"
    assert client.delete(path, headers=theirs).status_code == 404
    assert client.delete(path, headers=auth(client, SECRETARIAT)).status_code == 204
    assert client.delete(path, headers=mine).status_code == 204  # already cancelled: no change


def test_capacity_changes_seat_the_waitlist_or_refuse_to_unseat(
    client: TestClient, session: Session
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client, capacity=1)["id"]
    for _ in range(3):
        client.post(f"{API}/{rid}/registrations", headers=make_account(session)[1])
    wider = client.patch(f"{API}/{rid}", json={"capacity": 2}, headers=sec)
    assert (wider.json()["confirmed"], wider.json()["waitlisted"]) == (2, 1)
    narrower = client.patch(f"{API}/{rid}", json={"capacity": 1}, headers=sec)
    assert narrower.status_code == 409
    assert "2 registrations are confirmed" in narrower.json()["detail"]


def test_registration_is_for_enterprises_and_open_roadshows_only(
    client: TestClient, session: Session
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    assert client.post(f"{API}/{rid}/registrations").status_code == 401
    assert client.post(f"{API}/{rid}/registrations", headers=auth(client, OWNER)).status_code == 403
    client.patch(f"{API}/{rid}", json={"status": "closed"}, headers=sec)
    closed = client.post(f"{API}/{rid}/registrations", headers=make_account(session)[1])
    assert closed.status_code == 409
    assert "closed" in closed.json()["detail"]
    draft = create(client, publish=False)["id"]
    assert (
        client.post(f"{API}/{draft}/registrations", headers=make_account(session)[1]).status_code
        == 404
    )


# --- invitations ---


def test_an_invitation_is_answered_by_its_organisation_and_accepting_takes_a_seat(
    client: TestClient,
) -> None:
    sec, ent, other = (
        auth(client, SECRETARIAT),
        auth(client, ENTERPRISE),
        auth(client, OTHER_ENTERPRISE),
    )
    rid = create(client, capacity=5)["id"]
    me = client.get("/api/v1/me", headers=ent).json()
    org_id = me["organization"]["id"]
    invited = client.post(
        f"{API}/{rid}/invitations", json={"organization_id": org_id, "message": "诚邀参加"},
        headers=sec,
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    invitation = invited.json()
    assert invitation["status"] == "invited"
    twice = client.post(f"{API}/{rid}/invitations", json={"organization_id": org_id}, headers=sec)
    assert twice.status_code == 409
    unknown = client.post(f"{API}/{rid}/invitations", json={"organization_id": 999999}, headers=sec)
    assert unknown.json()["errors"][0]["field"] == "organization_id"

    mine = client.get("/api/v1/me/invitations", headers=ent).json()
    assert [i["id"] for i in mine if i["roadshow_id"] == rid] == [invitation["id"]]
    path = f"{API}/{rid}/invitations/{invitation['id']}"
    assert client.patch(path, json={"status": "accepted"}, headers=other).status_code == 404
    accepted = client.patch(path, json={"status": "accepted"}, headers=ent)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["registration"]["status"] == "confirmed"
    detail = client.get(f"{API}/{rid}", headers=ent).json()
    assert detail["my_registration"]["status"] == "confirmed"
    assert detail["my_invitation"]["status"] == "accepted"
    listed = client.get(f"{API}/{rid}/invitations", headers=sec).json()
    assert listed["items"][0]["responded_at"] is not None


# --- the event and after ---


def test_check_in_interest_as_leads_and_the_outcome(client: TestClient, session: Session) -> None:
    sec, ent = auth(client, SECRETARIAT), auth(client, ENTERPRISE)
    rid = create(client, capacity=1)["id"]
    a, b, c = published_ids(client, 3, industry="1.2")
    slot(client, rid, a, at(9))
    slot(client, rid, b, at(9, 30))
    seated = client.post(f"{API}/{rid}/registrations", headers=ent).json()
    waiting = client.post(f"{API}/{rid}/registrations", headers=make_account(session)[1]).json()

    checked = client.post(f"{API}/{rid}/registrations/{seated['id']}/check-in", headers=sec)
    assert checked.status_code == 200
    assert checked.json()["checked_in_at"] is not None
    refused = client.post(f"{API}/{rid}/registrations/{waiting['id']}/check-in", headers=sec)
    assert refused.status_code == 409
    cancel_after = client.delete(f"{API}/{rid}/registrations/{seated['id']}", headers=ent)
    assert cancel_after.status_code == 409

    org_id = client.get("/api/v1/me", headers=ent).json()["organization"]["id"]
    interest = {"organization_id": org_id, "project_id": a, "note": "想谈独家许可"}
    lead = client.post(f"{API}/{rid}/interest", json=interest, headers=sec)
    assert lead.status_code == 201, lead.text
    assert lead.json()["stage"] == "new"
    assert lead.json()["project_id"] == a
    again = client.post(f"{API}/{rid}/interest", json={**interest, "note": "会后再约"}, headers=sec)
    assert again.status_code == 201  # recorded on the same open lead, its note added
    assert again.json()["id"] == lead.json()["id"]
    assert [e["note"] for e in again.json()["events"]][-1].endswith("会后再约")
    theirs = client.get(f"/api/v1/leads/{lead.json()['id']}", headers=ent)
    assert theirs.status_code == 200  # the enterprise follows its lead in the pipeline
    not_shown = client.post(
        f"{API}/{rid}/interest", json={**interest, "project_id": c}, headers=sec
    )
    assert not_shown.status_code == 422
    assert not_shown.json()["errors"][0]["field"] == "project_id"
    client.patch(f"/api/v1/leads/{lead.json()['id']}", json={"stage": "contacted"}, headers=sec)

    outcome = client.get(f"{API}/{rid}/outcome", headers=sec).json()
    assert outcome["attendance"] == {
        "capacity": 1, "confirmed": 1, "waitlisted": 1, "cancelled": 0, "checked_in": 1,
        "rate": 1.0,
    }  # fmt: skip
    per_project = {p["project_id"]: p for p in outcome["projects"]}
    assert per_project[a]["interest"] == 2
    assert [x["stage"] for x in per_project[a]["leads"]] == ["contacted"]
    assert per_project[b]["interest"] == 0
    assert outcome["leads"]["total"] == 1
    assert outcome["leads"]["by_stage"]["contacted"] == 1


# --- exports ---


def test_the_agenda_is_an_icalendar_file_with_one_event_per_slot(client: TestClient) -> None:
    rid = create(client)["id"]
    a, b = published_ids(client, 2)
    slot(client, rid, a, at(9), 25)
    slot(client, rid, b, at(9, 40), 20)
    response = client.get(f"{API}/{rid}/agenda.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0] == dt.datetime.fromisoformat(at(9))
    assert starts[1] == dt.datetime.fromisoformat(at(9, 40))
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtend") - first.decoded("dtstart") == dt.timedelta(minutes=25)
    assert "王博士" in str(first["summary"])
    assert "深圳会展中心" in str(first["location"])
    assert len({str(e["uid"]) for e in events}) == 2
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["tzid"] == "Asia/Shanghai"


def test_moving_a_slot_moves_the_agendas_sequence_on(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    added = slot(client, rid, published_ids(client, 1)[0], at(9)).json()

    def sequence() -> object:
        (event,) = icalendar.Calendar.from_ical(client.get(f"{API}/{rid}/agenda.ics").content).walk(
            "VEVENT"
        )
        return event.decoded("sequence")

    before = sequence()
    client.patch(f"{API}/{rid}/slots/{added['id']}", json={"starts_at": at(10)}, headers=sec)
    after = sequence()
    assert isinstance(before, int)
    assert isinstance(after, int)
    assert after > before  # calendars take the new time on re-import


def test_a_drafts_agenda_is_not_public(client: TestClient) -> None:
    rid = create(client, publish=False)["id"]
    assert client.get(f"{API}/{rid}/agenda.ics").status_code == 404
    assert (
        client.get(f"{API}/{rid}/agenda.ics", headers=auth(client, SECRETARIAT)).status_code == 200
    )


def test_the_attendee_list_is_csv_for_the_secretariat(client: TestClient, session: Session) -> None:
    rid = create(client, capacity=1)["id"]
    user, headers = make_account(session, organization='=HYPERLINK("x")有限公司')
    client.post(f"{API}/{rid}/registrations", json={"note": "携两位同事"}, headers=headers)
    client.post(f"{API}/{rid}/registrations", headers=make_account(session)[1])
    assert client.get(f"{API}/{rid}/attendees.csv").status_code == 401
    response = client.get(f"{API}/{rid}/attendees.csv", headers=auth(client, SECRETARIAT))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["status"] for r in rows] == ["confirmed", "waitlisted"]
    assert rows[0]["email"] == user.email
    assert rows[0]["note"] == "携两位同事"
    assert rows[0]["organization"].startswith("'=")  # not a formula in a spreadsheet
    assert rows[1]["waitlist_position"] == "1"


@pytest.mark.parametrize("path", ["outcome", "registrations", "invitations", "attendees.csv"])
def test_the_secretariats_views_are_its_own(client: TestClient, path: str) -> None:
    rid = create(client)["id"]
    assert client.get(f"{API}/{rid}/{path}", headers=auth(client, ENTERPRISE)).status_code == 403
    assert client.get(f"{API}/{rid}/{path}", headers=auth(client, SECRETARIAT)).status_code == 200


# --- edges ---


@pytest.mark.parametrize(
    "far", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-08:00", "2100-06-01T09:00:00+08:00"]
)
def test_times_outside_plausible_years_are_422s(client: TestClient, far: str) -> None:
    sec = auth(client, SECRETARIAT)
    created = client.post(API, json=roadshow_body(starts_at=far), headers=sec)
    assert created.status_code == 422
    assert created.json()["errors"][0]["field"] == "starts_at"
    rid = create(client)["id"]
    pid = published_ids(client, 1)[0]
    assert slot(client, rid, pid, far).status_code == 422
    assert client.patch(f"{API}/{rid}", json={"ends_at": far}, headers=sec).status_code == 422


def test_declining_after_accepting_gives_the_seat_to_the_first_waiting(
    client: TestClient, session: Session
) -> None:
    sec, ent = auth(client, SECRETARIAT), auth(client, ENTERPRISE)
    rid = create(client, capacity=1)["id"]
    org_id = client.get("/api/v1/me", headers=ent).json()["organization"]["id"]
    invitation = client.post(
        f"{API}/{rid}/invitations", json={"organization_id": org_id}, headers=sec
    ).json()
    path = f"{API}/{rid}/invitations/{invitation['id']}"
    assert (
        client.patch(path, json={"status": "accepted"}, headers=ent).json()["registration"][
            "status"
        ]
        == "confirmed"
    )
    waiting_user, waiting = make_account(session)
    client.post(f"{API}/{rid}/registrations", headers=waiting)
    declined = client.patch(path, json={"status": "declined"}, headers=ent)
    assert declined.json()["status"] == "declined"
    assert declined.json()["registration"] is None
    seats = client.get(f"{API}/{rid}/registrations", headers=sec).json()["items"]
    assert {r["user_id"]: r["status"] for r in seats}[waiting_user.id] == "confirmed"


def test_declining_gives_back_only_the_seat_accepting_took(
    client: TestClient, session: Session
) -> None:
    sec, ent = auth(client, SECRETARIAT), auth(client, ENTERPRISE)
    org_id = client.get("/api/v1/me", headers=ent).json()["organization"]["id"]
    # Registered on its own, then invited and declining: its own registration stands.
    rid = create(client, capacity=3)["id"]
    own = client.post(f"{API}/{rid}/registrations", headers=ent).json()
    invitation = client.post(
        f"{API}/{rid}/invitations", json={"organization_id": org_id}, headers=sec
    ).json()
    client.patch(f"{API}/{rid}/invitations/{invitation['id']}", json={"status": "declined"},
                 headers=ent)  # fmt: skip
    mine = client.get(f"{API}/{rid}", headers=ent).json()["my_registration"]
    assert (mine["id"], mine["status"]) == (own["id"], "confirmed")
    # Accepted by the enterprise, then a decline recorded by the secretariat: the seat goes.
    other = create(client, capacity=3)["id"]
    invited = client.post(
        f"{API}/{other}/invitations", json={"organization_id": org_id}, headers=sec
    ).json()
    path = f"{API}/{other}/invitations/{invited['id']}"
    client.patch(path, json={"status": "accepted"}, headers=ent)
    client.patch(path, json={"status": "declined", "note": "电话告知无法参加"}, headers=sec)
    assert client.get(f"{API}/{other}", headers=ent).json()["my_registration"] is None


def test_patch_keeps_one_title_and_a_published_roadshows_venue(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    english_only = client.patch(f"{API}/{rid}", json={"title_zh": None}, headers=sec)
    assert english_only.status_code == 200
    assert english_only.json()["title_zh"] is None
    no_title = client.patch(f"{API}/{rid}", json={"title_en": None}, headers=sec)
    assert no_title.status_code == 422
    no_venue = client.patch(f"{API}/{rid}", json={"venue": None}, headers=sec)
    assert no_venue.status_code == 422
    assert no_venue.json()["errors"][0]["field"] == "venue"
    nulls = client.patch(f"{API}/{rid}", json={"capacity": None}, headers=sec)
    assert nulls.json()["errors"][0]["field"] == "capacity"


def test_postponing_a_roadshow_moves_its_lineup_with_it(client: TestClient) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    a, b = published_ids(client, 2)
    slot(client, rid, a, at(9, 30))
    slot(client, rid, b, at(10))
    next_day = DAY + dt.timedelta(days=1)
    moved = client.patch(
        f"{API}/{rid}", json={"starts_at": at(9, day=next_day), "ends_at": at(12, day=next_day)},
        headers=sec,
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert [s["starts_at"] for s in moved.json()["slots"]] == [
        at(9, 30, day=next_day), at(10, day=next_day)
    ]  # fmt: skip
    # Starting later the same day without moving the end is not a postponement: the slots
    # stay where they are, and still fit.
    later = client.patch(f"{API}/{rid}", json={"starts_at": at(9, 15, day=next_day)}, headers=sec)
    assert later.status_code == 200, later.text
    assert [s["starts_at"] for s in later.json()["slots"]] == [
        at(9, 30, day=next_day), at(10, day=next_day)
    ]  # fmt: skip


def test_a_withdrawn_project_leaves_the_public_lineup_and_takes_no_new_leads(
    client: TestClient, session: Session
) -> None:
    sec = auth(client, SECRETARIAT)
    rid = create(client)["id"]
    a, b = published_ids(client, 2)
    slot(client, rid, a, at(9))
    slot(client, rid, b, at(10))
    project = session.get(Project, a)
    assert project is not None
    project.status = "archived"
    session.flush()
    public_view = client.get(f"{API}/{rid}").json()
    public = public_view["slots"]
    assert [s["project_id"] for s in public] == [b]
    assert public_view["slot_count"] == 1
    assert client.get(f"{API}/{rid}", headers=sec).json()["slot_count"] == 2
    assert [s["project_id"] for s in client.get(f"{API}/{rid}", headers=sec).json()["slots"]] == [
        a, b
    ]  # fmt: skip
    calendar = icalendar.Calendar.from_ical(client.get(f"{API}/{rid}/agenda.ics").content)
    assert len(list(calendar.walk("VEVENT"))) == 1
    org_id = client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()["organization"]["id"]
    refused = client.post(
        f"{API}/{rid}/interest", json={"organization_id": org_id, "project_id": a}, headers=sec
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "project_id"


def test_an_agenda_without_a_lineup_is_one_event_and_a_drafts_is_tentative(
    client: TestClient,
) -> None:
    sec = auth(client, SECRETARIAT)
    draft = create(client, publish=False)
    response = client.get(f"{API}/{draft['id']}/agenda.ics", headers=sec)
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["status"]) == "TENTATIVE"
    assert event.decoded("dtstart") == dt.datetime.fromisoformat(at(9))
    assert event.decoded("dtend") == dt.datetime.fromisoformat(at(12))
    assert event.decoded("sequence") == draft["version"]


def test_the_outcome_keeps_interest_in_a_project_whose_slot_was_removed(
    client: TestClient,
) -> None:
    sec, ent = auth(client, SECRETARIAT), auth(client, ENTERPRISE)
    rid = create(client)["id"]
    pid = published_ids(client, 1, industry="1.2")[0]
    added = slot(client, rid, pid, at(9)).json()
    org_id = client.get("/api/v1/me", headers=ent).json()["organization"]["id"]
    client.post(f"{API}/{rid}/interest", json={"organization_id": org_id, "project_id": pid},
                headers=sec)  # fmt: skip
    client.delete(f"{API}/{rid}/slots/{added['id']}", headers=sec)
    outcome = client.get(f"{API}/{rid}/outcome", headers=sec).json()
    (entry,) = outcome["projects"]
    assert (entry["project_id"], entry["slot_starts_at"], entry["interest"]) == (pid, None, 1)
    assert outcome["leads"]["total"] == 1
