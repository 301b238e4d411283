"""The demo roadshows, and one roadshow planned, filled, held and followed up end to end
through the API on the demo data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.roadshows.models import Invitation, Registration, Roadshow
from tests.fixtures.accounts import ENTERPRISE, OTHER_ENTERPRISE, SECRETARIAT, auth

API = "/api/v1/roadshows"


def test_two_held_roadshows_with_outcomes_and_one_upcoming_in_different_cities(
    client: TestClient,
) -> None:
    sec = auth(client, SECRETARIAT)
    past = client.get(API, params={"when": "past", "status": "completed"}).json()["items"]
    upcoming = client.get(API, params={"when": "upcoming", "status": "published"}).json()["items"]
    assert len(past) >= 2
    assert len(upcoming) >= 1
    assert len({r["city"] for r in [*past[:2], upcoming[0]]}) == 3
    for roadshow in past[:2]:
        outcome = client.get(f"{API}/{roadshow['id']}/outcome", headers=sec).json()
        assert outcome["attendance"]["checked_in"] >= 3
        assert outcome["invitations"]["sent"] >= 3
        assert outcome["leads"]["total"] >= 4
        assert sum(1 for n in outcome["leads"]["by_stage"].values() if n) >= 3  # several stages
        assert outcome["leads"]["landed_amount_wan"] > 0
        assert all(p["leads"] or p["interest"] == 0 for p in outcome["projects"])
    numbers = client.get("/api/v1/stats", headers=sec).json()
    assert numbers["roadshows_by_status"]["completed"] >= 2
    assert numbers["leads_from_roadshows"] >= 8
    soon = client.get(f"{API}/{upcoming[0]['id']}").json()
    assert len(soon["slots"]) >= 4
    assert soon["waitlisted"] >= 1
    assert soon["seats_left"] == 0


def test_a_roadshow_end_to_end_on_the_demo_data(client: TestClient) -> None:
    """Plan from suggestions, invite the matched enterprises, register, hold (check in,
    record interest), complete, and read the outcome and the agenda."""
    sec, ent, other = (auth(client, e) for e in (SECRETARIAT, ENTERPRISE, OTHER_ENTERPRISE))
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    start = now - dt.timedelta(minutes=30)  # under way: registration is still open
    planned = client.post(
        API,
        json={
            "title_zh": "东莞新能源与储能技术对接路演",
            "title_en": "Dongguan roadshow: new energy and storage",
            "industries": ["6.5"],
            "city": "dongguan",
            "venue": "松山湖国际创新创业社区",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
            "capacity": 30,
        },
        headers=sec,
    )
    assert planned.status_code == 201
    rid = planned.json()["id"]
    assert (
        client.patch(f"{API}/{rid}", json={"status": "published"}, headers=sec).status_code == 200
    )

    suggested = client.get(
        f"{API}/{rid}/suggestions/projects", params={"limit": 4}, headers=sec
    ).json()["items"]
    assert len(suggested) == 4
    for n, item in enumerate(suggested):
        added = client.post(
            f"{API}/{rid}/slots",
            json={
                "project_id": item["project"]["id"],
                "starts_at": (start + dt.timedelta(minutes=10 + 25 * n)).isoformat(),
                "minutes": 20,
                "presenter": item["project"]["institution"] or "",
            },
            headers=sec,
        )
        assert added.status_code == 201, added.text

    enterprises = client.get(f"{API}/{rid}/suggestions/enterprises", headers=sec).json()
    assert enterprises["basis"] == "lineup"
    assert enterprises["items"]
    for item in enterprises["items"][:3]:
        invited = client.post(
            f"{API}/{rid}/invitations",
            json={"organization_id": item["organization"]["id"], "message": "诚邀参加"},
            headers=sec,
        )
        assert invited.status_code == 201

    seat = client.post(f"{API}/{rid}/registrations", headers=ent)
    assert seat.json()["status"] == "confirmed"
    client.post(f"{API}/{rid}/registrations", headers=other)
    check_in = client.post(f"{API}/{rid}/registrations/{seat.json()['id']}/check-in", headers=sec)
    assert check_in.status_code == 200

    org_id = seat.json()["organization"]["id"]
    presented = suggested[0]["project"]["id"]
    lead = client.post(
        f"{API}/{rid}/interest",
        json={"organization_id": org_id, "project_id": presented, "note": "希望现场考察中试线"},
        headers=sec,
    )
    assert lead.status_code == 201
    assert (
        client.patch(f"{API}/{rid}", json={"status": "completed"}, headers=sec).status_code == 200
    )
    assert client.post(f"{API}/{rid}/registrations", headers=ent).status_code == 409

    outcome = client.get(f"{API}/{rid}/outcome", headers=sec).json()
    assert outcome["roadshow"]["status"] == "completed"
    assert outcome["attendance"]["checked_in"] == 1
    assert outcome["invitations"]["sent"] == min(3, len(enterprises["items"]))
    first = next(p for p in outcome["projects"] if p["project_id"] == presented)
    assert first["interest"] == 1
    assert first["leads"][0]["lead_id"] == lead.json()["id"]
    mine = client.get("/api/v1/leads", headers=ent).json()["items"]
    assert lead.json()["id"] in [x["id"] for x in mine]
    agenda = icalendar.Calendar.from_ical(client.get(f"{API}/{rid}/agenda.ics").content)
    assert len(list(agenda.walk("VEVENT"))) == 4


def test_demo_seating_keeps_the_seat_rules_and_happened_in_order(session: Session) -> None:
    """The seed seats people through the attendance service: never past capacity, a waitlist
    only when full, check-ins only for the seated; and every stamp is in the past, in order."""
    now = dt.datetime.now(dt.UTC)
    for roadshow in session.scalars(select(Roadshow)):
        rows = session.scalars(
            select(Registration).where(Registration.roadshow_id == roadshow.id)
        ).all()
        confirmed = [r for r in rows if r.status == "confirmed"]
        assert len(confirmed) <= roadshow.capacity
        if any(r.status == "waitlisted" for r in rows):
            assert len(confirmed) == roadshow.capacity
        for r in rows:
            assert r.created_at < now
            assert r.confirmed_at is None or r.created_at <= r.confirmed_at < now
            assert r.cancelled_at is None or r.created_at < r.cancelled_at < now
            if r.checked_in_at is not None:
                assert r.status == "confirmed"
                assert r.checked_in_at <= roadshow.starts_at < now
        for invitation in session.scalars(
            select(Invitation).where(Invitation.roadshow_id == roadshow.id)
        ):
            assert roadshow.created_at < invitation.created_at < now
            if invitation.responded_at is not None:
                assert invitation.created_at < invitation.responded_at < now
