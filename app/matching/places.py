"""What a city or zone brings to a match beyond its profile: its clusters and platforms, and
its open needs, each with the reason a person reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from app.matching import candidates, scoring
from app.matching.context import Context
from app.matching.schemas import Reason
from app.matching.terms import term_set
from app.needs import facts as needs_facts
from app.search.service import SearchEngine


def platforms(ctx: Context, code: str, terms: frozenset[str]) -> tuple[float, Reason | None]:
    """How much the place's clusters, platforms and research share ``terms``, and which."""
    matched = [(zh, en) for zh, en, asset in ctx.assets.get(code, []) if asset & terms]
    if not matched:
        return 0.0, None
    place = ctx.places[code]
    return min(1.0, 0.5 * len(matched)), Reason(
        code="city.platforms",
        message_zh=f"{place.name_zh}的相关集群与平台：" + "、".join(zh for zh, _ in matched[:4]),
        message_en=f"Related clusters and platforms in {place.name_en}: "
        + ", ".join(en for _, en in matched[:4]),
    )


class Titled(Protocol):
    @property
    def title_zh(self) -> str | None: ...
    @property
    def title_en(self) -> str | None: ...


def needs_reason(
    place: scoring.Place, needs: Sequence[Titled], count: int | None = None
) -> Reason | None:
    if not needs:
        return None
    count = count or len(needs)
    titles_zh = "、".join((n.title_zh or n.title_en or "")[:24] for n in needs[:2])
    titles_en = "; ".join((n.title_en or n.title_zh or "")[:48] for n in needs[:2])
    return Reason(
        code="city.open_needs",
        message_zh=f"{place.name_zh}有 {count} 条相关的公开需求：{titles_zh}",
        message_en=f"{count} related open need(s) in {place.name_en}: {titles_en}",
    )


def open_needs_in(
    session: Session, search: SearchEngine, code: str, query: str
) -> list[tuple[needs_facts.NeedHeadline, frozenset[str]]]:
    """The open public needs in a city or zone most related to ``query`` (at most
    ``candidates.NEEDS_IN_PLACE``), with the terms of their titles and keywords."""
    ids = candidates.needs_in_place(search, code, query)
    needs = needs_facts.public_headlines(session, ids)
    return [
        (
            need,
            term_set(
                search.analyzer,
                " ".join([need.title_zh or "", need.title_en or "", *need.keywords]),
            ),
        )
        for need_id in ids
        if (need := needs.get(need_id)) is not None
    ]
