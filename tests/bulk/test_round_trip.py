"""Export then import changes nothing, in every format, and a CSV export runs no formula."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.bulk.formats import FORMULA_START, FileFormat, read_records, write_records
from app.bulk.service import export_text, import_text
from app.catalog import records as catalog
from app.catalog.models import Project
from app.needs import records as needs
from app.needs.models import Need
from tests.factories import need_record, project_record

KEYWORDS = ["-40°C 低温", "锂电池;储能", "=1+2", "C:\\temp", "a\\;b", "ends\\", "'=quoted", "@all"]


def tricky_records() -> list[dict[str, Any]]:
    """Cells that start like formulas, a ``;`` and backslashes in keywords, line breaks, quotes
    and U+2028 in texts, and a patent whose cell is JSON."""
    project = project_record(
        title_zh='=HYPERLINK("http://example.com/x","点我")',
        title_en="@SUM(A1:A2)",
        summary_zh='第一行\n第二行 "引号", 逗号\r\n第三行\u2028第四行',
        summary_en="-5 V to +5 V\n=not a formula on line two",
        keywords=KEYWORDS,
        institution="+86 实验室",
        contact_phone="+86 755 1234 5678",
        patents=[
            {"number": "=CN1", "title": '含;分号, "引号"', "status": "granted"},
            {"number": "-CN2", "title": None, "status": None},
        ],
    )
    need = need_record(
        title_zh="+负载测试",
        description_zh="@提及\n第二行\t制表",
        keywords=["-储能;热管理"],
        organization="=cmd|' /C calc'!A0 有限公司",
    )
    return [project, need]


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def stored(session: Session, records: list[dict[str, Any]]) -> tuple[Project, Need]:
    session.expire_all()
    [project] = catalog.projects_by_external_id(session, [records[0]["external_id"]]).values()
    [need] = needs.needs_by_external_id(session, [records[1]["external_id"]]).values()
    return project, need


def test_a_csv_export_starts_no_cell_like_a_formula_and_reads_back_the_same(
    session: Session,
) -> None:
    records = tricky_records()
    import_text(session, jsonl(*records), FileFormat.jsonl)
    text = export_text(session, FileFormat.csv, ["project", "need"])

    rows = list(csv.reader(io.StringIO(text, newline="")))
    mine = [r for r in rows if r[1] in {records[0]["external_id"], records[1]["external_id"]}]
    assert len(mine) == 2
    for row in mine:
        assert [c for c in row if c.startswith(FORMULA_START)] == []
    assert "'=HYPERLINK(" in text

    report = import_text(session, text, FileFormat.csv)
    assert report.unchanged.total() == len(rows) - 1
    assert report.updated.total() == report.created.total() == 0
    project, need = stored(session, records)
    assert project.keywords == KEYWORDS
    assert project.title_zh == records[0]["title_zh"]
    assert [p.number for p in project.patents] == ["=CN1", "-CN2"]
    assert need.keywords == ["-储能;热管理"]


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_every_format_round_trips_tricky_records_unchanged(
    session: Session, fmt: FileFormat
) -> None:
    records = tricky_records()
    import_text(session, jsonl(*records), FileFormat.jsonl)
    project, need = stored(session, records)
    versions = (project.version, need.version)

    text = export_text(session, fmt, ["project", "need"])
    report = import_text(session, text, fmt)
    assert report.updated.total() == report.created.total() == 0
    project, need = stored(session, records)
    assert (project.version, need.version) == versions
    assert project.summary_zh == records[0]["summary_zh"]
    assert project.keywords == KEYWORDS
    assert export_text(session, fmt, ["project", "need"]) == text


def test_csv_cells_are_read_back_exactly_as_written() -> None:
    """The file level, with values no record can store (a leading tab or CR) included."""
    record = {
        "type": "project",
        "title_en": "\t=x",
        "title_zh": "'=already",
        "summary_en": "\r\n-y",
        "institution": "'plain apostrophe",
        "keywords": ["-k", "x;y", "back\\slash", "\\;"],
    }
    text = write_records([record], FileFormat.csv)
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [v for v in row.values() if v.startswith(FORMULA_START)] == []
    assert row["institution"] == "'plain apostrophe"
    [read] = read_records(text, FileFormat.csv)
    assert read.data == record


def test_a_hand_written_list_cell_keeps_a_backslash_that_escapes_nothing() -> None:
    text = "type,title_en,keywords\nproject,x,C\\C++; a\\;b; c\\\\d\n"
    [read] = read_records(text, FileFormat.csv)
    assert read.data is not None
    assert read.data["keywords"] == ["C\\C++", "a;b", "c\\d"]
