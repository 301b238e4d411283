"""Roadshow theme → projects: suggestions for a roadshow's lineup, on theme for its host city."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.matching import candidates, scoring
from app.matching.matcher import Matcher
from app.matching.places import needs_reason, open_needs_in, platforms
from app.matching.render import project_matches
from app.matching.schemas import ProjectMatch
from app.matching.specs import Theme, project_facts_spec
from app.matching.terms import shared, term_set
from app.search.service import SearchEngine


def roadshow_to_projects(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    theme: Theme,
    limit: int,
    *,
    exclude: Collection[int] = (),
    weights: Mapping[str, float] | None = None,
) -> list[ProjectMatch]:
    """Projects for a roadshow's lineup: candidates by the theme's text and industries, scored
    on the theme, the host's profile, the open needs there, its platforms and presence."""
    ctx = matcher.context(session, search.analyzer)
    place = ctx.places[theme.city]
    query = matcher.expand(theme.text) if theme.text.strip() else ""
    relevance = candidates.projects_for(search, query, theme.industries)
    excluded = set(exclude)
    ids = [i for i in relevance if i not in excluded]
    facts = catalog.published_facts(session, ids)
    headlines = catalog.published_headlines(session, ids)
    theme_terms = term_set(search.analyzer, query) if query else frozenset()
    open_needs = open_needs_in(session, search, theme.city, query)
    scored = []
    for project_id in ids:
        project = facts.get(project_id)
        if project is None:
            continue
        headline = headlines.get(project_id, "")
        analysed = search.analyzer.terms(headline)
        terms = term_set(search.analyzer, headline, analysed)
        related = [n for n, need_terms in open_needs if len(need_terms & terms) >= 2]
        platforms_fit, platforms_reason = platforms(ctx, theme.city, terms)
        text = relevance[project_id]
        result = scoring.score_roadshow(
            theme.industries,
            project_facts_spec(project),
            place,
            text=text,
            text_reason_=scoring.text_reason(
                shared(search.analyzer, theme_terms, headline, analysed), text
            ),
            needs=min(1.0, 0.5 * len(related)),
            needs_reason=needs_reason(place, related),
            platforms=platforms_fit,
            platforms_reason=platforms_reason,
            names=ctx.names,
            weights=weights or matcher.roadshow_weights,
        )
        scored.append((result.score, text, -project_id, result))
    scored.sort(key=lambda row: row[:3], reverse=True)
    return project_matches(session, matcher.renders, [(-row[2], row[3]) for row in scored[:limit]])
