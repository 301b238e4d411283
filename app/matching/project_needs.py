"""Project → needs: the open public needs a published project could answer, and the needs a
roadshow's theme speaks to before it has a lineup."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.catalog import facts as catalog
from app.matching import candidates, scoring
from app.matching.matcher import Matcher
from app.matching.schemas import NeedMatch, ProjectNeedMatches
from app.matching.specs import Theme, need_facts_spec, project_spec, project_text
from app.matching.terms import query_text, term_set, with_shared_terms
from app.needs import facts as needs_facts
from app.search.service import SearchEngine


@dataclass(frozen=True)
class NeedScore:
    need_id: int
    city: str | None
    text: float
    result: scoring.Scored


def score_needs(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    text: str,
    spec: scoring.ProjectSpec,
) -> list[NeedScore]:
    """Every candidate need scored against a project (its text and facts), best first."""
    ctx = matcher.context(session, search.analyzer)
    relevance = candidates.needs_for(search, text, spec.industries)
    facts = needs_facts.public_facts(session, list(relevance))
    rows = []
    for need_id, text_score in relevance.items():
        need = facts.get(need_id)
        if need is None:
            continue
        result = scoring.score_pair(
            need_facts_spec(need),
            spec,
            text=text_score,
            shared_terms=(),
            place=ctx.places.get(need.city or ""),
            names=ctx.names,
            weights=matcher.weights,
        )
        rows.append(NeedScore(need_id, need.city, text_score, result))
    rows.sort(key=lambda r: (r.result.score, r.text, -r.need_id), reverse=True)
    return rows


def rank_needs(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    text: str,
    spec: scoring.ProjectSpec,
    limit: int,
) -> list[NeedMatch]:
    top = score_needs(session, search, matcher, text, spec)[:limit]
    needs = needs_facts.public_needs(session, [row.need_id for row in top])
    project_terms = term_set(search.analyzer, text)
    out = []
    for row in top:
        need = needs.get(row.need_id)
        if need is None:
            continue
        out.append(
            NeedMatch(
                need=need,
                score=row.result.score,
                components=row.result.components,
                reasons=with_shared_terms(
                    row.result.reasons,
                    search.analyzer,
                    project_terms,
                    need.title_zh,
                    need.title_en,
                    need.keywords,
                ),
            )
        )
    return out


def project_to_needs(
    session: Session, search: SearchEngine, matcher: Matcher, project_id: int, limit: int
) -> ProjectNeedMatches:
    project = catalog.get_public_project(session, project_id)
    items = rank_needs(
        session, search, matcher, project_text(project), project_spec(project), limit
    )
    return ProjectNeedMatches(project=project, items=items)


def theme_to_needs(
    session: Session, search: SearchEngine, matcher: Matcher, theme: Theme, limit: int
) -> list[NeedMatch]:
    """Open public needs that a roadshow's theme speaks to (before it has a lineup)."""
    spec = scoring.ProjectSpec(industries=theme.industries, city=theme.city)
    return rank_needs(session, search, matcher, query_text(theme.text), spec, limit)
