"""City or zone → projects: the published projects that fit a place's industry profile, its
open needs and its clusters and platforms."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.errors import NotFoundError
from app.matching import candidates, scoring
from app.matching.matcher import Matcher
from app.matching.places import needs_reason, open_needs_in, platforms
from app.matching.render import project_matches
from app.matching.schemas import CityProjectMatches
from app.matching.specs import project_facts_spec
from app.matching.terms import term_set
from app.search.service import SearchEngine


def city_to_projects(
    session: Session, search: SearchEngine, matcher: Matcher, code: str, limit: int
) -> CityProjectMatches:
    ctx = matcher.context(session, search.analyzer)
    place = ctx.places.get(code)
    if place is None:
        raise NotFoundError(f"No city or zone has the code '{code}'")
    wanted = tuple(c for c, w in place.weights.items() if w >= 0.5) or tuple(place.weights)
    themes = " ".join(f"{zh} {en}" for zh, en, _ in ctx.assets.get(code, []))
    ids = candidates.projects_for_place(search, code, themes, wanted)
    facts = catalog.published_facts(session, ids)
    headlines = catalog.published_headlines(session, ids)
    open_needs = open_needs_in(session, search, code, themes)
    scored = []
    for project_id in ids:
        project = facts.get(project_id)
        if project is None:
            continue
        terms = term_set(search.analyzer, headlines.get(project_id, ""))
        related = [n for n, need_terms in open_needs if len(need_terms & terms) >= 2]
        platforms_fit, platforms_reason = platforms(ctx, code, terms)
        result = scoring.score_city(
            project_facts_spec(project),
            place,
            needs=min(1.0, 0.5 * len(related)),
            needs_reason=needs_reason(place, related),
            platforms=platforms_fit,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=matcher.city_weights,
        )
        scored.append((result.score, -project_id, result))
    scored.sort(key=lambda row: row[:2], reverse=True)
    items = project_matches(session, matcher.renders, [(-row[1], row[2]) for row in scored[:limit]])
    return CityProjectMatches(city=ctx.summaries[code], items=items)
