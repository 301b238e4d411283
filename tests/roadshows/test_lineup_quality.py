"""Lineup suggestions against the labelled roadshows (``bench/eval/roadshow_set.json``, written
without sight of the scorer): most of the top ten are projects a curator graded on theme, and
the full scorer does better than the engine's text relevance alone."""

from __future__ import annotations

import json
import statistics
from typing import Any

from sqlalchemy.orm import Session

from app.config import REPO_ROOT, Settings
from app.matching import service as matching
from app.search.service import SearchEngine

LABELLED = json.loads((REPO_ROOT / "bench" / "eval" / "roadshow_set.json").read_text("utf-8"))


def _theme(spec: dict[str, Any]) -> matching.Theme:
    text = " ".join(
        spec.get(k) or "" for k in ("title_zh", "title_en", "description_zh", "description_en")
    )
    return matching.Theme(
        text=text.strip(), industries=tuple(spec.get("industries") or ()), city=spec["city"]
    )


def _precision(session: Session, search: SearchEngine, weights: dict[str, float] | None) -> float:
    matcher = matching.Matcher(Settings())
    rows = []
    for item in LABELLED["roadshows"]:
        found = matching.roadshow_to_projects(
            session, search, matcher, _theme(item["roadshow"]), 10, weights=weights
        )
        on_theme = [m for m in found if item["grades"].get(m.project.external_id, 0) >= 2]
        rows.append(len(on_theme) / 10)
    return statistics.mean(rows)


def test_most_suggestions_are_on_theme_and_beat_text_alone(
    session: Session, search_engine: SearchEngine
) -> None:
    scorer = _precision(session, search_engine, None)
    text_only = _precision(session, search_engine, {"text": 1.0})
    assert scorer >= 0.7, scorer
    assert scorer > text_only, (scorer, text_only)
