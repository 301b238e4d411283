"""Test fixtures: a database built by ``alembic upgrade head`` and seeded once, each test in a
transaction that is rolled back, and an API client whose requests join that transaction.

The suite runs on SQLite by default and on PostgreSQL when ``KETAO_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import REPO_ROOT, Settings
from app.db import make_engine
from app.dbmigrate import upgrade as migrate
from app.demo import load_demo
from app.deps import Database, get_database
from app.main import create_app
from app.search.analysis import Analyzer
from app.search.dependencies import get_search
from app.search.embedded import EmbeddedBackend
from app.search.indexer import Indexer
from app.search.service import SearchEngine, dictionary_terms, load_analyzer, make_search_engine


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("KETAO_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'ketao-test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test database at head, with the demo content loaded once and committed."""
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        load_demo(session, REPO_ROOT / "seed")
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions that commit to a savepoint of the test's transaction, never to the database."""
    return sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def analyzer(engine: Engine) -> Analyzer:
    with Session(engine) as session:
        return load_analyzer(REPO_ROOT / "seed", dictionary_terms(session))


@pytest.fixture(scope="session")
def baseline_index(
    engine: Engine, analyzer: Analyzer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The seeded database indexed once; each test gets a copy of this data directory."""
    data_dir = tmp_path_factory.mktemp("baseline")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    indexer = Indexer(factory, EmbeddedBackend(data_dir, analyzer))
    indexer.drain()
    indexer.backend.close()
    return data_dir


@pytest.fixture
def search_engine(
    session_factory: sessionmaker[Session],
    analyzer: Analyzer,
    baseline_index: Path,
    tmp_path: Path,
) -> Iterator[SearchEngine]:
    """The embedded engine on a copy of the baseline index; it drains right after commits."""
    data_dir = tmp_path / "data"
    shutil.copytree(baseline_index, data_dir)
    settings = Settings(data_dir=data_dir)
    search = make_search_engine(
        settings,
        session_factory,
        background=False,
        analyzer=analyzer,
        backend=EmbeddedBackend(data_dir, analyzer),
    )
    search.backend.ensure()
    yield search
    search.backend.close()


def wire(
    app: FastAPI,
    search: SearchEngine,
    read: sessionmaker[Session],
    write: sessionmaker[Session] | None = None,
) -> FastAPI:
    """Point ``app`` at the test's database and search engine (its lifespan, which would open
    its own, is not run: the test client is not entered as a context manager)."""
    database = Database(read=read, write=write or read)
    app.dependency_overrides[get_database] = lambda: database
    app.dependency_overrides[get_search] = lambda: search
    return app


@pytest.fixture
def client(
    session_factory: sessionmaker[Session], search_engine: SearchEngine, tmp_path: Path
) -> Iterator[TestClient]:
    app = wire(create_app(Settings(data_dir=tmp_path)), search_engine, session_factory)
    client = TestClient(app, raise_server_exceptions=False)  # not entered: no lifespan
    yield client
    client.close()
