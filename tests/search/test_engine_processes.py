"""Several processes on one embedded index: each writes in turn, each sees the others' commits
and rebuilds, and a rebuild from the command line loses nothing (issue 10, items 2, 3 and 5).

Process B is a real OS process (``spawn``) with an engine of its own on the same data
directory, driven over a pipe; process A is the test itself.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from app.bulk.formats import FileFormat
from app.bulk.service import import_text
from app.config import Settings
from app.db import make_engine, make_sessionmaker, session_scope
from app.dbmigrate import upgrade as migrate
from app.search.analysis import Analyzer
from app.search.backend import IndexName, SearchDoc, SearchFilters, SearchRequest
from app.search.embedded import EmbeddedBackend
from app.search.indexer import Indexer
from app.search.service import make_search_engine
from tests.factories import project_record

DEADLINE_SECONDS = 10.0


def doc(n: int) -> SearchDoc:
    # Found by id and external id only, so A's and B's analyzers need not agree.
    return SearchDoc(id=n, external_id=f"P-{n}", title_en=f"Process test {n}", status="published")


def ids(backend: EmbeddedBackend) -> set[int]:
    return {h.id for h in backend.search("projects", SearchRequest(limit=1000)).hits}


def eventually(check: Callable[[], bool], seconds: float = DEADLINE_SECONDS) -> bool:
    """Poll ``check`` until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _engine_process(data_dir: str, commands: Connection) -> None:
    """Process B: answers ``(command, argument)`` until told to close."""
    backend = EmbeddedBackend(Path(data_dir), Analyzer())
    backend.ensure()
    commands.send("ready")
    while True:
        command, arg = commands.recv()
        result: Any = None
        try:
            if command == "upsert":
                for n in arg:  # one commit per document, as a busy drain would do
                    backend.upsert("projects", [doc(n)])
            elif command == "rebuild":
                result = backend.rebuild("projects", (doc(n) for n in arg))
            elif command == "ids":
                result = ids(backend)
            elif command == "close":
                backend.close()
        except BaseException as exc:  # a tantivy panic too: report it, A fails the test
            result = f"error: {type(exc).__name__}: {exc}"
        commands.send(result)
        if command == "close":
            return


class OtherProcess:
    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe

    def send(self, command: str, arg: object = None) -> None:
        self.pipe.send((command, arg))

    def result(self, seconds: float = 30.0) -> Any:
        assert self.pipe.poll(seconds), "process B did not answer"
        answer = self.pipe.recv()
        assert not (isinstance(answer, str) and answer.startswith("error")), answer
        return answer

    def __call__(self, command: str, arg: object = None) -> Any:
        self.send(command, arg)
        return self.result()


@contextmanager
def other_process(data_dir: Path) -> Iterator[OtherProcess]:
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_engine_process, args=(str(data_dir), theirs), daemon=True
    )
    process.start()
    other = OtherProcess(ours)
    try:
        assert other.result(60.0) == "ready"
        yield other
        assert other("close") is None
        process.join(10)
        assert process.exitcode == 0
    finally:
        if process.is_alive():
            process.kill()
            process.join()


@pytest.fixture
def engine_a(analyzer: Analyzer, tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path, analyzer)
    backend.ensure()
    yield backend
    backend.close()


def test_a_rebuild_in_another_process_leaves_this_one_searching_and_indexing(
    engine_a: EmbeddedBackend, tmp_path: Path
) -> None:
    a = engine_a
    a.upsert("projects", [doc(1), doc(2)])  # A has written: before, it kept its writer open
    with other_process(tmp_path) as b:
        known = [1, 2]
        for n in (10, 20, 30):  # three swaps: generations replaced earlier get removed
            assert b("rebuild", [*known, n]) == len(known) + 1
            known.append(n)
            assert eventually(lambda: ids(a) == set(known)), "A does not see B's rebuild"
            a.upsert("projects", [doc(n + 1)])  # A writes into the generation B swapped in
            known.append(n + 1)
            assert n + 1 in ids(a)
            assert eventually(lambda: b("ids") == set(known)), "B does not see A's write"
        assert a.count("projects") == len(known)
    a.close()  # before, it panicked: "IndexWriter does not have any lock"


def test_two_processes_write_in_turn_promptly(engine_a: EmbeddedBackend, tmp_path: Path) -> None:
    a = engine_a
    a.upsert("projects", [doc(1)])
    with other_process(tmp_path) as b:
        started = time.monotonic()
        b.send("upsert", list(range(100, 115)))
        for n in range(200, 215):
            a.upsert("projects", [doc(n)])
        assert b.result() is None
        took = time.monotonic() - started
        everything = {1, *range(100, 115), *range(200, 215)}
        assert eventually(lambda: ids(a) == everything)
        assert eventually(lambda: b("ids") == everything)
    # 30 commits, each waiting at most for the other process's one: seconds, not minutes.
    assert took < 20, took


def test_a_swap_keeps_the_generation_it_replaced_and_those_being_built(
    engine_a: EmbeddedBackend, tmp_path: Path
) -> None:
    """Another process may still read the generation just replaced, or be building one."""
    root = tmp_path / "index" / "projects"
    first = (root / "CURRENT").read_text()
    building = root / "g1"  # a rebuild elsewhere, under way: its marker is locked
    building.mkdir()
    (building / "BUILDING").touch()
    crashed = root / "g2"  # a rebuild that died before its swap: the marker is free
    crashed.mkdir()
    (crashed / "BUILDING").touch()
    with (building / "BUILDING").open("rb") as marker:
        fcntl.flock(marker, fcntl.LOCK_EX)
        engine_a.rebuild("projects", [doc(1)])
        second = (root / "CURRENT").read_text()
        assert {p.name for p in root.glob("g*")} == {first, second, building.name}
        engine_a.rebuild("projects", [doc(2)])
        third = (root / "CURRENT").read_text()
        assert {p.name for p in root.glob("g*")} == {second, third, building.name}
    assert ids(engine_a) == {2}


def _write_lock_free(database: Path) -> bool:
    """Can another connection take SQLite's write lock right now, without waiting?"""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


class ProbingBackend(EmbeddedBackend):
    """Notes, while the engine works, whether the database's write lock is free."""

    def __init__(self, data_dir: Path, analyzer: Analyzer, database: Path) -> None:
        super().__init__(data_dir, analyzer)
        self.database = database
        self.free: list[bool] = []

    def upsert(self, index: IndexName, docs: Sequence[SearchDoc]) -> None:
        self.free.append(_write_lock_free(self.database))
        super().upsert(index, docs)

    def rebuild(self, index: IndexName, docs: Iterable[SearchDoc]) -> int:
        def probed() -> Iterator[SearchDoc]:
            for n, d in enumerate(docs):
                if n == 1:  # the rebuild's query is running
                    self.free.append(_write_lock_free(self.database))
                yield d

        return super().rebuild(index, probed())


def test_drains_and_rebuilds_read_without_the_write_lock(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    database = tmp_path / "reads.db"
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)  # as the command line makes it
    backend = ProbingBackend(tmp_path / "data", analyzer, database)
    backend.ensure()
    indexer = Indexer(factory, backend)
    with session_scope(factory) as session:
        records = [project_record() for _ in range(3)]
        import_text(session, "".join(json.dumps(r) + "\n" for r in records), FileFormat.jsonl)
    assert indexer.drain().indexed == 3
    assert indexer.rebuild(["projects"]) == {"projects": 3}
    assert backend.free == [True, True]  # before: the drain and the rebuild held it
    backend.close()
    engine.dispose()


def found(backend: EmbeddedBackend, external_ids: list[str]) -> list[str]:
    def one(external_id: str) -> bool:
        request = SearchRequest(filters=SearchFilters(external_id=external_id))
        return backend.search("projects", request).total == 1

    return [e for e in external_ids if one(e)]


def test_a_command_line_rebuild_while_the_server_writes_loses_nothing(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    """The server (this process) imports projects one by one while ``ketao index rebuild`` runs
    in another process; afterwards the server finds every one and nothing is failing."""
    database = tmp_path / "server.db"
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)
    settings = Settings(data_dir=tmp_path / "data")
    backend = EmbeddedBackend(settings.data_dir, analyzer)
    search = make_search_engine(
        settings, factory, background=False, analyzer=analyzer, backend=backend
    )
    backend.ensure()

    def add() -> str:
        record = project_record()
        with session_scope(factory) as session:
            import_text(session, json.dumps(record) + "\n", FileFormat.jsonl)
        return str(record["external_id"])

    written = [add() for _ in range(20)]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KETAO_")}
    env = {
        **environ,
        "KETAO_DATA_DIR": str(settings.data_dir),
        "KETAO_DATABASE_URL": f"sqlite:///{database}",
    }
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "index", "rebuild"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        while rebuild.poll() is None and len(written) < 400:
            written.append(add())
        written += [add() for _ in range(5)]  # after the swap too
        out, err = rebuild.communicate(timeout=60)
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
    assert rebuild.returncode == 0, err
    assert "rebuilt projects:" in out
    search.indexer.drain()  # as the server's next poll would
    status = search.indexer.status()
    assert (status.pending, status.failing) == (0, 0), status.last_error
    assert found(backend, written) == written
    assert backend.count("projects") == len(written)
    backend.close()
    engine.dispose()
