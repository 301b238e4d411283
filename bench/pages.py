"""The website's pages against the JSON API, on one corpus, in one run.

Generates a corpus of ``--size`` projects (default 100,000; ``bench/corpus.py``), loads it into
a fresh SQLite database, builds the embedded index, serves it with one uvicorn process and asks,
from one keep-alive client, alternately the API and the page for the same thing, so both share
whatever the machine is doing at that moment:

- search: ``/projects?q=…`` (HTML: facets, highlights, pagination) against
  ``/api/v1/projects?q=…&per_page=20`` (JSON: the same listing, facets and highlights), for the
  search benchmark's queries, with and without a city filter;
- browse: ``/projects`` and ``/projects?industry=…`` (SQL, no words) against the API's same.

Reports p50 and p95 for each and the page/API ratio of each. Then the weight of the main pages
(HTML plus the stylesheet and script they load; images apart), uncompressed and gzipped.
Prints the JSON report and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.dbmigrate import upgrade as migrate
from app.search.service import make_search_engine
from bench.corpus import generate_projects
from bench.search import QUERIES, load, pct, summary
from bench.server import running_server

HTML = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "zh-CN"}
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')
WEIGHED = (
    "/",
    "/projects",
    "/projects?q=%E5%82%A8%E8%83%BD",
    "/projects/1",
    "/needs",
    "/roadshows",
    "/login",
)


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers=headers or {})
        response = self.conn.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - started) * 1000


def quote(q: str) -> str:
    return urllib.parse.quote(q)


def pairs(rounds: int) -> dict[str, list[tuple[str, str]]]:
    """Page and API address of the same thing, by kind."""
    search = [(f"/projects?q={quote(q)}", f"/api/v1/projects?q={quote(q)}") for q in QUERIES]
    search += [
        (f"/projects?q={quote(q)}&city=shenzhen", f"/api/v1/projects?q={quote(q)}&city=shenzhen")
        for q in QUERIES[:10]
    ]
    browse = [("/projects", "/api/v1/projects")]
    browse += [(f"/projects?industry={n}", f"/api/v1/projects?industry={n}") for n in range(1, 10)]
    browse += [("/projects?page=3&sort=newest", "/api/v1/projects?page=3&sort=newest")]
    return {"search": search * rounds, "browse": browse * max(1, rounds // 2)}


def measure(client: Client, work: list[tuple[str, str]]) -> dict[str, Any]:
    page_ms: list[float] = []
    api_ms: list[float] = []
    for page, api in work:
        status, _, ms = client.get(page, HTML)
        assert status == 200, (page, status)
        page_ms.append(ms)
        status, _, ms = client.get(api + ("&" if "?" in api else "?") + "per_page=20")
        assert status == 200, (api, status)
        api_ms.append(ms)
    return {
        "page": summary(page_ms),
        "api": summary(api_ms),
        "ratio_p50": round(pct(page_ms, 0.5) / pct(api_ms, 0.5), 2),
        "ratio_p95": round(pct(page_ms, 0.95) / pct(api_ms, 0.95), 2),
    }


def weights(client: Client) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in WEIGHED:
        status, body, _ = client.get(path, HTML)
        if status != 200:
            out[path] = {"status": status}
            continue
        assets = [client.get(a)[1] for a in ASSET.findall(body.decode())]
        total = len(body) + sum(len(a) for a in assets)
        gzipped = len(gzip.compress(body)) + sum(len(gzip.compress(a)) for a in assets)
        out[path] = {"html_kb": round(len(body) / 1024, 1), "total_kb": round(total / 1024, 1)}
        out[path]["total_gzip_kb"] = round(gzipped / 1024, 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--out", default="bench/results/pages.json")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(),
        "cpus": os.cpu_count(),
        "projects": args.size,
    }
    with tempfile.TemporaryDirectory(prefix="ketao-bench-pages-") as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'ketao.db'}"
        engine = make_engine(url)
        migrate(engine)
        factory = make_sessionmaker(engine, write=True)
        with factory() as session:
            load(session, generate_projects(args.size))
        settings = Settings(data_dir=data_dir, database_url=url)
        search = make_search_engine(settings, factory, background=False)
        search.backend.ensure()
        search.indexer.rebuild(["projects"])
        search.backend.close()
        engine.dispose()
        with running_server(data_dir, url, args.port):
            client = Client(args.port)
            for page, api in pairs(1)["search"][:10]:  # warm-up
                client.get(page, HTML)
                client.get(api)
            work = pairs(args.rounds)
            report["search"] = measure(client, work["search"])
            report["browse"] = measure(client, work["browse"])
            report["weight"] = weights(client)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
