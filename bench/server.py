"""A Ketao server in a child process for the benchmarks: started, awaited, stopped."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def wait_until_ready(port: int, path: str = "/api/v1/health", timeout: float = 120.0) -> None:
    """Poll ``path`` on loopback until it answers 200, or raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextmanager
def running_server(data_dir: Path, database_url: str, port: int) -> Iterator[int]:
    """One uvicorn process (``ketao serve``) on the given data; yields its pid."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KETAO_")},
        "KETAO_DATA_DIR": str(data_dir),
        "KETAO_DATABASE_URL": database_url,
        "KETAO_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(port)
        yield server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
