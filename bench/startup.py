"""Time from a fresh clone to a running Ketao with its demo data, phase by phase.

Clones the committed HEAD into a temporary folder and follows the README's first command
(`make run`), timing: virtualenv + install, `ketao db upgrade`, `ketao seed`, and the server
answering with the demo data. Runs it ``--runs`` times and reports the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.server import wait_until_ready

REPO = Path(__file__).resolve().parent.parent


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        body: dict[str, object] = json.loads(response.read())
        return body


def one_run(port: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ketao-clone-") as tmp:
        clone = Path(tmp) / "ketao"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETAO_")}
        env.pop("VIRTUAL_ENV", None)
        started = time.perf_counter()
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        timings = {"install": _run(["make", "install"], clone, env)}
        timings["db_upgrade"] = _run([".venv/bin/ketao", "db", "upgrade"], clone, env)
        timings["seed"] = _run([".venv/bin/ketao", "seed"], clone, env)
        serve_started = time.perf_counter()
        server = subprocess.Popen(
            [".venv/bin/ketao", "serve", "--port", str(port)],
            cwd=clone,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_ready(port, "/api/v1/projects?per_page=1", timeout=60)
            projects = _get(f"http://127.0.0.1:{port}/api/v1/projects?per_page=1")
            needs = _get(f"http://127.0.0.1:{port}/api/v1/needs?per_page=1")
            cities = _get(f"http://127.0.0.1:{port}/api/v1/cities")
            timings["serve_ready"] = time.perf_counter() - serve_started
            timings["total"] = time.perf_counter() - started
            timings["published_projects"] = float(str(projects["total"]))
            timings["public_open_needs"] = float(str(needs["total"]))
            timings["cities_and_zones"] = float(str(cities["total"]))
        finally:
            server.terminate()
            server.wait(timeout=10)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    runs = [one_run(args.port) for _ in range(args.runs)]
    print(f"fresh clone → running server, {args.runs} runs (medians, seconds)")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:20s} median {statistics.median(values):8.2f}   all {values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
