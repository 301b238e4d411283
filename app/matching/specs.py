"""What the scorer is told about each side of a pair: needs, projects and roadshow themes as
``scoring`` specs, and the text of each that candidates are searched by."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.facts import ProjectFacts
from app.catalog.schemas import ProjectPublic
from app.matching import scoring
from app.matching.schemas import AdHocNeed
from app.matching.terms import query_text
from app.needs.facts import NeedFacts
from app.needs.schemas import NeedPublic


@dataclass(frozen=True)
class Theme:
    """What a roadshow is about and where it is held."""

    text: str
    industries: tuple[str, ...]
    city: str


def need_spec(need: NeedPublic | AdHocNeed) -> scoring.NeedSpec:
    return scoring.NeedSpec(
        industries=tuple(need.industries),
        city=need.city,
        min_trl=need.min_trl,
        modes=tuple(str(m) for m in need.transfer_modes),  # StrEnum or str: the code either way
        budget=need.budget_wan,
    )


def need_facts_spec(facts: NeedFacts) -> scoring.NeedSpec:
    return scoring.NeedSpec(
        industries=facts.industries,
        city=facts.city,
        min_trl=facts.min_trl,
        modes=facts.modes,
        budget=facts.budget,
    )


def project_spec(project: ProjectPublic) -> scoring.ProjectSpec:
    return scoring.ProjectSpec(
        industries=tuple(project.industries),
        trl=project.trl,
        modes=tuple(project.transfer_modes),
        price=project.price_wan,
        city=project.city,
        targets=tuple(project.target_cities),
    )


def project_facts_spec(facts: ProjectFacts) -> scoring.ProjectSpec:
    return scoring.ProjectSpec(
        industries=facts.industries,
        trl=facts.trl,
        modes=facts.modes,
        price=facts.price,
        city=facts.city,
        targets=facts.targets,
    )


def need_text(need: NeedPublic) -> str:
    return query_text(
        need.title_zh,
        need.title_en,
        " ".join(need.keywords),
        need.description_zh,
        need.description_en,
    )


def project_text(project: ProjectPublic) -> str:
    return query_text(
        project.title_zh,
        project.title_en,
        " ".join(project.keywords),
        project.summary_zh,
        project.summary_en,
    )
