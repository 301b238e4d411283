"""The secretariat's numbers (``/admin/stats``): the funnel from listing to landing, landings by
city and zone, leads by source, published projects by industry and by TRL, needs open and
matched. Each chart is inline SVG beside a table of the same numbers and a CSV download.

The numbers are ``app.stats`` (``GET /api/v1/stats``) and the few more it gives the page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app import stats as stats_service
from app.deps import SessionDep
from app.errors import NotFoundError
from app.geo import service as geo_service
from app.geo.taxonomy import TRL_LEVELS
from app.roadshows.exports import _cell as csv_cell
from app.roadshows.exports import attachment
from app.web.access import SecretariatPage
from app.web.charts import Bar, bar_chart
from app.web.i18n import N_
from app.web.pages import Page, render

router = APIRouter(include_in_schema=False)

LEAD_SOURCE_NAMES: dict[str, str] = {
    "roadshow": N_("Interest recorded at a roadshow"),
    "interest": N_("An enterprise's own interest on Ketao"),
    "secretariat": N_("Opened by the secretariat"),
}
NEEDS_NAMES: dict[str, str] = {
    "open_matched": N_("Open, matched with a project"),
    "open_unmatched": N_("Open, not matched yet"),
    "closed": N_("Closed"),
}


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    values: tuple[float, ...]  # the first is the bar's


@dataclass(frozen=True)
class Chart:
    key: str
    title: str  # msgid
    note: str  # msgid: how to read it
    columns: tuple[str, ...]  # msgids: the label's column, then each value's
    rows: list[Row]

    def bars(self, page: Page) -> list[Bar]:
        return [Bar(r.label, r.values[0], page.number(r.values[0])) for r in self.rows]

    def summary(self, page: Page) -> str:
        """What the chart shows, in words: its accessible name."""
        parts = [f"{r.label} {page.number(r.values[0])}" for r in self.rows]
        listed = "; ".join(parts) if parts else page.gettext(N_("nothing yet"))
        return f"{page.gettext(self.title)}: {listed}"


@dataclass
class Context:
    page: Page
    db: Session
    _stats: stats_service.Stats | None = None

    @property
    def stats(self) -> stats_service.Stats:
        if self._stats is None:
            self._stats = stats_service.stats(self.db)
        return self._stats


def funnel(ctx: Context) -> Chart:
    """Published projects, the leads on them, and how many leads reached each stage: a lead
    now at a later stage passed the earlier ones; a closed lead counts as a lead only."""
    leads = ctx.stats.lead_funnel
    pipeline = ["contacted", "negotiating", "signed", "landed"]
    rows = [
        Row(
            "published",
            ctx.page.gettext(N_("Published projects")),
            (ctx.stats.projects_by_status.get("published", 0),),
        ),
        Row("leads", ctx.page.gettext(N_("Leads (interest shown)")), (sum(leads.values()),)),
    ]
    names = {
        "contacted": N_("Reached contacted"),
        "negotiating": N_("Reached negotiating"),
        "signed": N_("Reached signed"),
        "landed": N_("Landed"),
    }
    for i, stage in enumerate(pipeline):
        reached = sum(leads.get(s, 0) for s in pipeline[i:])
        rows.append(Row(stage, ctx.page.gettext(names[stage]), (reached,)))
    return Chart(
        "funnel",
        N_("From listing to landing"),
        N_("Each step counts what reached it: a lead now signed has been contacted too."),
        (N_("Step"), N_("Count")),
        rows,
    )


def landings(ctx: Context) -> Chart:
    places = {
        c.code: ctx.page.name(c.name_zh, c.name_en, c.name_zh_hant)
        for c in geo_service.list_cities(ctx.db).items
    }
    found = sorted(ctx.stats.landings_by_place.items(), key=lambda item: (-item[1].count, item[0]))
    return Chart(
        "landings",
        N_("Landings by city and zone"),
        N_("Leads landed in each city or zone, and the amount agreed (万元)."),
        (N_("City or zone"), N_("Landings"), N_("Amount (万元)")),
        [Row(code, places.get(code, code), (n.count, n.amount_wan)) for code, n in found],
    )


def sources(ctx: Context) -> Chart:
    counts = stats_service.leads_by_source(ctx.db)
    return Chart(
        "sources",
        N_("Leads by source"),
        N_(
            "What opened each lead. Interest on Ketao comes from a listing found by search, "
            "a match or a link."
        ),
        (N_("Source"), N_("Leads")),
        [Row(k, ctx.page.gettext(LEAD_SOURCE_NAMES[k]), (n,)) for k, n in counts.items()],
    )


def industries(ctx: Context) -> Chart:
    counts = ctx.stats.published_projects_by_industry
    nodes = geo_service.taxonomy(ctx.db).industries
    rows = [
        Row(n.code, ctx.page.name(n.name_zh, n.name_en), (counts.get(n.code, 0),)) for n in nodes
    ]
    rows.sort(key=lambda r: -r.values[0])
    return Chart(
        "industries",
        N_("Published projects by industry"),
        N_("A project in two industries counts in each."),
        (N_("Industry"), N_("Projects")),
        rows,
    )


def trl(ctx: Context) -> Chart:
    counts = stats_service.published_projects_by_trl(ctx.db)
    rows = []
    for key, n in counts.items():
        if key == stats_service.TRL_UNKNOWN:
            label = ctx.page.gettext(N_("No TRL given"))
        else:
            meaning = ctx.page.name(*TRL_LEVELS[int(key)])
            label = f"{ctx.page.gettext(N_('TRL %(level)s')) % {'level': key}} · {meaning}"
        rows.append(Row(key, label, (n,)))
    return Chart(
        "trl",
        N_("Published projects by maturity (TRL)"),
        N_("Technology readiness, from 1 (principles observed) to 9 (proven in use)."),
        (N_("Maturity"), N_("Projects")),
        rows,
    )


def needs(ctx: Context) -> Chart:
    counts = stats_service.needs_matched(ctx.db)
    return Chart(
        "needs",
        N_("Needs open and matched"),
        N_(
            "An open need is matched once its organisation follows a project (a lead, opened on "
            "Ketao or at a roadshow)."
        ),
        (N_("Needs"), N_("Count")),
        [Row(k, ctx.page.gettext(NEEDS_NAMES[k]), (n,)) for k, n in counts.items()],
    )


CHARTS: dict[str, Callable[[Context], Chart]] = {
    "funnel": funnel,
    "landings": landings,
    "sources": sources,
    "industries": industries,
    "trl": trl,
    "needs": needs,
}


@router.get("/admin/stats")
def stats_page(page: SecretariatPage, db: SessionDep) -> Response:
    ctx = Context(page, db)
    charts = [make(ctx) for make in CHARTS.values()]
    s = ctx.stats
    landed = s.landings_by_place.values()
    return render(
        page,
        "admin/stats.html",
        section="stats",
        charts=[(c, bar_chart(c.bars(page), c.summary(page))) for c in charts],
        figures=[
            (N_("Published projects"), page.number(s.projects_by_status.get("published", 0))),
            (N_("Leads"), page.number(sum(s.lead_funnel.values()))),
            (N_("Landings"), page.number(sum(n.count for n in landed))),
            (N_("Amount landed (万元)"), page.number(sum(n.amount_wan for n in landed))),
        ],
    )


@router.get("/admin/stats/{chart}.csv")
def stats_csv(page: SecretariatPage, db: SessionDep, chart: str) -> Response:
    make = CHARTS.get(chart)
    if make is None:
        raise NotFoundError("No such chart")
    found = make(Context(page, db))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(page.gettext(c)) for c in (N_("Code"), *found.columns)])
    for row in found.rows:
        writer.writerow(
            [csv_cell(v) for v in (row.code, row.label, *(_plain(v) for v in row.values))]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": attachment(f"ketao-{found.key}.csv"),
            "Cache-Control": "no-store",
        },
    )


def _plain(value: float) -> str:
    """A number for a spreadsheet: no grouping, no needless ``.0``."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
