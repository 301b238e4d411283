"""The last seat under real parallel requests: a served app on its own fresh database (a new
PostgreSQL database when the suite runs on PostgreSQL, a new SQLite file otherwise), many
enterprise accounts posting at the same instant, and exactly one of them seated."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Organization, User
from app.auth.security import create_access_token
from app.config import Settings
from app.db import make_engine, utcnow
from app.roadshows.models import Registration, Roadshow
from tests.fixtures.served import fresh_database, serve

RACERS = 8
CAPACITY = 3


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(database_url, tmp_path, demo=False) as url:
        yield url


@pytest.fixture
def world(fresh_database_url: str) -> tuple[int, list[str]]:
    return _world(fresh_database_url)


@pytest.fixture
def served(fresh_database_url: str, world: tuple[int, list[str]], tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn in this process, on a free port; yields its base URL."""
    with serve(Settings(database_url=fresh_database_url, data_dir=tmp_path / "data")) as base:
        yield base


def _world(url: str) -> tuple[int, list[str]]:
    """A published roadshow with all but one seat taken, and the racers' bearer tokens."""
    engine = make_engine(url)  # migrated by fresh_database
    start = utcnow() + dt.timedelta(days=10)
    with Session(engine) as session:
        roadshow = Roadshow(
            title_zh="抢座测试路演", city_code="shenzhen", venue="测试会场", status="published",
            starts_at=start, ends_at=start + dt.timedelta(hours=3), capacity=CAPACITY,
        )  # fmt: skip
        session.add(roadshow)
        users = []
        for n in range(CAPACITY - 1 + RACERS):
            org = Organization(name=f"抢座测试企业{n}", kind="enterprise")
            session.add(org)
            session.flush()
            user = User(email=f"racer{n}@test.ketao.local", password_hash="!",
                        role="enterprise", organization_id=org.id)  # fmt: skip
            session.add(user)
            users.append(user)
        session.flush()
        for user in users[: CAPACITY - 1]:
            session.add(Registration(roadshow_id=roadshow.id, user_id=user.id,
                                     status="confirmed", confirmed_at=utcnow()))  # fmt: skip
        session.commit()
        secret = Settings().secret_key
        tokens = [create_access_token(u.id, u.role, secret) for u in users[CAPACITY - 1 :]]
        roadshow_id = roadshow.id
    engine.dispose()
    return roadshow_id, tokens


def test_exactly_one_of_many_racing_registrations_gets_the_last_seat(
    fresh_database_url: str, world: tuple[int, list[str]], served: str
) -> None:
    roadshow_id, tokens = world
    start_line = threading.Barrier(RACERS)
    results: list[tuple[int, dict[str, object]]] = []
    lock = threading.Lock()

    def race(token: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - our own server on localhost
            f"{served}/api/v1/roadshows/{roadshow_id}/registrations",
            data=b"{}",
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        start_line.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                outcome = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            outcome = (error.code, json.loads(error.read()))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=race, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in results] == [201] * RACERS, results
    seated = [body for _, body in results if body["status"] == "confirmed"]
    waiting = sorted(
        int(str(b["waitlist_position"])) for _, b in results if b["status"] == "waitlisted"
    )
    assert len(seated) == 1
    assert waiting == list(range(1, RACERS))
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        confirmed = session.scalar(
            select(func.count()).where(
                Registration.roadshow_id == roadshow_id, Registration.status == "confirmed"
            )
        )
    engine.dispose()
    assert confirmed == CAPACITY
