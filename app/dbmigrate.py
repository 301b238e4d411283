"""Running the Alembic migrations from code (the CLI, the tests and the benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for migrations.

    On SQLite, foreign keys are off while it runs (as SQLite's own procedure for changing a
    table asks: a table is changed by copying it, and the rows pointing at it must survive the
    copy) and checked before the commit: a dangling reference fails the migration.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # On the driver's connection: outside any transaction, where the pragma takes effect.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise RuntimeError(f"migration left dangling references: {dangling[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    with migrating(engine) as conn:
        command.upgrade(alembic_config(conn), revision)
