"""The hardening findings that only show on a real server: commits before answers, races
between requests, forwarded headers, and reads and logins while another writer holds SQLite's
write lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.config import Settings
from tests.fixtures.accounts import ENTERPRISE, OWNER, PASSWORDS
from tests.fixtures.served import bearer, call, fresh_database, serve


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a served app on a fresh demo database."""
    tmp = tmp_path_factory.mktemp("served")
    with (
        fresh_database(database_url, tmp) as url,
        serve(Settings(database_url=url, data_dir=tmp / "data")) as base,
    ):
        yield base, url


def test_a_write_is_committed_before_its_answer_leaves(world: tuple[str, str]) -> None:
    base, _ = world
    headers = bearer(base, OWNER, PASSWORDS[OWNER])
    for n in range(25):
        status, created, _ = call(
            "POST", f"{base}/api/v1/projects", {"title_zh": f"读己所写 {n}"}, headers=headers
        )
        assert status == 201, created
        url = f"{base}/api/v1/projects/{created['id']}"
        status, read, _ = call("GET", url, headers=headers)
        assert status == 200, (n, read)
        status, edited, _ = call(
            "PATCH", url, {"version": read["version"], "summary_zh": f"第{n}次"}, headers=headers
        )
        assert status == 200, edited
        status, reread, _ = call("GET", url, headers=headers)
        assert (reread["version"], reread["summary_zh"]) == (edited["version"], f"第{n}次")


def test_racing_creates_of_one_external_id_give_one_201_and_409s(world: tuple[str, str]) -> None:
    base, _ = world
    headers = bearer(base, OWNER, PASSWORDS[OWNER])
    start = threading.Barrier(6)

    def create(n: int) -> tuple[int, object]:
        start.wait()
        status, body, _ = call(
            "POST",
            f"{base}/api/v1/projects",
            {"external_id": "RACE-EXT-1", "title_zh": f"并发 {n}"},
            headers=headers,
        )
        return status, body

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(create, range(6)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409, 409, 409, 409, 409], results
    for status, body in results:
        if status == 409:
            assert isinstance(body, dict)
            assert "external_id" in body["detail"]


def test_racing_registrations_with_one_new_name_all_succeed(world: tuple[str, str]) -> None:
    base, _ = world
    start = threading.Barrier(5)

    def register(n: int) -> int:
        start.wait()
        status, _, _ = call(
            "POST",
            f"{base}/api/v1/auth/register",
            {"email": f"twin{n}@example.org", "password": "long-enough-pw", "full_name": "T",
             "role": "enterprise", "organization": "并发新公司"},
        )  # fmt: skip
        return status

    with ThreadPoolExecutor(5) as pool:
        assert list(pool.map(register, range(5))) == [202] * 5
    orgs = {
        bearer(base, f"twin{n}@example.org", "long-enough-pw")["Authorization"] for n in range(5)
    }
    assert len(orgs) == 5


def test_forwarded_for_from_localhost_does_not_reset_the_throttle(world: tuple[str, str]) -> None:
    base, _ = world
    account = {"email": "throttled@example.org", "password": "long-enough-pw", "full_name": "T",
               "role": "enterprise", "organization": "限流测试公司"}  # fmt: skip
    assert call("POST", f"{base}/api/v1/auth/register", account)[0] == 202
    url = f"{base}/api/v1/auth/token"
    for n in range(5):
        status, _, _ = call(
            "POST", url, form={"username": account["email"], "password": "wrong-pw"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )  # fmt: skip
        assert status == 401
    status, _, _ = call(
        "POST", url, form={"username": account["email"], "password": account["password"]},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )  # fmt: skip
    assert status == 429  # the address is the socket's (127.0.0.1), whatever the header says


def test_no_server_banner(world: tuple[str, str]) -> None:
    base, _ = world
    _, _, headers = call("GET", f"{base}/api/v1/health")
    assert "server" not in {k.lower() for k in headers}


def test_reads_logins_and_matches_go_on_while_another_writer_holds_the_lock(
    world: tuple[str, str], tmp_path: Path
) -> None:
    base, url = world
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL writers lock rows, not the file")
    headers = bearer(base, ENTERPRISE, PASSWORDS[ENTERPRISE])
    holder = sqlite3.connect(str(parsed.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a long import holds
    try:
        started = time.monotonic()
        status, _, _ = call(
            "POST", f"{base}/api/v1/auth/token",
            form={"username": OWNER, "password": PASSWORDS[OWNER]},
        )  # fmt: skip
        assert status == 200
        status, matches, _ = call("POST", f"{base}/api/v1/matches", {"text": "储能电池热失控预警"})
        assert status == 200
        assert matches["items"]
        status, _, _ = call("GET", f"{base}/api/v1/projects?q=%E7%94%B5%E6%B1%A0")
        assert status == 200
        assert time.monotonic() - started < 4  # none of them waited for the lock
        status, problem, got = call(
            "POST", f"{base}/api/v1/needs", {"title_zh": "锁住时的需求"}, headers=headers
        )
        assert status == 503, problem
        assert int(got["retry-after"]) >= 1
        assert problem["status"] == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    status, _, _ = call(
        "POST", f"{base}/api/v1/needs", {"title_zh": "锁放开后的需求"}, headers=headers
    )
    assert status == 201
