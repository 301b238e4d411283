"""Running the Alembic migrations from code (the CLI, the tests and the benchmarks)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from app.config import REPO_ROOT


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, bound to ``connection`` and leaving logging alone."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    config.attributes["configure_logging"] = False
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
