"""Project → cities and zones: where a project fits, by each place's industry profile, its
open needs the project answers, and its clusters and platforms."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.matching import scoring
from app.matching.matcher import Matcher
from app.matching.places import needs_reason, platforms
from app.matching.project_needs import NeedScore, score_needs
from app.matching.schemas import CityMatch, ProjectCityMatches
from app.matching.specs import project_spec, project_text
from app.matching.terms import term_set
from app.needs import facts as needs_facts
from app.search.service import SearchEngine

NEED_FIT = 0.5  # an open need counts for a city only if it matches the project at least this well


def project_to_cities(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    project_id: int,
    limit: int,
    *,
    weights: Mapping[str, float] | None = None,
) -> ProjectCityMatches:
    project = catalog.get_public_project(session, project_id)
    ctx = matcher.context(session, search.analyzer)
    scores = score_needs(session, search, matcher, project_text(project), project_spec(project))
    by_city: dict[str, list[NeedScore]] = {}
    for row in scores:
        if row.city and row.result.score >= NEED_FIT and row.text > 0:
            by_city.setdefault(row.city, []).append(row)
    cited = needs_facts.public_needs(
        session, [row.need_id for rows in by_city.values() for row in rows[:2]]
    )
    spec = project_spec(project)
    terms = term_set(search.analyzer, project_text(project))
    items = []
    for code, place in ctx.places.items():
        here = by_city.get(code, [])
        platforms_fit, platforms_reason = platforms(ctx, code, terms)
        result = scoring.score_city(
            spec,
            place,
            needs=max((row.result.score for row in here), default=0.0),
            needs_reason=needs_reason(
                place, [cited[row.need_id] for row in here[:2] if row.need_id in cited], len(here)
            ),
            platforms=platforms_fit,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=weights or matcher.city_weights,
        )
        items.append(
            CityMatch(
                city=ctx.summaries[code],
                score=result.score,
                components=result.components,
                reasons=result.reasons,
            )
        )
    items.sort(key=lambda m: m.score, reverse=True)
    return ProjectCityMatches(project=project, items=items[:limit])
