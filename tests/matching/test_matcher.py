"""The app's matcher: weights handed to ``create_app`` reach every match, and a route gets the
app's one matcher whether or not ``create_app`` set it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.catalog.models import Project
from app.config import MATCH_WEIGHTS, Settings
from app.main import create_app
from app.matching.matcher import Matcher
from app.search.service import SearchEngine
from tests.conftest import wire

MakeClient = Callable[[Settings], TestClient]
ADHOC = {"industries": ["4.3"], "city": "guangzhou", "min_trl": 7, "budget_wan": 300}


@pytest.fixture
def make_client(
    session_factory: sessionmaker[Session], search_engine: SearchEngine
) -> Iterator[MakeClient]:
    """Clients of ``create_app(settings)`` on the test's transaction and search engine."""
    with ExitStack() as stack:

        def make(settings: Settings) -> TestClient:
            app = wire(create_app(settings), search_engine, session_factory)
            client = TestClient(app, raise_server_exceptions=False)  # no lifespan
            stack.callback(client.close)
            return client

        yield make


def _matches(client: TestClient, method: str, path: str, **kw: Any) -> list[dict[str, Any]]:
    response = client.request(method, path, **kw)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    assert items
    return items


def test_match_weights_given_to_create_app_reach_a_match(
    make_client: MakeClient, tmp_path: Path
) -> None:
    default = make_client(Settings(data_dir=tmp_path))
    industry_only = make_client(Settings(data_dir=tmp_path, match_weights={"industry": 1.0}))
    before = _matches(default, "POST", "/api/v1/matches", json=ADHOC)
    after = _matches(industry_only, "POST", "/api/v1/matches", json=ADHOC)
    # With the documented weights the other components count; with industry alone, the score
    # is the industry fit (no text, so nothing damps it).
    assert any(m["score"] != m["components"]["industry"] for m in before)
    assert all(m["score"] == m["components"]["industry"] for m in after)


def test_city_weights_given_to_create_app_reach_a_match(
    make_client: MakeClient, tmp_path: Path, session: Session
) -> None:
    project = session.scalar(select(Project.id).where(Project.external_id == "GBASF-EM-029"))
    path = f"/api/v1/projects/{project}/matches/cities"
    default = make_client(Settings(data_dir=tmp_path))
    needs_only = make_client(Settings(data_dir=tmp_path, city_match_weights={"needs": 1.0}))
    before = _matches(default, "GET", path)
    after = _matches(needs_only, "GET", path)
    assert any(m["score"] != m["components"]["needs"] for m in before)
    assert all(m["score"] == m["components"]["needs"] for m in after)


def test_a_route_uses_the_matcher_the_app_holds(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(Settings(data_dir=tmp_path))
    app = cast(FastAPI, client.app)
    app.state.matcher = Matcher(Settings(data_dir=tmp_path, match_weights={"industry": 1.0}))
    items = _matches(client, "POST", "/api/v1/matches", json=ADHOC)
    assert all(m["score"] == m["components"]["industry"] for m in items)


def test_a_matcher_copies_its_settings() -> None:
    settings = Settings()
    matcher = Matcher(settings)
    settings.match_weights["text"] = 0.0
    assert dict(matcher.weights) == MATCH_WEIGHTS
    assert "石墨烯导热膜" in matcher.expand("手机芯片发热降频")  # the seed's concept rules


def test_concepts_come_from_the_settings_seed_dir(tmp_path: Path) -> None:
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "concepts.txt").write_text("漏水 => 密封圈\n", "utf-8")
    matcher = Matcher(Settings(seed_dir=tmp_path))
    assert matcher.expand("管道漏水") == "管道漏水 密封圈"
    assert matcher.expand("手机芯片发热降频") == "手机芯片发热降频"
