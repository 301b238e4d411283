"""Matching evaluation: the labelled set in ``bench/eval/matching_set.json`` over the demo data.

Reports nDCG@5 and hit@1 for need → projects (the scorer, a text-only baseline and each
component left out, all in one run on the same index), for project → cities the top-3
accuracy of the scorer against a profile-only baseline, and for roadshow lineups
(``roadshow_set.json``) nDCG@10 and precision@10 against theme-only and text-only
baselines. Writes ``bench/results/matching_eval.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.config import MATCH_WEIGHTS, REPO_ROOT, ROADSHOW_MATCH_WEIGHTS, Settings
from app.db import make_engine, make_sessionmaker
from app.dbmigrate import upgrade
from app.demo import load_demo
from app.matching import service as matching
from app.matching.matcher import Matcher
from app.matching.schemas import AdHocNeed
from app.search.service import SearchEngine, make_search_engine

SET = REPO_ROOT / "bench" / "eval" / "matching_set.json"
ROADSHOW_SET = REPO_ROOT / "bench" / "eval" / "roadshow_set.json"


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 5) -> float:
    dcg = sum((2 ** grades.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def adhoc(need: dict[str, Any]) -> AdHocNeed:
    text = " ".join(
        str(need.get(k) or "") for k in ("title_zh", "title_en", "description_zh", "description_en")
    )
    text = f"{text} {' '.join(need.get('keywords') or [])}".strip()
    return AdHocNeed(
        text=text,
        industries=need.get("industries") or [],
        city=need.get("city"),
        min_trl=need.get("min_trl"),
        transfer_modes=need.get("transfer_modes") or [],
        budget_wan=need.get("budget_wan"),
    )


def rank(
    session: Session, search: SearchEngine, matcher: Matcher, need: AdHocNeed, **kw: Any
) -> list[str]:
    result = matching.adhoc_to_projects(session, search, matcher, need, 10, **kw)
    return [m.project.external_id for m in result.items]


def evaluate_needs(
    session: Session, search: SearchEngine, matcher: Matcher, labelled: list[dict[str, Any]]
) -> dict[str, Any]:
    variants: dict[str, dict[str, Any]] = {"scorer": {}, "text_only": {"text_only": True}}
    for component in MATCH_WEIGHTS:
        if component != "text":
            variants[f"without_{component}"] = {
                "weights": {k: v for k, v in MATCH_WEIGHTS.items() if k != component}
            }
    report: dict[str, Any] = {}
    for name, kw in variants.items():
        per_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for item in labelled:
            ranked = rank(session, search, matcher, adhoc(item["need"]), **kw)
            grades = item["relevant"]
            hit = 1.0 if ranked and grades.get(ranked[0], 0) >= 2 else 0.0
            per_kind[item["kind"]].append((ndcg(ranked, grades), hit))
        everything = [x for rows in per_kind.values() for x in rows]
        report[name] = {
            "ndcg@5": round(statistics.mean(x for x, _ in everything), 3),
            "hit@1": round(statistics.mean(h for _, h in everything), 3),
            "by_kind": {
                kind: {
                    "n": len(rows),
                    "ndcg@5": round(statistics.mean(x for x, _ in rows), 3),
                    "hit@1": round(statistics.mean(h for _, h in rows), 3),
                }
                for kind, rows in sorted(per_kind.items())
            },
        }
    return report


def evaluate_cities(
    session: Session, search: SearchEngine, matcher: Matcher, labelled: list[dict[str, Any]]
) -> dict[str, Any]:
    variants = {"scorer": None, "profile_only": {"industry": 1.0}}
    report: dict[str, Any] = {}
    for name, weights in variants.items():
        first_in_top3, overlap = [], []
        for item in labelled:
            project = catalog.public_project_by_external_id(session, item["project"])
            result = matching.project_to_cities(
                session, search, matcher, project.id, 3, weights=weights
            )
            top3 = [m.city.code for m in result.items]
            first_in_top3.append(1.0 if item["fits"][0] in top3 else 0.0)
            overlap.append(len(set(top3) & set(item["fits"][:3])) / 3)
        report[name] = {
            "top3_accuracy": round(statistics.mean(first_in_top3), 3),
            "top3_overlap": round(statistics.mean(overlap), 3),
            "n": len(labelled),
        }
    return report


def evaluate_roadshows(
    session: Session, search: SearchEngine, matcher: Matcher, labelled: list[dict[str, Any]]
) -> dict[str, Any]:
    """Lineup suggestions (top 10) for the labelled roadshows: the scorer, each component left
    out, the theme alone (text + industries, no host city) and text alone."""
    variants: dict[str, dict[str, float] | None] = {
        "scorer": None,
        "theme_only": {"text": 0.35, "industry": 0.25},
        "text_only": {"text": 1.0},
    }
    for component in ROADSHOW_MATCH_WEIGHTS:
        variants[f"without_{component}"] = {
            k: v for k, v in ROADSHOW_MATCH_WEIGHTS.items() if k != component
        }
    report: dict[str, Any] = {}
    for name, weights in variants.items():
        rows = []
        for item in labelled:
            spec = item["roadshow"]
            theme = matching.Theme(
                text=" ".join(
                    spec.get(k) or ""
                    for k in ("title_zh", "title_en", "description_zh", "description_en")
                ).strip(),
                industries=tuple(spec.get("industries") or ()),
                city=spec["city"],
            )
            found = matching.roadshow_to_projects(
                session, search, matcher, theme, 10, weights=weights
            )
            ranked = [m.project.external_id for m in found]
            grades = item["grades"]
            good = sum(1 for e in ranked if grades.get(e, 0) >= 2)
            rows.append((ndcg(ranked, grades, k=10), good / 10, item["id"]))
        report[name] = {
            "ndcg@10": round(statistics.mean(r[0] for r in rows), 3),
            "precision@10": round(statistics.mean(r[1] for r in rows), 3),
            "by_roadshow": {r[2]: {"ndcg@10": round(r[0], 3), "precision@10": r[1]} for r in rows},
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", default=str(REPO_ROOT / "bench" / "results" / "matching_eval.json")
    )
    args = parser.parse_args()
    labelled = json.loads(SET.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="ketao-eval-") as tmp:
        url = f"sqlite:///{tmp}/eval.db"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine, write=True)
        settings = Settings(data_dir=Path(tmp), database_url=url)
        with factory() as session:
            load_demo(session, REPO_ROOT / "seed")
            session.commit()
        search = make_search_engine(settings, factory, background=False)
        search.backend.ensure()
        search.indexer.rebuild()
        matcher = Matcher(settings)
        with factory() as session:
            roadshows = json.loads(ROADSHOW_SET.read_text(encoding="utf-8"))["roadshows"]
            report = {
                "needs": evaluate_needs(session, search, matcher, labelled["needs"]),
                "cities": evaluate_cities(session, search, matcher, labelled["cities"]),
                "roadshows": evaluate_roadshows(session, search, matcher, roadshows),
            }
        search.backend.close()
        engine.dispose()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
    n = report["needs"]
    print(f"{'variant':22s} nDCG@5  hit@1")
    for name, row in n.items():
        print(f"{name:22s} {row['ndcg@5']:.3f}   {row['hit@1']:.3f}")
    for name, row in report["cities"].items():
        print(
            f"cities {name:15s} top-3 accuracy {row['top3_accuracy']:.3f}"
            f"  overlap {row['top3_overlap']:.3f}"
        )
    print(f"{'roadshow variant':22s} nDCG@10  P@10 (graded ≥ 2)")
    for name, row in report["roadshows"].items():
        print(f"{name:22s} {row['ndcg@10']:.3f}    {row['precision@10']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
