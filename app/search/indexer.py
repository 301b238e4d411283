"""The indexer: drains the search outbox into the engine, retries with backoff, rebuilds.

A row is marked done only after the engine confirmed the change; a failure leaves it pending
with ``attempts``, ``next_attempt_at`` and ``last_error`` set, so nothing is ever lost.

Documents are read in plain read sessions; on SQLite only the short bookkeeping of the outbox
takes the write lock, so a drain or a rebuild never holds up the application's writers.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, event, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.db import WRITE_OPTION, utcnow
from app.search.backend import INDEXES, FileLock, IndexName, SearchBackend, SearchDoc
from app.search.documents import SOURCES
from app.search.models import OutboxEntry
from app.search.outbox import OUTBOX_DIRTY

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600
# Drains take turns (one batch each) across the processes of a machine; a turn lasts about a
# second, so this long means something is stuck: the drain gives up and the next poll retries.
DRAIN_LOCK_SECONDS = 60.0


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2**attempts, MAX_BACKOFF_SECONDS))


@dataclass
class DrainReport:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    failing: int
    oldest_pending_at: dt.datetime | None
    lag_seconds: float
    last_error: str | None


@dataclass
class _Work:
    """One index's share of a batch: what to upsert and delete, and how it went."""

    index: IndexName
    rows: list[int]  # outbox row ids
    docs: list[SearchDoc] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    error: str | None = None


def read_sessions(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions like ``factory``'s that do not take SQLite's write lock (a plain deferred
    ``BEGIN``): ``factory`` may be a write one, as the command line and the indexer get."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine) or not bind.get_execution_options().get(WRITE_OPTION):
        return factory  # already plain, or a connection (tests) that must be shared
    options = {k: v for k, v in factory.kw.items() if k != "bind"}
    return sessionmaker(bind=bind.execution_options(**{WRITE_OPTION: False}), **options)


T = TypeVar("T")
BUSY_RETRIES = (0.2, 0.5, 1.0, 2.0, 4.0)


def when_not_busy(write: Callable[[], T]) -> T:
    """Run a short bookkeeping write, trying again while SQLite's write lock is held by another
    process's long job (each try already waits busy_timeout): the change it records must not be
    dropped because an import was writing at that moment."""
    for pause in BUSY_RETRIES:
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            logger.info("outbox bookkeeping waits for the database: %s", exc.orig)
            time.sleep(pause)
    return write()


class Indexer:
    """Keeps the engine in step with SQL; one per process.

    ``lock_path`` makes drains take turns with those of the machine's other processes (server
    workers, the command line): a drain loads documents and writes them as one step, so a
    process can never overwrite a newer version another process has just indexed.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        backend: SearchBackend,
        *,
        batch: int = 500,
        poll_seconds: float = 5.0,
        lock_path: Path | None = None,
    ) -> None:
        self.factory = factory
        self.reader = read_sessions(factory)
        self.backend = backend
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._lock = FileLock(lock_path, timeout=DRAIN_LOCK_SECONDS)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- draining ---

    def drain(self) -> DrainReport:
        """Index every due outbox row; returns what was done and what failed."""
        report = DrainReport()
        while True:
            with self._lock.held():  # one batch a turn: another process may go next
                step = self._drain_batch()
            report.indexed += step.indexed
            report.deleted += step.deleted
            report.failed += step.failed
            if step.indexed + step.deleted + step.failed < self.batch or step.failed:
                return report

    def _claim(self, session: Session) -> list[OutboxEntry]:
        now = utcnow()
        stmt = (
            select(OutboxEntry)
            .where(
                OutboxEntry.processed_at.is_(None),
                or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now),
            )
            .order_by(OutboxEntry.id)
            .limit(self.batch)
        )
        if _locks_rows(session):
            stmt = stmt.with_for_update(skip_locked=True)  # several machines may drain
        return list(session.scalars(stmt))

    def _drain_batch(self) -> DrainReport:
        with self.reader() as session:
            rows = self._claim(session)
            if not rows:
                return DrainReport()
            work = [self._load(session, index, rows) for index in SOURCES]
            if _locks_rows(session):  # PostgreSQL: the rows stay locked until settled
                report = self._write(work)
                _settle(rows, work)
                session.commit()
                return report
        # SQLite: the read transaction is over; a read cannot safely become a write there, so
        # the bookkeeping gets a short write transaction of its own.
        report = self._write(work)
        claimed = [r.id for r in rows]

        def settle() -> None:
            with self.factory() as session:
                query = select(OutboxEntry).where(OutboxEntry.id.in_(claimed))
                _settle(session.scalars(query), work)
                session.commit()

        when_not_busy(settle)
        return report

    def _load(self, session: Session, index: IndexName, rows: list[OutboxEntry]) -> _Work:
        entity, load, _ = SOURCES[index]
        mine = [r for r in rows if r.entity == entity]
        work = _Work(index=index, rows=[r.id for r in mine])
        if not mine:
            return work
        ids = sorted({r.entity_id for r in mine})
        try:
            docs = load(session, ids)
        except Exception as exc:  # keep the rows, retry later
            work.error = f"{type(exc).__name__}: {exc}"
            logger.warning("loading %d %s failed: %s", len(ids), index, exc)
            return work
        work.docs = [docs[i] for i in ids if i in docs]
        work.gone = [i for i in ids if i not in docs]
        return work

    def _write(self, work: list[_Work]) -> DrainReport:
        report = DrainReport()
        for w in work:
            if not w.rows:
                continue
            if w.error is None:
                try:
                    self.backend.upsert(w.index, w.docs)
                    self.backend.delete(w.index, w.gone)
                except Exception as exc:  # any engine failure: keep the rows, retry later
                    logger.warning("indexing %d %s failed: %s", len(w.rows), w.index, exc)
                    w.error = f"{type(exc).__name__}: {exc}"
            if w.error is None:
                report.indexed += len(w.docs)
                report.deleted += len(w.gone)
            else:
                report.failed += len(w.rows)
        return report

    # --- rebuilding ---

    def rebuild(self, indexes: Sequence[IndexName] = INDEXES) -> dict[str, int]:
        """Rebuild from SQL into a new index, swap it in, then replay what changed meanwhile."""
        started = utcnow()
        counts: dict[str, int] = {}
        for index in indexes:
            _, _, iterate = SOURCES[index]
            with self.reader() as session:
                counts[index] = self.backend.rebuild(index, iterate(session))
        self._replay_since(started, indexes)
        return counts

    def _replay_since(self, started: dt.datetime, indexes: Sequence[IndexName]) -> None:
        """Changes indexed while the rebuild ran may have reached only the old index: queue them
        again. (A change indexed before it started was committed before the rebuild read SQL;
        one still pending will be drained into the new index anyway.) They are drained here, or
        by whichever process drains first.

        Queued under the drain lock: a drain of another process that wrote to the old index
        before the swap has marked its rows by then, so they are queued again too.
        """
        entities = [SOURCES[i][0].value for i in indexes]

        def requeue() -> int:
            with self.factory() as session:
                queued = session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.processed_at >= started, OutboxEntry.entity.in_(entities))
                    .values(processed_at=None, next_attempt_at=None)
                )
                session.commit()
                return int(getattr(queued, "rowcount", 0) or 0)

        with self._lock.held():
            queued = when_not_busy(requeue)
        if queued:
            self.drain()

    # --- status ---

    def status(self) -> OutboxStatus:
        with self.reader() as session:
            pending = OutboxEntry.processed_at.is_(None)
            count = session.scalar(select(func.count()).where(pending)) or 0
            failing = (
                session.scalar(select(func.count()).where(pending, OutboxEntry.attempts > 0)) or 0
            )
            oldest = session.scalar(select(func.min(OutboxEntry.created_at)).where(pending))
            last_error = session.scalar(
                select(OutboxEntry.last_error)
                .where(pending, OutboxEntry.last_error.is_not(None))
                .order_by(OutboxEntry.id.desc())
                .limit(1)
            )
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        lag = (utcnow() - oldest).total_seconds() if oldest else 0.0
        return OutboxStatus(
            pending=count,
            failing=failing,
            oldest_pending_at=oldest,
            lag_seconds=max(lag, 0.0),
            last_error=last_error,
        )

    # --- running in the background ---

    def notify(self) -> None:
        """A transaction with outbox rows committed: drain soon."""
        self._wake.set()

    def start(self, before: Callable[[], None] | None = None) -> None:
        """Drain on a background thread, after running ``before`` there (e.g. a rebuild)."""
        self._thread = threading.Thread(
            target=self._run, args=(before,), name="ketao-indexer", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, before: Callable[[], None] | None) -> None:
        # The start-up step (ensure the indexes, rebuild an empty one) is retried until it
        # succeeds: an engine that is down at start must not leave the outbox undrained, nor be
        # written to before its settings are in place.
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if before is not None:
                    before()
                    before = None
                self.drain()
            except Exception:
                logger.exception("indexer: start-up or drain failed; retrying")
            self._wake.wait(self.poll_seconds)


def _settle(rows: Iterable[OutboxEntry], work: list[_Work]) -> None:
    """Mark each claimed row done, or failed with its error and its next attempt."""
    errors = {row_id: w.error for w in work for row_id in w.rows}
    now = utcnow()
    for row in rows:
        error = errors.get(row.id)
        if error is None:
            row.processed_at = now
            row.last_error = None
        else:
            row.attempts += 1
            row.next_attempt_at = now + backoff(row.attempts)
            row.last_error = error[:2000]


def _locks_rows(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def retry_now(session: Session) -> int:
    """Make every failed row due now (an operator asked for a retry)."""
    rows = session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.processed_at.is_(None), OutboxEntry.next_attempt_at.is_not(None)
        )
    ).all()
    for row in rows:
        row.next_attempt_at = None
    return len(rows)


def watch_commits(factory: sessionmaker[Session], on_commit: Callable[[], None]) -> None:
    """Call ``on_commit`` after each commit of a session (from ``factory``) with outbox rows."""

    def after_commit(session: Session) -> None:
        # SQLAlchemy fires this for a savepoint's release too; the rows are committed (and
        # the database's write lock let go) only when the outermost transaction commits.
        if session.in_nested_transaction():
            return
        if session.info.pop(OUTBOX_DIRTY, False):
            on_commit()

    def after_rollback(session: Session) -> None:
        session.info.pop(OUTBOX_DIRTY, None)

    event.listen(factory, "after_commit", after_commit)

    def after_soft_rollback(session: Session, transaction: SessionTransaction) -> None:
        if not transaction.nested:  # a savepoint rolled back: the outer work may still commit
            after_rollback(session)

    event.listen(factory, "after_soft_rollback", after_soft_rollback)
