"""``ketao import`` and ``ketao export`` as a secretariat runs them: reports, not tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.bulk.formats import FORMULA_START, FileFormat, write_records
from tests.factories import need_record, project_record


def ketao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KETAO_")}
    environ = {**environ, "KETAO_DATA_DIR": str(tmp_path / "data")}
    assert ketao("db", "upgrade", env=environ).returncode == 0
    return environ


def test_unreadable_files_exit_1_with_a_report_naming_line_and_field(
    tmp_path: Path, env: dict[str, str]
) -> None:
    rows = [
        project_record(),
        project_record(external_id="CLI-NUL", title_en="a\x00b"),
        project_record(external_id="CLI-HUGE", summary_en="x" * 140_000),
    ]
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(write_records(rows, FileFormat.csv), encoding="utf-8")
    result = ketao("import", str(bad_csv), env=env)
    assert result.returncode == 1, result.stderr
    assert "line 3 (CLI-NUL): title_en: must not contain a NUL character" in result.stderr
    assert "line 4: summary_en: a cell is longer than 131,072 characters" in result.stderr
    assert "Traceback" not in result.stderr

    deep = tmp_path / "deep.jsonl"
    deep.write_text(
        json.dumps(project_record())
        + "\n"
        + '{"type": "project", "keywords": '
        + "[" * 100_000
        + "]" * 100_000
        + "}\n",
        encoding="utf-8",
    )
    result = ketao("import", str(deep), env=env)
    assert result.returncode == 1, result.stderr
    assert "line 2: invalid JSON: nested more than 8 levels deep" in result.stderr
    assert "nothing was imported" in result.stderr


def test_a_csv_export_runs_no_formula_and_imports_back_unchanged(
    tmp_path: Path, env: dict[str, str]
) -> None:
    records = [
        project_record(title_zh="=1+1", keywords=["-储能;热管理", "@x"], institution="+86"),
        need_record(organization="=cmd|' /C calc'!A0", keywords=["a;b"]),
    ]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert ketao("import", str(data), env=env).returncode == 0

    out = tmp_path / "library.csv"
    assert ketao("export", str(out), env=env).returncode == 0
    cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8"), newline="")) for c in row]
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    again = ketao("import", str(out), env=env)
    assert again.returncode == 0, again.stderr
    assert "projects: 0 created, 0 updated, 1 unchanged" in again.stdout
    assert "needs: 0 created, 0 updated, 1 unchanged" in again.stdout


def test_a_bad_file_is_reported_while_another_writer_holds_the_lock(
    tmp_path: Path, env: dict[str, str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(project_record(external_id="CLI-TRL", trl=42)) + "\n", "utf-8")
    holder = sqlite3.connect(tmp_path / "data" / "ketao.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = ketao("import", str(bad), env=env)
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1, result.stderr
    assert "line 1 (CLI-TRL): trl:" in result.stderr
    assert took < 5, "checking a file waits for no write lock"
