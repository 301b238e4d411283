"""A project as a card in a list (search results, the home page's rows), prepared in Python.

The card is on every results page twenty times, so everything it shows is worked out here once
— title and summary in the reader's script with the search's highlights kept safe, the price in
the reader's conventions, names of the city and transfer modes — and ``_listing.html``'s
``card`` macro only lays it out. (Jinja calls each helper through its runtime, about ten times
dearer than a call here: done in the template, the twenty cards were two thirds of a results
page's rendering.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from app.catalog.schemas import ProjectListItem
from app.web.display import Shown
from app.web.i18n import N_
from app.web.pages import Page

SUMMARY = {"zh": 160, "en": 280}  # characters of a summary in a list
BRIEF = {"zh": 60, "en": 110}  # on the home page's rows


@dataclass(frozen=True)
class CardLabels:
    """The words every card of a page shares, translated once."""

    in_chinese: str
    keywords: str
    modes: str


@dataclass(frozen=True)
class Card:
    id: int
    title: Shown
    summary: Shown
    trl: str | None
    city: str | None
    institution: Markup | None
    price: str
    keywords: Markup | None
    modes: list[str]
    labels: CardLabels


def price(page: Page, wan: float | None) -> str:
    """A listing's price as the reader reads it: RMB and 万元 in English, 万元 in Chinese."""
    if wan is None:
        return page.gettext(N_("Price negotiable"))
    return page.gettext(N_("RMB %(yuan)s (%(amount)s 万元)")) % {
        "yuan": page.number(round(wan * 10_000)),
        "amount": page.number(wan),
    }


def chinese(page: Page, value: str) -> Markup:
    """Chinese-only content (an institution): converted for a Traditional reader, marked as
    Chinese for an English one."""
    if page.language == "en":
        return Markup('<span lang="zh-Hans">%s</span>') % value
    return Markup.escape(page.text(value))


def cards(
    page: Page,
    items: Sequence[ProjectListItem],
    names: dict[str, dict[str, str]],
    *,
    brief: bool = False,
) -> list[Card]:
    labels = CardLabels(
        in_chinese=page.gettext(N_("(in Chinese)")),
        keywords=page.gettext(N_("Keywords:")),
        modes=page.gettext(N_("Transfer mode")),
    )
    lengths = BRIEF if brief else SUMMARY
    limit = lengths["en" if page.language == "en" else "zh"]
    trl = page.gettext(N_("TRL %(level)s"))
    out = []
    for item in items:
        marks = item.highlight or {}
        keywords = marks.get("keywords") if page.language != "en" else None
        out.append(
            Card(
                id=item.id,
                title=page.shown(item, "title", marks),
                summary=page.shown(item, "summary", marks, limit),
                trl=trl % {"level": item.trl} if item.trl else None,
                city=names["city"].get(item.city, item.city) if item.city else None,
                institution=chinese(page, item.institution) if item.institution else None,
                price=price(page, item.price_wan),
                keywords=page.marked(keywords) if keywords else None,
                modes=[names["mode"].get(m, m) for m in item.transfer_modes],
                labels=labels,
            )
        )
    return out
