"""The outbox keeps SQL and the index in step: failures lose nothing, rebuilds lose nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.bulk.formats import FileFormat
from app.bulk.service import import_text
from app.config import Settings
from app.db import make_engine, make_sessionmaker, session_scope
from app.dbmigrate import upgrade as migrate
from app.search.analysis import Analyzer
from app.search.backend import SearchFilters, SearchRequest
from app.search.embedded import EmbeddedBackend
from app.search.indexer import retry_now, watch_commits
from app.search.models import OutboxEntry
from app.search.service import SearchEngine, make_search_engine
from tests.factories import project_record


def found(engine: SearchEngine, external_id: str) -> bool:
    filters = SearchFilters(external_id=external_id)
    return engine.backend.search("projects", SearchRequest(filters=filters)).total == 1


def test_an_engine_failure_never_fails_the_write_and_loses_nothing(
    client: TestClient,
    session: Session,
    search_engine: SearchEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> None:
        raise OSError("disk full (test)")

    record = project_record(title_en="Outbox survival test project")
    with monkeypatch.context() as patch:
        patch.setattr(search_engine.backend, "upsert", broken)
        import_text(session, json.dumps(record) + "\n", FileFormat.jsonl)
        session.commit()  # commits; the drain after it fails

    row = session.scalars(select(OutboxEntry).order_by(OutboxEntry.id.desc())).first()
    assert row is not None
    assert row.processed_at is None
    assert row.attempts == 1
    assert row.last_error == "OSError: disk full (test)"
    assert row.next_attempt_at is not None
    assert not found(search_engine, record["external_id"])

    health = client.get("/api/v1/health").json()
    assert health["status"] == "degraded"
    assert health["search"]["status"] == "lagging"
    assert health["search"]["outbox_failing"] == 1
    assert health["search"]["last_error"] == "OSError: disk full (test)"

    retry_now(session)
    session.commit()
    report = search_engine.indexer.drain()
    assert (report.indexed, report.failed) == (1, 0)
    assert found(search_engine, record["external_id"])
    assert search_engine.indexer.status().pending == 0


def test_backoff_grows_and_the_row_waits_its_turn(
    session: Session, search_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise OSError("still down")

    monkeypatch.setattr(search_engine.backend, "upsert", broken)
    import_text(session, json.dumps(project_record()) + "\n", FileFormat.jsonl)
    session.commit()
    assert search_engine.indexer.drain().failed == 0  # not due yet: nothing attempted
    retry_now(session)
    session.commit()
    assert search_engine.indexer.drain().failed == 1
    row = session.scalars(select(OutboxEntry).order_by(OutboxEntry.id.desc())).first()
    assert row is not None
    assert row.attempts == 2


def test_a_rebuild_while_writes_happen_loses_none(analyzer: Analyzer, tmp_path: Path) -> None:
    """Real threads on a file database: a writer commits projects one by one while the
    indexes are rebuilt; afterwards every project is in the index exactly once."""
    engine = make_engine(f"sqlite:///{tmp_path / 'rebuild.db'}")
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)
    settings = Settings(data_dir=tmp_path / "data")
    search = make_search_engine(
        settings,
        factory,
        background=False,
        analyzer=analyzer,
        backend=EmbeddedBackend(settings.data_dir, analyzer),
    )
    search.backend.ensure()
    first = [project_record() for _ in range(150)]
    with session_scope(factory) as session:
        import_text(session, "".join(json.dumps(r) + "\n" for r in first), FileFormat.jsonl)

    during = [project_record() for _ in range(60)]

    def write() -> None:
        for record in during:
            with session_scope(factory) as session:
                import_text(session, json.dumps(record) + "\n", FileFormat.jsonl)

    writer = threading.Thread(target=write)
    writer.start()
    for _ in range(3):
        search.indexer.rebuild()
    writer.join()
    search.indexer.drain()

    total = search.backend.search("projects", SearchRequest(limit=1)).total
    assert total == len(first) + len(during)
    assert all(found(search, r["external_id"]) for r in during)
    assert search.indexer.status().pending == 0
    search.backend.close()
    engine.dispose()


def test_an_engine_down_at_start_up_is_retried_and_the_outbox_drained(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'start.db'}")
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)
    backend = EmbeddedBackend(tmp_path / "data", analyzer)
    failures = {"left": 2}
    real_ensure = backend.ensure

    def flaky_ensure() -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("engine not up yet (test)")
        real_ensure()

    backend.ensure = flaky_ensure  # type: ignore[method-assign]
    search = make_search_engine(
        Settings(data_dir=tmp_path / "data"), factory, background=True, analyzer=analyzer,
        backend=backend,
    )  # fmt: skip
    search.indexer.poll_seconds = 0.05
    record = project_record()
    with session_scope(factory) as session:
        import_text(session, json.dumps(record) + "\n", FileFormat.jsonl)
    search.start()
    try:
        for _ in range(200):
            if search.indexer.status().pending == 0:
                break
            threading.Event().wait(0.05)
        assert failures["left"] == 0
        assert search.indexer.status().pending == 0
        assert found(search, record["external_id"])
    finally:
        search.stop()
        engine.dispose()


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], list[int]]]:
    """Write sessions on a file database, and the list of drains their commits asked for."""
    engine = make_engine(f"sqlite:///{tmp_path / 'watched.db'}")
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)
    drains: list[int] = []
    watch_commits(factory, lambda: drains.append(1))
    yield factory, drains
    engine.dispose()


def test_changes_are_indexed_after_the_outer_commit_not_at_a_savepoint(
    watched: tuple[sessionmaker[Session], list[int]],
) -> None:
    """A unit of work that releases a savepoint (as recording a lead does) is not committed
    yet: the indexer waits for the outer commit (before, it drained inside the transaction,
    and on SQLite waited for the write lock that transaction held)."""
    factory, drains = watched
    with session_scope(factory) as session:
        import_text(session, json.dumps(project_record()) + "\n", FileFormat.jsonl)
        with session.begin_nested():
            session.execute(select(1))
        assert drains == []
    assert drains == [1]


def test_a_savepoint_rolled_back_does_not_forget_the_outer_works_changes(
    watched: tuple[sessionmaker[Session], list[int]],
) -> None:
    factory, drains = watched
    with session_scope(factory) as session:
        import_text(session, json.dumps(project_record()) + "\n", FileFormat.jsonl)
        with pytest.raises(ValueError, match="inside the savepoint"), session.begin_nested():
            raise ValueError("inside the savepoint")
    assert drains == [1]
