"""A long import writes in batches on SQLite, so other writers get through, and is checked
before anything is written; on PostgreSQL it stays one transaction."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.bulk import service
from app.bulk.formats import FileFormat
from app.bulk.service import (
    CheckedRecord,
    ImportRejectedError,
    ImportReport,
    check_text,
    write_checked,
)
from app.catalog import records as catalog
from app.catalog.models import Project
from app.db import make_engine, make_sessionmaker
from app.dbmigrate import upgrade
from app.search.models import OutboxEntry
from tests.factories import project_record


def jsonl(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def stored(session: Session, external_ids: Sequence[str]) -> int:
    query = select(func.count()).select_from(Project).where(Project.external_id.in_(external_ids))
    return session.scalar(query) or 0


def outbox_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0


@pytest.fixture
def file_database(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file of its own, as the embedded default runs: writers on other connections."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ketao.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_another_writer_gets_through_while_a_long_import_writes(file_database: Engine) -> None:
    records = [project_record() for _ in range(600)]
    ids = [r["external_id"] for r in records]
    with make_sessionmaker(file_database)() as reader:
        checked = check_text(reader, jsonl(records), FileFormat.jsonl)
    writes = make_sessionmaker(file_database, write=True)
    reports: list[ImportReport] = []
    job = threading.Thread(
        target=lambda: reports.append(write_checked(writes, checked, batch_size=50))
    )
    job.start()
    try:
        with make_sessionmaker(file_database)() as reader:
            deadline = time.monotonic() + 30
            while stored(reader, ids) == 0 and time.monotonic() < deadline:
                reader.rollback()  # a new snapshot
                time.sleep(0.01)
        # Another write, waiting at most SQLite's busy timeout (5 s), gets in mid-import.
        started = time.monotonic()
        with writes() as other:
            other.add(Project(external_id="OTHER-WRITER", title_en="written mid-import"))
            other.flush()
            seen_by_other = stored(other, ids)
            other.commit()
        waited = time.monotonic() - started
    finally:
        job.join(60)
    assert 0 < seen_by_other < len(records), "the other write got in while the import ran"
    assert waited < 2
    [report] = reports
    assert report.created["project"] == len(records)
    with make_sessionmaker(file_database)() as reader:
        assert stored(reader, [*ids, "OTHER-WRITER"]) == len(records) + 1
        assert outbox_rows(reader) == len(records), "each record has its outbox row"


def test_a_bad_file_is_checked_while_another_writer_holds_the_lock(
    file_database: Engine, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "ketao.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with make_sessionmaker(file_database)() as reader, pytest.raises(ImportRejectedError):
            check_text(reader, jsonl([project_record(trl=42)]), FileFormat.jsonl)
        assert time.monotonic() - started < 1, "checking waited for nobody's lock"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_crash_mid_import_keeps_written_batches_and_a_rerun_completes_it(
    session_factory: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [project_record() for _ in range(10)]
    ids = [r["external_id"] for r in records]
    checked = check_text(session, jsonl(records), FileFormat.jsonl)
    before = outbox_rows(session)
    upsert = catalog.upsert_project
    calls = 0

    def crash_on_the_seventh(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 7:
            raise RuntimeError("the power went out")
        return upsert(*args, **kwargs)

    monkeypatch.setattr(catalog, "upsert_project", crash_on_the_seventh)
    with pytest.raises(RuntimeError):
        write_checked(session_factory, checked, batch_size=3, pause=0)
    monkeypatch.setattr(catalog, "upsert_project", upsert)

    sqlite = on_sqlite(session)
    written = 6 if sqlite else 0  # SQLite: two batches of 3; PostgreSQL: one transaction
    assert stored(session, ids) == written
    assert outbox_rows(session) == before + written

    report = write_checked(session_factory, checked, batch_size=3, pause=0)
    assert (report.created["project"], report.unchanged["project"]) == (10 - written, written)
    assert stored(session, ids) == 10
    assert outbox_rows(session) == before + 10, "a re-run writes nothing already written"


def test_the_http_import_writes_in_batches_with_their_outbox_rows(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fixtures.accounts import SECRETARIAT, auth

    batches: list[int] = []
    upsert = service.upsert_records

    def counted(session: Session, records: Sequence[CheckedRecord]) -> ImportReport:
        batches.append(len(records))
        return upsert(session, records)

    monkeypatch.setattr(service, "upsert_records", counted)
    monkeypatch.setattr(service, "BATCH_SIZE", 2)
    monkeypatch.setattr(service, "BATCH_PAUSE", 0)
    before = outbox_rows(session)
    records = [project_record() for _ in range(5)]
    answer = client.post(
        "/api/v1/import?format=jsonl",
        content=jsonl(records).encode(),
        headers=auth(client, SECRETARIAT),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == {"project": 5}
    assert batches == ([2, 2, 1] if on_sqlite(session) else [5])
    assert stored(session, [r["external_id"] for r in records]) == 5
    assert outbox_rows(session) == before + 5
    found = client.get("/api/v1/projects", params={"q": records[4]["title_en"]}).json()
    assert records[4]["external_id"] in {p["external_id"] for p in found["items"]}
