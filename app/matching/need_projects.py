"""Need → projects: the projects that could answer a stored need, or an ad-hoc one that is not
stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog import facts as catalog
from app.catalog.listing import published_projects
from app.errors import ConflictError, FieldError, InvalidInputError
from app.matching import candidates, scoring
from app.matching.matcher import Matcher
from app.matching.render import public_project
from app.matching.schemas import AdHocNeed, AdHocNeedMatches, NeedMatches, ProjectMatch
from app.matching.specs import need_spec, need_text, project_facts_spec
from app.matching.terms import term_set, with_shared_terms
from app.needs import facts as needs_facts
from app.needs import records as need_records
from app.needs import workflow as need_workflow
from app.search.service import SearchEngine


def rank_projects(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    spec: scoring.NeedSpec,
    text: str,
    limit: int,
    *,
    text_only: bool = False,
    weights: Mapping[str, float] | None = None,
) -> list[ProjectMatch]:
    """Candidates from the engine (by text, and by industry), scored on light facts; only the
    returned matches are rendered."""
    ctx = matcher.context(session, search.analyzer)
    query = matcher.expand(text) if text.strip() else ""
    relevance = candidates.projects_for(search, query, () if text_only else spec.industries)
    facts = catalog.published_facts(session, list(relevance))
    place = ctx.places.get(spec.city or "")
    scored = []
    for project_id, text_score in relevance.items():
        project = facts.get(project_id)
        if project is None:
            continue  # no longer published; the index is catching up
        if text_only:
            result = scoring.Scored(text_score, {"text": text_score}, [])
        else:
            result = scoring.score_pair(
                spec,
                project_facts_spec(project),
                text=text_score if query else None,
                shared_terms=(),
                place=place,
                names=ctx.names,
                weights=weights or matcher.weights,
            )
        scored.append((result.score, text_score, -project_id, result))
    scored.sort(key=lambda row: row[:3], reverse=True)
    top = scored[:limit]
    rendered = published_projects(session, matcher.renders, [-row[2] for row in top])
    need_terms = term_set(search.analyzer, query) if query else frozenset()
    out = []
    for _, _, negative_id, result in top:
        entry = rendered.get(-negative_id)
        if entry is None:
            continue
        item = entry.item
        out.append(
            ProjectMatch(
                project=public_project(item),
                score=result.score,
                components=result.components,
                reasons=with_shared_terms(
                    result.reasons,
                    search.analyzer,
                    need_terms,
                    item.title_zh,
                    item.title_en,
                    item.keywords,
                ),
            )
        )
    return out


def need_to_projects(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    need_id: int,
    limit: int,
    user: User | None = None,
) -> NeedMatches:
    """A need's matches: a private need's for its organisation and the secretariat only; a
    closed need gets none."""
    found = need_workflow.need_for(session, need_id, user)
    if found.status == "closed":
        raise ConflictError("The need is closed; it gets no new matches")
    need = need_records.to_public(found)
    items = rank_projects(session, search, matcher, need_spec(need), need_text(need), limit)
    return NeedMatches(need=need, items=items)


def need_to_projects_by_external_id(
    session: Session, search: SearchEngine, matcher: Matcher, external_id: str, limit: int
) -> NeedMatches:
    need = needs_facts.public_need_by_external_id(session, external_id)
    return need_to_projects(session, search, matcher, need.id, limit)


def adhoc_to_projects(
    session: Session,
    search: SearchEngine,
    matcher: Matcher,
    need: AdHocNeed,
    limit: int,
    *,
    text_only: bool = False,
    weights: Mapping[str, float] | None = None,
) -> AdHocNeedMatches:
    """Matches for a need that is not stored; unknown industry or place codes are a 422."""
    ctx = matcher.context(session, search.analyzer)
    unknown = [c for c in need.industries if c not in ctx.names.industries]
    places = ctx.places
    _check(unknown, "industries", "industry code")
    _check([need.city] if need.city and need.city not in places else [], "city", "city or zone")
    items = rank_projects(
        session,
        search,
        matcher,
        need_spec(need),
        need.text or "",
        limit,
        text_only=text_only,
        weights=weights,
    )
    return AdHocNeedMatches(need=need, items=items)


def _check(unknown: Sequence[str], field: str, what: str) -> None:
    if unknown:
        raise InvalidInputError(
            f"Unknown {what} in '{field}': {', '.join(unknown)}",
            [
                FieldError(field=field, location="body", message=f"unknown {what} '{u}'")
                for u in unknown
            ],
        )
