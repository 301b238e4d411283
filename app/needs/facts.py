"""What other domains (matching) read of public open needs: by id or external id, light facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.listing import values_by_owner
from app.needs import schemas
from app.needs.models import Need, NeedIndustry, NeedTransferMode
from app.needs.records import LOAD, to_public, visible_to_public


def public_needs(session: Session, ids: Sequence[int]) -> dict[int, schemas.NeedPublic]:
    """The public open needs among ``ids`` (what anonymous readers may be matched with)."""
    if not ids:
        return {}
    rows = session.scalars(select(Need).where(Need.id.in_(ids), visible_to_public()).options(*LOAD))
    return {n.id: to_public(n) for n in rows}


@dataclass(frozen=True)
class NeedHeadline:
    id: int
    title_zh: str | None
    title_en: str | None
    keywords: tuple[str, ...]


def public_headlines(session: Session, ids: Sequence[int]) -> dict[int, NeedHeadline]:
    """Titles and keywords of the public open needs among ``ids``: one light query."""
    if not ids:
        return {}
    rows = session.execute(
        select(Need.id, Need.title_zh, Need.title_en, Need.keywords).where(
            Need.id.in_(ids), visible_to_public()
        )
    )
    return {r.id: NeedHeadline(r.id, r.title_zh, r.title_en, tuple(r.keywords or ())) for r in rows}


def public_need_by_external_id(session: Session, external_id: str) -> schemas.NeedPublic:
    need = session.scalar(
        select(Need).where(Need.external_id == external_id, visible_to_public()).options(*LOAD)
    )
    if need is None:
        raise NotFoundError(f"No public open need has the external_id '{external_id}'")
    return to_public(need)


@dataclass(frozen=True)
class NeedFacts:
    """What matching scores a need on, read without building ORM objects."""

    industries: tuple[str, ...]
    city: str | None
    min_trl: int | None
    modes: tuple[str, ...]
    budget: float | None


def public_facts(session: Session, ids: Sequence[int]) -> dict[int, NeedFacts]:
    """Facts of the public open needs among ``ids``: three light queries."""
    if not ids:
        return {}
    rows = session.execute(
        select(Need.id, Need.city_code, Need.min_trl, Need.budget_wan).where(
            Need.id.in_(ids), visible_to_public()
        )
    ).all()
    found = [r.id for r in rows]
    industries = values_by_owner(
        session, NeedIndustry.need_id, NeedIndustry.industry_code, NeedIndustry.position, found
    )
    modes = values_by_owner(
        session, NeedTransferMode.need_id, NeedTransferMode.mode, NeedTransferMode.position, found
    )
    return {
        r.id: NeedFacts(
            industries=tuple(industries.get(r.id, ())),
            city=r.city_code,
            min_trl=r.min_trl,
            modes=tuple(modes.get(r.id, ())),
            budget=float(r.budget_wan) if r.budget_wan is not None else None,
        )
        for r in rows
    }
