"""Matching benchmark: need → projects and project → cities at scale, end to end over HTTP.

Generates projects and needs (``bench/corpus.py``), loads them into a fresh SQLite database,
builds both indexes, starts one uvicorn process, and times ``GET /needs/{id}/matches`` and
``GET /projects/{id}/matches/cities`` for randomly chosen needs and projects (one client,
sequential), beside the same calls in process, and (in process) roadshow lineup suggestions
for themes made of random needs' titles and industries. Writes ``bench/results/matching.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.dbmigrate import upgrade
from app.matching import service as matching
from app.needs import facts as needs_facts
from app.needs.models import Need, NeedIndustry, NeedTransferMode
from app.search.service import make_search_engine
from bench.corpus import generate_needs, generate_projects
from bench.search import load, summary, timed
from bench.server import running_server


def load_needs(session: Session, records: Iterable[dict[str, Any]]) -> int:
    now = dt.datetime.now(dt.UTC)
    count = 0
    rows, industries, modes = [], [], []
    for count, r in enumerate(records, start=1):
        rows.append(
            {
                "id": count,
                "external_id": r["external_id"],
                "title_zh": r.get("title_zh"),
                "title_en": r.get("title_en"),
                "description_zh": r.get("description_zh"),
                "description_en": r.get("description_en"),
                "keywords": r.get("keywords", []),
                "city_code": r.get("city"),
                "min_trl": r.get("min_trl"),
                "budget_wan": r.get("budget_wan"),
                "visibility": "public",
                "status": "open",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        industries += [
            {"need_id": count, "industry_code": c, "position": i}
            for i, c in enumerate(dict.fromkeys(r.get("industries", [])))
        ]
        modes += [
            {"need_id": count, "mode": m, "position": i}
            for i, m in enumerate(dict.fromkeys(r.get("transfer_modes", [])))
        ]
    session.execute(insert(Need), rows)
    session.execute(insert(NeedIndustry), industries)
    session.execute(insert(NeedTransferMode), modes)
    session.commit()
    return count


def roadshow_themes(session: Session, need_ids: list[int]) -> list[matching.Theme]:
    """Roadshow themes shaped like the secretariat's: a need's title, its industries, a city."""
    cities = ["shenzhen", "guangzhou", "foshan", "dongguan", "hengqin", "hongkong", "jiangmen"]
    return [
        matching.Theme(
            text=" ".join(t for t in (need.title_zh, need.title_en) if t),
            industries=tuple(need.industries[:2]),
            city=need.city or cities[need.id % len(cities)],
        )
        for need in needs_facts.public_needs(session, need_ids).values()
    ]


def http_times(port: int, paths: list[str]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        out.append((time.perf_counter() - started) * 1000)
    conn.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--out", default="bench/results/matching.json")
    args = parser.parse_args()
    rng = random.Random(5)
    report: dict[str, Any] = {"projects": args.projects, "needs": args.needs}
    with tempfile.TemporaryDirectory(prefix="ketao-match-bench-") as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'ketao.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine, write=True)
        with factory() as session:
            load(session, generate_projects(args.projects))
            load_needs(session, generate_needs(args.needs))
        settings = Settings(data_dir=data_dir, database_url=url)
        search = make_search_engine(settings, factory, background=False)
        matcher = matching.Matcher(settings)
        search.backend.ensure()
        started = time.perf_counter()
        search.indexer.rebuild()
        report["rebuild_s"] = round(time.perf_counter() - started, 1)
        need_ids = rng.sample(range(1, args.needs + 1), args.samples)
        project_ids = rng.sample(range(1, args.projects + 1), args.samples)
        with factory() as session:
            report["in_process_need_to_projects"] = summary(
                [
                    m
                    for i in need_ids
                    for m in timed(
                        partial(matching.need_to_projects, session, search, matcher, i, 10), 1
                    )
                ]
            )
            report["in_process_project_to_cities"] = summary(
                [
                    m
                    for i in project_ids
                    for m in timed(
                        partial(matching.project_to_cities, session, search, matcher, i, 15), 1
                    )
                ]
            )
            themes = roadshow_themes(session, rng.sample(range(1, args.needs + 1), args.samples))
            report["in_process_roadshow_to_projects"] = summary(
                [
                    m
                    for theme in themes
                    for m in timed(
                        partial(matching.roadshow_to_projects, session, search, matcher, theme, 20),
                        1,
                    )
                ]
            )
        search.backend.close()
        engine.dispose()

        with running_server(data_dir, url, args.port):
            other_needs = rng.sample(range(1, args.needs + 1), args.samples)
            other_projects = rng.sample(range(1, args.projects + 1), args.samples)
            report["http_need_to_projects"] = summary(
                http_times(args.port, [f"/api/v1/needs/{i}/matches?limit=10" for i in other_needs])
            )
            report["http_project_to_cities"] = summary(
                http_times(
                    args.port, [f"/api/v1/projects/{i}/matches/cities" for i in other_projects]
                )
            )
    report["measured_at"] = dt.datetime.now(dt.UTC).isoformat()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
