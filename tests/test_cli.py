"""The ``ketao`` command, run as a newcomer would: help, upgrade, import, export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalog.models import Project
from app.db import make_engine
from tests.factories import need_record, project_record

COMMANDS = [
    ["db", "upgrade"],
    ["seed"],
    ["import"],
    ["export"],
    ["serve"],
    ["index", "status"],
    ["index", "drain"],
    ["index", "rebuild"],
    ["match"],
    ["users", "create"],
]


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
    return {**environ, "KETAO_DATA_DIR": str(tmp_path / "data")}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str], env: dict[str, str]) -> None:
    result = ketao(*command, "--help", env=env)
    assert result.returncode == 0
    assert "usage: ketao" in result.stdout


def test_import_with_one_bad_record_exits_non_zero_and_changes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert ketao("db", "upgrade", env=env).returncode == 0
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(project_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    first = ketao("import", str(good), env=env)
    assert first.returncode == 0, first.stderr
    assert "1 created" in first.stdout

    bad = tmp_path / "bad.jsonl"
    lines = [project_record(), project_record(external_id="CLI-BAD-TRL", trl=11)]
    bad.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    result = ketao("import", str(bad), env=env)
    assert result.returncode == 1
    assert "line 2 (CLI-BAD-TRL): trl:" in result.stderr
    assert "nothing was imported" in result.stderr

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'ketao.db'}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Project)) == 1
    engine.dispose()

    out = tmp_path / "export.csv"
    assert ketao("export", str(out), "--type", "project", env=env).returncode == 0
    assert out.read_text(encoding="utf-8").count("\n") == 2


def test_import_of_a_missing_file_or_unknown_format_is_a_clear_error(
    tmp_path: Path, env: dict[str, str]
) -> None:
    missing = ketao("import", str(tmp_path / "nope.jsonl"), env=env)
    assert missing.returncode == 2
    assert "nope.jsonl" in missing.stderr
    odd = tmp_path / "data.xml"
    odd.write_text("<x/>", encoding="utf-8")
    result = ketao("import", str(odd), env=env)
    assert result.returncode == 2
    assert "--format" in result.stderr


def test_index_status_drain_and_rebuild(tmp_path: Path, env: dict[str, str]) -> None:
    assert ketao("db", "upgrade", env=env).returncode == 0
    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps(project_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert ketao("import", str(data), env=env).returncode == 0

    status = ketao("index", "status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["backend"] == "embedded"
    assert body["engine"] == "ok"
    assert body["documents"] == {"projects": 1, "needs": 0}
    assert body["pending"] == 0

    drained = ketao("index", "drain", env=env)
    assert drained.returncode == 0
    assert "indexed 0, deleted 0, failed 0" in drained.stdout

    rebuilt = ketao("index", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "projects: 1, needs: 0" in rebuilt.stdout


def test_match_prints_what_the_api_returns(tmp_path: Path, env: dict[str, str]) -> None:
    assert ketao("db", "upgrade", env=env).returncode == 0
    project = project_record(title_zh="液冷储能电站热失控早期预警系统", industries=["6.5"])
    need = need_record(title_zh="储能电站热失控预警需求", industries=["6.5"])
    data = tmp_path / "pair.jsonl"
    data.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (project, need)),
        encoding="utf-8",
    )
    assert ketao("import", str(data), env=env).returncode == 0

    result = ketao("match", "need", need["external_id"], "--json", env=env)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    [match] = body["projects"]["items"]
    assert match["project"]["external_id"] == project["external_id"]
    assert match["reasons"]

    both = ketao("match", "project", project["external_id"], "--json", env=env)
    assert both.returncode == 0, both.stderr
    body = json.loads(both.stdout)
    assert body["needs"]["items"][0]["need"]["external_id"] == need["external_id"]
    assert len(body["cities"]["items"]) == 10

    missing = ketao("match", "need", "NO-SUCH-NEED", env=env)
    assert missing.returncode == 1
    assert "NO-SUCH-NEED" in missing.stderr


def test_users_create_makes_a_secretariat_account(tmp_path: Path, env: dict[str, str]) -> None:
    assert ketao("db", "upgrade", env=env).returncode == 0
    args = ["users", "create", "--email", "Chen@Forum.org", "--password", "long-enough-pass"]
    made = ketao(*args, "--role", "secretariat", "--org", "论坛秘书处", env=env)
    assert made.returncode == 0, made.stderr
    assert "created secretariat chen@forum.org" in made.stdout
    again = ketao(*args, "--role", "secretariat", "--org", "论坛秘书处", env=env)
    assert again.returncode == 1
    assert "already has an account" in again.stderr
    short = ketao("users", "create", "--email", "a@b.org", "--password", "short",
                  "--role", "researcher", "--org", "X", env=env)  # fmt: skip
    assert short.returncode == 2
