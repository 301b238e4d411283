"""A file that cannot be read, or holds text Ketao will not store, is a 422 naming line and field.

Deep nesting, a CSV cell over the csv module's limit, text after a JSON array, NUL anywhere and
control characters in one-line fields: each is a bad record in the report, never a 500, and
nothing is imported.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bulk.formats import FileFormat, write_records
from app.bulk.service import ImportRejectedError, import_text
from app.catalog.models import Project
from app.needs.models import Need
from tests.factories import need_record, project_record

DEEP = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit
LESS_DEEP = "[" * 20 + "]" * 20  # parses, but no record nests like this


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def rejected(session: Session, text: str, fmt: FileFormat) -> list[tuple[int | None, str]]:
    before = counts(session)
    with pytest.raises(ImportRejectedError) as caught:
        import_text(session, text, fmt)
    assert counts(session) == before, "nothing is imported"
    return [(e.line, e.field) for e in caught.value.errors]


def counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Project)) or 0,
        session.scalar(select(func.count()).select_from(Need)) or 0,
    )


def deep_line(depth: str) -> str:
    return '{"type": "project", "title_en": "deep", "keywords": ' + depth + "}\n"


def test_deeply_nested_json_lines_name_the_line(session: Session) -> None:
    text = jsonl(project_record()) + deep_line(DEEP) + deep_line(LESS_DEEP)
    assert rejected(session, text, FileFormat.jsonl) == [(2, ""), (3, "keywords")]


def test_a_deeply_nested_record_in_a_json_array_names_the_line_it_starts_on(
    session: Session,
) -> None:
    text = "[\n" + json.dumps(project_record()) + ",\n" + deep_line(DEEP) + "]\n"
    assert rejected(session, text, FileFormat.json) == [(3, "")]
    text = "[\n" + json.dumps(project_record()) + ",\n" + deep_line(LESS_DEEP) + "]\n"
    assert rejected(session, text, FileFormat.json) == [(3, "keywords")]


def test_text_after_a_json_array_is_an_error(session: Session) -> None:
    text = "[\n" + json.dumps(project_record()) + "\n]\n" + json.dumps(project_record()) + "\n"
    assert rejected(session, text, FileFormat.json) == [(4, "")]
    # whitespace after the array is fine
    good = project_record()
    assert (
        import_text(session, f"[{json.dumps(good)}]\n\n  \n", FileFormat.json).created["project"]
        == 1
    )


def test_a_csv_cell_over_the_csv_limit_names_its_line_and_column(session: Session) -> None:
    huge = project_record(external_id="CSV-HUGE", summary_en="长" * 200_000)
    text = write_records([project_record(), huge], FileFormat.csv)
    assert rejected(session, text, FileFormat.csv) == [(3, "summary_en")]
    quoted = project_record(summary_en='"引号", ' * 40_000)
    text = write_records([quoted], FileFormat.csv)
    assert rejected(session, text, FileFormat.csv) == [(2, "summary_en")]


def test_a_cell_over_the_field_limit_is_still_too_long_when_it_fits_the_csv_limit(
    session: Session,
) -> None:
    text = write_records([project_record(summary_en="x" * 20_001)], FileFormat.csv)
    assert rejected(session, text, FileFormat.csv) == [(2, "summary_en")]


def test_a_nul_anywhere_is_named_by_line_and_field(session: Session) -> None:
    records = [
        project_record(summary_zh="摘要\x00"),
        project_record(keywords=["ok", "k\x00"]),
        project_record(patents=[{"number": "CN1", "title": "专利\x00"}]),
        need_record(organization="公司\x00"),
        need_record(description_en="x\x00y"),
        project_record(external_id="NUL\x00ID"),
    ]
    found = rejected(session, jsonl(*records), FileFormat.jsonl)
    assert found == [
        (1, "summary_zh"),
        (2, "keywords.1"),
        (3, "patents.0.title"),
        (4, "organization"),
        (5, "description_en"),
        (6, "external_id"),
    ]
    # the same in a CSV cell and a JSON array
    csv_text = write_records([project_record(title_en="a\x00b")], FileFormat.csv)
    assert rejected(session, csv_text, FileFormat.csv) == [(2, "title_en")]
    raw_nul = '[{"type": "need", "title_zh": "x", "city": "shenzhen\x00"}]'
    assert rejected(session, raw_nul, FileFormat.json) == [(1, "city")]


def test_one_line_fields_refuse_control_characters_and_texts_keep_line_breaks(
    session: Session,
) -> None:
    records = [
        project_record(title_en="two\nlines"),
        project_record(institution="a\rb"),
        project_record(keywords=["a\u2028b"]),
        need_record(city="shen\tzhen"),
        need_record(title_zh="标题\x1b[31m"),
    ]
    found = rejected(session, jsonl(*records), FileFormat.jsonl)
    assert found == [
        (1, "title_en"),
        (2, "institution"),
        (3, "keywords.0"),
        (4, "city"),
        (5, "title_zh"),
    ]
    text = project_record(summary_en="line one\nline two\r\n\tindented", title_en="  trimmed \n")
    assert import_text(session, jsonl(text), FileFormat.jsonl).created["project"] == 1
    project = session.scalar(select(Project).where(Project.external_id == text["external_id"]))
    assert project is not None
    assert project.summary_en == "line one\nline two\r\n\tindented"
    assert project.title_en == "trimmed"


def test_the_http_import_answers_422_naming_line_and_field(client: TestClient) -> None:
    from tests.fixtures.accounts import SECRETARIAT, auth

    headers = auth(client, SECRETARIAT)

    def post(fmt: str, text: str) -> list[tuple[int, str]]:
        answer = client.post(f"/api/v1/import?format={fmt}", content=text.encode(), headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        return [(e["line"], e["field"]) for e in answer.json()["errors"]]

    good = project_record()
    assert post("jsonl", jsonl(good) + deep_line(DEEP)) == [(2, "")]
    assert post("json", f"[{json.dumps(good)}]\n{json.dumps(good)}") == [(2, "")]
    huge = write_records([good, project_record(summary_zh="x" * 140_000)], FileFormat.csv)
    assert post("csv", huge) == [(3, "summary_zh")]
    assert post("jsonl", jsonl(good, project_record(title_zh="a\x00"))) == [(2, "title_zh")]
    found = client.get("/api/v1/projects", params={"external_id": good["external_id"]}).json()
    assert found["total"] == 0, "nothing was imported"
