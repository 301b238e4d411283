"""Search benchmark: one corpus, the embedded engine against a SQL ``LIKE`` baseline.

For each size (default 1k, 10k, 100k projects) it generates a bilingual corpus
(``bench/corpus.py``), loads it into a fresh SQLite database, then measures in one run:
full rebuild time and index size, in-process search latency (with facets) for the engine and
for the SQL ``LIKE`` baseline on the same queries, suggest latency, HTTP end-to-end latency and
throughput with 8 concurrent clients against one uvicorn process, and that process's peak RSS.
Prints a JSON report and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.catalog import listing as catalog
from app.catalog.models import (
    Project,
    ProjectIndustry,
    ProjectTargetCity,
    ProjectTransferMode,
)
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.dbmigrate import upgrade as migrate
from app.geo.service import reference_codes
from app.search.backend import SearchFilters
from app.search.service import make_search_engine
from bench.corpus import generate_projects
from bench.server import running_server

QUERIES = [
    "碳化硅",
    "碳化矽 功率器件",
    "储能",
    "儲能 電池",
    "energy storage",
    "batery",
    "lidar",
    "机器视觉",
    "surgical robot",
    "半導體",
    "mRNA vaccine",
    "钠离子电池",
    "graphene",
    "氢燃料电池",
    "water treatment",
    "人工智能 医疗影像",
    "海上风电",
    "biodegradable",
    "无人机",
    "precision instrument",
]
SUGGEST = ["碳化", "储", "ener", "lida", "surg", "机器", "grap", "钠离子", "无人", "vacc"]
CLIENTS = 8


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(ms, 0.5), 2), "p95_ms": round(pct(ms, 0.95), 2), "n": len(ms)}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def load(session: Session, records: Iterable[dict[str, Any]]) -> int:
    """Bulk-load projects with Core inserts (the import path is per record, made for curation)."""
    now = dt.datetime.now(dt.UTC)
    batch: list[dict[str, Any]] = []
    count = 0

    def flush() -> None:
        if not batch:
            return
        session.execute(insert(Project), [r["row"] for r in batch])
        session.execute(
            insert(ProjectIndustry),
            [
                {"project_id": r["row"]["id"], "industry_code": c, "position": i}
                for r in batch
                for i, c in enumerate(r["industries"])
            ],
        )
        cities = [
            {"project_id": r["row"]["id"], "city_code": c, "position": i}
            for r in batch
            for i, c in enumerate(r["targets"])
        ]
        if cities:
            session.execute(insert(ProjectTargetCity), cities)
        session.execute(
            insert(ProjectTransferMode),
            [
                {"project_id": r["row"]["id"], "mode": m, "position": i}
                for r in batch
                for i, m in enumerate(r["modes"])
            ],
        )
        batch.clear()

    for count, record in enumerate(records, start=1):
        batch.append(
            {
                "row": {
                    "id": count,
                    "external_id": record["external_id"],
                    "title_zh": record.get("title_zh"),
                    "title_en": record.get("title_en"),
                    "summary_zh": record.get("summary_zh"),
                    "summary_en": record.get("summary_en"),
                    "keywords": record.get("keywords", []),
                    "trl": record.get("trl"),
                    "institution": record.get("institution"),
                    "city_code": record.get("city"),
                    "price_wan": record.get("price_wan"),
                    "status": "published",
                    "published_at": now,
                    "version": 1,
                    "created_at": now - dt.timedelta(seconds=count),
                    "updated_at": now,
                },
                "industries": list(dict.fromkeys(record.get("industries", []))),
                "targets": list(dict.fromkeys(record.get("target_cities", []))),
                "modes": list(dict.fromkeys(record.get("transfer_modes", []))),
            }
        )
        if len(batch) >= 2000:
            flush()
    flush()
    session.commit()
    return count


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def http_phase(base: str, seconds: float, clients: int) -> dict[str, Any]:
    """``clients`` clients, each with a keep-alive connection, cycling through the queries;
    every response carries facets and highlights."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        i = offset
        mine: list[float] = []
        while time.perf_counter() < deadline:
            q = urllib.parse.quote(QUERIES[i % len(QUERIES)])
            i += 1
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/projects?q={q}&per_page=20")
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                with lock:
                    errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n * 3,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        **summary(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "errors": errors,
        "clients": clients,
    }


def http_suggest(base: str, repeat: int) -> dict[str, float]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    ms: list[float] = []
    for _ in range(repeat):
        for q in SUGGEST:
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/search/suggest?q={urllib.parse.quote(q)}")
            conn.getresponse().read()
            ms.append((time.perf_counter() - started) * 1000)
    conn.close()
    return summary(ms)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def run_size(n: int, workdir: Path, http_seconds: float, port: int) -> dict[str, Any]:
    data_dir = workdir / f"n{n}"
    data_dir.mkdir(parents=True)
    url = f"sqlite:///{data_dir / 'ketao.db'}"
    engine = make_engine(url)
    migrate(engine)
    factory = make_sessionmaker(engine, write=True)
    report: dict[str, Any] = {"projects": n}

    started = time.perf_counter()
    with factory() as session:
        load(session, generate_projects(n))
    report["load_s"] = round(time.perf_counter() - started, 1)

    settings = Settings(data_dir=data_dir, database_url=url)
    search = make_search_engine(settings, factory, background=False)
    search.backend.ensure()
    started = time.perf_counter()
    search.indexer.rebuild(["projects"])
    report["rebuild_s"] = round(time.perf_counter() - started, 1)
    report["index_mb"] = round(dir_size(data_dir / "index") / 2**20, 1)

    with factory() as session:
        refs = reference_codes(session)
        renders = catalog.RenderCache()

        def engine_query(q: str) -> Callable[[], object]:
            filters = catalog.ProjectFilters(q=q)
            return lambda: catalog.list_projects(
                session,
                refs,
                filters,
                sort=None,
                page=1,
                per_page=20,
                renders=renders,
                search=search,
            )

        def sql_query(q: str) -> Callable[[], object]:
            filters = catalog.ProjectFilters(q=q)
            return lambda: catalog.list_projects(
                session, refs, filters, sort=None, page=1, per_page=20, renders=renders, search=None
            )

        for q in QUERIES:  # warm caches the same way for both
            engine_query(q)()
        engine_ms = [m for q in QUERIES for m in timed(engine_query(q), 5)]
        sql_repeat = 3 if n <= 10_000 else 1
        sql_ms = [m for q in QUERIES for m in timed(sql_query(q), sql_repeat)]
        published = SearchFilters(status=("published",))
        suggest_ms = [
            m
            for q in SUGGEST
            for m in timed(partial(search.suggest, "projects", q, published, 10), 5)
        ]
    report["in_process_search"] = summary(engine_ms)
    report["sql_like_baseline"] = summary(sql_ms)
    report["speedup_p50"] = round(pct(sql_ms, 0.5) / pct(engine_ms, 0.5), 1)
    report["speedup_p95"] = round(pct(sql_ms, 0.95) / pct(engine_ms, 0.95), 1)
    report["in_process_suggest"] = summary(suggest_ms)
    search.backend.close()
    engine.dispose()

    base = f"http://127.0.0.1:{port}"
    with running_server(data_dir, url, port) as pid:
        http_phase(base, 3, CLIENTS)  # warm-up
        report["http_search_1_client"] = http_phase(base, http_seconds / 2, 1)
        report["http_search_8_clients"] = http_phase(base, http_seconds, CLIENTS)
        report["http_suggest"] = http_suggest(base, 5)
        report["server_peak_rss_mb"] = peak_rss_mb(pid)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--http-seconds", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--out", default="bench/results/search.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="ketao-bench-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            result = run_size(n, Path(tmp), args.http_seconds, args.port)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(),
        "cpus": os.cpu_count(),
        "sizes": results,
    }
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
