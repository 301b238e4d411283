"""A real server for tests that need one: Ketao served by uvicorn on a free port, on a fresh
database of its own (a new PostgreSQL database when the suite runs on PostgreSQL, a new SQLite
file otherwise), so requests race as they do in production."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.cli import uvicorn_options
from app.config import REPO_ROOT, Settings
from app.db import make_engine
from app.dbmigrate import upgrade as migrate
from app.demo import load_demo
from app.main import create_app


@contextmanager
def fresh_database(database_url: str, tmp_path: Path, *, demo: bool = True) -> Iterator[str]:
    """A new, migrated database beside the suite's; with the demo content unless told not."""
    url = make_url(database_url)
    admin = None
    if url.get_backend_name() == "sqlite":
        fresh = f"sqlite:///{tmp_path / f'served-{uuid.uuid4().hex[:8]}.db'}"
    else:
        name = f"ketao_served_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        fresh = url.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(fresh)
        migrate(engine)
        if demo:
            with Session(engine) as session:
                load_demo(session, REPO_ROOT / "seed")
                session.commit()
        engine.dispose()
        yield fresh
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{make_url(fresh).database}" WITH (FORCE)')
                )
            admin.dispose()


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in this process as ``ketao serve`` configures it; yields its
    base URL."""
    config = uvicorn.Config(
        create_app(settings), **{**uvicorn_options(settings), "log_level": "warning"}
    )
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, Any, dict[str, str]]:
    """One HTTP request: (status, parsed JSON body or text, headers with lower-case names)."""
    data = None
    all_headers = dict(headers or {})
    if form is not None:
        from urllib.parse import urlencode

        data = urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - ours
            raw, status, got = response.read(), response.status, _lower(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, got = error.read(), error.code, _lower(error.headers)
    try:
        return status, json.loads(raw) if raw else None, got
    except ValueError:
        return status, raw.decode(errors="replace"), got


def bearer(base: str, email: str, password: str) -> dict[str, str]:
    status, body, _ = call(
        "POST", f"{base}/api/v1/auth/token", form={"username": email, "password": password}
    )
    assert status == 200, body
    return {"Authorization": f"Bearer {body['access_token']}"}


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
