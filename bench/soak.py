"""Soak: a served Ketao under a mixed load while a 50,000-record import and an index rebuild run.

Threads send searches, logins, ad-hoc matches, need edits, new needs and registrations for a
bounded time; meanwhile the secretariat imports 50,000 records over HTTP and then
``ketao index rebuild`` runs in another process. Afterwards every accepted write is looked for
in SQL (by id) and in search (by a word only it carries). The report gives requests by status,
5xx, lost writes, and read latency per phase, with the idle phase as the baseline of the run.

    python -m bench.soak [--records 50000] [--clients 6] [--workers 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import generate_needs, generate_projects, write_jsonl
from bench.server import wait_until_ready

SEARCHES = [
    "储能电池",
    "半導體",
    "battery storage",
    "仿生鹰眼",
    "medical imaging",
    "碳化硅",
    "ECMO",
]
MATCH_TEXTS = ["储能电站热失控预警", "SiC MOSFET gate oxide reliability", "高原青稞种植"]
ENTERPRISE = ("enterprise@ketao.local", "ketao-demo-enterprise")
SECRETARIAT = ("secretariat@ketao.local", "ketao-demo-secretariat")
OPS = {"search": 40, "login": 8, "match": 15, "edit": 15, "create": 15, "register": 7}


def marker(n: int) -> str:
    """A made-up Latin word only one write carries: 'qvz' and n in base 26."""
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters = chr(ord("a") + r) + letters
        if n == 0:
            return f"qvz{letters}"


def call(
    method: str, url: str, body: Any = None, *, headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None, raw: bytes | None = None, timeout: float = 120,
) -> tuple[int, Any]:  # fmt: skip
    data, hdrs = None, dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    elif raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=hdrs)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    except (OSError, TimeoutError):
        return 0, None  # no answer at all: counted apart from statuses
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, None


@dataclass
class Record:
    phase: str
    op: str
    status: int
    ms: float


@dataclass
class Soak:
    base: str
    phase: str = "idle-before"
    records: list[Record] = field(default_factory=list)
    needs: dict[int, str] = field(default_factory=dict)  # need id → the marker it must carry
    accounts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    counter: int = 0

    def next_marker(self) -> str:
        with self.lock:
            self.counter += 1
            return marker(self.counter)

    def token(self, who: tuple[str, str]) -> dict[str, str]:
        status, body = call(
            "POST", f"{self.base}/api/v1/auth/token", form={"username": who[0], "password": who[1]}
        )
        assert status == 200, body
        return {"Authorization": f"Bearer {body['access_token']}"}

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        headers = self.token(ENTERPRISE)
        mine: dict[int, int] = {}  # need id → version
        ops, weights = zip(*OPS.items(), strict=True)
        while not self.stop.is_set():
            op = rng.choices(ops, weights)[0]
            phase = self.phase
            started = time.perf_counter()
            status = self.one(op, rng, headers, mine)
            with self.lock:
                self.records.append(
                    Record(phase, op, status, 1000 * (time.perf_counter() - started))
                )

    def one(
        self, op: str, rng: random.Random, headers: dict[str, str], mine: dict[int, int]
    ) -> int:
        base = self.base
        if op == "search":
            q = urllib.parse.quote(rng.choice(SEARCHES))
            return call("GET", f"{base}/api/v1/projects?q={q}&per_page=20")[0]
        if op == "login":
            return call("POST", f"{base}/api/v1/auth/token",
                        form={"username": ENTERPRISE[0], "password": ENTERPRISE[1]})[0]  # fmt: skip
        if op == "match":
            return call("POST", f"{base}/api/v1/matches", {"text": rng.choice(MATCH_TEXTS)})[0]
        if op == "register":
            email = f"soak-{self.next_marker()}@example.org"
            status, _ = call("POST", f"{base}/api/v1/auth/register", {
                "email": email, "password": "soak-password-1", "full_name": "Soak",
                "role": "enterprise", "organization": "压测企业"})  # fmt: skip
            if status == 202:
                with self.lock:
                    self.accounts.append(email)
            return status
        if op == "create" or not mine:
            word = self.next_marker()
            status, body = call("POST", f"{base}/api/v1/needs",
                                {"title_en": f"Soak need {word}", "title_zh": "压测需求"},
                                headers=headers)  # fmt: skip
            if status == 201:
                mine[body["id"]] = body["version"]
                with self.lock:
                    self.needs[body["id"]] = word
            return status
        need_id = rng.choice(list(mine))
        word = self.next_marker()
        status, body = call("PATCH", f"{base}/api/v1/needs/{need_id}",
                            {"version": mine[need_id], "title_en": f"Soak need {word}"},
                            headers=headers)  # fmt: skip
        if status == 200:
            mine[need_id] = body["version"]
            with self.lock:
                self.needs[need_id] = word
        return status


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="ketao-soak-"))
    database_url = args.database_url or f"sqlite:///{work / 'ketao.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KETAO_")},
        "KETAO_DATA_DIR": str(work / "data"),
        "KETAO_DATABASE_URL": database_url,
        "KETAO_LOG_LEVEL": "warning",
    }
    ketao = [sys.executable, "-m", "app.cli"]
    subprocess.run([*ketao, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*ketao, "seed"], env=env, check=True, capture_output=True)
    corpus = work / "import.jsonl"
    with corpus.open("w") as out:
        n_needs = args.records // 10
        write_jsonl(generate_projects(args.records - n_needs, seed=101), out)
        write_jsonl(generate_needs(n_needs, seed=103), out)
    log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [*ketao, "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    timings: dict[str, float] = {}
    try:
        wait_until_ready(args.port)
        soak = Soak(base)
        threads = [threading.Thread(target=soak.client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(args.idle)
        soak.phase = "import"
        started = time.monotonic()
        secretariat = soak.token(SECRETARIAT)
        status, report = call("POST", f"{base}/api/v1/import?format=jsonl", raw=corpus.read_bytes(),
                              headers={**secretariat, "Content-Type": "application/x-ndjson"},
                              timeout=args.limit)  # fmt: skip
        timings["import_s"] = time.monotonic() - started
        timings["import_status"] = status
        soak.phase = "rebuild"
        started = time.monotonic()
        rebuilt = subprocess.run([*ketao, "index", "rebuild"], env=env, capture_output=True,
                                 text=True, timeout=args.limit)  # fmt: skip
        timings["rebuild_s"] = time.monotonic() - started
        timings["rebuild_rc"] = rebuilt.returncode
        if rebuilt.returncode:
            timings["rebuild_error"] = rebuilt.stderr[-2000:]  # type: ignore[assignment]
        soak.phase = "idle-after"
        time.sleep(args.idle)
        soak.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        lost = verify(soak, env, ketao)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    return summarise(soak, timings, lost, args, report)


def verify(soak: Soak, env: dict[str, str], ketao: list[str]) -> dict[str, int]:
    """Every accepted write, after the indexer caught up: in SQL, and found by its word."""
    subprocess.run([*ketao, "index", "drain"], env=env, capture_output=True, check=False)
    deadline = time.monotonic() + 120
    missing_sql = missing_search = 0
    for need_id, word in soak.needs.items():
        status, body = call("GET", f"{soak.base}/api/v1/needs/{need_id}")
        if status != 200 or word not in (body or {}).get("title_en", ""):
            missing_sql += 1
            continue
        while True:
            _, found = call("GET", f"{soak.base}/api/v1/needs?q={word}")
            if found and any(item["id"] == need_id for item in found["items"]):
                break
            if time.monotonic() > deadline:
                missing_search += 1
                break
            time.sleep(0.5)
    accounts_missing = 0
    for email in soak.accounts:
        status, _ = call("POST", f"{soak.base}/api/v1/auth/token",
                         form={"username": email, "password": "soak-password-1"})  # fmt: skip
        accounts_missing += status != 200
    return {"needs_missing_in_sql": missing_sql, "needs_missing_in_search": missing_search,
            "accounts_missing": accounts_missing}  # fmt: skip


def summarise(
    soak: Soak, timings: dict[str, float], lost: dict[str, int], args: argparse.Namespace,
    report: Any,
) -> dict[str, Any]:  # fmt: skip
    by_status: dict[str, Counter[int]] = defaultdict(Counter)
    latency: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in soak.records:
        by_status[r.op][r.status] += 1
        if r.op in {"search", "match", "login"} and r.status == 200:
            latency[(r.phase, r.op)].append(r.ms)
    phases = ["idle-before", "import", "rebuild", "idle-after"]
    reads: dict[str, dict[str, dict[str, Any]]] = {
        op: {
            phase: {"n": len(latency[(phase, op)]),
                    "p50": round(statistics.median(latency[(phase, op)]), 1)
                    if latency[(phase, op)] else None,
                    "p95": round(percentile(latency[(phase, op)], 0.95), 1)}
            for phase in phases
        }
        for op in ("search", "match", "login")
    }  # fmt: skip
    for values in reads.values():
        baseline = values["idle-before"]["p95"]
        for phase in phases:
            p95 = values[phase]["p95"]
            values[phase]["p95_vs_idle"] = round(p95 / baseline, 2) if baseline else None
    five_xx = sum(n for c in by_status.values() for s, n in c.items() if s >= 500)
    no_answer = sum(c[0] for c in by_status.values())
    return {
        "records": args.records, "clients": args.clients, "workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "requests": len(soak.records), "5xx": five_xx, "no_answer": no_answer,
        "by_op_status": {op: dict(sorted(c.items())) for op, c in by_status.items()},
        "timings": timings, "lost": lost, "reads": reads,
        "accepted_writes": {"needs": len(soak.needs), "accounts": len(soak.accounts)},
        "import_report": {k: v for k, v in (report or {}).items() if k != "errors"},
    }  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of load before/after")
    parser.add_argument("--limit", type=float, default=900.0, help="longest a long job may take")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--out", type=Path, help="write the JSON summary here too")
    args = parser.parse_args(argv)
    summary = run(args)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    bad = summary["5xx"] or summary["no_answer"] or any(summary["lost"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
