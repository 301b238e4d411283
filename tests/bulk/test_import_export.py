"""Import (all or nothing, upsert by external_id, every bad record reported) and export."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bulk.formats import FileFormat, read_records, write_records
from app.bulk.service import ImportRejectedError, export_text, import_text
from app.catalog.models import Project
from app.needs.models import Need
from app.search.models import OutboxEntry
from tests.factories import need_record, project_record


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def counts(session: Session) -> tuple[int, int, int]:
    session.flush()
    return (
        session.scalar(select(func.count()).select_from(Project)) or 0,
        session.scalar(select(func.count()).select_from(Need)) or 0,
        session.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
    )


def test_import_creates_projects_and_needs_with_outbox_rows(session: Session) -> None:
    before = counts(session)
    p, n = project_record(), need_record()
    report = import_text(session, jsonl(p, n), FileFormat.jsonl)
    assert (report.created["project"], report.created["need"]) == (1, 1)
    assert counts(session) == (before[0] + 1, before[1] + 1, before[2] + 2)
    project = session.scalar(select(Project).where(Project.external_id == p["external_id"]))
    assert project is not None
    assert project.status == "published"
    assert project.published_at is not None


def test_reimport_is_unchanged_and_an_edit_bumps_the_version(session: Session) -> None:
    record = project_record()
    import_text(session, jsonl(record), FileFormat.jsonl)
    after_first = counts(session)
    again = import_text(session, jsonl(record), FileFormat.jsonl)
    assert again.unchanged["project"] == 1
    assert counts(session) == after_first, "an unchanged record writes nothing"

    edited = {**record, "trl": 8, "industries": ["1.2", "1.5"], "price_wan": 999}
    report = import_text(session, jsonl(edited), FileFormat.jsonl)
    assert report.updated["project"] == 1
    project = session.scalar(select(Project).where(Project.external_id == record["external_id"]))
    assert project is not None
    session.refresh(project)
    assert (project.trl, project.version) == (8, 2)


def test_a_partial_record_keeps_the_fields_it_does_not_carry(session: Session) -> None:
    record = project_record()
    import_text(session, jsonl(record), FileFormat.jsonl)
    partial = {
        "type": "project",
        "external_id": record["external_id"],
        "title_en": "Renamed",
        "trl": 9,
    }
    import_text(session, jsonl(partial), FileFormat.jsonl)
    exported = json.loads(
        next(
            line
            for line in export_text(session, FileFormat.jsonl, ["project"]).splitlines()
            if record["external_id"] in line
        )
    )
    assert exported["title_en"] == "Renamed"
    assert exported["trl"] == 9
    assert exported["title_zh"] == record["title_zh"]
    assert exported["patents"] == record["patents"]


def test_one_bad_record_imports_nothing_and_every_bad_record_is_named(session: Session) -> None:
    before = counts(session)
    good = project_record()
    records = [
        good,
        project_record(external_id="BAD-INDUSTRY", industries=["1.2", "42.1"]),
        project_record(external_id="BAD-CITY", city="beijing"),
        project_record(external_id="BAD-TRL", trl=12),
        project_record(external_id="NO-TITLE", title_zh=None, title_en=None),
        project_record(external_id="BAD-MODE", transfer_modes=["gift"]),
        need_record(external_id="BAD-TARGET", city="lisbon"),
        {"type": "gadget", "external_id": "BAD-TYPE", "title_en": "x"},
        project_record(external_id="BAD-PATENT", patents=[{"number": "X1", "status": "maybe"}]),
        project_record(external_id="BAD-FIELD", colour="red"),
    ]
    text = jsonl(*records) + "{not json\n"
    with pytest.raises(ImportRejectedError) as caught:
        import_text(session, text, FileFormat.jsonl)
    found = {(e.line, e.external_id, e.field) for e in caught.value.errors}
    assert found == {
        (2, "BAD-INDUSTRY", "industries.1"),
        (3, "BAD-CITY", "city"),
        (4, "BAD-TRL", "trl"),
        (5, "NO-TITLE", "title_zh"),
        (6, "BAD-MODE", "transfer_modes.0"),
        (7, "BAD-TARGET", "city"),
        (8, "BAD-TYPE", "type"),
        (9, "BAD-PATENT", "patents.0.status"),
        (10, "BAD-FIELD", "colour"),
        (11, None, ""),
    }
    assert "10 bad record(s)" in caught.value.detail
    assert counts(session) == before


def test_a_repeated_external_id_in_one_file_is_an_error(session: Session) -> None:
    record = project_record()
    with pytest.raises(ImportRejectedError) as caught:
        import_text(session, jsonl(record, {**record, "trl": 3}), FileFormat.jsonl)
    [error] = caught.value.errors
    assert (error.line, error.field) == (2, "external_id")
    assert "first on line 1" in error.message


def test_json_array_errors_carry_the_line_where_the_record_starts(session: Session) -> None:
    good = project_record()
    bad = project_record(external_id="JSON-BAD", trl=0)
    text = "[\n" + json.dumps(good, indent=2) + ",\n" + json.dumps(bad, indent=2) + "\n]\n"
    start = text.splitlines().index("{", 2) + 1
    with pytest.raises(ImportRejectedError) as caught:
        import_text(session, text, FileFormat.json)
    assert [(e.line, e.external_id, e.field) for e in caught.value.errors] == [
        (start, "JSON-BAD", "trl")
    ]


def test_csv_round_trip_through_export_and_import(session: Session) -> None:
    records = [project_record(keywords=["碳化硅", "SiC"], price_wan=None), need_record()]
    import_text(session, jsonl(*records), FileFormat.jsonl)
    csv_text = write_records(records, FileFormat.csv)
    assert csv_text.splitlines()[0].startswith("type,external_id")
    report = import_text(session, csv_text, FileFormat.csv)
    assert report.unchanged["project"] == 1
    assert report.unchanged["need"] == 1
    changed = csv_text.replace("碳化硅; SiC", "碳化硅; SiC; 功率器件")
    assert import_text(session, changed, FileFormat.csv).updated["project"] == 1


def test_csv_errors_name_the_row_line(session: Session) -> None:
    text = write_records(
        [project_record(), project_record(external_id="CSV-BAD", trl=99)], FileFormat.csv
    )
    with pytest.raises(ImportRejectedError) as caught:
        import_text(session, text, FileFormat.csv)
    assert [(e.line, e.external_id, e.field) for e in caught.value.errors] == [
        (3, "CSV-BAD", "trl")
    ]


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_full_export_reimports_unchanged(session: Session, fmt: FileFormat) -> None:
    text = export_text(session, fmt, ["project", "need"])
    total = len(read_records(text, fmt))
    assert total == sum(counts(session)[:2])
    before = counts(session)
    report = import_text(session, text, fmt)
    assert report.unchanged.total() == total
    assert counts(session) == before


def test_a_record_without_external_id_gets_one(session: Session) -> None:
    record = project_record()
    del record["external_id"]
    import_text(session, jsonl(record), FileFormat.jsonl)
    project = session.scalar(select(Project).where(Project.title_zh == record["title_zh"]))
    assert project is not None
    assert project.external_id.startswith("KTP-")


def test_an_empty_file_is_rejected(session: Session) -> None:
    with pytest.raises(ImportRejectedError, match="no records"):
        import_text(session, "\n\n", FileFormat.jsonl)


def test_the_secretariat_imports_over_http_all_or_nothing(client: TestClient) -> None:
    from tests.fixtures.accounts import ENTERPRISE, SECRETARIAT, auth

    good = project_record()
    url = "/api/v1/import?format=jsonl"
    sec = {**auth(client, SECRETARIAT), "content-type": "application/x-ndjson"}
    done = client.post(url, content=jsonl(good).encode(), headers=sec)
    assert done.status_code == 200, done.text
    assert done.json()["created"] == {"project": 1}
    found = client.get("/api/v1/projects", params={"external_id": good["external_id"]}).json()
    assert found["total"] == 1

    bad = jsonl(project_record(), project_record(external_id="HTTP-BAD", city="paris"))
    refused = client.post(url, content=bad.encode(), headers=sec)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["line"], error["external_id"], error["field"]) == (2, "HTTP-BAD", "city")
    assert client.post(url, content=b"{}", headers=auth(client, ENTERPRISE)).status_code == 403
    assert client.post(url, content=b"{}").status_code == 401
    assert client.post(url, content=b"\xff\xfe", headers=sec).status_code == 422
