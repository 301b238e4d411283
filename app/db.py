"""SQLAlchemy engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event, func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_in(column: str, values: type[enum.StrEnum]) -> str:
    """SQL for a CHECK constraint that keeps ``column`` inside an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp on every database: SQLite hands back naive values, read as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: Ketao stores timezone-aware times only")
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(dt.UTC)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now(), onupdate=utcnow
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs and rollbacks behave (the
    # documented pysqlite recipe); see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite leaves foreign keys off unless asked; our constraints live in the database.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.close()


WRITE_OPTION = "ketao_write"
# How long a writer waits for SQLite's write lock (then: 503 with Retry-After).
SQLITE_BUSY_SECONDS = 5.0


class WriteGate:
    """Writers of one process take SQLite's write lock in the order they asked for it.

    SQLite's own waiting is a busy handler that polls (at most every 100 ms): it is not fair, so
    a long job that writes batch after batch could win the lock again and again while a request
    waiting behind it runs out of time. Inside one process (the server with its import, its
    indexer and its requests) the gate makes the order first come, first served; between
    processes the busy handler still decides, and long jobs leave gaps for it.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    def acquire(self) -> None:
        with self._cond:
            ticket = self._next
            self._next += 1
            deadline = time.monotonic() + self.timeout
            while self._serving != ticket:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._abandoned.add(ticket)
                    raise OperationalError(
                        "BEGIN IMMEDIATE",
                        {},
                        sqlite3.OperationalError(
                            f"database is locked (waited {self.timeout:.0f} s behind this "
                            "process's other writers)"
                        ),
                    )
                self._cond.wait(left)

    def release(self) -> None:
        with self._cond:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


_GATE_HELD = "ketao_write_gate_held"


def _sqlite_begin(conn: Any, gate: WriteGate) -> None:
    # A unit of work that will write takes SQLite's write lock up front: a read transaction
    # upgraded to a write after another writer committed fails at once ("database is locked")
    # instead of waiting for busy_timeout. It queues at the process's gate first.
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    if not immediate:
        conn.exec_driver_sql("BEGIN")
        return
    gate.acquire()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.release()
        raise
    conn.info[_GATE_HELD] = gate


def _sqlite_end(conn: Any) -> None:
    gate = conn.info.pop(_GATE_HELD, None)
    if gate is not None:
        gate.release()


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    # A connection handed back with its transaction never ended (an error mid-way) is rolled
    # back by the pool without a "rollback" event: let the gate go here then.
    gate = record.info.pop(_GATE_HELD, None)
    if gate is not None:
        gate.release()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its directory created and its pragmas set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        gate = WriteGate(timeout=SQLITE_BUSY_SECONDS)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "commit", _sqlite_end)
        event.listen(engine, "rollback", _sqlite_end)
        event.listen(engine, "checkin", _sqlite_checkin)
        event.listen(engine, "begin", functools.partial(_sqlite_begin, gate=gate))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``write`` ones start with the write lock on SQLite."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
