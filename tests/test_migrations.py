"""Migrations: up to head, down to base, up again; and the models agree with the migrations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.dbmigrate import alembic_config, migrating
from app.geo.models import City, Industry
from app.models import Base


@pytest.fixture
def empty_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, so going down to base leaves the shared test database alone."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    name = f"ketao_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_engine: Engine) -> None:
    with migrating(empty_engine) as conn:
        command.upgrade(alembic_config(conn), "head")
    assert _tables(empty_engine) == set(Base.metadata.tables)
    with empty_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(City)) == 15
        assert (conn.scalar(select(func.count()).select_from(Industry)) or 0) > 9

    with migrating(empty_engine) as conn:
        command.downgrade(alembic_config(conn), "base")
    assert _tables(empty_engine) == set()

    with migrating(empty_engine) as conn:
        command.upgrade(alembic_config(conn), "head")
    assert _tables(empty_engine) == set(Base.metadata.tables)


def test_models_match_the_migrations(engine: Engine) -> None:
    """Autogenerate finds nothing to do: every model change has its migration."""
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_0008_closes_duplicate_open_leads_before_keeping_them_unique(empty_engine: Engine) -> None:
    """Two open leads of one organisation on one project (possible before 0008): the upgrade
    keeps the older, closes the newer with a note in its log, and then the index holds."""
    with migrating(empty_engine) as conn:
        command.upgrade(alembic_config(conn), "0007")
        conn.execute(
            text("INSERT INTO organizations (name, kind) VALUES ('迁移测试企业', 'enterprise')")
        )
        conn.execute(
            text(
                "INSERT INTO projects (external_id, title_zh, keywords, status, version) "
                "VALUES ('MIG-P-1', '迁移测试项目', '[]', 'published', 1)"
            )
        )
        org = conn.scalar(text("SELECT id FROM organizations WHERE name = '迁移测试企业'"))
        project = conn.scalar(text("SELECT id FROM projects WHERE external_id = 'MIG-P-1'"))
        for stage in ("new", "contacted", "landed"):
            conn.execute(
                text(
                    "INSERT INTO leads (project_id, organization_id, message, stage, version, "
                    "landed_city, landed_on) VALUES (:p, :o, '', :s, 1, :city, :on)"
                ),
                {
                    "p": project, "o": org, "s": stage,
                    "city": "foshan" if stage == "landed" else None,
                    "on": "2026-01-05" if stage == "landed" else None,
                },
            )  # fmt: skip
        command.upgrade(alembic_config(conn), "head")
        stages = conn.execute(text("SELECT stage FROM leads ORDER BY id")).scalars().all()
        assert stages == ["new", "closed", "landed"]
        note = conn.scalar(text("SELECT note FROM lead_events WHERE to_stage = 'closed'"))
        assert "duplicate" in note


def test_0009_keeps_organisations_and_what_points_at_them(empty_engine: Engine) -> None:
    """Dropping the unique name (SQLite copies the table) keeps every row and every reference;
    going back numbers names made equal meanwhile."""
    with migrating(empty_engine) as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(
            text("INSERT INTO organizations (name, kind) VALUES ('同名公司', 'enterprise')")
        )
        org = conn.scalar(text("SELECT id FROM organizations"))
        conn.execute(
            text("INSERT INTO users (email, password_hash, full_name, role, organization_id, "
                 "is_active) VALUES ('m@example.org', '!', '', 'enterprise', :o, true)"),
            {"o": org},
        )  # fmt: skip
        command.upgrade(alembic_config(conn), "0009")
        conn.execute(
            text("INSERT INTO organizations (name, kind) VALUES ('同名公司', 'enterprise')")
        )
        assert conn.scalar(text("SELECT count(*) FROM organizations WHERE name = '同名公司'")) == 2
        assert conn.scalar(text("SELECT organization_id FROM users")) == org
        command.downgrade(alembic_config(conn), "0008")
        names = conn.execute(text("SELECT name FROM organizations ORDER BY id")).scalars().all()
        assert names[0] == "同名公司"
        assert names[1].startswith("同名公司 (")
        assert conn.scalar(text("SELECT organization_id FROM users")) == org
